"""The ``dotnet`` policy: the Snowplow .NET tracker 1.3.1 ``ClientSession``, quirks included."""

from __future__ import annotations

import math

from ..context import SessionContext
from ..state import SessionState
from .base import Policy

__all__ = ["DotNetPolicy"]


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
