"""Every user's session chain, fed one event at a time: what a capture or a live collector
has seen, as a :class:`~session.trackers.report.Report` on demand.

A user's events are ordered by the tracker's time (``dtm``, then ``eventIndex``) and folded one
by one (:class:`~session.trackers.chain.Fold`). Events that arrive in order are folded as they
come, so a live collector keeps its report current at little cost; one that arrives out of
order makes that user's chain be folded again from the start when the report is next asked for.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from .chain import Fold, Timeouts
from .record import Record
from .report import Report, UserReport

__all__ = ["Analysis", "Timeouts", "UserChain"]


def _order(record: Record) -> tuple[float, int]:
    return (record.time, record.event_index or 0)


class UserChain:
    """One user's events and the fold of them; not thread-safe (:class:`Analysis` locks)."""

    def __init__(self, user_id: str, timeouts: Timeouts) -> None:
        self.user_id = user_id
        self.timeouts = timeouts
        self.records: list[Record] = []
        self.seen: set[str] = set()
        self.duplicates = 0
        self._fold = Fold(user_id, timeouts)
        self._stale = False
        self._last = (0.0, 0)  # the order of the last event added

    def add(self, record: Record) -> bool:
        """Add an event; False (and counted) if its event id was seen already."""
        event_id = record.event_id
        if event_id is not None:
            if event_id in self.seen:
                self.duplicates += 1
                return False
            self.seen.add(event_id)
        order = (record.time, record.event_index or 0)
        if self.records and order < self._last:
            self._stale = True
        elif not self._stale:
            self._fold.add(record)
        self._last = order
        self.records.append(record)
        return True

    def report(self) -> UserReport:
        if self._stale:
            self.records.sort(key=_order)
            self._fold = Fold(self.user_id, self.timeouts)
            for record in self.records:
                self._fold.add(record)
            self._stale = False
        return self._fold.report(len(self.records), self.duplicates)


class Analysis:
    """Every user's chain, fed one event at a time; thread-safe, for a live collector."""

    def __init__(self, timeouts: Timeouts | None = None) -> None:
        self.timeouts = timeouts or Timeouts()
        self._users: dict[str, UserChain] = {}
        self._bad: dict[str, int] = {}
        self._lock = threading.Lock()

    def add(self, record: Record) -> bool:
        """Add an event to its user's chain; False if it is a duplicate."""
        with self._lock:
            chain = self._users.get(record.user)
            if chain is None:
                chain = self._users[record.user] = UserChain(record.user, self.timeouts)
            return chain.add(record)

    def add_all(self, records: Iterable[Record]) -> None:
        """Add many events under one lock (a capture read in batches)."""
        with self._lock:
            users = self._users
            for record in records:
                chain = users.get(record.user)
                if chain is None:
                    chain = users[record.user] = UserChain(record.user, self.timeouts)
                chain.add(record)

    def count_bad(self, reason: str, count: int = 1) -> None:
        with self._lock:
            self._bad[reason] = self._bad.get(reason, 0) + count

    def reset(self) -> None:
        with self._lock:
            self._users.clear()
            self._bad.clear()

    def report(self, captures: tuple[str, ...] = ()) -> Report:
        """A snapshot: plain frozen data, safe to keep and to read from any thread."""
        with self._lock:
            users = [chain.report() for chain in self._users.values()]
            bad = dict(self._bad)
        users.sort(key=lambda user: user.sessions[0].first_time if user.sessions else 0.0)
        return Report(tuple(users), bad, captures)
