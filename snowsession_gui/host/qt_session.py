"""Run a :class:`session.ClientSession` inside any Qt application.

Three public pieces, apart from the window:

- :class:`QtScheduler` is the engine's ``Scheduler`` built on parented single-shot ``QTimer``\\ s,
  so the expiry checker runs on the GUI thread's event loop. ``call_later`` may be called from
  any thread: a call from another thread is marshalled to the scheduler's thread.
- :class:`SessionBridge` subscribes to a ``ClientSession`` and re-emits every notification as a
  Qt signal on the bridge's (GUI) thread, queued when it came from another thread (the writer
  thread sends ``StorageProblem`` and ``StorageRecovered``).
- :func:`follow_application_state` sends a session to the background and back with the
  application (``QGuiApplication.applicationStateChanged``).

Each signal carries one type, the engine's frozen dataclass of the same name:

===================== ============================
signal                payload
===================== ============================
``notified``          any ``session.Notification``
``sessionStarted``    ``SessionStarted``
``eventTracked``      ``EventTracked``
``checkerChanged``    ``CheckerChanged``
``backgroundChanged`` ``BackgroundChanged``
``settingsChanged``   ``SettingsChanged``
``pausedChanged``     ``PausedChanged``
``sessionRequested``  ``SessionRequested``
``storageProblem``    ``StorageProblem``
``storageRecovered``  ``StorageRecovered``
===================== ============================

:data:`NOTIFICATION_SIGNALS` maps each notification to its signal's name; the window's own
route (:class:`~snowsession_gui.host.route.Route`) uses the same map.

>>> from session import ClientSession
>>> scheduler = QtScheduler()                                          # doctest: +SKIP
>>> s = ClientSession("session.xml", scheduler=scheduler)               # doctest: +SKIP
>>> bridge = SessionBridge(s)                                           # doctest: +SKIP
>>> bridge.sessionStarted.connect(lambda note: print(note.new.session_index))  # doctest: +SKIP
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Mapping
from types import MappingProxyType
from typing import Final, Protocol

from PySide6.QtCore import (
    QCoreApplication,
    QObject,
    Qt,
    QThread,
    QTimer,
    Signal,
    SignalInstance,
    Slot,
)
from PySide6.QtGui import QGuiApplication

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

__all__ = [
    "NOTIFICATION_SIGNALS",
    "NotificationSignals",
    "QtScheduler",
    "QtTimerHandle",
    "SessionBridge",
    "follow_application_state",
]

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


NOTIFICATION_SIGNALS: Final[Mapping[type[Notification], str]] = MappingProxyType(
    {
        SessionStarted: "sessionStarted",
        CheckerChanged: "checkerChanged",
        BackgroundChanged: "backgroundChanged",
        SettingsChanged: "settingsChanged",
        PausedChanged: "pausedChanged",
        SessionRequested: "sessionRequested",
        StorageProblem: "storageProblem",
        StorageRecovered: "storageRecovered",
    }
)
"""Each engine notification and the name of the signal that carries it (events are sent
their own way: one at a time by :class:`SessionBridge`, in batches by the window's route)."""


class NotificationSignals(QObject):
    """One typed signal per entry of :data:`NOTIFICATION_SIGNALS`, each carrying its
    notification."""

    sessionStarted = Signal(SessionStarted)
    checkerChanged = Signal(CheckerChanged)
    backgroundChanged = Signal(BackgroundChanged)
    settingsChanged = Signal(SettingsChanged)
    pausedChanged = Signal(PausedChanged)
    sessionRequested = Signal(SessionRequested)
    storageProblem = Signal(StorageProblem)
    storageRecovered = Signal(StorageRecovered)


class SessionBridge(NotificationSignals):
    """Re-emits a ``ClientSession``'s notifications as Qt signals on this object's thread.

    Either pass the session (the bridge subscribes to it), or pass :meth:`notify` to the
    session's ``observers=`` so the bridge sees the first ``SessionStarted`` too, then call
    :meth:`attach`. :meth:`detach` stops the re-emitting; it does not close the session.

    Signals (the table in this module's docstring): ``notified`` with every notification,
    then the one named for it in :data:`NOTIFICATION_SIGNALS` (``eventTracked`` for an
    ``EventTracked``).
    """

    notified = Signal(object)
    eventTracked = Signal(EventTracked)

    _relay = Signal(object)

    def __init__(self, session: ClientSession | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._signals: dict[type, SignalInstance] = {
            kind: getattr(self, name) for kind, name in NOTIFICATION_SIGNALS.items()
        }
        self._signals[EventTracked] = self.eventTracked
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


class Backgroundable(Protocol):
    """What :func:`follow_application_state` drives: a ``ClientSession``, a
    ``SessionTracker`` or anything with ``set_background(bool)``."""

    def set_background(self, background: bool, /) -> object: ...


BACKGROUND_STATES: Final = (
    Qt.ApplicationState.ApplicationHidden,
    Qt.ApplicationState.ApplicationSuspended,
)
"""The application states taken for the background by default: hidden (a desktop app with no
visible window) and suspended (a mobile app the system put away)."""


class _StateFollower(QObject):
    def __init__(
        self,
        target: Backgroundable,
        background_states: Collection[Qt.ApplicationState],
        app: QGuiApplication,
    ) -> None:
        super().__init__(app)
        self._target: Backgroundable | None = target
        self._states = frozenset(background_states)
        self._app = app
        app.applicationStateChanged.connect(self.follow)

    @Slot(Qt.ApplicationState)
    def follow(self, state: Qt.ApplicationState) -> None:
        if self._target is not None:
            self._target.set_background(state in self._states)

    def stop(self) -> None:
        """Stop following (a second call does nothing)."""
        if self._target is None:
            return
        self._app.applicationStateChanged.disconnect(self.follow)
        self._target = None
        self.deleteLater()


def follow_application_state(
    target: Backgroundable,
    app: QGuiApplication | None = None,
    *,
    background_states: Collection[Qt.ApplicationState] = BACKGROUND_STATES,
) -> Callable[[], None]:
    """Send ``target`` to the background when the application leaves the foreground, and back.

    ``target`` is a ``ClientSession``, a ``SessionTracker`` or anything with
    ``set_background(bool)``; ``app`` is the running ``QGuiApplication`` (the instance by
    default). The state the application is in now is applied at once. A state in
    ``background_states`` (default :data:`BACKGROUND_STATES`) means the background; pass
    ``(ApplicationInactive, *BACKGROUND_STATES)`` to count a desktop window that lost the
    focus as the background too. Returns a function that stops following.
    """
    instance = app if app is not None else QCoreApplication.instance()
    if not isinstance(instance, QGuiApplication):
        raise RuntimeError("follow_application_state needs a running QGuiApplication")
    follower = _StateFollower(target, background_states, instance)
    follower.follow(instance.applicationState())
    return follower.stop
