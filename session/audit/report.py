"""The sessions report as plain, immutable data: users, their sessions, and findings.

It is what ``snowsession sessions`` prints, what the collector serves at ``/sessions`` and
what a window draws: one lane per user, each session's index from its first to its last event
time, each finding at the time it points at with its message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .kinds import FINDING_KINDS

__all__ = ["FINDING_KINDS", "ChainReport", "Finding", "SessionSummary", "UserReport", "iso_time"]


def iso_time(seconds: float | None) -> str | None:
    """Unix seconds as ISO 8601 UTC with milliseconds (``2026-01-01T12:00:00.000Z``)."""
    if seconds is None:
        return None
    try:
        moment = datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return f"{seconds:.3f}"
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass(frozen=True, slots=True)
class Finding:
    """Something wrong in a user's session chain, at the event it was seen at."""

    kind: str
    user_id: str
    session_id: str | None
    time: float
    message: str
    session_index: int | None = None
    event_id: str | None = None
    capture: int = 0
    app_id: str | None = None
    platform: str | None = None
    v_tracker: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "session_id": self.session_id,
            "session_index": self.session_index,
            "message": self.message,
            "time": iso_time(self.time),
            "event_id": self.event_id,
            "capture": self.capture,
            "app_id": self.app_id,
            "platform": self.platform,
            "v_tracker": self.v_tracker,
        }


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """One session in a chain (a run of events with the same id and index)."""

    index: int
    session_id: str
    previous_session_id: str | None
    first_event_id: str | None
    events: int
    first_time: float
    last_time: float
    idle_before: float | None
    """Seconds idle from the session before to this one's first event (None: the first, or
    unknown because a device clock was wrong or changed)."""
    exceeded: str | None
    """``foreground`` or ``background``: the timeout in force that ``idle_before`` exceeded."""
    captures: tuple[int, ...] = ()
    duplicates: int = 0
    """Events whose ``event_id`` came more than once, counted once."""
    expected: str | None = None
    """``start`` or ``on_demand``: it came before the timeout, as the app does by design."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "session_id": self.session_id,
            "previous_session_id": self.previous_session_id,
            "first_event_id": self.first_event_id,
            "events": self.events,
            "first_event_time": iso_time(self.first_time),
            "last_event_time": iso_time(self.last_time),
            "idle_before": None if self.idle_before is None else round(self.idle_before, 3),
            "exceeded": self.exceeded,
            "expected": self.expected,
            "duplicates": self.duplicates,
        }


@dataclass(frozen=True, slots=True)
class UserReport:
    """One user's (one device's) chain of sessions and what is wrong with it."""

    user_id: str
    sessions: tuple[SessionSummary, ...]
    findings: tuple[Finding, ...]
    events: int = 0
    duplicates: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "events": self.events,
            "duplicates": self.duplicates,
            "sessions": [session.to_dict() for session in self.sessions],
            "findings": [finding.to_dict() for finding in self.findings],
        }


@dataclass(frozen=True, slots=True)
class ChainReport:
    """Every user's chain, with counts of what was read and what was refused."""

    users: tuple[UserReport, ...] = ()
    bad: dict[str, int] = field(default_factory=dict)
    """What could not be used, by reason (``not_json``, ``unreadable_line``, …), as the
    collector counts bad events."""
    captures: tuple[str, ...] = ()

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(finding for user in self.users for finding in user.findings)

    @property
    def events(self) -> int:
        return sum(user.events for user in self.users)

    def user(self, user_id: str) -> UserReport | None:
        return next((user for user in self.users if user.user_id == user_id), None)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape: ``{"users": [...], "findings": N, ...}``."""
        return {
            "users": [user.to_dict() for user in self.users],
            "findings": len(self.findings),
            "events": self.events,
            "bad": dict(sorted(self.bad.items())),
            "captures": list(self.captures),
        }
