"""The clock a scenario run gives its engine: a VirtualClock that moves cheaply between timers."""

from __future__ import annotations

import math
from collections.abc import Callable

from .timing import Timer, VirtualClock

__all__ = ["RunClock"]


class RunClock:
    """The run's clock: a :class:`VirtualClock`, with time set directly between its timers.

    Moving a VirtualClock costs a lock and a queue look-up; a step between two timers only
    needs the time to read differently. So the time is *pinned* until a timer is due, and the
    VirtualClock itself is moved before anything is scheduled or falls due.
    """

    __slots__ = ("_base", "earliest", "pinned")

    def __init__(self, base: VirtualClock) -> None:
        self._base = base
        self.pinned: float | None = None
        self.earliest = math.inf  # no timer of this clock is due before this

    def now(self) -> float:
        pinned = self.pinned
        return self._base.now() if pinned is None else pinned

    def wall_time(self) -> float:
        pinned = self.pinned
        if pinned is None:
            return self._base.wall_time()
        return self._base.wall_time() + (pinned - self._base.now())

    def call_later(self, delay: float, callback: Callable[[], None]) -> Timer:
        self.sync()
        timer = self._base.call_later(delay, callback)
        self.earliest = min(self.earliest, self._base.now() + max(0.0, delay))
        return timer

    def refresh(self) -> None:
        """Take in timers scheduled on the VirtualClock by others since the last look."""
        due = self._base.next_due()
        if due is not None:
            self.earliest = min(self.earliest, due)

    def sync(self) -> None:
        """Bring the VirtualClock to the pinned time (no timer is due before it)."""
        if self.pinned is not None:
            pinned, self.pinned = self.pinned, None
            self._base.advance_to(pinned)

    def move_to(self, target: float) -> None:
        """Set the time to ``target``, running every timer due at or before it."""
        if target < self.earliest:
            self.pinned = target
            return
        self.pinned = None
        self._base.advance_to(target)
        due = self._base.next_due()
        self.earliest = math.inf if due is None else due
