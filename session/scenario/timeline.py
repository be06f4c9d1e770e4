"""What a scenario run recorded: sessions, events, marks and expectations, in time order.

Events are kept as two flat lists (time, session number) so that a week of one event a second
costs little; :class:`EventEntry` objects are made only when asked for, and
:meth:`RunRecord.entries` can fold events that follow each other in one session into an
:class:`EventRun`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import overload

from ..events import (
    BackgroundChanged,
    CheckerChanged,
    Notification,
    Reason,
    SessionStarted,
    StorageProblem,
    StorageRecovered,
)
from .model import format_time

__all__ = ["EventEntry", "EventRun", "ExpectationResult", "Mark", "RunRecord", "SessionEntry"]


@dataclass(frozen=True, slots=True)
class SessionEntry:
    """A new session: when (scenario seconds), its number in the run, and why it began."""

    at: float
    number: int
    index: int
    session_id: str
    previous_session_id: str | None
    user_id: str
    reason: str
    why: str


@dataclass(frozen=True, slots=True)
class EventEntry:
    """An event: when, its id, and the session it belongs to (``SessionEntry.number``)."""

    at: float
    event_id: str
    session: int


@dataclass(frozen=True, slots=True)
class EventRun:
    """Events ``first`` to ``last`` (positions, inclusive) in a row, all in one session."""

    first: int
    last: int
    session: int
    first_at: float
    last_at: float

    @property
    def count(self) -> int:
        return self.last - self.first + 1

    @property
    def at(self) -> float:
        return self.first_at


@dataclass(frozen=True, slots=True)
class Mark:
    """Anything else on the timeline: ``kind`` is background, foreground, checker, set,
    restart or storage."""

    at: float
    kind: str
    detail: str


@dataclass(frozen=True, slots=True)
class ExpectationResult:
    """One checked value of an ``expect`` step."""

    at: float
    line: int | None
    key: str
    expected: object
    actual: object

    @property
    def passed(self) -> bool:
        return self.expected == self.actual and type(self.expected) is type(self.actual)

    @property
    def message(self) -> str:
        where = f"line {self.line} " if self.line is not None else ""
        verdict = "holds" if self.passed else f"expected {text(self.expected)}, got"
        return f"{where}at {format_time(self.at)}: {self.key} {verdict} {text(self.actual)}"


def text(value: object) -> str:
    """A value as a scenario file writes it (``true``, ``3``, ``2.5``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


EVENT_ID_MIDDLE = "-0000-4000-8000-"
"""The fixed middle of a run's event ids (a version 4 UUID's version and variant digits)."""


EVENT_ID_HEADS = 4096
"""How many events go by before a first block comes again (the last block tells them apart)."""


def event_id_head(number: int) -> str:
    """The first block of event ``number``'s id (counted from 1): eight hex digits that differ
    from one event to the next, the same in every run (the number modulo
    :data:`EVENT_ID_HEADS` times an odd constant, modulo 2**32)."""
    return f"{number % EVENT_ID_HEADS * 0x9E3779B1 & 0xFFFFFFFF:08x}"


def event_id(position: int) -> str:
    """The id of the event at ``position`` (0-based) in a run: UUID-shaped, as Snowplow's are
    (a mobile save file keeps only those), distinct from its first digits (ids are often shown
    cut) and numbered from 1 in its last block: ``9e3779b1-0000-4000-8000-000000000001``."""
    number = position + 1
    return f"{event_id_head(number)}{EVENT_ID_MIDDLE}{number:012d}"


def why_new_session(note: SessionStarted, origin: float, *, had_events: bool) -> str:
    """Why a session began, in a line: ``timeout: 600 s since the last event at 00:10:05,
    seen by the check at 00:20:10``. ``origin`` is the clock time of scenario time 0."""
    at = format_time(note.at - origin)
    if note.reason is Reason.TIMEOUT and note.last_access is not None:
        since = "the last event" if had_events else "the session began"
        where = " in the background" if note.background else ""
        seen = "the check" if note.by_check else "the event"
        return (
            f"timeout: {text(note.timeout)} s{where} since {since} at "
            f"{format_time(note.last_access - origin)}, seen by {seen} at {at}"
        )
    if note.reason is Reason.REQUESTED:
        return f"a new session was requested; it began at {at}"
    if note.reason is Reason.CLOCK_BACKWARDS:
        return f"the clock went backwards; new session at {at}"
    return f"{note.reason.value} at {at}"


def mark_for(note: Notification, origin: float, now: float) -> Mark | None:
    """The timeline mark for an engine notification other than a new session.

    ``origin`` is the clock time of scenario time 0; ``now`` the clock time, for storage
    notifications (which carry none).
    """
    if isinstance(note, BackgroundChanged):
        kind = "background" if note.background else "foreground"
        return Mark(note.at - origin, kind, f"the app goes to the {kind}")
    if isinstance(note, CheckerChanged):
        if note.running and note.next_check is not None:
            detail = f"checker armed, first check at {format_time(note.next_check - origin)}"
        else:
            detail = "checker stopped"
        return Mark(note.at - origin, "checker", detail)
    if isinstance(note, StorageProblem):
        return Mark(now - origin, "storage", note.message)
    if isinstance(note, StorageRecovered):
        return Mark(now - origin, "storage", "saved again")
    return None


class _Events(Sequence[EventEntry]):
    """The events as entries, made on demand from the two flat lists."""

    def __init__(self, times: list[float], sessions: list[int]) -> None:
        self._times = times
        self._sessions = sessions

    def __len__(self) -> int:
        return len(self._times)

    @overload
    def __getitem__(self, index: int) -> EventEntry: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[EventEntry]: ...
    def __getitem__(self, index: int | slice) -> EventEntry | Sequence[EventEntry]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self._times):
            raise IndexError(index)
        return EventEntry(self._times[index], event_id(index), self._sessions[index])


Entry = SessionEntry | EventEntry | EventRun | Mark | ExpectationResult


@dataclass
class RunRecord:
    """Everything a run recorded. Lists only grow; read them at any time."""

    sessions: list[SessionEntry] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    expectations: list[ExpectationResult] = field(default_factory=list)
    event_times: list[float] = field(default_factory=list)
    """Scenario seconds of each event, in order."""
    event_sessions: list[int] = field(default_factory=list)
    """The session number (``SessionEntry.number``) of each event."""
    log: list[tuple[int, SessionEntry | Mark | ExpectationResult]] = field(default_factory=list)
    """Everything but events in the order recorded, each with the number of events before it."""

    @property
    def events(self) -> Sequence[EventEntry]:
        return _Events(self.event_times, self.event_sessions)

    def events_per_session(self) -> Counter[int]:
        """How many events each session (by number) has had."""
        numbers, counts, start = self.event_sessions, Counter[int](), 0
        while start < len(numbers):  # session numbers never fall: one search a session
            stop = bisect_right(numbers, numbers[start], start)
            counts[numbers[start]] = stop - start
            start = stop
        return counts

    @property
    def failures(self) -> list[ExpectationResult]:
        return [result for result in self.expectations if not result.passed]

    @property
    def passed(self) -> bool:
        return not self.failures

    def add(self, item: SessionEntry | Mark | ExpectationResult) -> None:
        """Record ``item`` after the events recorded so far."""
        if isinstance(item, SessionEntry):
            self.sessions.append(item)
        elif isinstance(item, Mark):
            self.marks.append(item)
        else:
            self.expectations.append(item)
        self.log.append((len(self.event_times), item))

    def entries(self, *, fold_events: bool = False) -> Iterator[Entry]:
        """Everything in the order it happened.

        With ``fold_events``, events that follow each other in one session come as one
        :class:`EventRun` instead of one :class:`EventEntry` each.
        """
        position = 0
        for before, item in list(self.log):
            if before > position:
                yield from self._span(position, before, fold_events)
                position = before
            yield item
        yield from self._span(position, len(self.event_times), fold_events)

    def _span(self, start: int, end: int, fold: bool) -> Iterator[EventEntry | EventRun]:
        times, sessions = self.event_times, self.event_sessions
        if not fold:
            for position in range(start, end):
                yield EventEntry(times[position], event_id(position), sessions[position])
            return
        while start < end:
            session = sessions[start]
            stop = bisect_right(sessions, session, start, end)  # session numbers never fall
            yield EventRun(start, stop - 1, session, times[start], times[stop - 1])
            start = stop
