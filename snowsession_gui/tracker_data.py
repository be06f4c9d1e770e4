"""What the tracker lanes draw, as frozen data, and the analysis that keeps it (no Qt here).

:class:`EventTap` is the session-chain :class:`~session.trackers.Analysis` with two more
duties: it keeps each user's events (time and session index: the dots of a lane) and says
when anything changed. A live collector and a capture being read feed one the same way; the
window asks it for a :class:`Frame` (the report, the dots and the counts, all of one moment)
at most once per screen refresh.
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

from session.trackers import Analysis, Record, Report, Timeouts

__all__ = ["Cancelled", "Counts", "EventTap", "Frame", "Trail", "counts"]


class Cancelled(Exception):
    """A capture read given up: the window closed, or another capture was asked for."""


def _frozen(values: array[float]) -> NDArray[np.float64]:
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


def counts(report: Report) -> Counts:
    """The counts of ``report`` (one snapshot, so they agree with its chains)."""
    invalid = sum(1 for finding in report.findings if finding.kind == "invalid_entity")
    repeated = sum(user.duplicates for user in report.users)
    reasons = dict(report.bad)
    if invalid:
        reasons["invalid_entity"] = reasons.get("invalid_entity", 0) + invalid
    return Counts(
        report.events - invalid + repeated,
        sum(reasons.values()),
        tuple(sorted(reasons.items())),
        repeated,
    )


@dataclass(frozen=True, slots=True)
class Frame:
    """Everything the lanes show, of one moment: plain frozen data, safe in any thread."""

    report: Report = field(default_factory=Report)
    trails: Mapping[str, Trail] = field(default_factory=dict)
    counts: Counts = field(default_factory=lambda: Counts(0, 0))
    timeouts: Timeouts = field(default_factory=Timeouts)
    serial: int = 0
    """Rises with every change fed in: equal serials, equal frames."""

    def trail(self, user_id: str) -> Trail:
        return self.trails.get(user_id, EMPTY_TRAIL)


class EventTap(Analysis):
    """The analysis of a collector or a capture, keeping each user's events for the lanes.

    Thread-safe: fed from one thread (the collector's, a reader's), read from another.
    ``changed`` is called, in the feeding thread, after every change; :meth:`cancel` makes
    the next event fed raise :class:`Cancelled` (how a long read is given up).
    """

    def __init__(
        self, timeouts: Timeouts | None = None, changed: Callable[[], None] | None = None
    ) -> None:
        super().__init__(timeouts)
        self._changed = changed
        self._tap_lock = threading.Lock()  # taken before the analysis' own, never after
        self._times: dict[str, array[float]] = {}
        self._indexes: dict[str, array[float]] = {}
        self._trails: dict[str, Trail] = {}
        self._serial = 0
        self._cancelled = False
        self.seen = 0
        """Events fed so far (duplicates and invalid ones included)."""

    def cancel(self) -> None:
        self._cancelled = True

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
        if self._cancelled:
            raise Cancelled
        with self._tap_lock:
            added = super().add(record)
            if added:
                self._keep(record)
            self.seen += 1
            self._serial += 1
        self._tell()
        return added

    def add_all(self, records: Iterable[Record]) -> None:
        if self._cancelled:
            raise Cancelled
        batch = list(records)
        with self._tap_lock:
            super().add_all(batch)
            for record in batch:  # a repeat lands on its first dot: nothing to tell apart
                self._keep(record)
            self.seen += len(batch)
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
        return Frame(report, trails, counts(report), self.timeouts, serial)
