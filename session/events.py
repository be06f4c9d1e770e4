"""What the engine tells its observers, and the list of observers itself.

Every notification is a small frozen dataclass; an observer is any callable that takes one.
Observers are called in the order the engine's changes happen, on the thread that made the
change (the caller's, or the checker's), while the engine holds its lock; storage
notifications come from the session's writer thread. An observer must return quickly and must
not wait for another thread that uses the same session. An observer that raises is logged and
the engine carries on.
"""

from __future__ import annotations

import enum
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .state import SessionState

__all__ = [
    "BackgroundChanged",
    "CheckerChanged",
    "EventTracked",
    "Notification",
    "Observer",
    "Reason",
    "SessionStarted",
    "StorageProblem",
    "StorageRecovered",
]


class Reason(enum.StrEnum):
    """Why a new session started."""

    START = "start"
    """The session object was constructed (an app start): the .NET original always starts one."""
    TIMEOUT = "timeout"
    """The session was idle for at least the timeout in force."""
    REQUESTED = "requested"
    """A new session was asked for (``start_new_session``)."""
    CLOCK_BACKWARDS = "clock-backwards"
    """The clock read earlier than the last access (mobile policy)."""
    RESUMED = "resumed"
    """A restart went on with the saved session (mobile ``continue_session_on_restart``):
    ``old`` and ``new`` are the same session."""


@dataclass(frozen=True, slots=True)
class SessionStarted:
    """A new session began.

    ``old`` is the session before (None for the first session of a user), ``new`` the one
    now in force. For a timeout, ``last_access``, ``timeout`` and ``background`` say what the
    decision was made on, and ``at`` is the time of the check (or event) that made it.
    """

    old: SessionState | None
    new: SessionState
    reason: Reason
    at: float
    last_access: float | None = None
    timeout: float | None = None
    background: bool = False


@dataclass(frozen=True, slots=True)
class EventTracked:
    """An event was tracked: ``state`` is the session it belongs to, after it was counted."""

    event_id: str
    state: SessionState
    at: float


@dataclass(frozen=True, slots=True)
class CheckerChanged:
    """The expiry checker was armed (``running``) or stopped. ``next_check`` is its due time."""

    running: bool
    at: float
    next_check: float | None = None


@dataclass(frozen=True, slots=True)
class BackgroundChanged:
    """The host application went to the background (``background``) or to the foreground."""

    background: bool
    at: float


@dataclass(frozen=True, slots=True)
class StorageProblem:
    """The save file could not be read or written as it should; tracking goes on in memory."""

    path: Path
    message: str
    error: BaseException | None = None


@dataclass(frozen=True, slots=True)
class StorageRecovered:
    """The save file was written again after a :class:`StorageProblem`."""

    path: Path


Notification = (
    SessionStarted
    | EventTracked
    | CheckerChanged
    | BackgroundChanged
    | StorageProblem
    | StorageRecovered
)
Observer = Callable[[Notification], None]


class Observers:
    """A copy-on-write list of observers, so notifying never races with (un)subscribing."""

    def __init__(self, logger: logging.Logger) -> None:
        self._logger = logger
        self._lock = threading.Lock()
        self.callbacks: tuple[Observer, ...] = ()

    def add(self, callback: Observer) -> Callable[[], None]:
        if not callable(callback):
            raise TypeError(f"an observer must be callable, got {callback!r}")
        with self._lock:
            self.callbacks = (*self.callbacks, callback)

        def unsubscribe() -> None:
            self.remove(callback)

        return unsubscribe

    def remove(self, callback: Observer) -> None:
        with self._lock:
            callbacks = list(self.callbacks)
            if callback in callbacks:
                callbacks.remove(callback)
            self.callbacks = tuple(callbacks)

    def notify(self, note: Notification) -> None:
        for callback in self.callbacks:
            try:
                callback(note)
            except Exception:
                self._logger.exception(
                    "session observer %r failed on %s; the session carries on",
                    callback,
                    type(note).__name__,
                )
