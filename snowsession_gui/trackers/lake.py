"""More of a large input, asked for while it is shown: the users whose id holds some text,
and the lanes of users picked. Each question is a query, run on a thread of its own (a lake's
events are scanned for a user's dots), one at a time on the read's DuckDB connection; the
answers come back as signals on the GUI thread. Nothing here holds more than the users asked.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import duckdb
from PySide6.QtCore import QObject, Signal, Slot

from session.audit.duck import DuckAudit
from session.audit.report import UserReport
from session.audit.result import Result, UserCount
from snowsession_gui.model.tracker_data import Trail, trails_of, with_listed, with_loaded

from .panel import TrackerPanel
from .sources import WORST

__all__ = ["LakeQueries", "LakeUsers", "Listed", "Loaded"]


@dataclass(frozen=True, slots=True)
class Listed:
    """Users whose id holds ``search``, most findings first."""

    search: str
    only_findings: bool
    users: tuple[UserCount, ...]


@dataclass(frozen=True, slots=True)
class Loaded:
    """Users' chains and dots, as asked for."""

    reports: tuple[UserReport, ...]
    trails: dict[str, Trail]


class LakeQueries(QObject):
    """Questions to one large input's result (its audit is closed with :meth:`close`).

    Signals: ``listed(Listed)``, ``loaded(Loaded)``, ``failed(message)``; only the answer to
    the latest question of each kind is given.
    """

    listed = Signal(object)
    loaded = Signal(object)
    failed = Signal(str)
    _answered = Signal(str, int, object)

    def __init__(self, audit: DuckAudit, result: Result, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.audit = audit
        self.result = result
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="lake-queries")
        self._asked = {"listed": 0, "loaded": 0}
        self._closed = False
        self._answered.connect(self._on_answered)

    def list_users(self, count: int, search: str = "", *, only_findings: bool = False) -> None:
        """Ask for up to ``count`` users whose id holds ``search``."""

        def ask() -> Listed:
            found = self.result.user_counts(count, search, only_findings=only_findings)
            return Listed(search, only_findings, tuple(found))

        self._ask("listed", ask)

    def load(self, users: Sequence[str]) -> None:
        """Ask for the chains and dots of ``users`` (their events alone are read)."""
        wanted = list(users)

        def ask() -> Loaded:
            found = {user.user_id: user for user in self.result.report(wanted).users}
            reports = tuple(found[user] for user in wanted if user in found)
            return Loaded(reports, trails_of(self.result.event_marks(wanted)))

        self._ask("loaded", ask)

    def _ask(self, kind: str, ask: Callable[[], object]) -> None:
        if self._closed:
            return
        self._asked[kind] += 1
        asked = self._asked[kind]

        def run() -> None:
            if self._closed or asked != self._asked[kind]:
                return  # closed, or a newer question of this kind came meanwhile
            answer: object
            try:
                answer = ask()
            except Exception as error:  # a failed query is a message, never a traceback
                if self._closed:
                    return
                lines = str(error).strip().splitlines() or [type(error).__name__]
                answer = RuntimeError(lines[0][:300])
            with contextlib.suppress(RuntimeError):  # the window is gone
                self._answered.emit(kind, asked, answer)

        self._pool.submit(run)

    @Slot(str, int, object)
    def _on_answered(self, kind: str, asked: int, answer: Any) -> None:
        if self._closed or asked != self._asked[kind]:
            return
        if isinstance(answer, RuntimeError):
            self.failed.emit(f"cannot ask the input: {answer}")
        elif kind == "listed":
            self.listed.emit(answer)
        else:
            self.loaded.emit(answer)

    def close(self, wait: bool = False) -> None:
        """Stop the question under way and close the audit (on its own thread, after it)."""
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(duckdb.Error):
            self.audit.interrupt()
        closing: Future[None] = self._pool.submit(self.audit.close)
        self._pool.shutdown(wait=wait)
        if wait:
            closing.result()


class LakeUsers(QObject):
    """A large input in the Trackers dock: the users the panel asks for are listed, and the
    lanes of those it picks drawn, each asked of the input when wanted.

    Signal ``failed(message)`` when a question could not be answered.
    """

    failed = Signal(str)

    def __init__(
        self, panel: TrackerPanel, audit: DuckAudit, result: Result, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.panel = panel
        self.queries = LakeQueries(audit, result, self)
        self.queries.listed.connect(self._on_listed)
        self.queries.loaded.connect(self._on_loaded)
        self.queries.failed.connect(self.failed)
        panel.usersWanted.connect(self._on_users_wanted)
        panel.userWanted.connect(self._on_user_wanted)

    @Slot(str, bool)
    def _on_users_wanted(self, search: str, only_findings: bool) -> None:
        self.queries.list_users(WORST, search, only_findings=only_findings)

    @Slot(str)
    def _on_user_wanted(self, user_id: str) -> None:
        self.queries.load([user_id])

    @Slot(object)
    def _on_listed(self, listed: Listed) -> None:
        if self.panel.frame.lake is not None:
            self.panel.show_frame(with_listed(self.panel.frame, listed.users, listed.search))

    @Slot(object)
    def _on_loaded(self, loaded: Loaded) -> None:
        if self.panel.frame.lake is None:
            return
        self.panel.show_frame(with_loaded(self.panel.frame, loaded.reports, loaded.trails))
        if loaded.reports:
            self.panel.pick(loaded.reports[-1].user_id)
        else:
            self.panel.chain.title.setText("That user has no events with a valid entity.")

    def close(self, wait: bool = False) -> None:
        """Stop asking: the panel's questions go nowhere, the input's audit is closed."""
        self.panel.usersWanted.disconnect(self._on_users_wanted)
        self.panel.userWanted.disconnect(self._on_user_wanted)
        self.queries.close(wait)
