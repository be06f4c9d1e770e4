"""The one route from the engine to the views: typed Qt signals, in the order things happened.

:class:`Route` keeps every engine notification (and what a scenario run records, each look at
the save file, each refused request) as it comes, on any thread, and sends it on the GUI
thread once the engine call that made it has returned: at the end of the host operation that
made it, or at the next turn of the event loop when it came from elsewhere (an embedding
program calling the session, the engine's writer thread). Events in a row go as one batch.
After each flush a fresh :class:`SessionSnapshot` follows if anything it holds changed. The
host (:class:`~.session_host.SessionHost`) has a route and offers its signals as its own; a
notification reaches its signal through the one map,
:data:`~.qt_session.NOTIFICATION_SIGNALS`, that :class:`~.qt_session.SessionBridge` uses too.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import partial
from typing import Protocol, overload

from PySide6.QtCore import QObject, Qt, Signal, SignalInstance, Slot

from session import ClientSession, EventTracked, Notification
from session.scenario.timeline import Mark, SessionEntry
from session.storage.report import Report
from snowsession_gui.model.drivers import ExpectationMark, Record
from snowsession_gui.model.runs import Run
from snowsession_gui.model.snapshot import SessionSnapshot

from .qt_session import NOTIFICATION_SIGNALS, NotificationSignals

__all__ = ["Refused", "Route", "RouteSignal", "RouteSignals"]


@dataclass(frozen=True)
class Refused:
    """A request the host did not carry out: ``what`` was asked (``"fire_event"``,
    ``"set_background"``, ``"set_checking"``, ``"set_paused"``, ``"request_new_session"``
    or a setting's name) and ``why``, in words for people."""

    what: str
    why: str


Item = Notification | Record | Report | Refused


class Route(NotificationSignals):
    """Typed signals for everything the views show, each on the GUI thread, in order:

    - ``startedOver(Run)``: another run is in force (another file, a reset, a scenario begins
      or ends); what follows is its driver's state. A view shows what it kept of that run, if
      it saw it before (a scenario stopped: the window's own run again), else starts afresh.
    - ``sessionStarted``, ``checkerChanged``, ``backgroundChanged``, ``settingsChanged``,
      ``pausedChanged``, ``sessionRequested``, ``storageProblem``, ``storageRecovered``: the
      engine's notification of that name (the one map,
      :data:`~.qt_session.NOTIFICATION_SIGNALS`).
    - ``eventsTracked(tuple[EventTracked, ...])``: events in a row, in one batch (a scenario
      may track thousands in one step of time); each carries its context.
    - ``recorded(SessionEntry | Mark)`` and ``expectationChecked(ExpectationMark)``: what a
      scenario run records.
    - ``fileRead(Report)``: the save file in use, at the first look and at each change.
    - ``refused(Refused)``: a request the host did not carry out, and why.
    - ``stateChanged(SessionSnapshot)``: after every flush that changed what the views show.
    - ``sessionReplaced(ClientSession)``: another ``ClientSession`` is in force.

    ``session`` says which session is in force, ``first_look`` starts watching the save file
    in use and looks at it, ``shown_again`` is called after a flush that started the views
    over (the host passes its own; a host that shows no save file, such as the compare
    view's, passes neither).
    """

    startedOver = Signal(Run)
    eventsTracked = Signal(tuple)
    recorded = Signal(object)
    expectationChecked = Signal(ExpectationMark)
    stateChanged = Signal(SessionSnapshot)
    fileRead = Signal(Report)
    refused = Signal(Refused)
    sessionReplaced = Signal(ClientSession)
    _wake = Signal()

    def __init__(
        self,
        run: Run,
        *,
        session: Callable[[], ClientSession | None],
        first_look: Callable[[], Report] | None = None,
        shown_again: Callable[[], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._run = run
        self._session = session
        self._first_look = first_look
        self._shown_again = shown_again
        self._lock = threading.Lock()
        self._pending: list[tuple[object, Item]] = []
        self._depth = 0
        self._flushing = False
        self._closed = False
        self._fresh = True
        self.token: object = object()
        """Whose items count now (see :meth:`start_over`)."""
        self._shown_session: ClientSession | None = None
        self._last: SessionSnapshot | None = None
        self._wake.connect(self.flush, Qt.ConnectionType.QueuedConnection)
        self._signals: dict[type, SignalInstance] = {
            kind: getattr(self, name)
            for kind, name in NOTIFICATION_SIGNALS.items()
            if kind is not EventTracked  # events go in batches
        }
        self._signals |= {
            ExpectationMark: self.expectationChecked,
            SessionEntry: self.recorded,
            Mark: self.recorded,
            Report: self.fileRead,
            Refused: self.refused,
        }

    @property
    def current_run(self) -> Run:
        """The run in force (the last one named with ``startedOver``, or about to be)."""
        return self._run

    @property
    def snapshot(self) -> SessionSnapshot | None:
        """The last snapshot sent with ``stateChanged``."""
        return self._last

    # ------------------------------------------------------------ for the host

    def observer(self, token: object) -> Callable[[Item], None]:
        """An engine observer (and a run's recorder) whose items count while ``token`` is
        the route's (see :meth:`start_over`)."""
        return partial(self._keep, token)

    def send(self, item: Item) -> None:
        """Send ``item`` (a look at the file, a refusal) in its place among the rest."""
        with self.operation():
            self._keep(self.token, item)

    def _keep(self, token: object, item: Item) -> None:
        # Any thread, often with the engine's lock held: keep it, wake the GUI thread.
        with self._lock:
            self._pending.append((token, item))
            first = len(self._pending) == 1
        if first and not self._closed:
            with contextlib.suppress(RuntimeError):  # the route is being deleted
                self._wake.emit()

    @contextlib.contextmanager
    def operation(self) -> Iterator[None]:
        """A host call: what it makes is sent when it returns (the outermost one)."""
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if not self._depth:
                self.flush()

    def start_over(self, token: object, run: Run) -> None:
        """From the next flush only ``token``'s items count, after ``startedOver(run)``."""
        self.token = token
        self._run = run
        self._fresh = True

    def close(self) -> None:
        """Send nothing more."""
        self._closed = True

    # ------------------------------------------------------------ sending
    @Slot()
    def flush(self) -> None:
        """Send the views what happened since the last flush, then the state now."""
        if self._depth or self._flushing or self._closed:
            return
        self._flushing = True
        again = False
        try:
            while True:
                with self._lock:
                    pending, self._pending = self._pending, []
                fresh, self._fresh = self._fresh, False
                again = again or fresh
                if fresh:
                    self.startedOver.emit(self._run)
                session = self._session()
                if session is not None and session is not self._shown_session:
                    self._shown_session = session
                    self.sessionReplaced.emit(session)
                self._deliver([item for token, item in pending if token is self.token])
                if fresh and self._first_look is not None:
                    self.fileRead.emit(self._first_look())  # after what led to it
                with self._lock:
                    if not self._pending and not self._fresh:
                        break
            self._publish()
            if again and self._shown_again is not None:
                self._shown_again()
        finally:
            self._flushing = False

    def _deliver(self, items: list[Item]) -> None:
        events: list[EventTracked] = []
        for item in items:
            if isinstance(item, EventTracked):
                events.append(item)
                continue
            if events:
                self.eventsTracked.emit(tuple(events))
                events = []
            self._send(item)
        if events:
            self.eventsTracked.emit(tuple(events))

    def _send(self, item: Item) -> None:
        signal = self._signals.get(type(item))
        if signal is not None:
            signal.emit(item)

    def _publish(self) -> None:
        session = self._session()
        if session is None:
            if self._last is None or not self._last.open:
                return
            snapshot = replace(self._last, open=False)
        else:
            snapshot = SessionSnapshot.of(session)
        if snapshot != self._last:
            self._last = snapshot
            self.stateChanged.emit(snapshot)


class _HasRoute(Protocol):
    @property
    def route(self) -> Route: ...


class RouteSignal:
    """A signal of the owner's :attr:`route`, offered as the owner's own (read-only)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, owner: None, kind: type) -> RouteSignal: ...

    @overload
    def __get__(self, owner: _HasRoute, kind: type | None = None) -> SignalInstance: ...

    def __get__(
        self, owner: _HasRoute | None, kind: type | None = None
    ) -> SignalInstance | RouteSignal:
        if owner is None:  # looked up on the class (documentation, introspection)
            return self
        signal: SignalInstance = getattr(owner.route, self._name)
        return signal


class RouteSignals:
    """The signals, run and snapshot of the owner's :attr:`route`, offered as its own."""

    route: Route
    startedOver = RouteSignal()
    sessionStarted = RouteSignal()
    eventsTracked = RouteSignal()
    checkerChanged = RouteSignal()
    backgroundChanged = RouteSignal()
    settingsChanged = RouteSignal()
    pausedChanged = RouteSignal()
    sessionRequested = RouteSignal()
    storageProblem = RouteSignal()
    storageRecovered = RouteSignal()
    recorded = RouteSignal()
    expectationChecked = RouteSignal()
    stateChanged = RouteSignal()
    fileRead = RouteSignal()
    refused = RouteSignal()
    sessionReplaced = RouteSignal()

    @property
    def current_run(self) -> Run:
        """The run in force (the last one named with ``startedOver``, or about to be)."""
        return self.route.current_run

    @property
    def snapshot(self) -> SessionSnapshot | None:
        """The last snapshot sent with ``stateChanged``."""
        return self.route.snapshot

    def flush(self) -> None:
        """Send the views what happened since the last flush, then the state now."""
        self.route.flush()
