"""The rules of a session's life, as one interface every policy implements in full.

The engine keeps the state, the storage, the clock and the checker, and asks its policy at each
moment that can change a session: at the start (resume the saved session?), at an event (does
the session end before it? what does the event change?), at a check (does the session end? when
is the next check?), and for the context and the save file of a state. A policy keeps no state
of its own: everything it judges by is in the :class:`Moment` it is given, so one policy object
may serve any number of sessions.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from ..context import SessionContext
from ..events import Reason
from ..settings import Timeouts
from ..state import SessionState
from ..storage.fields import SavedSession

__all__ = ["Control", "Moment", "Policy", "PolicyError", "Resumed", "Trigger"]


class PolicyError(RuntimeError):
    """A control the session's policy does not have was used (e.g. ``pause()`` on dotnet)."""


class Trigger(enum.StrEnum):
    """What the engine is asking at."""

    EVENT = "event"
    CHECK = "check"


class Control(enum.StrEnum):
    """Controls of ``ClientSession`` that only some policies give."""

    PAUSE = "pause"
    """``pause()`` / ``resume()``: while paused a session cannot end and events do not
    refresh its last access."""
    NEW_SESSION = "start_new_session"
    """``start_new_session()``: a new session at the next event."""
    SWITCH_COUNTS = "switch_counts"
    """``foreground_index`` / ``background_index``: the switches counted."""


@dataclass(frozen=True, slots=True)
class Moment:
    """Everything a policy judges by: the session as it stands at one instant.

    ``now`` and ``last_access`` are on the engine's clock, ``wall`` is Unix seconds.
    ``pending`` is why the next event ends the session whatever else holds (a requested
    session, a wall clock that went backwards across a restart), or None.
    """

    state: SessionState
    now: float
    wall: float
    last_access: float
    background: bool
    settings: Timeouts
    paused: bool = False
    pending: Reason | None = None

    @property
    def timeout(self) -> float:
        """The timeout in force: the background one in the background, else the foreground."""
        settings = self.settings
        return settings.background_timeout if self.background else settings.foreground_timeout

    @property
    def idle(self) -> float:
        """Seconds since the last access."""
        return self.now - self.last_access


@dataclass(frozen=True, slots=True)
class Resumed:
    """At a start: the saved session to go on with, its last access on the engine's clock,
    and why the next event must end it anyway (None if it need not)."""

    state: SessionState
    last_access: float
    pending: Reason | None = None


class Policy(ABC):
    """The questions the engine asks. Implement every method to make a policy."""

    name: ClassVar[str]
    """The policy's name, as ``ClientSession(policy=...)`` takes it."""
    controls: ClassVar[frozenset[Control]] = frozenset()
    """The controls this policy gives; the others raise :class:`PolicyError`."""
    stable_context: ClassVar[bool] = False
    """Whether every event of a session after its first gets the same context (so the engine
    may hand it out without its lock)."""
    continue_session_on_restart: bool = False
    """Whether a restart may go on with the saved session, and so each event is saved."""

    @abstractmethod
    def resume(
        self, saved: SavedSession, user_id: str, now: float, wall: float
    ) -> Resumed | str | None:
        """At a start on an intact save file (whose user is ``user_id``; ``now`` on the engine
        clock, ``wall`` in Unix seconds): the saved session to go on with, or None to start a
        new session, or a message saying why the saved session cannot be resumed (it names
        the key; the engine logs it and starts a new session)."""

    @abstractmethod
    def ends(self, moment: Moment, trigger: Trigger) -> Reason | None:
        """Why the session ends at this event or check, or None if it goes on."""

    @abstractmethod
    def count(self, state: SessionState, event_id: str, wall: float) -> SessionState:
        """``state`` with the event ``event_id`` (tracked at Unix time ``wall``) counted."""

    @abstractmethod
    def next_check(self, moment: Moment, ended: bool) -> float | None:
        """When the checker should check next, as it is started (``ended`` False) or after a
        check that did or did not end the session; None: no check (the checker stops)."""

    @abstractmethod
    def forecast(self, moment: Moment, next_check: float | None) -> float | None:
        """When a new session will start if nothing else happens, or None if never."""

    @abstractmethod
    def context(self, state: SessionState) -> SessionContext:
        """The context for events of ``state`` (its first event already counted)."""

    def saved_entries(
        self, state: SessionState, wall_accessed: float
    ) -> Iterable[tuple[str, object]]:
        """The save file's entries for ``state``, in file order: the .NET tracker's five."""
        return (
            ("userId", state.user_id),
            ("sessionId", state.session_id),
            ("previousSessionId", state.previous_session_id),
            ("sessionIndex", state.session_index),
            ("storageMechanism", "LOCAL_STORAGE"),
        )
