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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar, get_args

from .context import SessionContext
from .settings import Timeouts
from .state import SessionState

__all__ = [
    "BackgroundChanged",
    "CheckerChanged",
    "EventTracked",
    "Notification",
    "Observer",
    "PausedChanged",
    "Reason",
    "SessionRequested",
    "SessionStarted",
    "SettingsChanged",
    "StorageProblem",
    "StorageRecovered",
    "only",
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
    decision was made on, and ``at`` is the time of the check (``by_check``) or event that
    made it.
    """

    old: SessionState | None
    new: SessionState
    reason: Reason
    at: float
    last_access: float | None = None
    timeout: float | None = None
    background: bool = False
    by_check: bool = False


@dataclass(frozen=True, slots=True)
class EventTracked:
    """An event was tracked: ``state`` is the session it belongs to, after it was counted,
    ``context`` the ``client_session`` context it was given, ``first`` whether it is its
    session's first event, and ``background`` whether the app was in the background then."""

    event_id: str
    state: SessionState
    at: float
    context: SessionContext
    first: bool = False
    background: bool = False


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
class SettingsChanged:
    """A timing setting was changed: ``name`` is the one that changed, ``settings`` all three
    as they are now."""

    name: str
    settings: Timeouts
    at: float


@dataclass(frozen=True, slots=True)
class PausedChanged:
    """The session was paused (``paused``) or resumed (mobile policy)."""

    paused: bool
    at: float


@dataclass(frozen=True, slots=True)
class SessionRequested:
    """A new session was asked for; it starts at the next event (mobile policy)."""

    at: float


@dataclass(frozen=True, slots=True)
class StorageProblem:
    """The save file could not be read or written as it should: ``path`` is the file,
    ``message`` says what goes on, for people, and ``error`` is the exception behind it, if
    any. Tracking goes on in memory (a session made with ``strict_storage=True`` raises
    instead)."""

    path: Path
    message: str
    error: BaseException | None = None

    @property
    def errno(self) -> int | None:
        """The OS error number (``errno.ENOSPC``, ``errno.EACCES``, …), where there is one."""
        error = self.error
        return error.errno if isinstance(error, OSError) else None

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True, slots=True)
class StorageRecovered:
    """The save file was written again after a :class:`StorageProblem`."""

    path: Path


Notification = (
    SessionStarted
    | EventTracked
    | CheckerChanged
    | BackgroundChanged
    | SettingsChanged
    | PausedChanged
    | SessionRequested
    | StorageProblem
    | StorageRecovered
)
Observer = Callable[[Notification], None]


_N = TypeVar("_N", bound=Notification)


def only(kinds: Iterable[type[_N]], observer: Callable[[_N], None]) -> Observer:
    """``observer``, to be called with notifications of ``kinds`` only: for ``observers=[…]``
    at construction, as ``subscribe(observer, kinds)`` does later. ``observer`` may be typed
    for those kinds only."""
    wanted = tuple(kinds)

    def filtered(note: Notification) -> None:
        observer(note)  # type: ignore[arg-type]  # the engine sends it only ``kinds``

    filtered.kinds = wanted  # type: ignore[attr-defined]
    filtered.__qualname__ = f"only({getattr(observer, '__qualname__', observer)!r})"
    return filtered


class Observers:
    """A copy-on-write list of observers, so notifying never races with (un)subscribing.

    An observer may ask for some kinds of notification only; ``wants_events`` says whether any
    observer wants :class:`EventTracked`, which the engine's lock-free event path cannot send.
    """

    def __init__(self, logger: logging.Logger) -> None:
        self._logger = logger
        self._lock = threading.Lock()
        self._entries: tuple[tuple[Observer, tuple[type, ...] | None], ...] = ()
        self.wants_events = False

    def add(self, callback: Observer, kinds: Iterable[type] | None = None) -> Callable[[], None]:
        if not callable(callback):
            raise TypeError(f"an observer must be callable, got {callback!r}")
        if kinds is None:
            kinds = getattr(callback, "kinds", None)
        wanted = None if kinds is None else tuple(kinds)
        for kind in wanted or ():
            if kind not in _KINDS:
                raise TypeError(f"{kind!r} is not a session notification type")
        entry = (callback, wanted)
        with self._lock:
            self._set((*self._entries, entry))

        def unsubscribe() -> None:
            with self._lock:
                entries = list(self._entries)
                if entry in entries:
                    entries.remove(entry)
                self._set(tuple(entries))

        return unsubscribe

    def _set(self, entries: tuple[tuple[Observer, tuple[type, ...] | None], ...]) -> None:
        self._entries = entries
        self.wants_events = any(k is None or EventTracked in k for _, k in entries)

    def notify(self, note: Notification) -> None:
        for callback, kinds in self._entries:
            if kinds is not None and not isinstance(note, kinds):
                continue
            try:
                callback(note)
            except Exception:
                self._logger.exception(
                    "session observer %r failed on %s; the session carries on",
                    callback,
                    type(note).__name__,
                )


_KINDS = get_args(Notification)
