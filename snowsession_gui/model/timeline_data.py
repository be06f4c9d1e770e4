"""What the timeline shows, kept as growing numpy arrays (no Qt here).

The session index line comes from readings of the save file. The reasons, events and
background periods come from the engine's notifications, the expectations from a scenario
run. A reading that moved the index by more than one (several sessions began between two
readings of the file) is kept as a *jump* with its count.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

from session import EventTracked, Reason, SessionStarted

from .reasons import describe_start, short_reason
from .units import format_clock

__all__ = [
    "DEFAULT_SPAN",
    "STEP_FIELDS",
    "Checked",
    "GrowingArray",
    "Jump",
    "TimelineData",
    "describe_start",
    "short_reason",
]


STEP_FIELDS = (
    "simulated_seconds",
    "simulated_time",
    "session_index",
    "sessions",
    "why",
    "user_id",
    "session_id",
    "previous_session_id",
    "reason",
    "background",
)
"""The timeline CSV's columns: the first five as they always were, then the whole session."""

DEFAULT_SPAN = 15 * 60.0
"""Simulated seconds the timeline shows while it follows the present, unless told otherwise."""


class GrowingArray:
    """A float64 array with amortised O(1) append and one spare slot for a trailing point.

    Values appended before the first :meth:`view` wait in a list, so numpy is imported only
    when something is drawn (it is a large part of start-up).
    """

    def __init__(self, capacity: int = 1024) -> None:
        self._capacity = max(2, capacity)
        self._data: NDArray[np.float64] | None = None
        self._pending: list[float] = []
        self._stored = 0

    @property
    def size(self) -> int:
        return self._stored + len(self._pending)

    def _materialise(self, extra: int = 0) -> NDArray[np.float64]:
        import numpy as np

        pending = self._pending
        need = self._stored + len(pending) + extra + 1
        data = self._data
        if data is None or need > len(data):
            grown = np.empty(max(need, self._capacity, 2 * (0 if data is None else len(data))))
            if data is not None:
                grown[: self._stored] = data[: self._stored]
            data = self._data = grown
        if pending:
            data[self._stored : self._stored + len(pending)] = pending
            self._stored += len(pending)
            pending.clear()
        return data

    def append(self, value: float) -> None:
        self._pending.append(float(value))

    def append_many(self, values: Sequence[float]) -> None:
        self._pending.extend(values)

    def extend(self, values: NDArray[np.float64]) -> None:
        data = self._materialise(len(values))
        data[self._stored : self._stored + len(values)] = values
        self._stored += len(values)

    def last(self) -> float:
        if self._pending:
            return self._pending[-1]
        if self._stored == 0 or self._data is None:
            raise IndexError("empty")
        return float(self._data[self._stored - 1])

    def view(self) -> NDArray[np.float64]:
        return self._materialise()[: self._stored]

    def view_with(self, tail: float) -> NDArray[np.float64]:
        """The values plus ``tail`` as one more point, without copying."""
        data = self._materialise()
        data[self._stored] = tail
        return data[: self._stored + 1]

    def clear(self) -> None:
        self._stored = 0
        self._pending.clear()


@dataclass(frozen=True, slots=True)
class Checked:
    """One value an ``expect`` step checked."""

    passed: bool
    key: str
    message: str


@dataclass(frozen=True, slots=True)
class Jump:
    """A reading whose index moved by other than +1: ``count`` sessions since the last."""

    at: float
    index: int
    count: int


class TimelineData:
    """Session index steps, reasons, events and background bands over simulated time.

    ``step_x``/``step_y`` hold one point per change of the index seen in the file: the
    index ``step_y[i]`` is in force from ``step_x[i]`` to ``step_x[i + 1]``.
    """

    def __init__(self) -> None:
        self.version = 0
        """Bumped on every change, so a view redraws only when needed."""
        self._reset()

    def _reset(self) -> None:
        self.step_x = GrowingArray()
        self.step_y = GrowingArray()
        self.event_x = GrowingArray()
        self.event_y = GrowingArray()
        self.start_x = GrowingArray()
        self.start_y = GrowingArray()
        self.start_text: list[str] = []
        self.start_short: list[str] = []
        self.start_timeout: list[bool] = []
        self.starts: list[SessionStarted] = []
        """Every new session's notification, in order (the exports' full ids and reasons)."""
        self.jumps: list[Jump] = []
        self.bands: list[tuple[float, float | None]] = []  # (start, end or None while away)
        self.expectations: dict[tuple[float, float], list[Checked]] = {}
        """What was checked at each ``(time, index)``, in order."""
        self._known: dict[int, float] = {}  # index -> engine time it started, until read
        self.index: int | None = None
        self.readings = 0
        self.version += 1

    # ------------------------------------------------------------ from the save file

    def add_reading(self, at: float, index: int | None) -> bool:
        """A reading of the file at time ``at`` that holds ``index``; True if the line moved."""
        self.readings += 1
        if index is None or index == self.index:
            return False
        when = self._known.pop(index, at)
        if self.step_x.size:
            when = max(when, self.step_x.last())
        previous = self.index
        if previous is not None and index - previous != 1:
            self.jumps.append(Jump(when, index, index - previous))
        self.step_x.append(when)
        self.step_y.append(index)
        self.index = index
        if self._known:
            self._known = {i: t for i, t in self._known.items() if i > index}
        self.version += 1
        return True

    def add_steps(self, times: NDArray[np.float64], indices: NDArray[np.float64]) -> None:
        """Many steps at once (each index one above the last), e.g. a long history."""
        if len(times) == 0:
            return
        self.step_x.extend(times)
        self.step_y.extend(indices)
        self.index = int(indices[-1])
        self.version += 1

    # ------------------------------------------------------------ from the engine

    def add_start(self, note: SessionStarted) -> None:
        index = note.new.session_index
        self._known[index] = note.at
        self.start_x.append(note.at)
        self.start_y.append(index)
        self.start_text.append(describe_start(note))
        self.start_short.append(short_reason(note))
        self.start_timeout.append(note.reason is Reason.TIMEOUT)
        self.starts.append(note)
        self.version += 1

    def add_event(self, at: float, index: int) -> None:
        self.event_x.append(at)
        self.event_y.append(index)
        self.version += 1

    def add_events(self, notes: Sequence[EventTracked]) -> None:
        """The events of one batch."""
        if notes:
            self.event_x.append_many([note.at for note in notes])
            self.event_y.append_many([float(note.state.session_index) for note in notes])
            self.version += 1

    def set_background(self, at: float, background: bool) -> None:
        open_band = bool(self.bands) and self.bands[-1][1] is None
        if background and not open_band:
            self.bands.append((at, None))
        elif not background and open_band:
            self.bands[-1] = (self.bands[-1][0], at)
        else:
            return
        self.version += 1

    def add_expectation(self, at: float, index: int, checked: Checked) -> None:
        """An expectation checked at ``at`` while session ``index`` was in force; those of one
        moment share one marker."""
        self.expectations.setdefault((at, float(index)), []).append(checked)
        self.version += 1

    def clear(self) -> None:
        self._reset()

    # ------------------------------------------------------------ views

    def index_range(self, left: float, right: float) -> tuple[float, float]:
        """The lowest and highest index drawn from ``left`` to ``right`` (the line, and the
        marks of sessions and expectations, which may come before the file is read again),
        half an index beyond each (0 to 2 before anything is drawn)."""
        import numpy as np

        xs, ys = self.step_x.view(), self.step_y.view()
        if len(xs) == 0:
            return 0.0, 2.0
        i0 = max(0, int(np.searchsorted(xs, left, side="right")) - 1)
        i1 = int(np.searchsorted(xs, right, side="right"))
        found = [float(v) for v in ys[i0 : max(i1, i0 + 1)]]
        sx, sy = self.start_x.view(), self.start_y.view()
        found += [float(v) for v in sy[(sx >= left) & (sx <= right)]]
        found += [y for x, y in self.expectations if left <= x <= right]
        return min(found) - 0.5, max(found) + 0.5

    def step_line(self, now: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """One point per change (a step each, drawn with ``stepMode="right"``), and the last
        index carried on to ``now``."""
        if self.step_x.size == 0:
            return self.step_x.view(), self.step_y.view()
        last_x = self.step_x.last()
        return self.step_x.view_with(max(now, last_x)), self.step_y.view_with(self.index or 0)

    def band_line(self, now: float, height: float) -> tuple[list[float], list[float]]:
        """Background periods as a 0/height outline, for a filled curve."""
        xs: list[float] = []
        ys: list[float] = []
        for start, end in self.bands:
            stop = now if end is None else end
            xs += [start, start, stop, stop]
            ys += [0.0, height, height, 0.0]
        return xs, ys

    def to_csv(self) -> str:
        """The session steps as CSV: time, index, sessions in the step, why; then the whole
        session (its ids, the reason, whether the app was in the background) when known."""
        starts = {note.new.session_index: note for note in self.starts}
        jumps = {(j.at, j.index): j.count for j in self.jumps}
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(STEP_FIELDS)
        for x, y in zip(self.step_x.view(), self.step_y.view(), strict=True):
            index = int(y)
            count = jumps.get((float(x), index), 1)
            note = starts.get(index)
            whole: list[object] = ["", "", "", "", ""]
            if note is not None:
                new = note.new
                whole = [
                    new.user_id,
                    new.session_id,
                    new.previous_session_id or "",
                    note.reason.value,
                    "true" if note.background else "false",
                ]
            why = describe_start(note) if note is not None else ""
            writer.writerow([f"{x:.3f}", format_clock(x), index, count, why, *whole])
        return out.getvalue()
