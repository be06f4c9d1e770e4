"""The collector's log: one JSON object a line (NDJSON), appended as events arrive.

The format, defined here once (``docs/trackers.md`` shows it):

- each run of the collector starts with a header line
  ``{"snowsession": "collect", "format": 1, "started": "<ISO time>"}``;
- each event it took is ``{"received": <Unix s>, "fields": {...}, "contexts": [...],
  "unstruct": {...} or null}``: the tracker's fields as sent but the encoded ones, its
  entities, and its self-describing event, decoded;
- each bad payload is ``{"received": <Unix s>, "bad": "<reason>", "error": "<message>",
  "payload": "<the first 2000 characters>"}``.

Lines are UTF-8 JSON; a line holding text that UTF-8 cannot (a lone surrogate) is written with
JSON escapes, so anything a tracker sends is kept.
A line cut short by a kill is skipped when read, and counted.
"""

from __future__ import annotations

import json
import math
import os
import stat
import time
from collections.abc import Iterator
from typing import IO, Any

from ..audit.report import iso_time
from .jsontext import dumps, loads
from .protocol import BAD_REASONS, Decoded
from .record import Record, record_of

__all__ = [
    "FORMAT",
    "LogWriter",
    "bad_line",
    "event_line",
    "header_line",
    "is_header",
    "iter_lines",
    "parse_line",
]

FORMAT = 1

KEEP_PAYLOAD = 2000


def header_line(started: float) -> str:
    return json.dumps({"snowsession": "collect", "format": FORMAT, "started": iso_time(started)})


def is_header(value: Any) -> bool:
    return isinstance(value, dict) and value.get("snowsession") == "collect"


def event_line(received: float, decoded: Decoded) -> str:
    return dumps(
        {
            "received": round(received, 3),
            "fields": decoded.fields,
            "contexts": list(decoded.contexts),
            "unstruct": decoded.unstruct,
        }
    )


def bad_line(received: float, reason: str, message: str, payload: str) -> str:
    return dumps(
        {
            "received": round(received, 3),
            "bad": reason,
            "error": message[:KEEP_PAYLOAD],
            "payload": payload[:KEEP_PAYLOAD],
        }
    )


def parse_line(text: str | bytes, capture: int = 0) -> Record | str | None:
    """A log line read back: its event's :class:`~session.trackers.record.Record`, the reason
    of a bad payload, or None for a header. ValueError for a line that is not one of the log's;
    :class:`~session.trackers.protocol.PayloadError` for an event with no usable entity."""
    value = loads(text)
    if type(value) is not dict:
        raise ValueError("the line is not a JSON object")
    if value.get("snowsession") == "collect":
        return None
    received = value.get("received")
    if type(received) is not float and type(received) is not int:
        raise ValueError("the line has no received time")
    bad = value.get("bad")
    if bad is not None:
        if bad not in BAD_REASONS:
            raise ValueError(f"unknown bad reason {bad!r:.40}")
        return str(bad)
    fields, contexts, unstruct = value.get("fields"), value.get("contexts"), value.get("unstruct")
    if (
        type(fields) is not dict
        or type(contexts) is not list
        or not (unstruct is None or type(unstruct) is dict)
    ):
        raise ValueError("the line is not an event of this log format")
    for item in contexts:
        if type(item) is not dict:
            raise ValueError("the line is not an event of this log format")
    return record_of(fields, contexts, unstruct, float(received), capture)


class LogWriter:
    """Appends lines to the log; each :meth:`write` reaches the OS before it returns.

    A file that does not end with a newline (a run killed mid-line) gets one first, so the
    cut line stays alone on its line.
    """

    def __init__(self, path: str | os.PathLike[str], started: float | None = None) -> None:
        self.path = os.fspath(path)
        flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_NONBLOCK", 0)
        fd = os.open(self.path, flags, 0o666)
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise OSError(f"{self.path} is not a regular file")
            needs_newline = info.st_size > 0 and os.pread(fd, 1, info.st_size - 1) != b"\n"
            self._file: IO[str] = os.fdopen(fd, "a", encoding="utf-8")
        except BaseException:
            os.close(fd)
            raise
        self._file.write(
            ("\n" if needs_newline else "") + header_line(started or time.time()) + "\n"
        )
        self._file.flush()

    def write(self, lines: list[str]) -> None:
        if lines:
            self._file.write("\n".join(lines) + "\n")
            self._file.flush()

    def close(self) -> None:
        if not self._file.closed:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()


def iter_lines(
    handle: IO[bytes], limit: int, size: int | None = None
) -> Iterator[tuple[int, bytes | None]]:
    """``(line number, line)`` of a binary file from where it is, with None for a line over
    ``limit`` bytes (skipped unread beyond the limit); ``size`` bytes of it (a whole number of
    lines), or to its end."""
    number = 0
    left = math.inf if size is None else size
    while left > 0:
        line = handle.readline(limit + 1)
        if not line:
            return
        number += 1
        left -= len(line)
        if len(line) > limit and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = handle.readline(limit + 1)
                left -= len(line)
            yield number, None
            continue
        yield number, line
