"""The timeline's axes: simulated time as ``hh:mm:ss`` on round steps, whole session indexes."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtGui import QFont, QFontMetricsF
from PySide6.QtWidgets import QWidget

from snowsession_gui.model.units import format_clock

__all__ = ["INDEX_TITLES", "IndexAxis", "TimeAxis", "jump_label", "timeline_plot"]

INDEX_TITLES = ("session index", "index")
"""The index axis' title, then a shorter one for a short plot."""

_SPACINGS = (
    1,
    2,
    5,
    10,
    15,
    30,
    60,
    120,
    300,
    600,
    900,
    1800,
    3600,
    7200,
    10800,
    21600,
    43200,
    86400,
    172800,
    604800,
)


def jump_label(count: int, index: int) -> str:
    """The label of a step that was not +1: several sessions between two readings of the
    file (they were saved faster than it was read), or a going back."""
    if count > 0:
        return f"+{count} sessions between two readings"
    return f"back to {index} (a new user or a reset)"


class TimeAxis(pg.AxisItem):
    """A bottom axis that reads simulated seconds as ``hh:mm:ss`` on round steps, with no tick
    before ``earliest`` (when the app or the run started: there is nothing before it)."""

    earliest: float | None = None

    def tickValues(
        self, minVal: float, maxVal: float, size: float
    ) -> list[tuple[float, list[float]]]:
        levels = super().tickValues(minVal, maxVal, size)
        start = self.earliest
        if start is None:
            return levels
        return [(spacing, [v for v in values if v >= start - 1e-6]) for spacing, values in levels]

    def tickSpacing(self, minVal: float, maxVal: float, size: float) -> list[tuple[float, float]]:
        span = max(maxVal - minVal, 1e-9)
        wanted = span / max(2.0, size / 110.0)  # about one label per 110 px
        major = next((float(s) for s in _SPACINGS if s >= wanted), 0.0)
        if not major:  # longer than a week per label: whole days, 1-2-5 steps
            major = 86400.0
            while major < wanted:
                for factor in (2.0, 2.5, 2.0):
                    major *= factor
                    if major >= wanted:
                        break
        minor = next((float(s) for s in reversed(_SPACINGS) if s <= major / 4), major / 5)
        return [(major, 0.0), (max(minor, major / 6), 0.0)]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [format_clock(v) for v in values]


class IndexAxis(pg.AxisItem):
    """A left axis with whole-number ticks only: there is no session 1.5, and none above the
    highest index drawn (the room above it is for labels). Every index has its label while
    a line of text fits between two of them."""

    highest: float | None = None

    def label_pixels(self) -> float:
        """The height one tick label needs, with a little air."""
        return QFontMetricsF(self._tick_font()).height() + 4.0

    def _tick_font(self) -> QFont:
        # pyqtgraph's own table of styles (Qt's stubs read ``style`` as QWidget.style())
        font = vars(self)["style"]["tickFont"]
        return font if isinstance(font, QFont) else QFont()

    def fit_title(self, height: float) -> None:
        """The title whole, shortened where the axis is too short for it (``height``
        pixels)."""
        metrics = QFontMetricsF(self.label.font())
        title = next((t for t in INDEX_TITLES if metrics.horizontalAdvance(t) + 8 <= height), "")
        if title != self.labelText:
            self.setLabel(title)
            self.showLabel(bool(title))

    def fix_width(self, widest: str = "99,999") -> None:
        """Keep the width that ``widest`` needs, whatever the labels drawn: plots stacked
        above each other then map a time to the same column."""
        width = math.ceil(QFontMetricsF(self._tick_font()).horizontalAdvance(widest)) + 2
        fixed: dict[str, object] = {
            "autoExpandTextSpace": False,
            "autoReduceTextSpace": False,
            "tickTextWidth": width,
        }
        # pyqtgraph's setStyle, which its stubs mistake for QGraphicsWidget's
        pg.AxisItem.setStyle(self, **fixed)  # type: ignore[call-arg]

    def tickSpacing(self, minVal: float, maxVal: float, size: float) -> list[tuple[float, float]]:
        span = max(maxVal - minVal, 1e-9)
        wanted = span / max(2.0, size / self.label_pixels())
        step = 1.0
        while step < wanted:
            for factor in (2.0, 2.5, 2.0):
                step *= factor
                if step >= wanted:
                    break
        return [(step, 0.0)]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        top = self.highest
        return [f"{v:,.0f}" if v == int(v) and (top is None or v <= top) else "" for v in values]


def timeline_plot(parent: QWidget) -> tuple[pg.PlotWidget, IndexAxis, TimeAxis]:
    """A plot of the session index (left) over simulated time (bottom), with its axes: a
    faint grid, no menu or buttons, drawing only what is in view (peaks kept)."""
    index_axis = IndexAxis("left")
    time_axis = TimeAxis("bottom")
    plot = pg.PlotWidget(parent=parent, axisItems={"bottom": time_axis, "left": index_axis})
    item = plot.getPlotItem()
    item.showGrid(x=True, y=True, alpha=0.15)
    item.setLabel("left", "session index")
    item.setLabel("bottom", "simulated time")
    item.setMenuEnabled(False)
    item.hideButtons()
    item.setClipToView(True)
    item.setDownsampling(auto=True, mode="peak")
    return plot, index_axis, time_axis
