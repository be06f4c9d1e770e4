"""Exports of what the window shows: the event log as CSV or JSON (the timeline exports its own
PNG and CSV). Each event carries its full ids, whether the app was in the background and why
its session started. No Qt here.

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
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from session.util.text import short_id

from .units import format_clock

__all__ = [
    "EVENT_FIELDS",
    "Row",
    "event_log_csv",
    "event_log_json",
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
    """One tracked event, with what its export says of it."""

    at: float
    event_id: str
    session_index: int
    session_id: str
    previous_session_id: str | None
    user_id: str
    background: bool
    """The app was in the background when the event was tracked."""
    first: bool
    reason: str
    """What started the event's session (``timeout``, ``start``, …; "" when the window did
    not see it start)."""
    why: str
    """The same in words, as the timeline says it ("" when not seen)."""

    @property
    def short_session_id(self) -> str:
        """The session id's first block, as the event log's table shows it."""
        return short_id(self.session_id)


def _seconds(at: float) -> float:
    """Simulated seconds to the millisecond (0.1 + 0.2 is written 0.3, not 0.30000000000000004)."""
    return round(at, 3)


def _records(rows: Sequence[Row]) -> list[dict[str, object]]:
    return [
        {
            "simulated_seconds": _seconds(row.at),
            "simulated_time": format_clock(row.at),
            "event_id": row.event_id,
            "session_index": row.session_index,
            "session": row.short_session_id,
            "user_id": row.user_id,
            "session_id": row.session_id,
            "previous_session_id": row.previous_session_id,
            "background": row.background,
            "first_event": row.first,
            "session_reason": row.reason or None,
            "session_why": row.why or None,
        }
        for row in rows
    ]


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def event_log_csv(rows: Sequence[Row]) -> str:
    """The event log as CSV with a header row (one line per event; true/false for flags, an
    empty cell for what is not known or not there)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EVENT_FIELDS, lineterminator="\n")
    writer.writeheader()
    for record in _records(rows):
        cells = {key: _cell(value) for key, value in record.items()}
        writer.writerow({**cells, "simulated_seconds": f"{record['simulated_seconds']:.3f}"})
    return out.getvalue()


def event_log_json(rows: Sequence[Row]) -> str:
    """The event log as a JSON array of objects (the CSV's columns as keys; null: not known)."""
    return json.dumps(_records(rows), indent=2, ensure_ascii=False) + "\n"


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
