"""The window's simulated time: a ``session.VirtualClock`` moved by a parented ``QTimer``."""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QElapsedTimer, QObject, Qt, QTimer, Signal, Slot

from session import VirtualClock

__all__ = ["SPEEDS", "SimulationClock", "format_clock"]

SPEEDS: tuple[float, ...] = (0.0, 1.0, 10.0, 60.0, 600.0)
"""The speeds offered in the window; 0 is pause."""

MAX_SPEED = 3600.0


def format_clock(seconds: float | None) -> str:
    """Elapsed simulated seconds as ``hh:mm:ss`` (``d+hh:mm:ss`` past a day)."""
    if seconds is None or not math.isfinite(seconds):
        return "--:--:--"
    sign = "-" if seconds < 0 else ""
    total = math.floor(abs(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours:02d}:{minutes:02d}:{secs:02d}"
    return f"{sign}{days}d {text}" if days else f"{sign}{text}"


class SimulationClock(QObject):
    """Advances a :class:`~session.VirtualClock` by elapsed real time x ``speed``.

    Every due engine callback runs on the GUI thread, inside :meth:`VirtualClock.advance`.
    The tick is slow at 1x (the display only shows whole seconds) and faster above it.
    ``timeChanged`` is emitted after every move of the clock, with the new time.
    """

    timeChanged = Signal(float)
    speedChanged = Signal(float)

    def __init__(
        self, clock: VirtualClock | None = None, speed: float = 1.0, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.clock = clock if clock is not None else VirtualClock()
        self._speed = 0.0
        self.driver: Callable[[float], None] | None = None
        """When set, time moves by ``driver(target)`` (a scenario run) instead of the clock."""
        self._elapsed = QElapsedTimer()
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._tick)
        self.set_speed(speed)

    @property
    def speed(self) -> float:
        return self._speed

    def now(self) -> float:
        return self.clock.now()

    def set_speed(self, speed: float) -> None:
        """Run at ``speed`` simulated seconds per real second; 0 pauses."""
        if isinstance(speed, bool) or not isinstance(speed, int | float):
            raise TypeError(f"speed must be a number, got {speed!r}")
        if not math.isfinite(speed) or not 0 <= speed <= MAX_SPEED:
            raise ValueError(f"speed must be between 0 and {MAX_SPEED:g}, got {speed!r}")
        if self._timer.isActive():
            self._tick()  # account for the time run so far at the old speed
        self._speed = float(speed)
        if self._speed > 0:
            self._timer.setInterval(self._interval())
            self._elapsed.start()
            self._timer.start()
        else:
            self._timer.stop()
        self.speedChanged.emit(self._speed)

    def _interval(self) -> int:
        """Up to 1x, tick when the next whole simulated second is due (what is shown moves
        in whole seconds; an idle window should cost next to nothing); faster, 30 per second."""
        if self._speed > 1:
            return 33
        to_next = 1.0 - (self.clock.now() % 1.0)
        return max(20, math.ceil(to_next / self._speed * 1000))

    @Slot()
    def _tick(self) -> None:
        real = self._elapsed.restart() / 1000.0
        if real > 0 and self._speed > 0:
            self._advance_to(self.clock.now() + real * self._speed)
            self.timeChanged.emit(self.clock.now())
        if 0 < self._speed <= 1 and self._timer.isActive():
            self._timer.setInterval(self._interval())

    def skip(self, seconds: float) -> None:
        """Jump ``seconds`` ahead, running every check that falls due on the way."""
        self._advance_to(self.clock.now() + seconds)
        self.timeChanged.emit(self.clock.now())

    def skip_to_next_due(self) -> bool:
        """Jump to the next pending engine call (the next check); False if there is none."""
        due = self.clock.next_due()
        if due is None:
            return False
        self._advance_to(max(due, self.clock.now()))
        self.timeChanged.emit(self.clock.now())
        return True

    def _advance_to(self, target: float) -> None:
        if self.driver is not None:
            self.driver(target)
        else:
            self.clock.advance_to(target)

    def stop(self) -> None:
        """Stop the tick (the window calls this when it closes)."""
        self._timer.stop()

    @property
    def running(self) -> bool:
        return self._timer.isActive()
