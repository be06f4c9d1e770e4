"""What the tracker lanes say, in words a QA engineer reads: findings, sessions, idle gaps,
bad events, and times (no Qt here).

A finding's kind is the name tests and CI use; beside it go its title, what should hold and
what usually causes it (each written once, :class:`session.audit.kinds.Kind`), and the
finding's message with its ids whole. Times are UTC, as ``snowsession sessions`` prints them
(:func:`session.audit.report.iso_time`); durations use the window's formats.
"""

from __future__ import annotations

import html
import math
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from session.audit.kinds import Kind
from session.audit.report import Finding, SessionSummary, iso_time
from session.audit.rules import Rule, Rules

from .units import format_clock, format_seconds

if TYPE_CHECKING:
    from .tracker_data import Counts

__all__ = [
    "REASONS",
    "axis_label",
    "counts_html",
    "counts_tip",
    "duration",
    "finding_line",
    "finding_text",
    "gap_text",
    "session_text",
    "short_user_id",
    "stopped_words",
    "timeout_of",
    "timeouts_text",
]

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


def short_user_id(user_id: str) -> str:
    """A user id short enough for a list or a lane's title (``0f8fad5b…950e``); the whole
    id is beside it in the chain and in its tooltip."""
    return user_id if len(user_id) <= 16 else f"{user_id[:8]}…{user_id[-4:]}"


def duration(seconds: float) -> str:
    """An idle time or a span: ``4.5 s`` under a minute, else ``hh:mm:ss``."""
    if seconds < 60:
        return format_seconds(round(max(0.0, seconds), 1))
    return format_clock(seconds)


def timeout_of(rule: Rule, state: str) -> float | None:
    """The timeout ``rule`` sets for a gap that starts in ``state`` (``background`` or
    ``foreground``), None where it sets none."""
    return rule.background_timeout if state == "background" else rule.foreground_timeout


def timeouts_text(rules: Rules) -> str:
    """How idle gaps are judged, in one line after "idle gaps" (``judged by foreground
    600 s, …`` or ``not judged (no timeouts given)``)."""
    rule = rules.default
    if rule.foreground_timeout is None and rule.background_timeout is None:
        return "not judged (no timeouts given)"
    parts = []
    if rule.foreground_timeout is not None:
        parts.append(f"foreground {format_seconds(rule.foreground_timeout)}")
    if rule.background_timeout is not None:
        parts.append(f"background {format_seconds(rule.background_timeout)}")
    if rule.check_interval:
        parts.append(f"checked every {format_seconds(rule.check_interval)}")
    return "judged by " + ", ".join(parts)


def stopped_words(url: str, log: str | None) -> tuple[str, str]:
    """What the Trackers panel says once it stopped listening on ``url``: where every event
    is (``log``), and where the lanes go while there are none (it waits for nothing now)."""
    return (
        f"Stopped listening on {url}. Every event is in {log}: open it as a capture any time, "
        "or judge it by other timeouts here.",
        f"No events came while listening on {url}. Listen again, or open a capture, to see "
        "each user's sessions.",
    )


def counts_html(counts: Counts, problem: str) -> str:
    """Good and bad events, users and findings in a line (rich text, what is wrong in the
    colour ``problem``)."""
    bad = f"{counts.bad:,} bad"
    if counts.reasons:
        bad += " (" + ", ".join(f"{reason} {n:,}" for reason, n in counts.reasons) + ")"
    if counts.bad:
        bad = f'<span style="color:{problem}">{html.escape(bad)}</span>'
    findings = f"{counts.findings:,} finding(s)"
    if counts.findings:
        findings = f'<span style="color:{problem}">{findings}</span>'
    repeated = f" ({counts.repeated:,} repeated)" if counts.repeated else ""
    return f"{counts.good:,} good{repeated} · {bad} · {counts.users:,} user(s) · {findings}"


def counts_tip(counts: Counts, rules: Rules) -> str:
    """What the counts mean, the timeouts in force, and why each bad event was bad."""
    why = [f"{reason}: {REASONS.get(reason, reason)} ({n:,})" for reason, n in counts.reasons]
    return (
        "Good and bad events as Snowplow Micro counts them (/micro/all); idle gaps "
        + timeouts_text(rules)
        + ("\n" + "\n".join(why) if why else "")
    )


def finding_line(finding: Finding) -> str:
    """One line, as ``snowsession sessions`` prints it: ``kind at time: message``."""
    return f"{finding.kind} at {iso_time(finding.time)}: {finding.message}"


def finding_text(finding: Finding) -> str:
    """A finding explained: title and kind, when, what should hold, what was seen, why."""
    where = "" if finding.session_index is None else f", session {finding.session_index}"
    kind = Kind(finding.kind)
    return "\n".join(
        (
            f"⚠ {kind.title} ({kind.value})",
            f"at {iso_time(finding.time)}{where}",
            f"Expected: {kind.check}.",
            f"Seen: {finding.message}",
            kind.cause,
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


def gap_text(before: SessionSummary, after: SessionSummary, rules: Rules) -> str:
    """The idle time between two sessions, and what the timeout in force makes of it."""
    idle = after.first_time - before.last_time if after.idle_before is None else after.idle_before
    lines = [
        f"Idle {duration(idle)} between session {before.index} and session {after.index}",
        f"from {iso_time(before.last_time)} to {iso_time(after.first_time)}",
    ]
    if after.exceeded is not None:
        timeout = timeout_of(rules.default, after.exceeded)
        limit = "" if timeout is None else f" ({format_seconds(timeout)})"
        lines.append(f"longer than the {after.exceeded} timeout{limit}: a new session is right")
    elif rules.default.foreground_timeout is None and rules.default.background_timeout is None:
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
