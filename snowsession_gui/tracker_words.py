"""What the tracker lanes say, in words a QA engineer reads: findings, sessions, idle gaps,
bad events, and times (no Qt here).

A finding's kind is the name tests and CI use; beside it go a title, what should hold (the
check's own sentence, :data:`session.trackers.output.CHECKS`), the finding's message with
its ids whole, and what usually causes it. Times are UTC, as ``snowsession sessions`` prints
them (:func:`session.trackers.report.iso_time`); durations use the window's formats.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

from session.trackers import FINDING_KINDS, Finding, SessionSummary, Timeouts
from session.trackers.output import CHECKS
from session.trackers.report import iso_time

from .units import format_clock, format_seconds

__all__ = [
    "CAUSES",
    "REASONS",
    "TITLES",
    "axis_label",
    "duration",
    "finding_line",
    "finding_text",
    "gap_text",
    "session_text",
    "short_id",
    "timeouts_text",
]

TITLES = {
    "index_gap": "Sessions are missing",
    "index_went_back": "The session index went back",
    "index_reused": "One index, two sessions",
    "id_changed_without_index": "A new session id kept the old index",
    "broken_chain": "The chain of sessions is broken",
    "index_starts_at_zero": "The first session is numbered 0",
    "first_event_id_reused": "A session repeats an earlier first event",
    "first_event_id_changed": "A session changed its first event",
    "event_index_went_back": "The event count went back",
    "early_new_session": "A new session came before the timeout",
    "missed_expiry": "The session went on past the timeout",
    "invalid_entity": "The session entity is invalid",
}
"""A short title for each finding kind."""

CAUSES = {
    "index_gap": "The tracker counted sessions that sent nothing here: a restart that starts "
    "two sessions (Android tracker #184), or events lost on the way.",
    "index_went_back": "After a restart the app read an old saved state, or two apps or "
    "trackers send with one user id.",
    "index_reused": "A restart read a saved state that was behind, so two sessions got one number.",
    "id_changed_without_index": "The tracker took a new session id without counting a new "
    "session (JavaScript tracker #451, #590).",
    "broken_chain": "previousSessionId should name the session before. If it changed "
    "mid-session, the tracker lost its stored state (cookies or storage cleared).",
    "index_starts_at_zero": "Trackers number the first session 1 (iOS tracker #616).",
    "first_event_id_reused": "The tracker kept the first event of an earlier session when it "
    "started this one.",
    "first_event_id_changed": "The tracker forgot the session's first event, usually with its "
    "stored state (cookies or storage cleared).",
    "event_index_went_back": "The tracker restarted its event count within the session, usually "
    "because its stored state was lost.",
    "early_new_session": "Expected when the app restarted or asked for a new session "
    "(startNewSession); otherwise the session expired early.",
    "missed_expiry": "The timeout was not applied: the index kept rising in the background "
    "(Android #192, iOS #273) or the background timeout was never used (iOS #667, Android "
    "#499).",
    "invalid_entity": "The client_session entity fails its schema, so the event is left out "
    "of the chain.",
}
"""What usually causes each finding."""

assert tuple(TITLES) == FINDING_KINDS and tuple(CAUSES) == FINDING_KINDS

REASONS = {
    "malformed": "not a tracker payload",
    "wrong_content_type": "a POST that is not application/json",
    "invalid_base64": "an encoded field is not base64",
    "not_json": "not JSON",
    "oversized": "over the size limit",
    "no_session_entity": "no client_session entity (turn on the tracker's session context)",
    "invalid_entity": "a client_session entity that fails its schema",
    "unreadable_line": "a log line that could not be read (a collector killed mid-write)",
}
"""Why an event is bad, for people (the reasons' own names are shown beside)."""


def short_id(user_id: str) -> str:
    """A user id short enough for a list or a lane's title (``0f8fad5b…950e``); the whole
    id is beside it in the chain and in its tooltip."""
    return user_id if len(user_id) <= 16 else f"{user_id[:8]}…{user_id[-4:]}"


def duration(seconds: float) -> str:
    """An idle time or a span: ``4.5 s`` under a minute, else ``hh:mm:ss``."""
    if seconds < 60:
        return format_seconds(round(max(0.0, seconds), 1))
    return format_clock(seconds)


def timeouts_text(timeouts: Timeouts) -> str:
    """The timeouts idle gaps are judged by, in one line."""
    if timeouts.foreground is None and timeouts.background is None:
        return "idle gaps not judged (no timeouts given)"
    parts = []
    if timeouts.foreground is not None:
        parts.append(f"foreground {format_seconds(timeouts.foreground)}")
    if timeouts.background is not None:
        parts.append(f"background {format_seconds(timeouts.background)}")
    if timeouts.check_interval:
        parts.append(f"checked every {format_seconds(timeouts.check_interval)}")
    return "idle gaps judged by: " + ", ".join(parts)


def finding_line(finding: Finding) -> str:
    """One line, as ``snowsession sessions`` prints it: ``kind at time: message``."""
    return f"{finding.kind} at {iso_time(finding.time)}: {finding.message}"


def finding_text(finding: Finding) -> str:
    """A finding explained: title and kind, when, what should hold, what was seen, why."""
    where = "" if finding.session_index is None else f", session {finding.session_index}"
    return "\n".join(
        (
            f"⚠ {TITLES[finding.kind]} ({finding.kind})",
            f"at {iso_time(finding.time)}{where}",
            f"Expected: {CHECKS[finding.kind]}.",
            f"Seen: {finding.message}",
            CAUSES[finding.kind],
        )
    )


def session_text(session: SessionSummary) -> str:
    """A session: its index and id, its events and times, and where it links to."""
    span = session.last_time - session.first_time
    lines = [
        f"Session {session.index}: {session.session_id}",
        f"{session.events} event(s), {iso_time(session.first_time)} to "
        f"{iso_time(session.last_time)} ({duration(span)})",
        f"previous session: {session.previous_session_id or 'none'}",
        f"first event: {session.first_event_id or 'none'}",
    ]
    return "\n".join(lines)


def gap_text(before: SessionSummary, after: SessionSummary, timeouts: Timeouts) -> str:
    """The idle time between two sessions, and what the timeout in force makes of it."""
    idle = after.first_time - before.last_time if after.idle_before is None else after.idle_before
    lines = [
        f"Idle {duration(idle)} between session {before.index} and session {after.index}",
        f"from {iso_time(before.last_time)} to {iso_time(after.first_time)}",
    ]
    if after.exceeded is not None:
        timeout = timeouts.of(after.exceeded)
        limit = "" if timeout is None else f" ({format_seconds(timeout)})"
        lines.append(f"longer than the {after.exceeded} timeout{limit}: a new session is right")
    elif timeouts.foreground is None and timeouts.background is None:
        lines.append("not judged: no timeouts given")
    else:
        lines.append("shorter than the timeout in force")
    return "\n".join(lines)


def axis_label(seconds: float, spacing: float) -> str:
    """A time-axis label in UTC: the date for steps of a day or more, ``hh:mm`` for steps of
    a minute or more, else ``hh:mm:ss``; the date is added at midnight."""
    if not math.isfinite(seconds):
        return ""
    try:
        moment = datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return ""
    if spacing >= 86400:
        return moment.strftime("%Y-%m-%d")
    text = moment.strftime("%H:%M" if spacing >= 60 else "%H:%M:%S")
    if (moment.hour, moment.minute, moment.second) == (0, 0, 0):
        return moment.strftime("%m-%d ") + text
    return text
