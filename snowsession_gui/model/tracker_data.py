"""What the tracker lanes draw, as frozen data, and where it comes from (no Qt here).

:class:`EventTap` is the collector's live report (:class:`~session.trackers.Analysis`) with
two more duties: it keeps each user's events (time and session index: the dots of a lane) and
says when anything changed; the window asks it for a :class:`Frame` (the report, the dots and
the counts, all of one moment) at most once per screen refresh. A capture read by the audit
gives a frame at once (:func:`capture_frame`, every user); a lake or enriched TSV gives its
summary and the users picked (:func:`lake_frame`), never every event.
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from session.audit.kinds import Kind
from session.audit.report import ChainReport, UserReport
from session.audit.result import EventMarks, Result, UserCount
from session.audit.rules import Rules
from session.trackers import Analysis, Record

__all__ = [
    "KEPT_USERS",
    "Counts",
    "EventTap",
    "Frame",
    "Lake",
    "Trail",
    "capture_frame",
    "counts",
    "lake_frame",
    "summary_counts",
    "trails_of",
    "with_listed",
    "with_loaded",
]

KEPT_USERS = 60
"""Lanes kept for a large input: the worst drawn first, and those picked since (the oldest
gives its place up)."""


def _frozen(values: Any) -> NDArray[np.float64]:
    out = np.array(values, dtype=np.float64)
    out.flags.writeable = False
    return out


@dataclass(frozen=True, slots=True)
class Trail:
    """One user's events: when each happened (Unix seconds) and its session index."""

    times: NDArray[np.float64]
    indexes: NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.times)


EMPTY_TRAIL = Trail(_frozen(array("d")), _frozen(array("d")))


@dataclass(frozen=True, slots=True)
class Counts:
    """What was taken and refused, as Snowplow Micro counts it (``/micro/all``)."""

    good: int
    """Events with a valid ``client_session`` entity, repeats included."""
    bad: int
    reasons: tuple[tuple[str, int], ...] = ()
    """Bad events by reason, ``invalid_entity`` among them."""
    repeated: int = 0
    """Events seen twice (a retried GET), counted once in the chains."""
    users: int = 0
    findings: int = 0


_INVALID = Kind.INVALID_ENTITY.value
"""A finding of an invalid entity, and the bad-event reason such an event is counted under."""


def counts(report: ChainReport) -> Counts:
    """The counts of ``report`` (one snapshot, so they agree with its chains)."""
    invalid = sum(1 for finding in report.findings if finding.kind == _INVALID)
    repeated = sum(user.duplicates for user in report.users)
    reasons = dict(report.bad)
    if invalid:
        reasons[_INVALID] = reasons.get(_INVALID, 0) + invalid
    return Counts(
        report.events - invalid + repeated,
        sum(reasons.values()),
        tuple(sorted(reasons.items())),
        repeated,
        len(report.users),
        len(report.findings),
    )


def summary_counts(summary: Mapping[str, Any]) -> Counts:
    """The counts of a whole input, from its summary (:meth:`Result.summary`), as
    :func:`counts` gives them for a report of every user."""
    found: Mapping[str, int] = summary["findings"]
    invalid = int(found.get(_INVALID, 0))
    repeated = int(summary["duplicates"])
    reasons = dict(summary["bad"])
    if invalid:
        reasons[_INVALID] = reasons.get(_INVALID, 0) + invalid
    return Counts(
        int(summary["events"]) - invalid + repeated,
        sum(reasons.values()),
        tuple(sorted(reasons.items())),
        repeated,
        int(summary["users"]),
        sum(found.values()),
    )


@dataclass(frozen=True, slots=True)
class Lake:
    """What a large input shows besides its lanes: its summary, and users to pick from."""

    summary: Mapping[str, Any]
    """:meth:`Result.summary`: counts, findings by kind, by day and by tracker version."""
    users: tuple[UserCount, ...] = ()
    """The users listed (the worst first, or those whose id holds ``search``)."""
    search: str = ""


@dataclass(frozen=True, slots=True)
class Frame:
    """Everything the lanes show, of one moment: plain frozen data, safe in any thread."""

    report: ChainReport = field(default_factory=ChainReport)
    trails: Mapping[str, Trail] = field(default_factory=dict)
    counts: Counts = field(default_factory=lambda: Counts(0, 0))
    rules: Rules = field(default_factory=Rules)
    serial: int = 0
    """Rises with every change fed in: equal serials, equal frames."""
    lake: Lake | None = None
    """A large input's summary and users (None: ``report`` holds every user)."""

    def trail(self, user_id: str) -> Trail:
        return self.trails.get(user_id, EMPTY_TRAIL)


def trails_of(marks: Mapping[str, EventMarks]) -> dict[str, Trail]:
    """Users' dots from their events' times and indexes (:meth:`Result.event_marks`)."""
    return {
        user: Trail(_frozen(np.asarray(found.times)), _frozen(np.asarray(found.indexes)))
        for user, found in marks.items()
    }


def capture_frame(result: Result, rules: Rules, names: tuple[str, ...]) -> Frame:
    """Every user of a capture (a log, HAR, Micro JSON, save files): reports and dots."""
    found = result.report()
    report = ChainReport(found.users, found.bad, names)
    marks = result.event_marks()
    return Frame(report, MappingProxyType(trails_of(marks)), counts(report), rules)


def lake_frame(
    summary: Mapping[str, Any],
    users: Sequence[UserCount],
    reports: Sequence[UserReport],
    trails: Mapping[str, Trail],
    rules: Rules,
    names: tuple[str, ...],
    search: str = "",
) -> Frame:
    """A large input: its summary and listed users, and the lanes of ``reports`` alone."""
    report = ChainReport(tuple(reports), dict(summary["bad"]), names)
    return Frame(
        report,
        MappingProxyType(dict(trails)),
        summary_counts(summary),
        rules,
        lake=Lake(summary, tuple(users), search),
    )


class EventTap(Analysis):
    """The analysis of a collector or a capture, keeping each user's events for the lanes.

    Thread-safe: fed from one thread (the collector's), read from another. ``changed`` is
    called, in the feeding thread, after every change. The dots are two arrays of numbers a
    user, not an object an event: what a collector takes by hand stays small.
    """

    def __init__(
        self, rules: Rules | None = None, changed: Callable[[], None] | None = None
    ) -> None:
        super().__init__(rules)
        self._changed = changed
        self._tap_lock = threading.Lock()  # taken before the analysis' own, never after
        self._times: dict[str, array[float]] = {}
        self._indexes: dict[str, array[float]] = {}
        self._trails: dict[str, Trail] = {}
        self._serial = 0

    def _keep(self, record: Record) -> None:
        entity = record.entity
        if entity is None:  # an invalid entity: its finding marks it, not a dot
            return
        user = entity.user_id
        times = self._times.get(user)
        if times is None:
            times = self._times[user] = array("d")
            self._indexes[user] = array("d")
        times.append(record.time)
        self._indexes[user].append(float(entity.session_index))

    def _tell(self) -> None:
        if self._changed is not None:
            self._changed()

    def add(self, record: Record) -> bool:
        with self._tap_lock:
            added = super().add(record)
            if added:
                self._keep(record)
            self._serial += 1
        self._tell()
        return added

    def add_all(self, records: Iterable[Record]) -> None:
        batch = list(records)
        with self._tap_lock:
            super().add_all(batch)
            for record in batch:  # a repeat lands on its first dot: nothing to tell apart
                self._keep(record)
            self._serial += 1
        self._tell()

    def count_bad(self, reason: str, count: int = 1) -> None:
        with self._tap_lock:
            super().count_bad(reason, count)
            self._serial += 1
        self._tell()

    def reset(self) -> None:
        with self._tap_lock:
            super().reset()
            self._times.clear()
            self._indexes.clear()
            self._trails.clear()
            self._serial += 1
        self._tell()

    @property
    def serial(self) -> int:
        return self._serial

    def frame(self, captures: tuple[str, ...] = ()) -> Frame:
        """The report, the dots and the counts, all of the same moment."""
        with self._tap_lock:
            report = self.report(captures)
            serial = self._serial
            for user, times in self._times.items():
                kept = self._trails.get(user)
                if kept is None or len(kept) != len(times):
                    self._trails[user] = Trail(_frozen(times), _frozen(self._indexes[user]))
            trails = MappingProxyType(dict(self._trails))
        return Frame(report, trails, counts(report), self.rules, serial)


def with_listed(frame: Frame, users: Sequence[UserCount], search: str) -> Frame:
    """``frame`` listing ``users`` (those whose id holds ``search``) to pick from."""
    assert frame.lake is not None
    return replace(frame, lake=Lake(frame.lake.summary, tuple(users), search))


def with_loaded(frame: Frame, reports: Sequence[UserReport], trails: Mapping[str, Trail]) -> Frame:
    """``frame`` with the lanes of ``reports`` too (last, and at most :data:`KEPT_USERS`)."""
    new = {user.user_id for user in reports}
    kept = [user for user in frame.report.users if user.user_id not in new]
    users = (kept + list(reports))[-KEPT_USERS:]
    ids = {user.user_id for user in users}
    dots = {u: t for u, t in {**frame.trails, **trails}.items() if u in ids}
    report = replace(frame.report, users=tuple(users))
    return replace(frame, report=report, trails=MappingProxyType(dots))
