"""The live sessions report of a collector: every event it takes, kept in an embedded DuckDB
table, and the audit's checks (:mod:`session.audit.checks`) run over them when a report is
asked for. The same definition as ``snowsession sessions``, so the two always agree.

Events are held in Python only until a batch is full, then handed to DuckDB as Arrow columns:
what stays in memory is DuckDB's compressed columns, not an object per event. A report is
kept until the next event, so asking again costs nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from ..audit.duck import DuckAudit
from ..audit.report import ChainReport
from ..audit.rows import Row
from ..audit.rules import Rules
from .record import Record

__all__ = ["Analysis"]

_BATCH = 4096


class Analysis:
    """Every user's chain, fed one event at a time; thread-safe, for a live collector."""

    def __init__(self, rules: Rules | None = None) -> None:
        self.rules = rules or Rules()
        self._lock = threading.Lock()
        self._pending: list[Row] = []
        self._seen: set[str] = set()
        self._bad: dict[str, int] = {}
        self._audit = self._new_audit()
        self._report: ChainReport | None = None
        self._captures: tuple[str, ...] = ()

    def _new_audit(self) -> DuckAudit:
        audit = DuckAudit(self.rules, threads=1)
        audit.add_rows("live", [])
        audit.include("live")
        return audit

    def _flush(self) -> None:
        if self._pending:
            self._audit.add_rows("live_batch", self._pending)
            self._audit.con.execute("INSERT INTO live SELECT * FROM live_batch")
            self._audit.con.execute("DROP TABLE live_batch")
            self._pending.clear()

    def _take(self, record: Record) -> bool:
        if record.row is None:
            return False
        event_id = record.event_id
        repeated = event_id is not None and event_id in self._seen
        if event_id is not None:
            self._seen.add(event_id)
        self._pending.append(record.row)
        if len(self._pending) >= _BATCH:
            self._flush()
        self._report = None
        return not repeated

    def add(self, record: Record) -> bool:
        """Add an event; False if its event id was seen already (it counts once)."""
        with self._lock:
            return self._take(record)

    def add_all(self, records: Iterable[Record]) -> None:
        """Add many events under one lock."""
        with self._lock:
            for record in records:
                self._take(record)

    def count_bad(self, reason: str, count: int = 1) -> None:
        with self._lock:
            self._bad[reason] = self._bad.get(reason, 0) + count
            self._report = None

    def reset(self) -> None:
        with self._lock:
            self._audit.close()
            self._audit = self._new_audit()
            self._pending.clear()
            self._seen.clear()
            self._bad.clear()
            self._report = None

    def report(self, captures: tuple[str, ...] = ()) -> ChainReport:
        """A snapshot: plain frozen data, safe to keep and to read from any thread."""
        with self._lock:
            if self._report is None or self._captures != captures:
                self._flush()
                self._audit.bad = dict(self._bad)
                result = self._audit.run()
                report = result.report()
                self._report = ChainReport(report.users, dict(self._bad), captures)
                self._captures = captures
            return self._report

    def close(self) -> None:
        with self._lock:
            self._audit.close()
