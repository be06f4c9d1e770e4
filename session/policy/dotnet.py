"""The ``dotnet`` policy: the Snowplow .NET tracker 1.3.1 ``ClientSession``, quirks included."""

from __future__ import annotations

import math
from dataclasses import replace

from ..context import SessionContext
from ..events import Reason
from ..state import SessionState
from ..storage.fields import SavedSession
from .base import Moment, Policy, Resumed, Trigger

__all__ = ["DotNetPolicy"]


class DotNetPolicy(Policy):
    """The Snowplow .NET tracker 1.3.1 ``ClientSession``.

    Every start is a new session. An event never checks for expiry; a check every
    ``check_interval`` seconds expires the session when it has been idle for at least the
    timeout in force (``elapsed >= timeout``). After a background expiry the checker stops,
    so the background adds at most one session.
    """

    name = "dotnet"
    stable_context = True

    def __init__(self, *, continue_session_on_restart: bool = False) -> None:
        if continue_session_on_restart is not False:
            raise ValueError(
                "continue_session_on_restart needs a policy that resumes sessions ('mobile'); "
                "the 'dotnet' policy starts a new session at every start"
            )

    def resume(
        self, saved: SavedSession, user_id: str, now: float, wall: float
    ) -> Resumed | str | None:
        return None  # every construction is a new session

    def ends(self, moment: Moment, trigger: Trigger) -> Reason | None:
        if trigger is Trigger.CHECK and moment.idle >= moment.timeout:
            return Reason.TIMEOUT
        return None

    def count(self, state: SessionState, event_id: str, wall: float) -> SessionState:
        if state.first_event_id is None:
            return replace(state, first_event_id=event_id)
        return state

    def next_check(self, moment: Moment, ended: bool) -> float | None:
        if ended and moment.background:
            return None
        return moment.now + moment.settings.check_interval

    def forecast(self, moment: Moment, next_check: float | None) -> float | None:
        # The first check at or after the deadline; checks after the next one are an interval
        # apart (a changed interval takes effect at the next re-arm, as in .NET).
        if next_check is None:
            return None
        deadline = moment.last_access + moment.timeout
        if next_check >= deadline:
            return next_check
        interval = moment.settings.check_interval
        return next_check + math.ceil((deadline - next_check) / interval) * interval

    def context(self, state: SessionState) -> SessionContext:
        return SessionContext.for_state(state)
