"""Exports of what the window shows: the event log as CSV or JSON (the timeline exports its own
PNG and CSV). Files are written whole to a temporary file and moved into place."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .sim_clock import format_clock

__all__ = ["EVENT_FIELDS", "event_log_csv", "event_log_json", "write_text"]

EVENT_FIELDS = ("simulated_seconds", "simulated_time", "event_id", "session_index", "session")

Row = tuple[float, str, int, str]


def _records(rows: Sequence[Row]) -> list[dict[str, object]]:
    return [
        {
            "simulated_seconds": at,
            "simulated_time": format_clock(at),
            "event_id": event_id,
            "session_index": index,
            "session": session,
        }
        for at, event_id, index, session in rows
    ]


def event_log_csv(rows: Sequence[Row]) -> str:
    """The event log as CSV with a header row (one line per event)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EVENT_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(_records(rows))
    return out.getvalue()


def event_log_json(rows: Sequence[Row]) -> str:
    """The event log as a JSON array of objects (the CSV's columns as keys)."""
    return json.dumps(_records(rows), indent=2) + "\n"


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` atomically (a half-written export never replaces a good one).

    Raises OSError with the reason when the file cannot be written.
    """
    target = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
