"""Counting a stretch of events at once, with the outcome of one event at a time.

An event changes nothing of a session but its last access when the engine would hand it its
context on the lock-free path: the policy is :func:`stable`, the session has had its first
event, the checker is armed, the session is not paused, and no observer wants to hear of
events. Until the next timer on the clock (the engine's next check) only the last such event
counts, so a run that alone hears its sessions hands the engine that one and records the
whole stretch: the timeline, the sessions, the save file and the engine's state are those of
one event at a time. Under the ``mobile`` policy every event is counted and may end the
session, so each one reaches the engine.
"""

from __future__ import annotations

import math

from ..client import ClientSession
from ..policy import Control, Policy
from ..timing import VirtualClock
from .model import Step

__all__ = ["first_run", "quiet_until", "run_times", "stable"]


def stable(policy: Policy) -> bool:
    """Whether, under ``policy``, an event after a session's first may change nothing but its
    last access: its context is stable and it saves nothing at events."""
    return policy.stable_context and not policy.continue_session_on_restart


def quiet_until(session: ClientSession, clock: VirtualClock) -> float | None:
    """Until when (a time on ``clock``, before it) an event would change nothing of ``session``
    but its last access, if its policy is :func:`stable` and no observer wants to hear of
    events; None if not now.

    That is while the session has had its first event and the checker is armed, up to the
    next timer on the clock (the engine's next check), as long as the session is not paused.
    """
    policy = session.policy
    if (
        session.is_checking
        and session.first_event_id is not None
        and not (Control.PAUSE in policy.controls and session.paused)
    ):
        due = clock.next_due()
        return math.inf if due is None else due
    return None


def first_run(
    step: Step, lo: int, hi: int, bound: float, *, offset: float = 0.0, reaching: bool = False
) -> int:
    """The first of the runs ``lo`` to ``hi - 1`` of a repeating ``step`` whose time, plus
    ``offset``, is past ``bound`` (or at it, when ``reaching``); ``hi`` if none is.

    Times are computed as the runner computes them (``offset + (at + run * every)``), so the
    answer is exact whatever the rounding: a guess from the division, then a step or two.
    """
    start, every = step.at, step.every or 1.0
    guess = (bound - offset - start) / every
    run = hi if not guess < hi else lo if not guess > lo else int(guess)  # inf: the end
    if reaching:
        while run > lo and offset + (start + (run - 1) * every) >= bound:
            run -= 1
        while run < hi and offset + (start + run * every) < bound:
            run += 1
    else:
        while run > lo and offset + (start + (run - 1) * every) > bound:
            run -= 1
        while run < hi and offset + (start + run * every) <= bound:
            run += 1
    return run


def run_times(step: Step, lo: int, hi: int) -> list[float]:
    """The times of the runs ``lo`` to ``hi - 1`` of a repeating ``step``, each exactly
    ``at + run * every``; whole seconds (the common case) are made from integers, the same
    floats while they are exact (below 2**53)."""
    start, every = step.at, step.every or 1.0
    if start.is_integer() and every.is_integer() and start + hi * every < 2.0**53:
        first, stride = int(start + lo * every), int(every)
        return list(map(float, range(first, first + (hi - lo) * stride, stride)))
    return [start + run * every for run in range(lo, hi)]
