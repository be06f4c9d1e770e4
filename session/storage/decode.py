"""Reading a save file as a .NET reader reads it.

:func:`decode` reads what a .NET reader accepts (elements by namespace URI and local name,
``i:type`` resolved through the namespaces in scope), refuses DTDs, entities and external
references before they cost anything, and keeps every entry it could read from a damaged file.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import XMLParser

from ..state import INT32_MAX
from ..util.text import quote
from .format import (
    ARRAYS_NS,
    MAX_FILE_BYTES,
    SER_NS,
    XSD_NS,
    XSI_NS,
)

__all__ = ["Decoded", "Problem", "TypedValue", "decode", "to_int"]

MAX_ELEMENTS = 1000
MAX_DEPTH = 32
MAX_NAMESPACES = 64
MAX_ATTRIBUTES = 1000
MAX_TAG_BYTES = 16384
"""Reading stops past these (keeping the entries read so far): a real save file has 16
elements, 3 levels, 3 namespace declarations, 10 attributes and no tag over 200 bytes, while a
megabyte of elements, nesting, namespace scopes or attributes would cost up to seconds."""

_ROOT = f"{{{ARRAYS_NS}}}ArrayOfKeyValueOfstringanyType"
_ENTRY = f"{{{ARRAYS_NS}}}KeyValueOfstringanyType"
_KEY = f"{{{ARRAYS_NS}}}Key"
_VALUE = f"{{{ARRAYS_NS}}}Value"
_NIL = f"{{{XSI_NS}}}nil"
_TYPE = f"{{{XSI_NS}}}type"

_GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_INT64 = (-(1 << 63), (1 << 63) - 1)
_LONG_TAG = re.compile(b"<[^<>]{%d}" % MAX_TAG_BYTES)


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
                    raise _Refused(f"the entry {quote(self._key)} has two Values")
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
            raise _Refused(f"the entry {quote(key)} has no Value")
        if key in self.entries or key in self._duplicates:
            self.problems.append(Problem(f"the key {quote(key)} appears more than once"))
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
                return self._refuse(f"the value of {quote(self._key)} has text but no i:type")
            return TypedValue("untyped", None)
        prefix, _, local = qname.strip().rpartition(":")
        uri = scope.get(prefix)
        if uri == XSD_NS and local in _CONVERTERS:
            try:
                return TypedValue(local, _CONVERTERS[local](text))
            except ValueError as error:
                return self._refuse(
                    f"the value of {quote(self._key)} is not a valid {local}: {error}"
                )
        if uri == SER_NS and local == "guid":
            if not _GUID.fullmatch(text.strip()):
                return self._refuse(f"the value of {quote(self._key)} is not a valid guid")
            return TypedValue("guid", text.strip().lower())
        return self._refuse(f"the value of {quote(self._key)} has an unknown type {quote(qname)}")

    def _refuse(self, message: str) -> TypedValue:
        self.problems.append(Problem(message))
        return TypedValue("refused", None)


def to_int(text: str, low: int, high: int) -> int:
    stripped = text.strip()
    if not _INTEGER.fullmatch(stripped):
        raise ValueError(f"{quote(text)} is not a whole number")
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
    raise ValueError(f"{quote(text)} is not true or false")


def _to_float(text: str) -> float:
    stripped = text.strip()
    special = {"INF": math.inf, "-INF": -math.inf, "NaN": math.nan}
    if stripped in special:
        return special[stripped]
    if not re.fullmatch(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", stripped):
        raise ValueError(f"{quote(text)} is not a number")
    return float(stripped)


_CONVERTERS: dict[str, Any] = {
    "string": str,
    "int": lambda t: to_int(t, -INT32_MAX - 1, INT32_MAX),
    "long": lambda t: to_int(t, *_INT64),
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
