"""``ClientSession``: the Snowplow client session, kept in a .NET-compatible save file."""

from __future__ import annotations

import logging
import os
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import partial
from pathlib import Path
from types import TracebackType

from .context import SessionContext
from .events import (
    BackgroundChanged,
    CheckerChanged,
    EventTracked,
    Notification,
    Observer,
    Observers,
    Reason,
    SessionStarted,
    SettingsChanged,
)
from .policy import MobileControls, Policy, make_policy
from .settings import DEFAULTS, Timeouts, check_seconds
from .state import INT32_MAX, SessionState
from .storage.format import encode
from .storage.saving import Persistence
from .timing import Clock, Scheduler, SystemClock, ThreadScheduler, Timer

__all__ = ["ClientSession", "SessionClosedError"]


class SessionClosedError(RuntimeError):
    """The session was closed; make a new one to go on tracking."""


class _Live:
    """The mutable part of the current session, replaced whole at each new session."""

    __slots__ = ("accessed", "context")

    def __init__(self, accessed: float) -> None:
        self.accessed = accessed
        self.context: SessionContext | None = None  # None until the session's first event


class ClientSession(MobileControls):
    """A client session: user id, session id, previous session id and index, saved to a file.

    Behaves exactly as the Snowplow .NET tracker's ``ClientSession`` by default: every
    construction starts a new session; an event arms the expiry checker; a check every
    ``check_interval`` seconds starts a new session once the session has been idle for the
    timeout in force (``background_timeout`` in the background, else ``foreground_timeout``).

    Parameters
    ----------
    save_path
        The save file (the .NET format). Its folder is created if missing.
    foreground_timeout, background_timeout, check_interval
        Seconds; whole or fractional, positive and finite.
    logger
        Where warnings go; defaults to the ``session`` logger.
    clock, scheduler
        Injected time. With neither, the real clock and daemon thread timers. With a
        :class:`~session.VirtualClock` and no scheduler, the clock is the scheduler.
    policy
        The expiry rules: ``"dotnet"`` (the default), ``"mobile"`` (the Android/iOS trackers:
        expiry decided at each event, see :mod:`session.mobile`) or a
        :class:`~session.policy.Policy`.
    observers
        Callables subscribed before anything happens, so they see the first session start.
    id_factory
        Makes session and user ids; defaults to random UUIDs.
    continue_session_on_restart
        Mobile policy only: save the state at every event and resume an unexpired session at
        the next start (judged by wall-clock time) instead of starting a new one.

    All public methods may be called from any thread.
    """

    def __init__(
        self,
        save_path: str | os.PathLike[str],
        foreground_timeout: float = DEFAULTS.foreground_timeout,
        background_timeout: float = DEFAULTS.background_timeout,
        check_interval: float = DEFAULTS.check_interval,
        logger: logging.Logger | None = None,
        *,
        clock: Clock | None = None,
        scheduler: Scheduler | None = None,
        policy: str | Policy = "dotnet",
        observers: Iterable[Observer] = (),
        id_factory: Callable[[], str] | None = None,
        continue_session_on_restart: bool = False,
    ) -> None:
        self._foreground_timeout = check_seconds("foreground_timeout", foreground_timeout)
        self._background_timeout = check_seconds("background_timeout", background_timeout)
        self._check_interval = check_seconds("check_interval", check_interval)
        self._logger = logger or logging.getLogger("session")
        self._policy = make_policy(policy, continue_session_on_restart=continue_session_on_restart)
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._owned_scheduler: ThreadScheduler | None = None
        if scheduler is None:
            if isinstance(self._clock, Scheduler):
                scheduler = self._clock
            else:
                scheduler = self._owned_scheduler = ThreadScheduler()
        self._scheduler = scheduler
        self._now = self._clock.now
        self._policy.bind(self._logger, self._clock)
        self._new_id = id_factory or (lambda: str(uuid.uuid4()))
        self._lock = threading.RLock()
        self._observers = Observers(self._logger)
        for observer in observers:
            self._observers.add(observer)
        self._background = False
        self._timer: Timer | None = None
        self._timer_token = 0
        self._next_check: float | None = None
        self._fast = False
        self._closed = False
        self._file = Persistence(
            save_path,
            wall_time=self._clock.wall_time,
            logger=self._logger,
            notify=self._observers.notify,
        )
        self._file.lock()  # raises SaveFileBusyError if another session has the file
        try:
            self._start_from_file()
        except BaseException:
            self._file.close()
            raise

    # ------------------------------------------------------------------ construction

    def _start_from_file(self) -> None:
        loaded = self._file.load()
        saved = loaded.saved
        old: SessionState | None = None
        user_id = saved.user_id if saved else None
        if user_id is None:
            user_id = self._new_id()
        if saved and saved.session_id is not None and saved.session_index is not None:
            old = SessionState(
                user_id, saved.session_id, saved.previous_session_id, saved.session_index
            )
        previous = saved.session_id if saved else None
        index = saved.session_index if saved and saved.session_index is not None else 0
        now = self._now()
        resumed = self._policy.resume(saved, user_id, now) if saved and not loaded.problem else None
        if resumed is not None:  # continue_session_on_restart
            self._state, accessed = resumed
            self._live = _Live(accessed)
            self._save()
            self._observers.notify(SessionStarted(self._state, self._state, Reason.RESUMED, now))
            return
        self._state = self._next_state(user_id, previous, index, now)
        self._live = _Live(now)
        self._save()
        self._observers.notify(SessionStarted(old, self._state, Reason.START, now))

    def _next_state(
        self, user_id: str, previous: str | None, index: int, now: float
    ) -> SessionState:
        if index >= INT32_MAX:
            self._logger.warning("session index reached %d: starting again at 1", INT32_MAX)
            index = 0
        return SessionState(user_id, self._new_id(), previous, index + 1, None, now)

    # ------------------------------------------------------------------ state

    @property
    def state(self) -> SessionState:
        """The current session as one consistent snapshot."""
        return self._state

    @property
    def user_id(self) -> str:
        return self._state.user_id

    @property
    def current_session_id(self) -> str:
        return self._state.session_id

    @property
    def previous_session_id(self) -> str | None:
        return self._state.previous_session_id

    @property
    def session_index(self) -> int:
        return self._state.session_index

    @property
    def first_event_id(self) -> str | None:
        return self._state.first_event_id

    @property
    def background(self) -> bool:
        return self._background

    @property
    def is_checking(self) -> bool:
        """Whether the expiry checker is armed (.NET: ``SessionCheckTimer != null``)."""
        return self._timer is not None

    @property
    def last_access(self) -> float:
        """The clock time of the last event, or of the session's start."""
        return self._live.accessed

    @property
    def next_check_at(self) -> float | None:
        """The clock time of the next expiry check, or None while the checker is stopped."""
        return self._next_check

    @property
    def timeout_in_force(self) -> float:
        """The background timeout in the background, else the foreground timeout."""
        return self._background_timeout if self._background else self._foreground_timeout

    def expected_new_session_at(self) -> float | None:
        """When a new session will start if nothing else happens, or None if never."""
        with self._lock:
            return self._policy.forecast(
                self._live.accessed,
                self.timeout_in_force,
                self._next_check,
                self._check_interval,
            )

    @property
    def save_path(self) -> Path:
        return self._file.store.path

    @property
    def storage_problem(self) -> str | None:
        """The last storage problem, until a write works again."""
        return self._file.problem

    @property
    def policy(self) -> Policy:
        return self._policy

    @property
    def clock(self) -> Clock:
        return self._clock

    @property
    def closed(self) -> bool:
        return self._closed

    # ------------------------------------------------------------------ settings

    @property
    def foreground_timeout(self) -> float:
        return self._foreground_timeout

    @foreground_timeout.setter
    def foreground_timeout(self, value: float) -> None:
        self._change_setting("foreground_timeout", value)

    @property
    def background_timeout(self) -> float:
        return self._background_timeout

    @background_timeout.setter
    def background_timeout(self, value: float) -> None:
        self._change_setting("background_timeout", value)

    @property
    def check_interval(self) -> float:
        """Seconds between checks; a new value takes effect when the checker next re-arms."""
        return self._check_interval

    @check_interval.setter
    def check_interval(self, value: float) -> None:
        self._change_setting("check_interval", value)

    @property
    def settings(self) -> Timeouts:
        """The three timing settings as they are now."""
        return Timeouts(self._foreground_timeout, self._background_timeout, self._check_interval)

    def _change_setting(self, name: str, value: object) -> None:
        seconds = check_seconds(name, value)
        with self._lock:
            self._ensure_open()
            if getattr(self, f"_{name}") == seconds:
                return
            setattr(self, f"_{name}", seconds)
            self._observers.notify(SettingsChanged(name, self.settings, self._now()))

    # ------------------------------------------------------------------ events

    def get_session_context(self, event_id: str) -> SessionContext:
        """Count an event and return the ``client_session`` context to attach to it.

        The first event of a session becomes its ``firstEventId``. The checker is armed if it
        was stopped. An event never checks for expiry itself (the .NET behaviour).
        """
        # The common case takes no lock: the current session's record is read once, and an
        # event racing a new session belongs to the session it read. Anything else (a first
        # event, a stopped checker, observers, another policy) goes the locked way.
        live = self._live
        context = live.context
        if context is None or not self._fast:
            return self._track(event_id)
        live.accessed = self._now()
        return context

    def _track(self, event_id: str) -> SessionContext:
        if not isinstance(event_id, str):
            raise TypeError(f"event_id must be a string, got {event_id!r}")
        with self._lock:
            self._ensure_open()
            now = self._now()
            if not self._policy.uses_checker:
                return self._track_at_event(event_id, now)
            live = self._live
            live.accessed = now
            state = self._state
            if state.first_event_id is None:
                state = self._state = replace(state, first_event_id=event_id)
            context = live.context  # None for a new session, so its first event builds it
            if context is None or not self._policy.cacheable_context:
                context = live.context = self._policy.context(state)
            if self._policy.uses_checker and self._timer is None:
                self._arm(now, notify=True)
            if self._observers.wants_events:
                self._observers.notify(EventTracked(event_id, state, now, context))
            return context

    def _track_at_event(self, event_id: str, now: float) -> SessionContext:
        # Without a checker (mobile) the event decides expiry, and every event is counted.
        policy, live = self._policy, self._live
        timeout = self.timeout_in_force
        reason = policy.expiry_at_event(self._state, now, live.accessed, timeout)
        if reason is not None:
            self._new_session(reason, now, live.accessed, timeout)
            live = self._live
        state, refresh = policy.count_event(self._state, event_id)
        self._state = state
        if refresh:
            live.accessed = now
        context = live.context = policy.context(state)
        if policy.continue_session_on_restart:
            self._save()
        if self._observers.wants_events:
            self._observers.notify(EventTracked(event_id, state, now, context))
        return context

    def set_background(self, background: bool) -> None:
        """Tell the session the app went to the background (True) or the foreground (False).

        Going to the foreground arms the checker if it was stopped. Under the mobile policy a
        switch is counted (``background_index``, ``foreground_index``) and only decides which
        timeout the next event is judged by; track a lifecycle event before the switch to have
        it judged by the old state's timeout, as the mobile trackers do.
        """
        if not isinstance(background, bool):
            raise TypeError(f"background must be True or False, got {background!r}")
        with self._lock:
            self._ensure_open()
            now = self._now()
            changed = background != self._background
            self._background = background
            if changed:
                self._policy.background_changed(background)
                self._observers.notify(BackgroundChanged(background, now))
            if not background and self._policy.uses_checker and self._timer is None:
                self._arm(now, notify=True)

    # ------------------------------------------------------------------ checker

    def start_checker(self) -> None:
        """Arm the expiry checker if it is not armed; does nothing under a policy without one
        (``mobile``: only events start sessions, so ``is_checking`` stays False)."""
        with self._lock:
            self._ensure_open()
            if self._timer is None and self._policy.uses_checker:
                self._arm(self._now(), notify=True)

    def stop_checker(self) -> None:
        """Stop the expiry checker; the next event or foreground switch arms it again."""
        with self._lock:
            self._ensure_open()
            if self._timer is None:
                return
            self._disarm()
            self._observers.notify(CheckerChanged(False, self._now()))

    def _arm(self, now: float, *, notify: bool) -> None:
        self._timer_token += 1
        self._next_check = now + self._check_interval
        self._timer = self._scheduler.call_later(
            self._check_interval, partial(self._check, self._timer_token)
        )
        self._update_fast()
        if notify:
            self._observers.notify(CheckerChanged(True, now, self._next_check))

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = None
        self._timer_token += 1
        self._next_check = None
        self._update_fast()

    def _check(self, token: int) -> None:
        with self._lock:
            if token != self._timer_token or self._closed:
                return  # cancelled while it was on its way
            now = self._now()
            # self._timer stays set until the check re-arms or stops it: is_checking never
            # flickers to False in the middle of a check.
            if self._file.needs_retry:
                self._save()  # try again: the path may work now
            timeout = self.timeout_in_force
            last_access = self._live.accessed
            if self._policy.expired_at_check(now - last_access, timeout):
                self._new_session(Reason.TIMEOUT, now, last_access, timeout)
                if self._policy.stop_after_expiry(self._background):
                    self._disarm()
                    self._observers.notify(CheckerChanged(False, now))
                    return
            self._arm(now, notify=False)

    def _new_session(
        self, reason: Reason, now: float, last_access: float | None, timeout: float | None
    ) -> None:
        old = self._state
        self._state = self._next_state(old.user_id, old.session_id, old.session_index, now)
        self._live = _Live(now)
        self._save()
        self._observers.notify(
            SessionStarted(old, self._state, reason, now, last_access, timeout, self._background)
        )

    # ------------------------------------------------------------------ storage

    def _save(self) -> None:
        # Called with the lock held, so submissions follow the order of the states.
        self._file.save(encode(self._policy.saved_entries(self._state)))

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until the save file holds the current state; False if ``timeout`` ran out.

        Saving happens on a writer thread, so no call waits for the disk; this is the one that
        does, for tests and for programs about to exit (:meth:`close` flushes too).
        """
        return self._file.flush(timeout)

    # ------------------------------------------------------------------ observers, life cycle

    def subscribe(
        self, observer: Observer, kinds: Iterable[type] | None = None
    ) -> Callable[[], None]:
        """Call ``observer`` with every :mod:`~session.events` notification, or only those of
        ``kinds``; returns an unsubscribe function. Observers run on the thread that made the
        change, in order. An observer that does not want :class:`EventTracked` keeps events on
        the lock-free path."""
        # Under the lock: deciding on the lock-free event path reads the checker's state, which
        # a concurrent stop_checker() could change between the read and the write.
        with self._lock:
            self._ensure_open()
            unsubscribe = self._observers.add(observer, kinds)
            self._update_fast()

        def undo() -> None:
            with self._lock:
                unsubscribe()
                self._update_fast()

        return undo

    def _update_fast(self) -> None:
        self._fast = (
            self._timer is not None
            and not self._observers.wants_events
            and self._policy.cacheable_context
        )

    def _notify(self, note: Notification) -> None:
        self._observers.notify(note)

    def _ensure_open(self) -> None:
        if self._closed:
            raise SessionClosedError(
                f"the session on {self.save_path} is closed; create a new ClientSession"
            )

    def close(self) -> None:
        """Stop the checker, write the last state and release the save file. Safe to repeat."""
        with self._lock:
            if self._closed:
                return
            if self._timer is not None:
                self._disarm()
                self._observers.notify(CheckerChanged(False, self._now()))
            self._closed = True
            if self._file.needs_retry:
                self._save()
        self._file.close()
        self._policy.close()
        if self._owned_scheduler is not None:
            self._owned_scheduler.close()

    def __enter__(self) -> ClientSession:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = self._state
        return (
            f"<ClientSession {self._policy.name} {self.save_path} index={state.session_index} "
            f"session={state.short_session_id} {'background' if self._background else 'foreground'}"
            f"{' checking' if self._timer is not None else ''}{' closed' if self._closed else ''}>"
        )
