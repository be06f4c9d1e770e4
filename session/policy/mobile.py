"""The ``mobile`` policy: the Android (6.x) and iOS (6.x) trackers' session rules.

Expiry is decided when an event is tracked, never by a timer: an event starts a new session
(and becomes its first event) when a new session was requested, when the session has been idle
for more than the timeout in force, or when the clock went backwards. No events, no new
sessions, so a long idle period adds at most one. Contexts use ``client_session`` 1-0-2, with
``eventIndex`` and ``firstEventTimestamp``.

The controls only this policy has (:meth:`MobileControls.pause`, ``resume``,
``start_new_session``, ``foreground_index``, ``background_index``, ``on_session_update``) are
methods of :class:`~session.ClientSession` itself; on a session with another policy they raise
:class:`~session.policy.PolicyError`, so a misuse is loud rather than silently ignored.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime

from ..context import SessionContext
from ..events import Notification, PausedChanged, Reason, SessionRequested
from ..state import INT32_MAX, SessionState
from ..storage.format import SavedSession
from ..timing import Clock, SystemClock
from .base import Policy, PolicyError

__all__ = ["MOBILE_KEYS", "MobileControls", "MobilePolicy", "SessionCallback", "iso_millis"]

SessionCallback = Callable[[SessionState], None]
"""Called with the new session's state (its first event counted) on every new session."""

MOBILE_KEYS = ("firstEventId", "firstEventTimestamp", "eventIndex", "lastAccessTime")
"""The keys saved after the five .NET ones with ``continue_session_on_restart``.
``lastAccessTime`` is wall-clock Unix seconds: the engine's elapsed clock restarts at boot."""


def iso_millis(wall_time: float) -> str:
    """Unix seconds as ISO 8601 UTC with milliseconds: ``2027-01-15T08:00:00.000Z``."""
    stamp = datetime.fromtimestamp(math.floor(wall_time * 1000) / 1000, tz=UTC)
    return stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class MobilePolicy(Policy):
    """Expiry decided at each event, as the mobile trackers do (one instance per session).

    Parameters
    ----------
    continue_session_on_restart
        Save the state (with the event index and the wall-clock time of the last access) at
        every event, and resume the saved session at the next start if it has not expired.
        By default every start is a new session.
    """

    name = "mobile"
    uses_checker = False
    cacheable_context = False

    def __init__(self, *, continue_session_on_restart: bool = False) -> None:
        if not isinstance(continue_session_on_restart, bool):
            raise TypeError(
                "continue_session_on_restart must be True or False, "
                f"got {continue_session_on_restart!r}"
            )
        self.continue_session_on_restart = continue_session_on_restart
        self.paused = False
        self.foreground_index = 0
        self.background_index = 0
        self._pending: Reason | None = None
        self._logger = logging.getLogger("session")
        self._clock: Clock = SystemClock()
        self._wall_accessed: float | None = None
        self._callbacks: tuple[SessionCallback, ...] = ()
        self._callbacks_lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._worker: int | None = None
        self._bound = False
        self._closed = False

    # ------------------------------------------------------------------ engine hooks

    def bind(self, logger: logging.Logger, clock: Clock) -> None:
        if self._bound:
            raise ValueError(
                "this MobilePolicy already serves a session; give each session its own "
                "(policy='mobile' does)"
            )
        self._bound = True
        self._logger = logger
        self._clock = clock
        self._wall_accessed = clock.wall_time()

    def expired_at_check(self, elapsed: float, timeout: float) -> bool:
        return False  # no checker runs under this policy

    def stop_after_expiry(self, background: bool) -> bool:
        return True

    def forecast(
        self, last_access: float, timeout: float, next_check: float | None, interval: float
    ) -> float | None:
        return None  # only an event starts a session

    def context(self, state: SessionState) -> SessionContext:
        return SessionContext.mobile(state)

    def expiry_at_event(
        self, state: SessionState, now: float, last_access: float, timeout: float
    ) -> Reason | None:
        """Why ``state`` ends before this event (a pending request is used up), or None.

        Paused: never. A session without events yet: never (the event becomes its first, which
        also answers a pending request), so no session is ever left without events.
        """
        if self.paused:
            return None
        reason, self._pending = self._pending, None
        if state.first_event_id is None:
            return None
        if reason is not None:
            return reason
        if now < last_access:
            return Reason.CLOCK_BACKWARDS
        if now - last_access > timeout:
            return Reason.TIMEOUT
        return None

    def count_event(self, state: SessionState, event_id: str) -> tuple[SessionState, bool]:
        wall = self._clock.wall_time()
        if state.first_event_id is None:
            state = replace(
                state,
                first_event_id=event_id,
                first_event_timestamp=iso_millis(wall),
                event_index=1,
            )
            self._announce(state)
        else:  # every event: built directly, dataclasses.replace costs several times more
            state = SessionState(
                state.user_id,
                state.session_id,
                state.previous_session_id,
                state.session_index,
                state.first_event_id,
                state.started_at,
                min(state.event_index + 1, INT32_MAX),
                state.first_event_timestamp,
            )
        if self.paused:
            return state, False
        self._wall_accessed = wall
        return state, True

    def background_changed(self, background: bool) -> None:
        if background:
            self.background_index += 1
        else:
            self.foreground_index += 1

    def request_new_session(self) -> None:
        self._pending = Reason.REQUESTED

    def saved_entries(self, state: SessionState) -> Iterable[tuple[str, object]]:
        entries = list(super().saved_entries(state))
        if self.continue_session_on_restart:
            entries += [
                ("firstEventId", state.first_event_id),
                ("firstEventTimestamp", state.first_event_timestamp),
                ("eventIndex", state.event_index),
                ("lastAccessTime", self._wall_accessed),
            ]
        return entries

    def resume(
        self, saved: SavedSession, user_id: str, now: float
    ) -> tuple[SessionState, float] | None:
        """The saved session, if ``continue_session_on_restart`` and its record is intact.

        Its last access is placed on the engine clock by the wall-clock time since it was
        saved, so the next event judges the whole gap; a wall clock that went backwards since
        then ends the session at the next event, as in the mobile trackers.
        """
        if not self.continue_session_on_restart:
            return None
        if saved.session_id is None or saved.session_index is None:
            return None
        extras = saved.extras
        first_id = extras.get("firstEventId")
        stamp = extras.get("firstEventTimestamp")
        index = extras.get("eventIndex")
        accessed = extras.get("lastAccessTime")
        if first_id is None and stamp is None and index is None and accessed is None:
            return None  # a file from the .NET tracker or without resume: nothing to go on with
        if (
            first_id is None
            or stamp is None
            or index is None
            or accessed is None
            # Any non-empty id: the engine takes any string as an event id and saves it.
            or not (first_id.type == "null" or (first_id.type == "string" and first_id.value))
            or stamp.type not in ("null", "string")
            or index.type != "int"
            or not 0 <= index.value <= INT32_MAX
            or accessed.type != "double"
            or not math.isfinite(accessed.value)
            or (first_id.value is None) != (index.value == 0)
        ):
            self._logger.warning(
                "the saved session's mobile fields are missing or mistyped; starting a new session"
            )
            return None
        gap = self._clock.wall_time() - accessed.value
        if gap < 0:
            self._pending = Reason.CLOCK_BACKWARDS
            gap = 0.0
        self._wall_accessed = accessed.value
        state = SessionState(
            user_id,
            saved.session_id,
            saved.previous_session_id,
            saved.session_index,
            first_id.value,
            now - gap,
            index.value,
            stamp.value,
        )
        return state, now - gap

    def close(self) -> None:
        with self._callbacks_lock:
            self._closed = True
            executor, self._executor = self._executor, None
        if executor is not None:
            # Let queued callbacks run; a callback that closes its own session must not wait
            # for itself.
            executor.shutdown(wait=threading.get_ident() != self._worker)

    # ------------------------------------------------------------------ callbacks

    def add_callback(self, callback: SessionCallback) -> Callable[[], None]:
        if not callable(callback):
            raise TypeError(f"a session callback must be callable, got {callback!r}")
        with self._callbacks_lock:
            self._callbacks = (*self._callbacks, callback)

        def remove() -> None:
            with self._callbacks_lock:
                callbacks = list(self._callbacks)
                if callback in callbacks:
                    callbacks.remove(callback)
                self._callbacks = tuple(callbacks)

        return remove

    def _announce(self, state: SessionState) -> None:
        # Called under the engine lock: hand the callbacks to the worker and return at once.
        with self._callbacks_lock:
            if not self._callbacks or self._closed:
                return
            if self._executor is None:
                self._executor = ThreadPoolExecutor(1, thread_name_prefix="session-callbacks")
            self._executor.submit(self._run_callbacks, self._callbacks, state)

    def _run_callbacks(self, callbacks: tuple[SessionCallback, ...], state: SessionState) -> None:
        self._worker = threading.get_ident()
        for callback in callbacks:
            try:
                callback(state)
            except Exception:
                self._logger.exception(
                    "session update callback %r failed for session %s; the session carries on",
                    callback,
                    state.session_id,
                )


class MobileControls:
    """The mobile policy's controls, as methods of :class:`~session.ClientSession`.

    Each takes the engine lock, so they are safe from any thread, like the rest of the API.
    """

    _lock: threading.RLock
    _policy: Policy
    _now: Callable[[], float]

    def _ensure_open(self) -> None:
        raise NotImplementedError

    def _notify(self, note: Notification) -> None:
        raise NotImplementedError

    def _mobile(self, feature: str) -> MobilePolicy:
        policy = self._policy
        if not isinstance(policy, MobilePolicy):
            raise PolicyError(
                f"{feature} needs policy='mobile'; this session uses the {policy.name!r} policy, "
                "which has no such control"
            )
        return policy

    def pause(self) -> None:
        """Hold the session: until :meth:`resume` it cannot expire and events do not refresh
        its last access (they are still counted and get contexts)."""
        self._set_paused(True, "pause()")

    def resume(self) -> None:
        """End a :meth:`pause`; the next event is judged from the last access before it."""
        self._set_paused(False, "resume()")

    def _set_paused(self, paused: bool, feature: str) -> None:
        with self._lock:
            self._ensure_open()
            policy = self._mobile(feature)
            if policy.paused != paused:
                policy.paused = paused
                self._notify(PausedChanged(paused, self._now()))

    @property
    def paused(self) -> bool:
        return self._mobile("paused").paused

    def start_new_session(self) -> None:
        """Start a new session at the next event (which becomes its first event)."""
        with self._lock:
            self._ensure_open()
            self._mobile("start_new_session()").request_new_session()
            self._notify(SessionRequested(self._now()))

    @property
    def foreground_index(self) -> int:
        """How many times the app went to the foreground (``set_background(False)``)."""
        return self._mobile("foreground_index").foreground_index

    @property
    def background_index(self) -> int:
        """How many times the app went to the background (``set_background(True)``)."""
        return self._mobile("background_index").background_index

    def on_session_update(self, callback: SessionCallback) -> Callable[[], None]:
        """Call ``callback(state)`` for every new session once its first event is counted.

        Callbacks run in order on one worker thread owned by the session, never on the
        tracking thread; one that raises is logged. :meth:`close` lets queued ones finish.
        Returns a function that removes the callback.
        """
        return self._mobile("on_session_update()").add_callback(callback)
