"""Captures read into an :class:`~session.trackers.chain.Analysis`: the collector's log, HAR
files, Snowplow Micro's ``/micro/good`` JSON and .NET save files.

Every file is checked to be a regular file before it is read, and reads are bounded: a log is
streamed a line at a time (at most :data:`MAX_LINE_BYTES` a line, any length in all), a big
one in parts by two processes when asked (:mod:`~session.trackers.logparts`); a JSON document
(HAR, Micro) may be at most :data:`MAX_DOCUMENT_BYTES`. Anything else is a
:class:`CaptureError` with a one-line message.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import IO, Any
from urllib.parse import parse_qsl, urlsplit

from ..context import SCHEMA_1_0_1
from ..storage.decode import decode
from ..storage.fields import interpret
from ..storage.format import MAX_FILE_BYTES
from .analysis import Analysis
from .logfile import is_header
from .logparts import no_cyclic_gc, read_log
from .protocol import (
    CONTEXTS_SCHEMA,
    MAX_BODY_BYTES,
    PAYLOAD_DATA_PREFIX,
    PayloadError,
    decode_body,
    decode_fields,
)
from .record import Record, make_record

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "MAX_LINE_BYTES",
    "CaptureError",
    "feed_payload",
    "open_regular",
    "read_capture",
]

MAX_LINE_BYTES = 4 << 20
"""A log line over this (4 MiB) is skipped and counted: a real one is about a kilobyte."""
MAX_DOCUMENT_BYTES = 512 << 20
"""A HAR or Micro JSON file over this (512 MiB) is refused unread."""


class CaptureError(ValueError):
    """A capture that cannot be read at all: one line for people."""


def open_regular(path: str | os.PathLike[str], limit: int | None = None) -> IO[bytes]:
    """Open a regular file for reading; never blocks on a FIFO, refuses devices and folders,
    and, with ``limit``, files larger than that."""
    name = os.fspath(path)
    try:
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise CaptureError(f"no file {name}") from None
    except OSError as error:
        raise CaptureError(f"cannot read {name}: {error.strerror or error}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise CaptureError(f"{name} is a folder, not a capture file")
        if not stat.S_ISREG(info.st_mode):
            raise CaptureError(f"{name} is not a regular file (a device, FIFO or socket)")
        if limit is not None and info.st_size > limit:
            raise CaptureError(f"{name} is {info.st_size} bytes, over the {limit} byte limit")
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


class _Reader:
    """Feeds one capture's events into the analysis, counting what it cannot use."""

    def __init__(self, analysis: Analysis, capture: int, warn: Callable[[str], None]) -> None:
        self.analysis = analysis
        self.capture = capture
        self.warn = warn
        self.events = 0

    def record(self, record: Record) -> None:
        self.events += 1
        self.analysis.add(record)

    def fields(self, raw: Mapping[str, Any], received: float) -> None:
        feed_payload(self.analysis, raw, received, self.capture, self.record)


def feed_payload(
    analysis: Analysis,
    raw: Mapping[str, Any],
    received: float,
    capture: int = 0,
    add: Callable[[Record], None] | None = None,
) -> Record | None:
    """Decode one event's fields into the analysis (bad ones counted); its record or None."""
    try:
        record = make_record(decode_fields(raw), received, capture)
    except PayloadError as error:
        analysis.count_bad(error.reason)
        return None
    (add or analysis.add)(record)
    return record


def _iso_seconds(text: Any) -> float | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _read_log(handle: IO[bytes], name: str, reader: _Reader, parallel: bool) -> None:
    events, unreadable = read_log(
        handle, name, reader.analysis, reader.capture, MAX_LINE_BYTES, parallel
    )
    reader.events += events
    if unreadable:
        reader.analysis.count_bad("unreadable_line", len(unreadable))
        reader.warn(
            f"{name}: {len(unreadable)} line(s) could not be read and were skipped "
            f"(first: line {unreadable[0]}; a collector killed mid-write leaves one)"
        )


def _read_har(document: Mapping[str, Any], reader: _Reader) -> None:
    log = document.get("log")
    entries = log.get("entries") if isinstance(log, dict) else None
    if not isinstance(entries, list):
        raise CaptureError("it looks like a HAR file but has no log.entries")
    for entry in entries:
        request = entry.get("request") if isinstance(entry, dict) else None
        if not isinstance(request, dict) or not isinstance(request.get("url"), str):
            continue
        received = _iso_seconds(entry.get("startedDateTime")) or 0.0
        url = urlsplit(request["url"])
        post = request.get("postData")
        text = post.get("text") if isinstance(post, dict) else None
        if request.get("method") == "GET" and url.path.endswith("/i"):
            reader.fields(dict(parse_qsl(url.query, keep_blank_values=True)), received)
        elif request.get("method") == "POST" and isinstance(text, str):
            if not url.path.endswith("/tp2") and PAYLOAD_DATA_PREFIX not in text[:300]:
                continue
            try:
                items = decode_body(text.encode("utf-8", "surrogatepass"))
            except PayloadError as error:
                reader.analysis.count_bad(error.reason)
                continue
            for item in items:
                reader.fields(item, received)


def _read_micro(items: list[Any], reader: _Reader) -> None:
    # Micro lists the newest first; the analysis orders by the tracker's time anyway.
    for item in reversed(items):
        if not isinstance(item, dict):
            reader.analysis.count_bad("malformed")
            continue
        raw = item.get("rawEvent")
        found = item.get("event")
        event: dict[str, Any] = found if isinstance(found, dict) else {}
        received = _iso_seconds(event.get("collector_tstamp")) or 0.0
        parameters = raw.get("parameters") if isinstance(raw, dict) else None
        if isinstance(parameters, dict):
            fields = {k: v for k, v in parameters.items() if v is not None}
        else:  # only the enriched event: rebuild the fields the analysis needs
            fields = {"e": str(event.get("event") or "ue"), "eid": event.get("event_id")}
            created = _iso_seconds(event.get("dvce_created_tstamp"))
            if created is not None:
                fields["dtm"] = str(round(created * 1000))
            contexts = event.get("contexts")
            if isinstance(contexts, dict):
                fields["co"] = json.dumps(contexts)
            unstruct = event.get("unstruct_event")
            if isinstance(unstruct, dict):
                fields["ue_pr"] = json.dumps(unstruct)
            fields = {k: v for k, v in fields.items() if v is not None}
        reader.fields(fields, received)


def _read_save_file(handle: IO[bytes], name: str, reader: _Reader) -> None:
    info = os.fstat(handle.fileno())
    saved = interpret(decode(handle.read(MAX_FILE_BYTES + 1)))
    entity = {
        "schema": SCHEMA_1_0_1,
        "data": {
            "userId": saved.user_id,
            "sessionId": saved.session_id,
            "previousSessionId": saved.previous_session_id,
            "sessionIndex": saved.session_index,
            "storageMechanism": "LOCAL_STORAGE",
        },
    }
    fields = {"e": "save_file", "dtm": str(round(info.st_mtime * 1000))}
    if saved.problems:
        reader.warn(f"{name}: {'; '.join(p.message for p in saved.problems)}")
    reader.fields(
        {**fields, "co": json.dumps({"schema": CONTEXTS_SCHEMA, "data": [entity]})}, info.st_mtime
    )


def read_capture(
    path: str | os.PathLike[str],
    analysis: Analysis,
    capture: int = 0,
    warn: Callable[[str], None] | None = None,
    parallel: bool = False,
) -> tuple[str, int]:
    """Read one capture into ``analysis``; its kind (``log``, ``har``, ``micro``, ``dotnet``)
    and how many events it gave. Raises :class:`CaptureError`.

    ``parallel``: a big log may be read by two processes (:mod:`~session.trackers.logparts`);
    a command line asks for it, a program with its own use for the other core need not."""
    name = os.fspath(path)
    reader = _Reader(analysis, capture, warn or (lambda message: None))
    with open_regular(name) as handle:
        head = handle.read(MAX_BODY_BYTES).lstrip(b"\xef\xbb\xbf \t\r\n")
        if head.startswith(b"<"):
            handle.seek(0)
            if os.fstat(handle.fileno()).st_size > MAX_FILE_BYTES:
                raise CaptureError(f"{name} is XML over {MAX_FILE_BYTES} bytes, not a save file")
            _read_save_file(handle, name, reader)
            return "dotnet", reader.events
        first = head.split(b"\n", 1)[0]
        try:
            value = json.loads(first)
        except (ValueError, RecursionError):
            value = None
        if is_header(value) or (isinstance(value, dict) and "received" in value):
            handle.seek(0)
            with no_cyclic_gc():
                _read_log(handle, name, reader, parallel)
            return "log", reader.events
        if not head.startswith((b"{", b"[")):
            raise CaptureError(
                f"{name} is not a capture: not a collector log, HAR, Micro JSON or save file"
            )
        size = os.fstat(handle.fileno()).st_size
        if size > MAX_DOCUMENT_BYTES:
            raise CaptureError(f"{name} is {size} bytes, over the {MAX_DOCUMENT_BYTES} byte limit")
        handle.seek(0)
        try:
            document = json.loads(handle.read(MAX_DOCUMENT_BYTES + 1))
        except (ValueError, RecursionError) as error:
            raise CaptureError(f"{name} is not JSON ({str(error)[:120]})") from None
    if isinstance(document, dict) and "log" in document:
        _read_har(document, reader)
        return "har", reader.events
    if isinstance(document, list):
        _read_micro(document, reader)
        return "micro", reader.events
    raise CaptureError(f"{name} is JSON but not a HAR file or Micro's /micro/good list")
