"""The window's simulated time: a parented ``QTimer`` that moves a :class:`TimeSource`.

The source is a :class:`~session.VirtualClock` (the compare view) or the window's
:class:`~.session_host.SessionHost`, which moves whatever it drives (its own session's
clock, or a scenario run).
"""

from __future__ import annotations

import math
from typing import Protocol

from PySide6.QtCore import QElapsedTimer, QObject, Qt, QTimer, Signal, Slot

from snowsession_gui.model.units import MAX_SPEED, format_clock

__all__ = ["SimulationClock", "TimeSource", "format_clock"]


class TimeSource(Protocol):
    """What simulated time moves: it says the time, moves to a later one, and says when its
    next pending call (an expiry check) is due."""

    def now(self) -> float: ...

    def advance_to(self, target: float) -> None: ...

    def next_due(self) -> float | None: ...


class SimulationClock(QObject):
    """Moves ``source`` by elapsed real time x ``speed``.

    Every due engine callback runs on the GUI thread, inside ``source.advance_to``. The tick is
    slow at 1x (the display only shows whole seconds) and faster above it. ``timeChanged`` is
    emitted after every move, with the new time; ``speedChanged`` after every change of speed.
    """

    timeChanged = Signal(float)
    speedChanged = Signal(float)

    def __init__(self, source: TimeSource, speed: float = 1.0, parent: QObject | None = None):
        super().__init__(parent)
        self.source = source
        self._speed = 0.0
        self._elapsed = QElapsedTimer()
        self._timer = QTimer(self)
        self._timer.setObjectName("simulationTick")
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._tick)
        self.set_speed(speed)

    @property
    def speed(self) -> float:
        return self._speed

    def now(self) -> float:
        return self.source.now()

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
        to_next = 1.0 - (self.now() % 1.0)
        return max(20, math.ceil(to_next / self._speed * 1000))

    @Slot()
    def _tick(self) -> None:
        real = self._elapsed.restart() / 1000.0
        if real > 0 and self._speed > 0:
            self.source.advance_to(self.now() + real * self._speed)
            self.timeChanged.emit(self.now())
        if 0 < self._speed <= 1 and self._timer.isActive():
            self._timer.setInterval(self._interval())

    def skip(self, seconds: float) -> None:
        """Jump ``seconds`` ahead, running every check that falls due on the way."""
        self.source.advance_to(self.now() + max(0.0, seconds))
        self.timeChanged.emit(self.now())

    def skip_to(self, target: float) -> None:
        """Jump to ``target`` (not back: an earlier time leaves time where it is)."""
        self.skip(target - self.now())

    def skip_to_next_due(self) -> bool:
        """Jump to the next pending engine call (the next check); False if there is none."""
        due = self.source.next_due()
        if due is None:
            return False
        self.skip_to(due)
        return True

    def show_time(self) -> None:
        """Tell the listeners the time now (after the source was replaced)."""
        self.timeChanged.emit(self.now())

    def stop(self) -> None:
        """Stop the tick (the window calls this when it closes)."""
        self._timer.stop()

    @property
    def running(self) -> bool:
        return self._timer.isActive()
