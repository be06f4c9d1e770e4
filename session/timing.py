"""Injected time: clocks that say what time it is, schedulers that call back later.

The engine never reads the system clock or sleeps by itself. It asks a :class:`Clock` for the
time and a :class:`Scheduler` for "call me in N seconds", so tests and the simulator can run
ten minutes of checks in microseconds with :class:`VirtualClock`, and a Qt application can
supply a scheduler built on ``QTimer``.
"""

from __future__ import annotations

import heapq
import itertools
import sys
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Protocol, runtime_checkable

__all__ = [
    "Clock",
    "Scheduler",
    "SystemClock",
    "ThreadScheduler",
    "Timer",
    "VirtualClock",
]


@runtime_checkable
class Clock(Protocol):
    """A source of time.

    ``now()`` is elapsed seconds on a clock that only moves forward: it is what expiry is
    measured with. ``wall_time()`` is seconds since the Unix epoch, for timestamps shown to
    people and written into contexts.
    """

    def now(self) -> float: ...

    def wall_time(self) -> float: ...


@runtime_checkable
class Timer(Protocol):
    """A pending call made by :meth:`Scheduler.call_later`."""

    def cancel(self) -> None: ...


@runtime_checkable
class Scheduler(Protocol):
    """Calls a function once, ``delay`` seconds from now (on the scheduler's own clock)."""

    def call_later(self, delay: float, callback: Callable[[], None]) -> Timer: ...


def _elapsed_clock() -> Callable[[], float]:
    """The best clock for expiry: unaffected by wall-clock changes, counting suspend."""
    if sys.platform.startswith("linux") and hasattr(time, "CLOCK_BOOTTIME"):
        # CLOCK_MONOTONIC stops while the machine is suspended; CLOCK_BOOTTIME does not.
        return partial(time.clock_gettime, time.CLOCK_BOOTTIME)
    if sys.platform == "darwin" and hasattr(time, "CLOCK_MONOTONIC"):
        # On macOS time.monotonic() stops during sleep; CLOCK_MONOTONIC keeps counting.
        return partial(time.clock_gettime, time.CLOCK_MONOTONIC)
    # Windows: time.monotonic() is GetTickCount64-based and counts suspend.
    return time.monotonic


class SystemClock:
    """The real clock: suspend-aware monotonic time for expiry, the wall clock for display."""

    def __init__(self) -> None:
        # Bound as instance attributes so the engine's hot path calls C functions directly.
        self.now: Callable[[], float] = _elapsed_clock()
        self.wall_time: Callable[[], float] = time.time


class _ThreadTimer:
    __slots__ = ("_owner", "_timer")

    def __init__(self, timer: threading.Timer, owner: ThreadScheduler) -> None:
        self._timer = timer
        self._owner = owner

    def cancel(self) -> None:
        self._timer.cancel()
        self._owner._forget(self._timer)


class ThreadScheduler:
    """One-shot daemon ``threading.Timer`` threads; :meth:`close` cancels all still pending."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: set[threading.Timer] = set()
        self._closed = False

    def call_later(self, delay: float, callback: Callable[[], None]) -> Timer:
        timer: threading.Timer

        def run() -> None:
            self._forget(timer)
            callback()

        timer = threading.Timer(max(0.0, delay), run)
        timer.daemon = True
        timer.name = "session-checker"
        with self._lock:
            if self._closed:
                raise RuntimeError("the scheduler is closed")
            self._pending.add(timer)
        timer.start()
        return _ThreadTimer(timer, self)

    def _forget(self, timer: threading.Timer) -> None:
        with self._lock:
            self._pending.discard(timer)

    def close(self) -> None:
        """Cancel every pending call; later calls to :meth:`call_later` raise."""
        with self._lock:
            self._closed = True
            pending, self._pending = self._pending, set()
        for timer in pending:
            timer.cancel()

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._pending)


class _VirtualTimer:
    __slots__ = ("callback", "cancelled", "due")

    def __init__(self, due: float, callback: Callable[[], None]) -> None:
        self.due = due
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class VirtualClock:
    """Simulated time that moves only when told to, and a scheduler on that time.

    :meth:`advance` runs every call that falls due, in time order (same time: the order they
    were scheduled), setting the clock to each one's due time before calling it, so a callback
    sees exactly the time it was due at.

    Parameters
    ----------
    start
        The initial value of :meth:`now`, in seconds.
    wall_start
        The wall-clock time (Unix seconds) that ``now() == start`` stands for. Defaults to the
        real wall clock at construction.
    """

    def __init__(self, start: float = 0.0, wall_start: float | None = None) -> None:
        self._now = float(start)
        self._start = float(start)
        self._wall_start = time.time() if wall_start is None else float(wall_start)
        self._wall_offset = 0.0
        self._queue: list[tuple[float, int, _VirtualTimer]] = []
        self._seq = itertools.count()
        self._lock = threading.RLock()

    def now(self) -> float:
        return self._now

    def wall_time(self) -> float:
        return self._wall_start + (self._now - self._start) + self._wall_offset

    def shift_wall_clock(self, seconds: float) -> None:
        """Move the wall clock (as a user or NTP might) without moving elapsed time."""
        self._wall_offset += seconds

    def call_later(self, delay: float, callback: Callable[[], None]) -> Timer:
        with self._lock:
            timer = _VirtualTimer(self._now + max(0.0, delay), callback)
            heapq.heappush(self._queue, (timer.due, next(self._seq), timer))
            return timer

    def next_due(self) -> float | None:
        """The time of the earliest pending call, or None when nothing is pending."""
        with self._lock:
            self._drop_cancelled()
            return self._queue[0][0] if self._queue else None

    @property
    def pending(self) -> int:
        with self._lock:
            return sum(1 for _, _, t in self._queue if not t.cancelled)

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds``, running every call that falls due on the way."""
        if not seconds >= 0:
            raise ValueError(f"VirtualClock.advance needs seconds >= 0, got {seconds!r}")
        self.advance_to(self._now + seconds)

    def advance_to(self, target: float) -> None:
        """Move time forward to ``target``, running every call due at or before it."""
        if target < self._now:
            raise ValueError(f"VirtualClock cannot go back from {self._now} to {target}")
        queue = self._queue
        if not queue or queue[0][0] > target:
            self._now = target  # nothing due on the way: the common step between two checks
            return
        while True:
            with self._lock:
                self._drop_cancelled()
                if not self._queue or self._queue[0][0] > target:
                    self._now = target
                    return
                due, _, timer = heapq.heappop(self._queue)
                self._now = due
            timer.callback()

    def _drop_cancelled(self) -> None:
        while self._queue and self._queue[0][2].cancelled:
            heapq.heappop(self._queue)
