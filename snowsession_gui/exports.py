"""Exports of what the window shows: the event log as CSV or JSON, and the sessions behind
both (the timeline exports its own PNG and CSV). No Qt here.

Files are written whole to a temporary file and moved into place, with the permissions any
file the user makes gets (0666 less the umask), or those of the file replaced.
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from session import EventTracked, SessionStarted

from .timeline_data import start_detail
from .units import format_clock

__all__ = [
    "EVENT_FIELDS",
    "Row",
    "event_log_csv",
    "event_log_json",
    "session_starts",
    "write_bytes",
    "write_text",
]

EVENT_FIELDS = (
    "simulated_seconds",
    "simulated_time",
    "event_id",
    "session_index",
    "session",
    "user_id",
    "session_id",
    "previous_session_id",
    "background",
    "first_event",
    "session_reason",
    "session_why",
)
"""The event log's columns: the first five as they always were, then the whole session."""


class Row(NamedTuple):
    """One tracked event: what the event log's table shows first, then the whole session."""

    at: float
    event_id: str
    session_index: int
    session: str
    """The session id's first block, as the table shows it."""
    session_id: str
    previous_session_id: str | None
    user_id: str
    background: bool
    """The app was in the background when the event was tracked."""
    first: bool

    @classmethod
    def of(cls, note: EventTracked) -> Row:
        s = note.state
        return cls(
            note.at,
            note.event_id,
            s.session_index,
            s.short_session_id,
            s.session_id,
            s.previous_session_id,
            s.user_id,
            note.background,
            note.first,
        )


def session_starts(starts: Iterable[SessionStarted]) -> dict[str, SessionStarted]:
    """The start of each session by its id (the latest, for one resumed after a restart)."""
    return {note.new.session_id: note for note in starts}


def _seconds(at: float) -> float:
    """Simulated seconds to the millisecond (0.1 + 0.2 is written 0.3, not 0.30000000000000004)."""
    return round(at, 3)


def _records(rows: Sequence[Row], starts: Mapping[str, SessionStarted]) -> list[dict[str, object]]:
    records: list[dict[str, object]] = []
    for row in rows:
        start = starts.get(row.session_id)
        records.append(
            {
                "simulated_seconds": _seconds(row.at),
                "simulated_time": format_clock(row.at),
                "event_id": row.event_id,
                "session_index": row.session_index,
                "session": row.session,
                "user_id": row.user_id,
                "session_id": row.session_id,
                "previous_session_id": row.previous_session_id,
                "background": row.background,
                "first_event": row.first,
                "session_reason": start.reason.value if start is not None else None,
                "session_why": start_detail(start) if start is not None else None,
            }
        )
    return records


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def event_log_csv(rows: Sequence[Row], starts: Mapping[str, SessionStarted] | None = None) -> str:
    """The event log as CSV with a header row (one line per event); ``starts`` (by session
    id, :func:`session_starts`) gives each event's session reason. Empty cells: not known."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EVENT_FIELDS, lineterminator="\n")
    writer.writeheader()
    for record in _records(rows, starts or {}):
        cells = {key: _cell(value) for key, value in record.items()}
        writer.writerow({**cells, "simulated_seconds": f"{record['simulated_seconds']:.3f}"})
    return out.getvalue()


def event_log_json(rows: Sequence[Row], starts: Mapping[str, SessionStarted] | None = None) -> str:
    """The event log as a JSON array of objects (the CSV's columns as keys; null: not known)."""
    return json.dumps(_records(rows, starts or {}), indent=2, ensure_ascii=False) + "\n"


def _umask() -> int:
    try:  # Linux says it without changing it (os.umask would, for a moment, for all threads)
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    umask = os.umask(0o077)
    os.umask(umask)
    return umask


def _mode_for(target: Path) -> int:
    """The permissions of the file ``target`` replaces, or those a new file gets."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        return 0o666 & ~_umask()


def write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (a half-written export never replaces a good one).

    Raises OSError with the reason when the file cannot be written.
    """
    target = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name[:40]}.", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, _mode_for(target))
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` as UTF-8 to ``path``, as :func:`write_bytes` does."""
    write_bytes(path, text.encode("utf-8"))
