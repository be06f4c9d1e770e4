"""The session's mechanics: its state, what starts a new session, the checker, the save file.

:class:`SessionCore` does what :class:`~session.ClientSession` promises, in the order that keeps
the promises: a state that starts a session is written durably, then made current, then heard
of by observers, all under one lock; the policy is asked at each moment that can change a
session, and answers from a :class:`~session.policy.Moment`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from functools import partial

from ..context import SessionContext
from ..events import (
    BackgroundChanged,
    CheckerChanged,
    EventTracked,
    Notification,
    Observer,
    Observers,
    PausedChanged,
    Reason,
    SessionRequested,
    SessionStarted,
    SettingsChanged,
)
from ..policy import Control, Moment, Policy, Trigger, require
from ..settings import Timeouts, check_seconds
from ..state import SessionState
from ..status import SessionStatus
from ..storage.errors import SaveFileWriteError
from ..storage.format import encode
from ..storage.saving import Persistence
from ..timing import Clock, Scheduler, ThreadScheduler, Timer
from .live import Live
from .lock import EngineLock
from .opening import first_session, next_state

__all__ = ["SessionClosedError", "SessionCore"]


class SessionClosedError(RuntimeError):
    """The session was closed; make a new one to go on tracking."""


class SessionCore:
    """One session's state and the one lock that every change of it takes."""

    def __init__(
        self,
        settings: Timeouts,
        policy: Policy,
        clock: Clock,
        scheduler: Scheduler,
        owned_scheduler: ThreadScheduler | None,
        logger: logging.Logger,
        new_id: Callable[[], str],
        observers: Iterable[Observer],
        follow: Callable[[Live], None],
    ) -> None:
        self.settings = settings
        self.policy = policy
        self.clock = clock
        self.now = clock.now
        self._scheduler = scheduler
        self._owned_scheduler = owned_scheduler
        self.logger = logger
        self._new_id = new_id
        self.guard = EngineLock()
        self.observers = Observers(logger)
        for observer in observers:
            self.observers.add(observer)
        self.background = False
        self.paused = False
        self.pending: Reason | None = None
        self.switches = {False: 0, True: 0}  # to the foreground, to the background
        self.timer: Timer | None = None
        self._timer_token = 0
        self.next_check: float | None = None
        self.closed = False
        self.state: SessionState
        self.live = Live(0.0, 0.0)  # until the start; nobody reads it before
        self._follow = follow  # told of each new session's record (the lock-free event path)

    def open(self, file: Persistence) -> None:
        """Read the save file and start from it: a new session, or the saved one resumed."""
        self.file = file
        report = file.open()  # raises SaveFileError: busy, unreadable, not a save file
        try:
            with self.locked():
                clock = (self.now(), self.clock.wall_time())
                first = first_session(report, self.policy, clock, self._new_id, self.logger)
                self.pending = first.pending
                self._begin(first.state, first.live, [first.note])
        except BaseException:
            file.close()
            raise

    def _next_state(
        self, user_id: str, previous: str | None, index: int, now: float
    ) -> SessionState:
        return next_state(user_id, previous, index, now, self._new_id, self.logger)

    def _begin(self, state: SessionState, live: Live, notes: list[Notification]) -> None:
        """Make ``state`` durable, then current, then heard of: nobody sees it before."""
        self.file.save_now(self._encode(state, live))
        self._publish(state, live)
        for note in notes:
            self.notify(note)

    def _publish(self, state: SessionState, live: Live) -> None:
        self.state = state
        if live is not self.live:
            self.live = live
            self._follow(live)

    def _started(
        self, state: SessionState, reason: Reason, moment: Moment, by_check: bool
    ) -> SessionStarted:
        m = moment
        return SessionStarted(
            m.state, state, reason, m.now, m.last_access, m.timeout, m.background, by_check
        )

    # ------------------------------------------------------------------ events

    def track(self, event_id: str) -> SessionContext:
        if not isinstance(event_id, str):
            raise TypeError(f"event_id must be a string, got {event_id!r}")
        with self.locked():
            self.ensure_open()
            policy, now, wall = self.policy, self.now(), self.clock.wall_time()
            moment = self.moment(now, wall)
            reason = policy.ends(moment, Trigger.EVENT)
            if not self.paused:
                self.pending = None  # used up: it ended the session, or this is its first event
            notes: list[Notification] = []
            state, live = self.state, self.live
            if reason is not None:
                state = self._next_state(state.user_id, state.session_id, state.session_index, now)
                live = Live(now, wall)
                notes.append(self._started(state, reason, moment, by_check=False))
            first = state.first_event_id is None
            state = policy.count(state, event_id, wall)
            if not self.paused:
                live.accessed, live.wall_accessed = now, wall
            if live.context is None or not policy.stable_context:
                live.context = policy.context(state)
            if notes or (first and policy.continue_session_on_restart):
                self.file.save_now(self._encode(state, live))  # a new session, or its first event
            elif policy.continue_session_on_restart:
                self.file.save_behind(self._encode(state, live))  # a refresh nobody acts on
            self._publish(state, live)
            notes += self._start_checker(now)
            if self.observers.wants_events:
                notes.append(
                    EventTracked(event_id, state, now, live.context, first, self.background)
                )
            self.update_fast()
            for note in notes:
                self.notify(note)
            return live.context

    def switch(self, background: bool) -> None:
        if not isinstance(background, bool):
            raise TypeError(f"background must be True or False, got {background!r}")
        with self.locked():
            self.ensure_open()
            now = self.now()
            notes: list[Notification] = []
            if background != self.background:
                self.background = background
                self.switches[background] += 1
                notes.append(BackgroundChanged(background, now))
            if not background:
                notes += self._start_checker(now)
            for note in notes:
                self.notify(note)

    def change_setting(self, name: str, value: object) -> None:
        seconds = check_seconds(name, value)
        with self.locked():
            self.ensure_open()
            if getattr(self.settings, name) == seconds:
                return
            self.settings = Timeouts(**{**self.settings.as_dict(), name: seconds})
            self.notify(SettingsChanged(name, self.settings, self.now()))

    # ------------------------------------------------------------------ checker

    def start_checker(self) -> None:
        with self.locked():
            self.ensure_open()
            for note in self._start_checker(self.now()):
                self.notify(note)

    def stop_checker(self) -> None:
        with self.locked():
            self.ensure_open()
            if self.timer is not None:
                self._disarm()
                self.notify(CheckerChanged(False, self.now()))

    def _start_checker(self, now: float) -> list[Notification]:
        if self.timer is not None:
            return []
        due = self.policy.next_check(self.moment(now, 0.0), False)
        if due is None:
            return []
        self._arm(now, due)
        return [CheckerChanged(True, now, due)]

    def _arm(self, now: float, due: float) -> None:
        self._timer_token += 1
        self.next_check = due
        self.timer = self._scheduler.call_later(due - now, partial(self._check, self._timer_token))
        self.update_fast()

    def _disarm(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
        self.timer = None
        self._timer_token += 1
        self.next_check = None
        self.update_fast()

    def _check(self, token: int) -> None:
        with self.locked():
            if token != self._timer_token or self.closed:
                return  # cancelled while it was on its way
            now, wall = self.now(), self.clock.wall_time()
            if self.file.needs_retry:  # the path may work now
                self.file.save_now(self._encode(self.state, self.live), retry=True)
            moment = self.moment(now, wall)
            reason = self.policy.ends(moment, Trigger.CHECK)
            notes: list[Notification] = []
            if reason is not None:
                old = self.state
                state = self._next_state(old.user_id, old.session_id, old.session_index, now)
                try:
                    self._begin(state, Live(now, wall), [])
                except SaveFileWriteError:  # strict: no session that is not on disk; next check
                    reason = None
                else:
                    notes.append(self._started(state, reason, moment, by_check=True))
                    moment = self.moment(now, wall)  # the new session's
            due = self.policy.next_check(moment, reason is not None)
            if due is None:
                self._disarm()
                notes.append(CheckerChanged(False, now))
            else:
                self._arm(now, due)
            for note in notes:
                self.notify(note)

    def forecast(self) -> float | None:
        with self.locked():
            return self.policy.forecast(self.moment(self.now(), 0.0), self.next_check)

    def status(self) -> SessionStatus:
        """Everything about the session, read at one instant under the lock."""
        with self.locked():
            moment = self.moment(self.now(), 0.0)
            counts = Control.SWITCH_COUNTS in self.policy.controls
            return SessionStatus(
                state=self.state,
                policy=self.policy.name,
                has_checker=self.policy.next_check(moment, False) is not None,
                save_path=self.file.store.path,
                background=self.background,
                is_checking=self.timer is not None,
                next_check_at=self.next_check,
                last_access=self.live.accessed,
                settings=self.settings,
                expected_new_session_at=self.policy.forecast(moment, self.next_check),
                paused=self.paused,
                new_session_requested=self.pending is Reason.REQUESTED,
                foreground_index=self.switches[False] if counts else None,
                background_index=self.switches[True] if counts else None,
                storage_problem=self.file.problem,
                closed=self.closed,
            )

    # ------------------------------------------------------------------ controls of some policies

    def set_paused(self, paused: bool, feature: str) -> None:
        with self.locked():
            self.ensure_open()
            self.needs(Control.PAUSE, feature)
            if self.paused != paused:
                self.paused = paused
                self.update_fast()
                self.notify(PausedChanged(paused, self.now()))

    def request_session(self) -> None:
        with self.locked():
            self.ensure_open()
            self.needs(Control.NEW_SESSION, "start_new_session()")
            self.pending = Reason.REQUESTED
            self.notify(SessionRequested(self.now()))

    def needs(self, control: Control, feature: str) -> None:
        require(self.policy, control, feature)

    # ------------------------------------------------------------------ state, storage

    def moment(self, now: float, wall: float) -> Moment:
        accessed, settings = self.live.accessed, self.settings
        return Moment(
            self.state, now, wall, accessed, self.background, settings, self.paused, self.pending
        )

    def _encode(self, state: SessionState, live: Live) -> bytes:
        return encode(self.policy.saved_entries(state, live.wall_accessed))

    # ------------------------------------------------------------------ observers, life cycle

    def subscribe(self, observer: Observer, kinds: Iterable[type] | None) -> Callable[[], None]:
        with self.locked():
            self.ensure_open()
            unsubscribe = self.observers.add(observer, kinds)
            self.update_fast()

        def undo() -> None:
            with self.locked():
                unsubscribe()
                self.update_fast()

        return undo

    def update_fast(self) -> None:
        # Under the lock. The lock-free path may hand out the session's context only while an
        # event would change nothing but the last access, and nobody wants to hear of it.
        live = self.live
        fast = (
            self.timer is not None
            and self.policy.stable_context
            and not self.policy.continue_session_on_restart
            and not self.paused
            and not self.observers.wants_events
        )
        live.fast = live.context if fast else None

    def notify(self, note: Notification) -> None:
        self.observers.notify(note)

    def ensure_open(self) -> None:
        if self.closed:
            raise SessionClosedError(
                f"the session on {self.file.path} is closed; create a new ClientSession"
            )

    def locked(self) -> EngineLock:
        """The lock, for one of the engine's own calls; a :meth:`close` made meanwhile (by an
        observer) releases the file once the outermost call returns."""
        return self.guard

    def close(self) -> None:
        with self.locked():
            if self.closed:
                return
            self.closed = True
            self.guard.when_free(self._release)
            if self.timer is not None:
                self._disarm()
                self.notify(CheckerChanged(False, self.now()))
            if self.file.needs_retry:
                self.file.save_now(self._encode(self.state, self.live), retry=True)

    def _release(self) -> None:
        self.file.close()
        if self._owned_scheduler is not None:
            self._owned_scheduler.close()
