"""Expiry rules: when a session ends, and what its context and save file hold.

The engine keeps the state, the storage and the scheduling; a policy only answers questions
about them. :class:`~session.policy.DotNetPolicy` is the .NET tracker's timer-driven
behaviour, quirks included; :class:`~session.policy.MobilePolicy` is the Android/iOS
trackers' event-driven one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..context import SessionContext
from ..events import Reason
from ..state import SessionState
from ..timing import Clock

if TYPE_CHECKING:
    from ..storage.format import SavedSession

__all__ = ["Policy", "PolicyError"]


class PolicyError(RuntimeError):
    """A feature of one policy was used on a session with another (e.g. ``pause()`` on dotnet)."""


class Policy:
    """The questions the engine asks. Subclass and override to change the rules."""

    name = "base"
    uses_checker = True
    """Whether a timer checks for expiry (and an event arms it when it is stopped)."""
    cacheable_context = True
    """Whether every event of a session after the first gets the same context object."""
    continue_session_on_restart = False
    """Whether a restart resumes the saved session (else every start is a new session)."""

    # The hooks below are for policies without a checker (``uses_checker`` False): the engine
    # calls them with its lock held. The defaults do nothing.

    def bind(self, logger: logging.Logger, clock: Clock) -> None:
        """The session this policy serves is being built (called once, before anything else)."""

    def close(self) -> None:
        """The session was closed (called without the engine lock)."""

    def resume(
        self, saved: SavedSession, user_id: str, now: float
    ) -> tuple[SessionState, float] | None:
        """At construction: the saved session to go on with and its last access time, or None
        to start a new session."""
        return None

    def expiry_at_event(
        self, state: SessionState, now: float, last_access: float, timeout: float
    ) -> Reason | None:
        """At an event: why ``state`` ends before it, or None if it goes on."""
        raise NotImplementedError

    def count_event(self, state: SessionState, event_id: str) -> tuple[SessionState, bool]:
        """At an event: the state with the event counted, and whether it refreshes last access."""
        raise NotImplementedError

    def background_changed(self, background: bool) -> None:
        """The app went to the background (True) or to the foreground."""

    def expired_at_check(self, elapsed: float, timeout: float) -> bool:
        """At a check: has a session idle for ``elapsed`` seconds run out its ``timeout``?"""
        raise NotImplementedError

    def stop_after_expiry(self, background: bool) -> bool:
        """After a check expired the session: should the checker stop rather than re-arm?"""
        raise NotImplementedError

    def context(self, state: SessionState) -> SessionContext:
        """The context for events of ``state`` (its first event already set)."""
        raise NotImplementedError

    def saved_entries(self, state: SessionState) -> Iterable[tuple[str, object]]:
        """The save file's entries for ``state``, in file order."""
        return (
            ("userId", state.user_id),
            ("sessionId", state.session_id),
            ("previousSessionId", state.previous_session_id),
            ("sessionIndex", state.session_index),
            ("storageMechanism", "LOCAL_STORAGE"),
        )

    def forecast(
        self, last_access: float, timeout: float, next_check: float | None, interval: float
    ) -> float | None:
        """When a new session will start if nothing else happens, or None if never."""
        raise NotImplementedError
