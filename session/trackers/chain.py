"""The session-chain checks: one user's events, in the tracker's order, folded into sessions
and findings (:class:`Fold`).

Timeouts: the idle time between two events is judged by the timeout in force after the first
of them: the background timeout after an ``application_background`` event (until an
``application_foreground`` event), else the foreground timeout. A timeout that is not given is
not judged. ``check_interval`` is the slack a timer-based tracker (.NET) has past its timeout.
"""

from __future__ import annotations

from dataclasses import dataclass

from .record import Record
from .report import Finding, SessionSummary, UserReport

__all__ = ["Fold", "Timeouts"]


@dataclass(frozen=True, slots=True)
class Timeouts:
    """The timeouts in force, in seconds (None: not judged)."""

    foreground: float | None = None
    background: float | None = None
    check_interval: float = 0.0

    def of(self, state: str) -> float | None:
        return self.background if state == "background" else self.foreground


class _Open:
    """A session while events are folded into it."""

    __slots__ = (
        "captures",
        "events",
        "exceeded",
        "first_event_id",
        "first_time",
        "idle_before",
        "index",
        "last_event_index",
        "last_time",
        "linked",
        "previous",
        "session_id",
    )

    def __init__(self, record: Record, idle_before: float | None, exceeded: str | None) -> None:
        entity = record.entity
        assert entity is not None
        self.index = entity.session_index
        self.session_id = entity.session_id
        self.previous = entity.previous_session_id
        self.linked = self.previous  # what it started with: its link in the chain
        self.first_event_id = entity.first_event_id
        self.events = 0
        self.first_time = self.last_time = record.time
        self.last_event_index: int | None = None
        self.idle_before = idle_before
        self.exceeded = exceeded
        self.captures: set[int] = set()

    def summary(self) -> SessionSummary:
        return SessionSummary(
            self.index,
            self.session_id,
            self.linked,
            self.first_event_id,
            self.events,
            self.first_time,
            self.last_time,
            self.idle_before,
            self.exceeded,
            tuple(sorted(self.captures)),
        )


def _short(value: str | None) -> str:
    """An id in a message: whole, since two ids may share any prefix."""
    return "null" if value is None else value


def _seconds(value: float) -> str:
    return f"{value:.1f} s" if value < 600 else f"{value:.0f} s ({value / 60:.1f} min)"


class Fold:
    """The state of one user's chain part-way through its events."""

    def __init__(self, user_id: str, timeouts: Timeouts) -> None:
        self.user_id = user_id
        self.timeouts = timeouts
        self.sessions: list[_Open] = []
        self.findings: list[Finding] = []
        self.index_ids: dict[int, str] = {}
        self.first_ids: dict[str, str] = {}
        # Each session id's firstEventIds in the order seen (a dict: a set's order would
        # change from run to run with the hash seed, and so would the messages).
        self.session_first: dict[str, dict[str, None]] = {}
        self.state = "foreground"
        self.timeout = timeouts.of(self.state)
        self.last: Record | None = None

    def find(self, kind: str, record: Record, message: str, session_id: str | None) -> None:
        index = record.entity.session_index if record.entity is not None else None
        self.findings.append(
            Finding(
                kind,
                self.user_id,
                session_id,
                record.time,
                message,
                index,
                record.event_id,
                record.capture,
            )
        )

    def add(self, record: Record) -> None:
        entity = record.entity
        if entity is None:
            self.find(
                "invalid_entity",
                record,
                f"an event's client_session entity is invalid, so it is outside the chain: "
                f"{record.problem}",
                None,
            )
            return
        last = self.last
        gap = None if last is None else record.time - last.time
        timeout = self.timeout
        current = self.sessions[-1] if self.sessions else None
        if (
            current is not None
            and entity.session_id == current.session_id
            and entity.session_index == current.index
        ):
            self._same_session(record, current, gap, timeout)
        else:
            exceeded = (
                self.state if gap is not None and timeout is not None and gap > timeout else None
            )
            opened = _Open(record, gap, exceeded)
            if current is not None:
                self._transition(record, current, gap, timeout)
            self._new_session(record, current)
            self.sessions.append(opened)
            current = opened
        current.events += 1
        current.last_time = record.time
        current.captures.add(record.capture)
        if record.event_index is not None:
            current.last_event_index = record.event_index
        if record.lifecycle is not None:
            self.state = record.lifecycle
            self.timeout = self.timeouts.of(self.state)
        self.last = record

    def _same_session(
        self, record: Record, current: _Open, gap: float | None, timeout: float | None
    ) -> None:
        entity = record.entity
        assert entity is not None
        sid = current.session_id
        if gap is not None and timeout is not None and gap > timeout + self.timeouts.check_interval:
            self.find(
                "missed_expiry",
                record,
                f"session {current.index} ({_short(sid)}) went on after {_seconds(gap)} idle, "
                f"longer than the {self.state} timeout ({_seconds(timeout)}) plus the check "
                f"interval ({_seconds(self.timeouts.check_interval)}): a new session should "
                "have started",
                sid,
            )
        if entity.previous_session_id != current.previous:
            self.find(
                "broken_chain",
                record,
                f"session {current.index} ({_short(sid)}) changed its previousSessionId "
                f"mid-session from {_short(current.previous)} to "
                f"{_short(entity.previous_session_id)}"
                + (
                    ": the tracker lost its stored state (cookies or storage cleared) but "
                    "kept the session in memory"
                    if entity.previous_session_id is None
                    else ""
                ),
                sid,
            )
            current.previous = entity.previous_session_id
        event_index = record.event_index
        if (
            event_index is not None
            and current.last_event_index is not None
            and event_index <= current.last_event_index
        ):
            self.find(
                "event_index_went_back",
                record,
                f"in session {current.index} ({_short(sid)}) the eventIndex went from "
                f"{current.last_event_index} back to {event_index}",
                sid,
            )
        first = entity.first_event_id
        if first is not None and first != current.first_event_id:
            known = self.session_first.setdefault(sid, {})
            if current.first_event_id is not None and first not in known:
                self.find(
                    "first_event_id_changed",
                    record,
                    f"session {current.index} ({_short(sid)}) has a second firstEventId: "
                    f"{_short(current.first_event_id)} then {_short(first)}",
                    sid,
                )
            known[first] = None
            current.first_event_id = first
            self._first_id_owner(record, first, sid, current.index)

    def _transition(
        self, record: Record, before: _Open, gap: float | None, timeout: float | None
    ) -> None:
        entity = record.entity
        assert entity is not None
        index, sid = entity.session_index, entity.session_id
        step = (
            f"from session {before.index} ({_short(before.session_id)}) to {index} ({_short(sid)})"
        )
        if index == before.index:
            self.find(
                "id_changed_without_index",
                record,
                f"the session id changed ({_short(before.session_id)} to {_short(sid)}) but "
                f"the index stayed {index}",
                sid,
            )
        elif index > before.index + 1:
            self.find(
                "index_gap",
                record,
                f"the index jumped {step}: {index - before.index - 1} session(s) missing",
                sid,
            )
        elif index < before.index:
            self.find("index_went_back", record, f"the index went back {step}", sid)
        elif sid == before.session_id:
            self.find(
                "broken_chain",
                record,
                f"the index rose {step} but the session id did not change",
                sid,
            )
        elif entity.previous_session_id != before.session_id:
            self.find(
                "broken_chain",
                record,
                f"session {index} ({_short(sid)}) has previousSessionId "
                f"{_short(entity.previous_session_id)}, not the session before it "
                f"({_short(before.session_id)})",
                sid,
            )
        if sid != before.session_id and gap is not None and timeout is not None and gap < timeout:
            self.find(
                "early_new_session",
                record,
                f"a new session ({step}) started after only {_seconds(gap)} idle, less than "
                f"the {self.state} timeout ({_seconds(timeout)}); expected when the app "
                "restarted or asked for a new session, otherwise the session expired early",
                sid,
            )

    def _new_session(self, record: Record, before: _Open | None) -> None:
        entity = record.entity
        assert entity is not None
        index, sid = entity.session_index, entity.session_id
        if index == 0:
            self.find(
                "index_starts_at_zero",
                record,
                f"session {_short(sid)} has index 0: the first session's index is 1",
                sid,
            )
        owner = self.index_ids.setdefault(index, sid)
        if owner != sid and not (before is not None and before.index == index):
            self.find(
                "index_reused",
                record,
                f"index {index} is used by two sessions: {_short(owner)} and {_short(sid)}",
                sid,
            )
        first = entity.first_event_id
        if first is not None:
            known = self.session_first.setdefault(sid, {})
            if known and first not in known:
                self.find(
                    "first_event_id_changed",
                    record,
                    f"session {_short(sid)} is seen with two firstEventIds: "
                    f"{_short(next(iter(known)))} and {_short(first)}",
                    sid,
                )
            known[first] = None
            self._first_id_owner(record, first, sid, index)

    def _first_id_owner(self, record: Record, first: str, sid: str, index: int) -> None:
        owner = self.first_ids.setdefault(first, sid)
        if owner != sid:
            self.find(
                "first_event_id_reused",
                record,
                f"session {index} ({_short(sid)}) has the firstEventId {_short(first)} of an "
                f"earlier session ({_short(owner)})",
                sid,
            )

    def report(self, events: int, duplicates: int) -> UserReport:
        return UserReport(
            self.user_id,
            tuple(session.summary() for session in self.sessions),
            tuple(self.findings),
            events,
            duplicates,
        )
