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

import contextlib
import errno
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
    """Appends lines to the log; each :meth:`write` reaches the OS before it returns, or fails
    leaving nothing of itself behind.

    The log is locked for the writer's life (a second collector on the same log is refused:
    two runs interleaved would be one log of neither). A file that does not end with a
    newline (a run killed mid-line) gets one first, so the cut line stays alone on its line.
    Writes go straight to the file, never through a buffer: a write that failed (a full disk)
    is cut back off the file and cannot reach it later, so an event refused is never logged.
    """

    def __init__(
        self, path: str | os.PathLike[str], started: float | None = None, header: bool = True
    ) -> None:
        self.path = os.fspath(path)
        self._created = not os.path.lexists(self.path)
        self._headed = False
        flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_NONBLOCK", 0)
        fd = os.open(self.path, flags, 0o666)
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise OSError(errno.EINVAL, "not a regular file", self.path)
            _lock(fd, self.path)
            self._cut = info.st_size > 0 and os.pread(fd, 1, info.st_size - 1) != b"\n"
        except BaseException:
            os.close(fd)
            raise
        self._fd: int | None = fd
        if header:
            self.write_header(started)

    def write_header(self, started: float | None = None) -> None:
        """Start this run's part of the log (once it is sure to run: listening)."""
        line = header_line(started or time.time())
        self.write([("\n" if self._cut else "") + line])
        self._headed = True

    def write(self, lines: list[str]) -> list[tuple[int, int]]:
        """Append ``lines``; each one's ``(offset, length)`` in the file. OSError if they
        cannot all be written, and then none of them is in the file."""
        if not lines:
            return []
        if self._fd is None:
            raise OSError(errno.EBADF, "the log is closed", self.path)
        encoded = [line.encode("utf-8") for line in lines]
        data = b"\n".join(encoded) + b"\n"
        start = os.lseek(self._fd, 0, os.SEEK_END)
        view = memoryview(data)
        done = 0
        try:
            while done < len(data):
                done += os.write(self._fd, view[done:])
        except OSError:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, start)
            raise
        places = []
        for item in encoded:
            places.append((start, len(item)))
            start += len(item) + 1
        return places

    def read(self, offset: int, length: int) -> bytes:
        """The bytes of a line this writer wrote (from any thread)."""
        if self._fd is None:
            with open(self.path, "rb") as handle:
                handle.seek(offset)
                return handle.read(length)
        return os.pread(self._fd, length, offset)

    def close(self) -> None:
        """Flush to the disk and let go of the log; a log this writer made and never started
        is removed (a run that never listened leaves nothing)."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            if self._created and not self._headed and os.fstat(fd).st_size == 0:
                with contextlib.suppress(OSError):
                    os.unlink(self.path)
            else:
                with contextlib.suppress(OSError):  # a full disk may refuse even this
                    os.fsync(fd)
        finally:
            os.close(fd)


def _lock(fd: int, path: str) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise OSError(
            errno.EBUSY, "another collector is writing this log (give each its own --log)", path
        ) from None


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
