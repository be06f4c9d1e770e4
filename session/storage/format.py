"""The .NET save file format: ``DataContractSerializer`` XML of a ``Dictionary<string, object>``.

:func:`encode` writes exactly the bytes the .NET tracker writes, and
:func:`looks_like_save_file` tells a save file (or what is left of one) from any other file.
Reading is :mod:`session.storage.decode`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from ..state import INT32_MAX

__all__ = ["MAX_FILE_BYTES", "SCHEMA_USER_ID", "SESSION_KEYS", "encode", "looks_like_save_file"]

ARRAYS_NS = "http://schemas.microsoft.com/2003/10/Serialization/Arrays"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XSD_NS = "http://www.w3.org/2001/XMLSchema"
SER_NS = "http://schemas.microsoft.com/2003/10/Serialization/"

MAX_FILE_BYTES = 1 << 20
"""Larger files are refused unread: a real save file is about one kilobyte."""

SESSION_KEYS = ("userId", "sessionId", "previousSessionId", "sessionIndex", "storageMechanism")

_HEAD = (
    '<ArrayOfKeyValueOfstringanyType xmlns="http://schemas.microsoft.com/2003/10/Serialization/'
    'Arrays" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">'
)
_TAIL = "</ArrayOfKeyValueOfstringanyType>"
_TYPED = '<Value i:type="a:{}" xmlns:a="http://www.w3.org/2001/XMLSchema">{}</Value>'
SCHEMA_USER_ID = re.compile(r"[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}|[0-9a-f]{16}")
"""The ``userId`` pattern of the ``client_session`` schemas (a .NET reader keeps any string)."""
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


# ------------------------------------------------------------------------------- is it one?

_ROOT_TAG = "<ArrayOfKeyValueOfstringanyType"
_ROOT_ANYWHERE = re.compile(r"<(?:[\w.-]+:)?ArrayOfKeyValueOfstringanyType(?=[\s/>]|$)")
_PREAMBLE = re.compile(r"\A(?:\s+|<\?xml[^>]*\?>|<!--.*?-->)*", re.S)
_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'


def looks_like_save_file(data: bytes) -> bool:
    """Whether ``data`` shows any sign of being, or having been, a save file: empty (or only
    whitespace or NUL bytes, as a crash can leave), the .NET dictionary's root element
    anywhere in its first 64 KiB, or the start of a file cut short before that root.

    A file that shows none (a text file, an image, ``/etc/passwd``) is never taken over.
    """
    if not data.strip(b" \t\r\n\x00"):
        return True
    text = _as_text(data[:65536])
    if _ROOT_ANYWHERE.search(text):
        return True
    rest = _PREAMBLE.sub("", text.lstrip("\ufeff"), count=1)
    return _ROOT_TAG.startswith(rest) or _DECLARATION.startswith(rest)


def _as_text(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace")
    if head.startswith(b"<\x00"):
        return head.decode("utf-16-le", errors="replace")
    if head.startswith(b"\x00<"):
        return head.decode("utf-16-be", errors="replace")
    return head.decode("utf-8", errors="replace")
