"""The .NET save file format: ``DataContractSerializer`` XML of a ``Dictionary<string, object>``.

:func:`encode` writes exactly the bytes the .NET tracker writes. :func:`decode` reads what a
.NET reader accepts (elements by namespace URI and local name, ``i:type`` resolved through the
namespaces in scope), refuses DTDs, entities and external references before they cost anything,
and keeps every entry it could read from a damaged file. :func:`interpret` turns the entries into
the session fields, saying which of them are intact.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import XMLParser

from ..state import INT32_MAX

__all__ = [
    "MAX_FILE_BYTES",
    "Decoded",
    "Problem",
    "SavedSession",
    "TypedValue",
    "decode",
    "encode",
    "interpret",
]

ARRAYS_NS = "http://schemas.microsoft.com/2003/10/Serialization/Arrays"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XSD_NS = "http://www.w3.org/2001/XMLSchema"
SER_NS = "http://schemas.microsoft.com/2003/10/Serialization/"

MAX_FILE_BYTES = 1 << 20
"""Larger files are refused unread: a real save file is about one kilobyte."""

MAX_ELEMENTS = 1000
MAX_DEPTH = 32
MAX_NAMESPACES = 64
MAX_ATTRIBUTES = 1000
MAX_TAG_BYTES = 16384
"""Reading stops past these (keeping the entries read so far): a real save file has 16
elements, 3 levels, 3 namespace declarations, 10 attributes and no tag over 200 bytes, while a
megabyte of elements, nesting, namespace scopes or attributes would cost up to seconds."""

SESSION_KEYS = ("userId", "sessionId", "previousSessionId", "sessionIndex", "storageMechanism")

_ROOT = f"{{{ARRAYS_NS}}}ArrayOfKeyValueOfstringanyType"
_ENTRY = f"{{{ARRAYS_NS}}}KeyValueOfstringanyType"
_KEY = f"{{{ARRAYS_NS}}}Key"
_VALUE = f"{{{ARRAYS_NS}}}Value"
_NIL = f"{{{XSI_NS}}}nil"
_TYPE = f"{{{XSI_NS}}}type"

_HEAD = (
    '<ArrayOfKeyValueOfstringanyType xmlns="http://schemas.microsoft.com/2003/10/Serialization/'
    'Arrays" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">'
)
_TAIL = "</ArrayOfKeyValueOfstringanyType>"
_TYPED = '<Value i:type="a:{}" xmlns:a="http://www.w3.org/2001/XMLSchema">{}</Value>'
_USER_ID = re.compile(r"[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}|[0-9a-f]{16}")
_GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_INT64 = (-(1 << 63), (1 << 63) - 1)
_LONG_TAG = re.compile(b"<[^<>]{%d}" % MAX_TAG_BYTES)


# ---------------------------------------------------------------------------------------- write


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")


def _escape(text: str) -> str:
    out = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _CONTROL.sub(lambda m: f"&#x{ord(m.group()):X};", out)


def _encode_value(value: object) -> str:
    if value is None:
        return '<Value i:nil="true"/>'
    if isinstance(value, bool):
        return _TYPED.format("boolean", "true" if value else "false")
    if isinstance(value, int):
        kind = "int" if -INT32_MAX - 1 <= value <= INT32_MAX else "long"
        return _TYPED.format(kind, value)
    if isinstance(value, float):
        text = "INF" if value == math.inf else "-INF" if value == -math.inf else repr(value)
        return _TYPED.format("double", "NaN" if math.isnan(value) else text)
    if isinstance(value, str):
        return _TYPED.format("string", _escape(value))
    raise TypeError(f"cannot save a {type(value).__name__} in a save file: {value!r}")


def encode(entries: Iterable[tuple[str, object]]) -> bytes:
    """The save file's bytes for ``(key, value)`` pairs, in the order given.

    Values may be None, str, int (``a:int`` within Int32, else ``a:long``), bool or float.
    """
    parts = [_HEAD]
    for key, value in entries:
        parts.append(
            f"<KeyValueOfstringanyType><Key>{_escape(key)}</Key>"
            f"{_encode_value(value)}</KeyValueOfstringanyType>"
        )
    parts.append(_TAIL)
    return "".join(parts).encode("utf-8")


# ----------------------------------------------------------------------------------------- read


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with a save file. ``dotnet_refuses``: a .NET reader rejects the file."""

    message: str
    dotnet_refuses: bool = True


@dataclass(frozen=True, slots=True)
class TypedValue:
    """A value as saved: its ``xsd`` type name (``"null"`` for nil, ``"untyped"``) and value."""

    type: str
    value: Any


@dataclass(frozen=True, slots=True)
class Decoded:
    """Every entry read from a file, and what was wrong with it (nothing, for a good file)."""

    entries: Mapping[str, TypedValue]
    problems: tuple[Problem, ...] = ()

    @property
    def dotnet_reads(self) -> bool:
        """Whether a .NET ``DataContractSerializer`` would read the file."""
        return not any(p.dotnet_refuses for p in self.problems)


class _Refused(Exception):
    """The structure is wrong from here on: stop reading, keep what was read."""


class _Reader:
    """An ``XMLParser`` target that collects dictionary entries as they complete."""

    def __init__(self) -> None:
        self.entries: dict[str, TypedValue] = {}
        self.problems: list[Problem] = []
        self._scopes: list[dict[str, str]] = [{}]
        self._new_scope: dict[str, str] = {}
        self._depth = 0
        self._key: str | None = None
        self._value: TypedValue | None = None
        self._text: list[str] | None = None
        self._value_attrs: dict[str, str] = {}
        self._duplicates: set[str] = set()
        self._tags: list[str] = []
        self.finished = False
        self._elements = 0
        self._namespaces = 0
        self._attributes = 0

    def start_ns(self, prefix: str, uri: str) -> None:
        self._namespaces += 1
        if self._namespaces > MAX_NAMESPACES:
            raise _Refused(f"the file declares more than {MAX_NAMESPACES} namespaces")
        self._new_scope[prefix] = uri

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        self._scopes.append({**self._scopes[-1], **self._new_scope})
        self._new_scope = {}
        self._depth += 1
        self._elements += 1
        depth = self._depth
        if depth > MAX_DEPTH:
            raise _Refused(f"the elements are nested more than {MAX_DEPTH} deep")
        if self._elements > MAX_ELEMENTS:
            raise _Refused(f"the file has more than {MAX_ELEMENTS} elements")
        self._attributes += len(attrs)
        if self._attributes > MAX_ATTRIBUTES:
            raise _Refused(f"the file has more than {MAX_ATTRIBUTES} attributes")
        if depth == 1:
            if tag != _ROOT:
                raise _Refused(f"the root element is {_describe(tag)}, not {_describe(_ROOT)}")
        elif self.finished:
            raise _Refused("there is content after the root element")
        elif depth == 2 and tag == _ENTRY:
            self._key, self._value = None, None
        elif depth == 3 and self._parent_is_entry:
            if tag == _KEY:
                if self._key is not None or self._value is not None:
                    raise _Refused("an entry has a Key after its Key or Value")
                self._text = []
            elif tag == _VALUE:
                if self._key is None:
                    raise _Refused("an entry has its Value before its Key, or no Key")
                if self._value is not None:
                    raise _Refused(f"the entry {self._key!r} has two Values")
                self._text, self._value_attrs = [], attrs
            elif self._key is None:
                raise _Refused(f"an entry starts with {_describe(tag)} instead of Key")
        elif self._text is not None:
            raise _Refused(f"an element {_describe(tag)} is inside a Key or Value")
        self._tags.append(tag)

    @property
    def _parent_is_entry(self) -> bool:
        return self._tags[-1] == _ENTRY

    def data(self, text: str) -> None:
        if self._text is not None:
            self._text.append(text)

    def end(self, tag: str) -> None:
        self._tags.pop()
        depth = self._depth
        self._depth -= 1
        scope = self._scopes.pop()
        if depth == 1:
            self.finished = True
        elif depth == 2 and tag == _ENTRY:
            self._finish_entry()
        elif depth == 3 and self._text is not None:
            text = "".join(self._text)
            self._text = None
            if tag == _KEY:
                self._key = text
            else:
                self._value = self._convert(text, scope)

    def close(self) -> None:
        return None

    def _finish_entry(self) -> None:
        key, value = self._key, self._value
        if key is None:
            raise _Refused("an entry has no Key")
        if value is None:
            raise _Refused(f"the entry {key!r} has no Value")
        if key in self.entries or key in self._duplicates:
            self.problems.append(Problem(f"the key {key!r} appears more than once"))
            if key in self.entries and self.entries[key] != value:
                del self.entries[key]
            self._duplicates.add(key)
        elif value.type != "refused":
            self.entries[key] = value

    def _convert(self, text: str, scope: dict[str, str]) -> TypedValue:
        attrs = self._value_attrs
        if attrs.get(_NIL, "").strip() in ("true", "1"):
            return TypedValue("null", None)
        qname = attrs.get(_TYPE)
        if qname is None:
            if text.strip():
                return self._refuse(f"the value of {self._key!r} has text but no i:type")
            return TypedValue("untyped", None)
        prefix, _, local = qname.strip().rpartition(":")
        uri = scope.get(prefix)
        if uri == XSD_NS and local in _CONVERTERS:
            try:
                return TypedValue(local, _CONVERTERS[local](text))
            except ValueError as error:
                return self._refuse(f"the value of {self._key!r} is not a valid {local}: {error}")
        if uri == SER_NS and local == "guid":
            if not _GUID.fullmatch(text.strip()):
                return self._refuse(f"the value of {self._key!r} is not a valid guid")
            return TypedValue("guid", text.strip().lower())
        return self._refuse(f"the value of {self._key!r} has an unknown type {qname!r}")

    def _refuse(self, message: str) -> TypedValue:
        self.problems.append(Problem(message))
        return TypedValue("refused", None)


def _to_int(text: str, low: int, high: int) -> int:
    stripped = text.strip()
    if not _INTEGER.fullmatch(stripped):
        raise ValueError(f"{text!r} is not a whole number")
    number = int(stripped)
    if not low <= number <= high:
        raise ValueError(f"{number} is out of range")
    return number


def _to_bool(text: str) -> bool:
    stripped = text.strip()
    if stripped in ("true", "1"):
        return True
    if stripped in ("false", "0"):
        return False
    raise ValueError(f"{text!r} is not true or false")


def _to_float(text: str) -> float:
    stripped = text.strip()
    special = {"INF": math.inf, "-INF": -math.inf, "NaN": math.nan}
    if stripped in special:
        return special[stripped]
    if not re.fullmatch(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", stripped):
        raise ValueError(f"{text!r} is not a number")
    return float(stripped)


_CONVERTERS: dict[str, Any] = {
    "string": str,
    "int": lambda t: _to_int(t, -INT32_MAX - 1, INT32_MAX),
    "long": lambda t: _to_int(t, *_INT64),
    "boolean": _to_bool,
    "double": _to_float,
    "dateTime": str.strip,
}


def _describe(tag: str) -> str:
    uri, _, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
    return f"<{local}> (namespace {uri or 'none'!r})"


def _encoding_problem(data: bytes) -> Problem | None:
    codec = (
        "utf-16"
        if data.startswith((b"\xff\xfe", b"\xfe\xff"))
        else "utf-16-le"
        if data.startswith(b"<\x00")
        else "utf-16-be"
        if data.startswith(b"\x00<")
        else None
    )
    if codec is not None:
        head = data[:200].decode(codec, errors="replace")
        if not head.lstrip("\ufeff").startswith("<?xml") or "encoding" not in head.split("?>")[0]:
            return Problem("the file is UTF-16 without an encoding declaration")
    return None


def decode(data: bytes) -> Decoded:
    """Read a save file's bytes. Never raises for bad content: problems are in the result."""
    if len(data) > MAX_FILE_BYTES:
        return Decoded({}, (Problem(f"the file is larger than {MAX_FILE_BYTES} bytes"),))
    reader = _Reader()
    problems: list[Problem] = []
    if not data.strip():
        problems.append(Problem("the file is empty"))
    else:
        encoding = _encoding_problem(data)
        if encoding:
            problems.append(encoding)
        long_tag = _LONG_TAG.search(data)
        if long_tag:  # expat would build every attribute of it first: stop reading there
            problems.append(Problem(f"a tag is longer than {MAX_TAG_BYTES} bytes"))
            data = data[: long_tag.start()]
        parser = XMLParser(target=reader, forbid_dtd=True)
        try:
            parser.feed(data)
            parser.close()
        except _Refused as error:
            problems.append(Problem(str(error)))
        except DefusedXmlException as error:
            problems.append(Problem(f"the file has a DTD or entity, which is refused ({error})"))
        except (LookupError, UnicodeError, ValueError) as error:  # an encoding expat lacks
            problems.append(Problem(f"the file's text encoding cannot be read ({error})"))
        except ParseError as error:
            if reader.finished:
                problems.append(Problem(f"there is content after the root element ({error})"))
            else:
                problems.append(Problem(f"the file is not well-formed XML ({error})"))
    return Decoded(dict(reader.entries), (*reader.problems, *problems))


# ------------------------------------------------------------------------------------ interpret


@dataclass(frozen=True, slots=True)
class SavedSession:
    """The session fields of a save file; a field that is damaged or missing is None.

    ``problems`` says what was wrong, including what a .NET ``ClientSession`` would crash on;
    ``usable`` is True when the file can be used exactly as it stands.
    """

    user_id: str | None = None
    session_id: str | None = None
    previous_session_id: str | None = None
    session_index: int | None = None
    extras: Mapping[str, TypedValue] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()
    dotnet_crashes: bool = False

    @property
    def usable(self) -> bool:
        return not self.problems


def interpret(decoded: Decoded) -> SavedSession:
    """Pick the session fields out of decoded entries, keeping every field that is intact.

    A mistyped index that still holds a whole number in range (``a:long``, ``a:string``) is
    kept as a repair, reported as a problem: the .NET original crashes on it at every start.
    """
    entries = decoded.entries
    problems = list(decoded.problems)
    crashes = False

    def text_id(key: str, pattern: re.Pattern[str], nullable: bool) -> str | None:
        nonlocal crashes
        item = entries.get(key)
        if item is None:
            if key not in entries and decoded.dotnet_reads and not nullable:
                problems.append(Problem(f"{key} is missing", dotnet_refuses=False))
            return None
        if item.type == "null" and nullable:
            return None
        if item.type in ("string", "guid") and pattern.fullmatch(item.value):
            return str(item.value)
        if item.type == "untyped":
            crashes = True  # the .NET constructor casts it to string and throws
        problems.append(
            Problem(f"{key} is not a valid id ({item.type} {item.value!r})", dotnet_refuses=False)
        )
        return None

    user_id = text_id("userId", _USER_ID, nullable=False)
    session_id = text_id("sessionId", _GUID, nullable=False)
    previous = text_id("previousSessionId", _GUID, nullable=True)
    index: int | None = None
    item = entries.get("sessionIndex")
    if item is not None and item.type == "int" and item.value >= 0:
        index = item.value
    elif item is not None or decoded.dotnet_reads:
        found = "nothing" if item is None else f"{item.type} {item.value!r}"
        problems.append(
            Problem(f"sessionIndex is not an int from 0 to {INT32_MAX} ({found})", False)
        )
        if item is not None and item.type in ("long", "string", "null", "untyped"):
            crashes = True  # the .NET constructor casts it to int and throws
            try:
                index = _to_int(str(item.value), 0, INT32_MAX)
            except ValueError:
                index = None
    extras = {k: v for k, v in entries.items() if k not in SESSION_KEYS}
    return SavedSession(user_id, session_id, previous, index, extras, tuple(problems), crashes)
