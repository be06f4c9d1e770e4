"""The one route from the engine to the views: typed Qt signals, in the order things happened.

:class:`Route` keeps every engine notification (and what a scenario run records) as it comes,
on any thread, and sends it on the GUI thread once the engine call that made it has returned:
at the end of the host operation that made it, or at the next turn of the event loop when it
came from elsewhere (an embedding program calling the session, the engine's writer thread).
Events in a row go as one batch. After each flush a fresh :class:`SessionSnapshot` follows if
anything it holds changed. The host (:class:`~.session_host.SessionHost`) is
a route.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import partial

from PySide6.QtCore import QObject, Qt, Signal, SignalInstance, Slot

from session import (
    BackgroundChanged,
    CheckerChanged,
    ClientSession,
    EventTracked,
    Notification,
    PausedChanged,
    SessionRequested,
    SessionStarted,
    SettingsChanged,
    StorageProblem,
    StorageRecovered,
)
from session.scenario.timeline import Mark, SessionEntry
from session.storage.report import Report
from snowsession_gui.model.drivers import ExpectationMark, Record
from snowsession_gui.model.runs import Run
from snowsession_gui.model.snapshot import SessionSnapshot

__all__ = ["Route"]

Item = Notification | Record


class Route(QObject):
    """Typed signals for everything the views show, each on the GUI thread, in order:

    - ``startedOver(Run)``: another run is in force (another file, a reset, a scenario begins
      or ends); what follows is its driver's state. A view shows what it kept of that run, if
      it saw it before (a scenario stopped: the window's own run again), else starts afresh.
    - ``sessionStarted``, ``checkerChanged``, ``backgroundChanged``, ``settingsChanged``,
      ``pausedChanged``, ``sessionRequested``, ``storageProblem``, ``storageRecovered``: the
      engine's notification of that name.
    - ``eventsTracked(tuple[EventTracked, ...])``: events in a row, in one batch (a scenario
      may track thousands in one step of time); each carries its context.
    - ``recorded(SessionEntry | Mark)`` and ``expectationChecked(ExpectationMark)``: what a
      scenario run records.
    - ``stateChanged(SessionSnapshot)``: after every flush that changed what the views show.
    - ``fileRead(Report)``: the save file in use, at the first look and at each change.
    - ``sessionReplaced(ClientSession)``: another ``ClientSession`` is in force.
    """

    startedOver = Signal(object)
    sessionStarted = Signal(object)
    eventsTracked = Signal(object)
    checkerChanged = Signal(object)
    backgroundChanged = Signal(object)
    settingsChanged = Signal(object)
    pausedChanged = Signal(object)
    sessionRequested = Signal(object)
    storageProblem = Signal(object)
    storageRecovered = Signal(object)
    recorded = Signal(object)
    expectationChecked = Signal(object)
    stateChanged = Signal(object)
    fileRead = Signal(object)
    sessionReplaced = Signal(object)
    _wake = Signal()

    def __init__(self, run: Run, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._run = run
        self._lock = threading.Lock()
        self._pending: list[tuple[object, Item]] = []
        self._depth = 0
        self._flushing = False
        self._closed = False
        self._fresh = True
        self._token: object = object()
        self._shown_session: ClientSession | None = None
        self._last: SessionSnapshot | None = None
        self._wake.connect(self.flush, Qt.ConnectionType.QueuedConnection)
        self._signals: dict[type, SignalInstance] = {
            SessionStarted: self.sessionStarted,
            CheckerChanged: self.checkerChanged,
            BackgroundChanged: self.backgroundChanged,
            SettingsChanged: self.settingsChanged,
            PausedChanged: self.pausedChanged,
            SessionRequested: self.sessionRequested,
            StorageProblem: self.storageProblem,
            StorageRecovered: self.storageRecovered,
            ExpectationMark: self.expectationChecked,
            SessionEntry: self.recorded,
            Mark: self.recorded,
        }

    # ------------------------------------------------------------ for the host

    def _session(self) -> ClientSession | None:
        """The session in force."""
        raise NotImplementedError

    def _first_look(self) -> Report:
        """Start watching the file in use now, and look at it."""
        raise NotImplementedError

    def _shown_again(self) -> None:
        """Called at the end of a flush that started the views over."""

    @property
    def current_run(self) -> Run:
        """The run in force (the last one named with ``startedOver``, or about to be)."""
        return self._run

    @property
    def snapshot(self) -> SessionSnapshot | None:
        """The last snapshot sent with ``stateChanged``."""
        return self._last

    def _observer(self, token: object) -> Callable[[Item], None]:
        """An engine observer (and a run's recorder) whose items count while ``token`` is
        the route's (see :meth:`_start_over`)."""
        return partial(self._keep, token)

    def _keep(self, token: object, item: Item) -> None:
        # Any thread, often with the engine's lock held: keep it, wake the GUI thread.
        with self._lock:
            self._pending.append((token, item))
            first = len(self._pending) == 1
        if first and not self._closed:
            with contextlib.suppress(RuntimeError):  # the route is being deleted
                self._wake.emit()

    @contextlib.contextmanager
    def _operation(self) -> Iterator[None]:
        """A host call: what it makes is sent when it returns (the outermost one)."""
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if not self._depth:
                self.flush()

    def _start_over(self, token: object, run: Run) -> None:
        """From the next flush only ``token``'s items count, after ``startedOver(run)``."""
        self._token = token
        self._run = run
        self._fresh = True

    def _stop_sending(self) -> None:
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
                self._deliver([item for token, item in pending if token is self._token])
                if fresh:
                    self.fileRead.emit(self._first_look())
                with self._lock:
                    if not self._pending and not self._fresh:
                        break
            self._publish()
            if again:
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
