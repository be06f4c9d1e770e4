"""Why a session started, in the words every view uses: the timeline's labels and tooltips,
the event log, the save file's history and the exports (no Qt here)."""

from __future__ import annotations

from session import Reason, SessionStarted

from .units import format_clock, format_seconds

__all__ = ["describe_start", "short_reason", "why_started"]


def why_started(note: SessionStarted) -> str:
    """Why the session of ``note`` started, in one line: ``timeout: 600 s (foreground) since
    the last event at 00:08:40, seen by the check at 00:18:40``."""
    if note.reason is Reason.TIMEOUT and note.timeout is not None:
        old = note.old
        since = "the session started"
        if note.last_access is not None:
            since_event = old is not None and old.first_event_id is not None
            what = "the last event" if since_event else "the session started"
            since = f"{what} at {format_clock(note.last_access)}"
        where = "background" if note.background else "foreground"
        seen = "seen by the check" if note.by_check else "found by the event"
        when = format_clock(note.at)
        return f"timeout: {format_seconds(note.timeout)} ({where}) since {since}, {seen} at {when}"
    if note.reason is Reason.START:
        if note.old is None:
            return "app start with no saved session (a new user)"
        return f"app start at {format_clock(note.at)} (a new session per start)"
    return f"{note.reason.value} at {format_clock(note.at)}"


def describe_start(note: SessionStarted) -> str:
    """Why a session started, in one line for people, after its index."""
    return f"session {note.new.session_index} — {why_started(note)}"


def short_reason(note: SessionStarted) -> str:
    """Why a session started, in two or three words for a label on the timeline."""
    if note.reason is Reason.TIMEOUT and note.timeout is not None:
        where = "background " if note.background else ""
        return f"{where}timeout {format_seconds(note.timeout)}"
    if note.reason is Reason.START:
        return "new user" if note.old is None else "app start"
    return note.reason.value
