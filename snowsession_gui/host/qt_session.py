"""Run a :class:`session.ClientSession` inside any Qt application.

Two public pieces, apart from the window:

- :class:`QtScheduler` is the engine's ``Scheduler`` built on parented single-shot ``QTimer``\\ s,
  so the expiry checker runs on the GUI thread's event loop. ``call_later`` may be called from
  any thread: a call from another thread is marshalled to the scheduler's thread.
- :class:`SessionBridge` subscribes to a ``ClientSession`` and re-emits every notification as a
  Qt signal on the bridge's (GUI) thread, queued when it came from another thread (the writer
  thread sends ``StorageProblem`` and ``StorageRecovered``).

>>> from session import ClientSession
>>> scheduler = QtScheduler()                                          # doctest: +SKIP
>>> s = ClientSession("session.xml", scheduler=scheduler)               # doctest: +SKIP
>>> bridge = SessionBridge(s)                                           # doctest: +SKIP
>>> bridge.sessionStarted.connect(lambda note: print(note.new.session_index))  # doctest: +SKIP
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal, SignalInstance, Slot

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

__all__ = ["QtScheduler", "QtTimerHandle", "SessionBridge"]

_MAX_MS = 2**31 - 1


class QtTimerHandle:
    """A pending :meth:`QtScheduler.call_later`; :meth:`cancel` works from any thread."""

    __slots__ = ("_callback", "_delay", "_lock", "_owner", "_remaining_ms", "_timer", "cancelled")

    def __init__(self, owner: QtScheduler, delay: float, callback: Callable[[], None]) -> None:
        self._owner = owner
        self._delay = delay
        self._callback = callback
        self._lock = threading.Lock()
        self._timer: QTimer | None = None
        self._remaining_ms = 0
        self.cancelled = False

    def cancel(self) -> None:
        with self._lock:
            self.cancelled = True
            timer = self._timer
        if timer is not None and QThread.currentThread() is self._owner.thread():
            self._owner._discard(self)

    # Only ever called on the scheduler's thread.
    def _start(self) -> None:
        with self._lock:
            if self.cancelled:
                return
            timer = self._timer = QTimer(self._owner)
        timer.setSingleShot(True)
        timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._remaining_ms = max(0, round(self._delay * 1000))
        timer.timeout.connect(self._fire)
        self._next_leg(timer)

    def _next_leg(self, timer: QTimer) -> None:
        # A QTimer holds at most 2**31-1 ms (24.8 days): longer delays run in legs.
        leg = min(_MAX_MS, self._remaining_ms)
        self._remaining_ms -= leg
        timer.start(leg)

    def _fire(self) -> None:
        timer = self._timer
        if self._remaining_ms > 0 and timer is not None and not self.cancelled:
            self._next_leg(timer)
            return
        self._owner._discard(self)
        with self._lock:
            if self.cancelled:
                return
            self.cancelled = True  # a handle runs once
        self._callback()

    def _stop(self) -> None:
        with self._lock:
            timer, self._timer = self._timer, None
        if timer is not None:
            timer.stop()
            timer.timeout.disconnect(self._fire)
            timer.deleteLater()


class QtScheduler(QObject):
    """The engine's ``Scheduler`` on single-shot ``QTimer``\\ s parented to this object.

    Callbacks run on the thread this object lives in (normally the GUI thread). :meth:`close`
    (or deleting the object) stops every pending timer.
    """

    _schedule = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pending: set[QtTimerHandle] = set()
        self._lock = threading.Lock()
        self._closed = False
        # AutoConnection: direct on our thread, queued from any other.
        self._schedule.connect(self._start_handle)

    def call_later(self, delay: float, callback: Callable[[], None]) -> QtTimerHandle:
        handle = QtTimerHandle(self, max(0.0, float(delay)), callback)
        with self._lock:
            if self._closed:
                raise RuntimeError("the scheduler is closed")
            self._pending.add(handle)
        self._schedule.emit(handle)
        return handle

    @Slot(object)
    def _start_handle(self, handle: QtTimerHandle) -> None:
        if self._closed or handle.cancelled:
            self._discard(handle)
            return
        handle._start()

    def _discard(self, handle: QtTimerHandle) -> None:
        with self._lock:
            self._pending.discard(handle)
        handle._stop()

    @property
    def pending(self) -> int:
        """How many calls are waiting."""
        with self._lock:
            return sum(1 for h in self._pending if not h.cancelled)

    def close(self) -> None:
        """Cancel every pending call; later calls to :meth:`call_later` raise."""
        with self._lock:
            self._closed = True
            pending, self._pending = self._pending, set()
        for handle in pending:
            handle.cancelled = True
            if QThread.currentThread() is self.thread():
                handle._stop()


class SessionBridge(QObject):
    """Re-emits a ``ClientSession``'s notifications as Qt signals on this object's thread.

    Either pass the session (the bridge subscribes to it), or pass :meth:`notify` to the
    session's ``observers=`` so the bridge sees the first ``SessionStarted`` too, then call
    :meth:`attach`. :meth:`detach` stops the re-emitting; it does not close the session.

    Signals (each carries the engine's frozen dataclass from ``session.events``):
    ``notified`` (every notification), ``sessionStarted``, ``eventTracked``,
    ``checkerChanged``, ``backgroundChanged``, ``settingsChanged``, ``pausedChanged``,
    ``sessionRequested``, ``storageProblem``, ``storageRecovered``.
    """

    notified = Signal(object)
    sessionStarted = Signal(object)
    eventTracked = Signal(object)
    checkerChanged = Signal(object)
    backgroundChanged = Signal(object)
    settingsChanged = Signal(object)
    pausedChanged = Signal(object)
    sessionRequested = Signal(object)
    storageProblem = Signal(object)
    storageRecovered = Signal(object)

    _relay = Signal(object)

    def __init__(self, session: ClientSession | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._signals: dict[type, SignalInstance] = {
            EventTracked: self.eventTracked,
            SessionStarted: self.sessionStarted,
            CheckerChanged: self.checkerChanged,
            BackgroundChanged: self.backgroundChanged,
            SettingsChanged: self.settingsChanged,
            PausedChanged: self.pausedChanged,
            SessionRequested: self.sessionRequested,
            StorageProblem: self.storageProblem,
            StorageRecovered: self.storageRecovered,
        }
        self._session: ClientSession | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._active = True
        self._relay.connect(self._dispatch)  # AutoConnection: queued from other threads
        if session is not None:
            self._session = session
            self._unsubscribe = session.subscribe(self.notify)

    @property
    def session(self) -> ClientSession | None:
        return self._session

    def attach(self, session: ClientSession) -> None:
        """Remember ``session`` (built with ``observers=[bridge.notify]``)."""
        self._session = session
        self._active = True

    def notify(self, note: Notification) -> None:
        """The engine observer: callable from any thread."""
        if self._active:
            try:
                self._relay.emit(note)
            except RuntimeError:  # the bridge was deleted while the engine was still talking
                self._active = False

    def detach(self) -> None:
        """Stop re-emitting and unsubscribe (notifications already queued are dropped)."""
        self._active = False
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._session = None

    @Slot(object)
    def _dispatch(self, note: Notification) -> None:
        if not self._active:
            return
        self.notified.emit(note)
        signal = self._signals.get(type(note))
        if signal is not None:
            signal.emit(note)
