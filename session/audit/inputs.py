"""What an input is, told from its first bytes (or a folder's contents), and the inputs that are
one JSON or XML document (HAR, Micro's ``/micro/good``, a .NET save file), read into rows.

Every file is checked to be a regular file first (a FIFO is never opened for blocking reads,
a device never read); anything that is not an input is an :class:`InputError`, one line.
"""

from __future__ import annotations

import glob
import gzip
import json
import os
import re
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any
from urllib.parse import parse_qsl, urlsplit

from ..context import SCHEMA_1_0_1
from ..storage.decode import decode
from ..storage.fields import interpret
from ..storage.format import MAX_FILE_BYTES
from ..trackers.protocol import (
    CONTEXTS_SCHEMA,
    MAX_BODY_BYTES,
    PAYLOAD_DATA_PREFIX,
    PayloadError,
    decode_body,
    decode_fields,
)
from .rows import Row, event_row

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "Input",
    "InputError",
    "Rescued",
    "document_rows",
    "open_regular",
    "probe",
    "rescue_lines",
]

MAX_DOCUMENT_BYTES = 512 << 20
"""A HAR or Micro JSON file over this (512 MiB) is refused unread."""
MAX_RESCUED_LINE = 4 << 20
"""A log line DuckDB refuses is read here only up to this (4 MiB): a real one is a kilobyte."""

_PARQUET_MAGIC = b"PAR1"
_GZIP_MAGIC = b"\x1f\x8b"
_TSV_TABS = 100


class InputError(ValueError):
    """An input that cannot be read at all: one line for people."""


@dataclass(frozen=True, slots=True)
class Input:
    """One input: its kind (``log``, ``har``, ``micro``, ``dotnet``, ``tsv``, ``parquet``,
    ``delta``), the files that hold it, and the name it was given."""

    kind: str
    name: str
    files: tuple[str, ...] = ()
    gzip: bool = False
    bad: dict[str, int] = field(default_factory=dict)


def open_regular(path: str | os.PathLike[str], limit: int | None = None) -> IO[bytes]:
    """Open a regular file for reading; never blocks on a FIFO, refuses devices and folders,
    and, with ``limit``, files larger than that."""
    name = os.fspath(path)
    try:
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise InputError(f"no file {name}") from None
    except OSError as error:
        raise InputError(f"cannot read {name}: {error.strerror or error}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError(f"{name} is a folder, not a capture file")
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{name} is not a regular file (a device, FIFO or socket)")
        if limit is not None and info.st_size > limit:
            raise InputError(f"{name} is {info.st_size} bytes, over the {limit} byte limit")
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def _folder(name: str) -> Input:
    if os.path.isdir(os.path.join(name, "_delta_log")):
        return Input("delta", name, (name,))
    files = sorted(
        path
        for path in glob.glob(os.path.join(glob.escape(name), "**", "*.parquet"), recursive=True)
        if os.path.isfile(path) and "/_" not in path[len(name) :] and "/." not in path[len(name) :]
    )
    if not files:
        raise InputError(
            f"{name} is a folder with no Parquet files and no _delta_log: not a lake table "
            "or a Delta table"
        )
    return Input("parquet", name, tuple(files))


def _head_lines(head: bytes) -> list[bytes]:
    return [line for line in head.split(b"\n")[:8] if line.strip()]


def _text_kind(name: str, head: bytes, compressed: bool) -> Input:
    head = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    lines = _head_lines(head)
    if lines and lines[0].count(b"\t") >= _TSV_TABS:
        return Input("tsv", name, (name,), compressed)
    for line in lines[:4]:
        try:
            value = json.loads(line)
        except (ValueError, RecursionError):
            continue  # an unreadable line is skipped and counted, the first like any other
        if isinstance(value, dict) and ("received" in value or value.get("snowsession")):
            return Input("log", name, (name,), compressed)
        break
    if compressed:
        raise InputError(f"{name} is gzip but holds no collector log or enriched TSV")
    if head.startswith(b"<"):
        return Input("dotnet", name, (name,))
    if head.startswith((b"{", b"[")):
        return Input("json", name, (name,))
    raise InputError(
        f"{name} is not a capture: not a collector log, HAR, Micro JSON, .NET save file, "
        "enriched TSV or Parquet"
    )


def probe(path: str | os.PathLike[str]) -> Input:
    """What ``path`` holds; :class:`InputError` if it is none of the inputs."""
    name = os.fspath(path)
    if os.path.isdir(name):
        return _folder(name)
    with open_regular(name) as handle:
        head = handle.read(MAX_BODY_BYTES)
    if head.startswith(_PARQUET_MAGIC):
        return Input("parquet", name, (name,))
    if head.startswith(_GZIP_MAGIC):
        try:
            with gzip.open(name, "rb") as unzipped:
                head = unzipped.read(MAX_BODY_BYTES)
        except (OSError, EOFError) as error:
            raise InputError(f"{name} is gzip that cannot be read: {error}") from None
        return _text_kind(name, head, True)
    return _text_kind(name, head, False)


def _iso_seconds(text: Any) -> float | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


class _Rows:
    """Rows from one document, with what could not be used counted by reason."""

    def __init__(self, capture: int) -> None:
        self.capture = capture
        self.rows: list[Row] = []
        self.bad: dict[str, int] = {}
        self.rescued = 0

    def count(self, reason: str) -> None:
        self.bad[reason] = self.bad.get(reason, 0) + 1

    def fields(self, raw: Mapping[str, Any], received: float | None) -> None:
        try:
            decoded = decode_fields(raw)
        except PayloadError as error:
            self.count(error.reason)
            return
        row = event_row(decoded.fields, decoded.contexts, decoded.unstruct, received, self.capture)
        if row is None:
            self.count("no_session_entity")
        else:
            self.rows.append(row)


def _har(document: Mapping[str, Any], rows: _Rows) -> None:
    log = document.get("log")
    entries = log.get("entries") if isinstance(log, dict) else None
    if not isinstance(entries, list):
        raise InputError("it looks like a HAR file but has no log.entries")
    for entry in entries:
        request = entry.get("request") if isinstance(entry, dict) else None
        if not isinstance(request, dict) or not isinstance(request.get("url"), str):
            continue
        received = _iso_seconds(entry.get("startedDateTime"))
        url = urlsplit(request["url"])
        post = request.get("postData")
        text = post.get("text") if isinstance(post, dict) else None
        if request.get("method") == "GET" and url.path.endswith("/i"):
            rows.fields(dict(parse_qsl(url.query, keep_blank_values=True)), received)
        elif request.get("method") == "POST" and isinstance(text, str):
            if not url.path.endswith("/tp2") and PAYLOAD_DATA_PREFIX not in text[:300]:
                continue
            try:
                items = decode_body(text.encode("utf-8", "surrogatepass"))
            except PayloadError as error:
                rows.count(error.reason)
                continue
            for item in items:
                rows.fields(item, received)


def _micro(items: list[Any], rows: _Rows) -> None:
    for item in reversed(items):  # Micro lists the newest first
        if not isinstance(item, dict):
            rows.count("malformed")
            continue
        raw = item.get("rawEvent")
        found = item.get("event")
        event: dict[str, Any] = found if isinstance(found, dict) else {}
        received = _iso_seconds(event.get("collector_tstamp"))
        parameters = raw.get("parameters") if isinstance(raw, dict) else None
        if isinstance(parameters, dict):
            fields = {k: v for k, v in parameters.items() if v is not None}
        else:  # only the enriched event: rebuild the fields the checks need
            fields = {
                "e": str(event.get("event") or "ue"),
                "eid": event.get("event_id"),
                "aid": event.get("app_id"),
                "p": event.get("platform"),
                "tv": event.get("v_tracker"),
            }
            for key, name in (("dtm", "dvce_created_tstamp"), ("stm", "dvce_sent_tstamp")):
                seconds = _iso_seconds(event.get(name))
                if seconds is not None:
                    fields[key] = str(round(seconds * 1000))
            for key, name in (("co", "contexts"), ("ue_pr", "unstruct_event")):
                if isinstance(event.get(name), dict):
                    fields[key] = json.dumps(event[name])
            fields = {k: v for k, v in fields.items() if v is not None}
        rows.fields(fields, received)


def _save_file(handle: IO[bytes], name: str, rows: _Rows, warn: Callable[[str], None]) -> None:
    info = os.fstat(handle.fileno())
    if info.st_size > MAX_FILE_BYTES:
        raise InputError(f"{name} is XML over {MAX_FILE_BYTES} bytes, not a save file")
    saved = interpret(decode(handle.read(MAX_FILE_BYTES + 1)))
    if saved.user_id is None and saved.session_id is None and saved.session_index is None:
        raise InputError(f"{name} is XML but not a .NET save file: not an input")
    if saved.problems:
        warn(f"{name}: {'; '.join(p.message for p in saved.problems)}")
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
    fields = {
        "e": "save_file",
        "dtm": str(round(info.st_mtime * 1000)),
        "co": json.dumps({"schema": CONTEXTS_SCHEMA, "data": [entity]}),
    }
    rows.fields(fields, info.st_mtime)


_DUCKDB_REFUSES = re.compile(
    rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    rb"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
    rb"|[:,\[]\s*-?(?:NaN|Infinity)\b"
)
"""What Python's JSON reads and DuckDB's does not always: a lone surrogate's escape, NaN."""


@dataclass
class Rescued:
    """The lines of a log that DuckDB's JSON reader refuses but Python's reads (a lone
    surrogate, written as an escape, or NaN: a tracker may send either), read here: how many,
    their rows and their bad counts."""

    lines: int
    rows: list[Row]
    bad: dict[str, int]


_SUSPECT = (b"\\ud", b"\\uD", b"NaN", b"Infinity")


def _suspects(text: bytes) -> list[int]:
    """Where what DuckDB refuses may be, in order: found at memory speed, then each line
    checked in full by the pattern."""
    found = []
    for word in _SUSPECT:
        at = text.find(word)
        while at >= 0:
            found.append(at)
            at = text.find(word, at + 1)
    return sorted(found)


def rescue_lines(source: Input, capture: int, limit: int = MAX_RESCUED_LINE) -> Rescued:
    """Read the lines of a log that DuckDB refuses and Python does not (:class:`Rescued`)."""
    rows = _Rows(capture)
    rest = b""
    opener = gzip.open if source.gzip else open
    with opener(source.name, "rb") as handle:
        while chunk := handle.read(16 << 20):
            chunk = rest + chunk
            cut = chunk.rfind(b"\n") + 1
            whole, rest = chunk[:cut], chunk[cut:]
            if len(rest) > limit:
                rest = b"-"  # a line over the limit goes on: it is never read
            last = -1
            for at in _suspects(whole):
                start = whole.rfind(b"\n", 0, at) + 1
                end = whole.find(b"\n", at)
                line = whole[start:end]
                if start > last and end - start <= limit and _DUCKDB_REFUSES.search(line):
                    last = end
                    _rescue(line, rows)
    return Rescued(rows.rescued, rows.rows, rows.bad)


def _rescue(line: bytes, rows: _Rows) -> None:
    try:
        value = json.loads(line)
    except (ValueError, RecursionError):
        return
    if not isinstance(value, dict) or not isinstance(value.get("received"), int | float):
        return
    rows.rescued += 1
    if isinstance(value.get("bad"), str):
        rows.count(value["bad"])
        return
    fields, contexts, unstruct = value.get("fields"), value.get("contexts"), value.get("unstruct")
    if isinstance(fields, dict) and isinstance(contexts, list):
        row = event_row(
            fields,
            contexts,
            unstruct if isinstance(unstruct, dict) else None,
            float(value["received"]),
            rows.capture,
        )
        if row is None:
            rows.count("no_session_entity")
        else:
            rows.rows.append(row)


def document_rows(
    source: Input, capture: int, warn: Callable[[str], None]
) -> tuple[str, list[Row], dict[str, int]]:
    """A document input's kind (``har``, ``micro``, ``dotnet``), rows and bad counts."""
    name = source.name
    rows = _Rows(capture)
    with open_regular(name) as handle:
        if source.kind == "dotnet":
            _save_file(handle, name, rows, warn)
            return "dotnet", rows.rows, rows.bad
        size = os.fstat(handle.fileno()).st_size
        if size > MAX_DOCUMENT_BYTES:
            raise InputError(f"{name} is {size} bytes, over the {MAX_DOCUMENT_BYTES} byte limit")
        try:
            document = json.loads(handle.read(MAX_DOCUMENT_BYTES + 1))
        except (ValueError, RecursionError) as error:
            raise InputError(f"{name} is not JSON ({str(error)[:120]})") from None
    if isinstance(document, dict) and "log" in document:
        _har(document, rows)
        return "har", rows.rows, rows.bad
    if isinstance(document, list):
        _micro(document, rows)
        return "micro", rows.rows, rows.bad
    raise InputError(f"{name} is JSON but not a HAR file or Micro's /micro/good list")
