"""``ClientSession``: the Snowplow client session, kept in a .NET-compatible save file."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType
from typing import TypeVar, overload

from .context import SessionContext
from .engine.core import SessionClosedError, SessionCore
from .engine.live import Live
from .events import EventTracked, Notification, Observer, Reason, StorageProblem
from .policy import DEFAULT_POLICY, Control, Policy, make_policy
from .settings import DEFAULTS, Timeouts
from .state import SessionState
from .status import SessionStatus
from .storage.saving import Persistence
from .timing import Clock, Scheduler, SystemClock, ThreadScheduler

__all__ = ["ClientSession", "SessionClosedError"]

N = TypeVar("N", bound=Notification)


class ClientSession:
    """A client session: user id, session id, previous session id and index, saved to a file.

    Behaves exactly as the Snowplow .NET tracker's ``ClientSession`` by default: every
    construction starts a new session; an event arms the expiry checker; a check every
    ``check_interval`` seconds starts a new session once the session has been idle for the
    timeout in force (``background_timeout`` in the background, else ``foreground_timeout``).
    A session is on disk before anyone sees it: the call that starts one returns, and its
    observers hear of it, only once it is written durably.

    Parameters
    ----------
    save_path
        The save file (the .NET format); its folder is made if missing. It must be a save file,
        or nothing: anything else (a folder, a device, a file that is not a save file) raises
        ``NotASaveFileError``, a file that cannot be read raises ``SaveFileUnreadableError``,
        and one another session holds raises ``SaveFileBusyError``; nothing is written then.
    foreground_timeout, background_timeout, check_interval
        Seconds; whole or fractional, positive and finite.
    logger
        Where warnings go; defaults to the ``session`` logger.
    clock, scheduler
        Injected time. With neither, the real clock and daemon thread timers. With a
        :class:`~session.VirtualClock` and no scheduler, the clock is the scheduler.
    policy
        The rules: ``"dotnet"`` (the default), ``"mobile"`` (the Android/iOS trackers: expiry
        decided at each event) or a :class:`~session.policy.Policy`.
    observers
        Callables subscribed before anything happens, so they see the first session start.
    id_factory
        Makes session and user ids; defaults to random UUIDs.
    continue_session_on_restart
        Mobile policy only: save the state at every event and resume an unexpired session at
        the next start (judged by wall-clock time) instead of starting a new one.
    strict_storage
        Raise :class:`~session.SaveFileWriteError` when the save file cannot be written,
        instead of going on in memory: from the construction, or from the call whose new
        session could not be saved (which then does not start). A check that cannot save its
        new session keeps the old one, and tries again at the next check.

    All public methods may be called from any thread, and :meth:`close` from observers too.
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
        policy: str | Policy = DEFAULT_POLICY,
        observers: Iterable[Observer] = (),
        id_factory: Callable[[], str] | None = None,
        continue_session_on_restart: bool = False,
        strict_storage: bool = False,
    ) -> None:
        settings = Timeouts(foreground_timeout, background_timeout, check_interval)
        logger = logger or logging.getLogger("session")
        rules = make_policy(policy, continue_session_on_restart=continue_session_on_restart)
        clock = clock if clock is not None else SystemClock()
        owned: ThreadScheduler | None = None
        if scheduler is None:
            scheduler = clock if isinstance(clock, Scheduler) else (owned := ThreadScheduler())
        new_id = id_factory or (lambda: str(uuid.uuid4()))
        self._now = clock.now
        self._live: Live  # the current session's record, read without the lock
        core = SessionCore(
            settings, rules, clock, scheduler, owned, logger, new_id, observers, self._follow
        )
        self._core = core
        wall_time = clock.wall_time
        core.open(
            Persistence(
                save_path,
                wall_time=wall_time,
                logger=logger,
                notify=core.notify,
                strict=strict_storage,
            )
        )

    def _follow(self, live: Live) -> None:
        """Keep the new session's record for the lock-free event path (the core calls this,
        under its lock, each time a session begins)."""
        self._live = live

    # ------------------------------------------------------------------ state

    @property
    def state(self) -> SessionState:
        """The current session as one consistent snapshot."""
        return self._core.state

    def status(self) -> SessionStatus:
        """Everything about the session at one instant, read under one lock (each field is
        also a property here): for a view that draws the whole session at once."""
        return self._core.status()

    @property
    def user_id(self) -> str:
        return self._core.state.user_id

    @property
    def current_session_id(self) -> str:
        return self._core.state.session_id

    @property
    def previous_session_id(self) -> str | None:
        return self._core.state.previous_session_id

    @property
    def session_index(self) -> int:
        return self._core.state.session_index

    @property
    def first_event_id(self) -> str | None:
        return self._core.state.first_event_id

    @property
    def background(self) -> bool:
        return self._core.background

    @property
    def is_checking(self) -> bool:
        """Whether the expiry checker is armed (.NET: ``SessionCheckTimer != null``)."""
        return self._core.timer is not None

    @property
    def has_checker(self) -> bool:
        """Whether this session's policy checks for expiry on a timer (``dotnet``); without one
        (``mobile``) only an event starts a session."""
        core = self._core
        return core.policy.next_check(core.moment(self._now(), 0.0), False) is not None

    @property
    def new_session_requested(self) -> bool:
        """Whether a new session was asked for (``start_new_session``) and starts at the next
        event."""
        return self._core.pending is Reason.REQUESTED

    @property
    def last_access(self) -> float:
        """The clock time of the last event, or of the session's start."""
        return self._core.live.accessed

    @property
    def next_check_at(self) -> float | None:
        """The clock time of the next expiry check, or None while the checker is stopped."""
        return self._core.next_check

    @property
    def timeout_in_force(self) -> float:
        """The background timeout in the background, else the foreground timeout."""
        s = self._core.settings
        return s.background_timeout if self._core.background else s.foreground_timeout

    def expected_new_session_at(self) -> float | None:
        """When a new session will start if nothing else happens, or None if never."""
        return self._core.forecast()

    @property
    def save_path(self) -> Path:
        return self._core.file.store.path

    @property
    def storage_problem(self) -> StorageProblem | None:
        """The last storage problem (its ``path``, ``errno`` and ``message``), until a write
        works again."""
        return self._core.file.problem

    @property
    def policy(self) -> Policy:
        return self._core.policy

    @property
    def clock(self) -> Clock:
        return self._core.clock

    @property
    def closed(self) -> bool:
        return self._core.closed

    # ------------------------------------------------------------------ settings

    @property
    def settings(self) -> Timeouts:
        """The three timing settings as they are now; each change is a ``SettingsChanged``."""
        return self._core.settings

    @property
    def foreground_timeout(self) -> float:
        return self._core.settings.foreground_timeout

    @foreground_timeout.setter
    def foreground_timeout(self, value: float) -> None:
        self._core.change_setting("foreground_timeout", value)

    @property
    def background_timeout(self) -> float:
        return self._core.settings.background_timeout

    @background_timeout.setter
    def background_timeout(self, value: float) -> None:
        self._core.change_setting("background_timeout", value)

    @property
    def check_interval(self) -> float:
        """Seconds between checks; a new value takes effect when the checker next re-arms."""
        return self._core.settings.check_interval

    @check_interval.setter
    def check_interval(self, value: float) -> None:
        self._core.change_setting("check_interval", value)

    # ------------------------------------------------------------------ events

    def get_session_context(self, event_id: str) -> SessionContext:
        """Count an event and return the ``client_session`` context to attach to it.

        The first event of a session becomes its ``firstEventId``. The checker is armed if it
        was stopped. Under the ``dotnet`` policy an event never checks for expiry itself; under
        ``mobile`` it may start a new session, which is on disk before this returns.
        """
        # The common case takes no lock: the current session's record is read once, and an
        # event racing a new session belongs to the session it read. Anything else (a first
        # event, a stopped checker, observers of events, a policy whose every event changes
        # the context) goes the locked way.
        live = self._live
        context = live.fast
        if context is None:
            return self._core.track(event_id)
        live.accessed = self._now()
        return context

    def set_background(self, background: bool) -> None:
        """Tell the session the app went to the background (True) or the foreground (False).

        Going to the foreground arms the checker if it was stopped. Switches are counted
        (``background_index``, ``foreground_index``). Under the mobile policy a switch only
        decides which timeout the next event is judged by; track a lifecycle event before the
        switch to have it judged by the old state's timeout, as the mobile trackers do.
        """
        self._core.switch(background)

    # ------------------------------------------------------------------ checker

    def start_checker(self) -> None:
        """Arm the expiry checker if it is not armed; a policy without checks (``mobile``:
        only events start sessions) leaves it stopped, so ``is_checking`` stays False."""
        self._core.start_checker()

    def stop_checker(self) -> None:
        """Stop the expiry checker; the next event or foreground switch arms it again."""
        self._core.stop_checker()

    # ------------------------------------------------------------------ controls of some policies

    def pause(self) -> None:
        """Hold the session: until :meth:`resume` it cannot end and events do not refresh its
        last access (they are still counted and get contexts)."""
        self._core.set_paused(True, "pause()")

    def resume(self) -> None:
        """End a :meth:`pause`; the next event is judged from the last access before it."""
        self._core.set_paused(False, "resume()")

    @property
    def paused(self) -> bool:
        self._core.needs(Control.PAUSE, "paused")
        return self._core.paused

    def start_new_session(self) -> None:
        """Start a new session at the next event (which becomes its first event)."""
        self._core.request_session()

    @property
    def foreground_index(self) -> int:
        """How many times the app went to the foreground (``set_background(False)``)."""
        self._core.needs(Control.SWITCH_COUNTS, "foreground_index")
        return self._core.switches[False]

    @property
    def background_index(self) -> int:
        """How many times the app went to the background (``set_background(True)``)."""
        self._core.needs(Control.SWITCH_COUNTS, "background_index")
        return self._core.switches[True]

    def on_session_update(self, callback: Callable[[SessionState], None]) -> Callable[[], None]:
        """Call ``callback(state)`` for every new session once its first event is counted,
        on the thread that tracked it, like every observer (one that raises is logged), under
        every policy. Returns a function that removes the callback."""
        if not callable(callback):
            raise TypeError(f"a session callback must be callable, got {callback!r}")

        def first_events(note: Notification) -> None:
            if isinstance(note, EventTracked) and note.first:
                callback(note.state)

        return self.subscribe(first_events, [EventTracked])

    # ------------------------------------------------------------------ storage, life cycle

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until the save file holds the current state; False if ``timeout`` ran out.

        A state that starts a session is on disk before the call that started it returns;
        only refreshes (mobile ``continue_session_on_restart``) are written behind, and this
        waits for them (:meth:`close` does too).
        """
        return self._core.file.flush(timeout)

    @overload
    def subscribe(self, observer: Observer, kinds: None = None) -> Callable[[], None]: ...

    @overload
    def subscribe(
        self, observer: Callable[[N], None], kinds: Iterable[type[N]]
    ) -> Callable[[], None]: ...

    def subscribe(
        self, observer: Callable[[N], None], kinds: Iterable[type[N]] | None = None
    ) -> Callable[[], None]:
        """Call ``observer`` with every :mod:`~session.events` notification, or only those of
        ``kinds``; returns an unsubscribe function. Observers run on the thread that made the
        change, in order. An observer that does not want :class:`EventTracked` keeps events on
        the lock-free path. An observer typed for the kinds it asks for (one taking a
        ``SessionStarted``, with ``kinds=[SessionStarted]``) type-checks as it is."""
        return self._core.subscribe(observer, kinds)  # type: ignore[arg-type]

    def close(self) -> None:
        """Stop the checker, write the last state and release the save file. Safe to repeat,
        and safe from anywhere, an observer included (the file is then released as soon as
        the engine call that notified it returns)."""
        self._core.close()

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
        core = self._core
        state = core.state
        return (
            f"<ClientSession {core.policy.name} {self.save_path} index={state.session_index} "
            f"session={state.short_session_id} {'background' if core.background else 'foreground'}"
            f"{' checking' if core.timer is not None else ''}{' closed' if core.closed else ''}>"
        )
