"""Expiry rules: when a session ends, and what its context and save file hold.

The engine keeps the state, the storage and the scheduling; a policy only answers questions
about them. :class:`DotNetPolicy` is the .NET tracker's timer-driven behaviour, quirks included.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from .context import SessionContext
from .state import SessionState

__all__ = ["DotNetPolicy", "Policy", "make_policy"]


class Policy:
    """The questions the engine asks. Subclass and override to change the rules."""

    name = "base"
    uses_checker = True
    """Whether a timer checks for expiry (and an event arms it when it is stopped)."""
    cacheable_context = True
    """Whether every event of a session after the first gets the same context object."""

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


_POLICIES: dict[str, type[Policy]] = {"dotnet": DotNetPolicy}


def make_policy(policy: str | Policy) -> Policy:
    """A policy object from its name (``"dotnet"``) or the object itself."""
    if isinstance(policy, Policy):
        return policy
    if isinstance(policy, str) and policy in _POLICIES:
        return _POLICIES[policy]()
    names = ", ".join(repr(name) for name in _POLICIES)
    raise ValueError(f"unknown session policy {policy!r}; choose one of {names}")
