"""Expiry rules: when a session ends, and what its context and save file hold.

The engine keeps the state, the storage and the scheduling; a policy only answers questions
about them. :class:`DotNetPolicy` is the .NET tracker's timer-driven behaviour, quirks included;
:class:`~session.mobile.MobilePolicy` is the Android/iOS trackers' event-driven one.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .context import SessionContext
from .events import Reason
from .state import SessionState
from .timing import Clock

if TYPE_CHECKING:
    from .savefile import SavedSession

__all__ = ["DotNetPolicy", "Policy", "PolicyError", "make_policy"]


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


class DotNetPolicy(Policy):
    """The Snowplow .NET tracker 1.3.1 ``ClientSession``.

    A check expires the session when ``elapsed >= timeout``; an event never checks. After a
    background expiry the checker stops, so the background adds at most one session.
    """

    name = "dotnet"

    def expired_at_check(self, elapsed: float, timeout: float) -> bool:
        return elapsed >= timeout

    def stop_after_expiry(self, background: bool) -> bool:
        return background

    def context(self, state: SessionState) -> SessionContext:
        return SessionContext.for_state(state)

    def forecast(
        self, last_access: float, timeout: float, next_check: float | None, interval: float
    ) -> float | None:
        # The first check at or after the deadline; checks after the next one are an interval
        # apart (a changed interval takes effect at the next re-arm, as in .NET).
        if next_check is None:
            return None
        deadline = last_access + timeout
        if next_check >= deadline:
            return next_check
        return next_check + math.ceil((deadline - next_check) / interval) * interval


POLICY_NAMES = ("dotnet", "mobile")


def make_policy(policy: str | Policy, *, continue_session_on_restart: bool = False) -> Policy:
    """A policy object from its name (``"dotnet"``, ``"mobile"``) or the object itself."""
    if not isinstance(continue_session_on_restart, bool):
        raise TypeError(
            "continue_session_on_restart must be True or False, "
            f"got {continue_session_on_restart!r}"
        )
    if isinstance(policy, str) and policy == "mobile":
        from .mobile import MobilePolicy

        return MobilePolicy(continue_session_on_restart=continue_session_on_restart)
    if isinstance(policy, str) and policy == "dotnet":
        policy = DotNetPolicy()
    if not isinstance(policy, Policy):
        names = ", ".join(repr(name) for name in POLICY_NAMES)
        raise ValueError(f"unknown session policy {policy!r}; choose one of {names}")
    if continue_session_on_restart and not policy.continue_session_on_restart:
        raise ValueError(
            f"continue_session_on_restart needs a policy that resumes sessions ('mobile'); "
            f"this {policy.name!r} policy starts a new session at every start"
        )
    return policy
