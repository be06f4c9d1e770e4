"""The timeline's plot (pyqtgraph): imported only when the timeline is first drawn."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QVBoxLayout, QWidget

from .sim_clock import format_clock
from .timeline_data import TimelineData

__all__ = ["IndexAxis", "TimeAxis", "TimelinePlot"]

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
MAX_MARKERS = 400
MAX_LABELS = 30
MAX_REASONS = 12
REDRAW_MS = 30


def jump_label(count: int, index: int) -> str:
    """The label of a step that was not +1: several sessions in one save, or a going back."""
    if count > 0:
        return f"+{count} sessions in one save"
    return f"back to {index} (a new user or a reset)"


class TimeAxis(pg.AxisItem):
    """A bottom axis that reads simulated seconds as ``hh:mm:ss`` on round steps."""

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
    """A left axis with whole-number ticks only: there is no session 1.5."""

    def tickSpacing(self, minVal: float, maxVal: float, size: float) -> list[tuple[float, float]]:
        span = max(maxVal - minVal, 1e-9)
        wanted = span / max(2.0, size / 40.0)
        step = 1.0
        while step < wanted:
            for factor in (2.0, 2.5, 2.0):
                step *= factor
                if step >= wanted:
                    break
        return [(step, 0.0)]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [f"{v:,.0f}" if v == int(v) else "" for v in values]


class _Colors:
    def __init__(self, dark: bool) -> None:
        self.background = QColor("#1e1f22" if dark else "#ffffff")
        self.foreground = QColor("#d4d4d8" if dark else "#3f3f46")
        self.step = QColor("#60a5fa" if dark else "#1d4ed8")
        self.event = QColor("#a1a1aa" if dark else "#71717a")
        self.timeout = QColor("#fb923c" if dark else "#ea580c")
        self.start = QColor("#4ade80" if dark else "#16a34a")
        self.band = QColor(167, 139, 250, 70 if dark else 60)
        self.deadline = QColor("#f87171" if dark else "#dc2626")
        self.now = QColor("#71717a")


class TimelinePlot(QWidget):
    """A pyqtgraph ``PlotWidget`` (objectName ``timelinePlot``) drawn from :class:`TimelineData`.

    It redraws at most every 30 ms however often it is asked to. It follows the present until
    the user pans or zooms; :meth:`set_follow` brings it back.
    """

    followChanged = Signal(bool)

    def __init__(
        self, data: TimelineData, now: Callable[[], float], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._now = now
        self.data = data
        self._drawn_version = -1
        self._deadline: float | None = None
        self._follow = True
        self._span = 15 * 60.0
        self._ymax = 1.0
        self._drawn_now = float("-inf")
        self._range_dirty = True
        self.redraws = 0

        self.plot = pg.PlotWidget(
            parent=self, axisItems={"bottom": TimeAxis("bottom"), "left": IndexAxis("left")}
        )
        self.plot.setObjectName("timelinePlot")
        self.plot.setAccessibleName("Session timeline")
        self.plot.setToolTip(
            "Session index over simulated time, read from the save file. Drag to pan, wheel to "
            "zoom; hover a triangle to see why that session started."
        )
        item = self.plot.getPlotItem()
        item.showGrid(x=True, y=True, alpha=0.15)
        item.setLabel("left", "session index")
        item.setLabel("bottom", "simulated time")
        item.setMenuEnabled(False)
        item.hideButtons()
        item.setClipToView(True)
        item.setDownsampling(auto=True, mode="peak")
        self.view = item.getViewBox()
        self.view.disableAutoRange()
        self.view.sigRangeChangedManually.connect(self._on_manual_range)
        # Any change of the visible times (a program's setRange, a linked plot's pan) shows
        # the markers and labels of what has come into view.
        self.view.sigXRangeChanged.connect(self._on_x_range)

        self.band_curve = pg.PlotDataItem(fillLevel=0.0, name="background")
        self.band_curve.setZValue(-10)
        self.step_curve = pg.PlotDataItem(name="session index", stepMode="right")
        self.event_curve = pg.PlotDataItem(pen=None, symbol="o", symbolSize=5, name="event")
        self.start_markers = pg.ScatterPlotItem(
            symbol="t1", size=12, hoverable=True, tip=self._tip, name="new session"
        )
        self.deadline_line = pg.InfiniteLine(angle=90, movable=False)
        self.deadline_label = pg.InfLineLabel(
            self.deadline_line, text="", position=0.97, anchors=[(1, 0), (1, 0)]
        )
        self.now_line = pg.InfiniteLine(angle=90, movable=False)
        self.legend = item.addLegend(offset=(10, 10), labelTextSize="9pt", colCount=5)
        for it in (self.band_curve, self.step_curve, self.event_curve, self.start_markers):
            item.addItem(it)
        item.addItem(self.now_line, ignoreBounds=True)
        item.addItem(self.deadline_line, ignoreBounds=True)
        self.deadline_line.hide()
        self._labels: list[pg.TextItem] = []
        self._reasons: list[pg.TextItem] = []

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)

        self._redraw_timer = QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.setInterval(REDRAW_MS)
        self._redraw_timer.timeout.connect(self.redraw)
        self.apply_palette(dark=False)

    # ------------------------------------------------------------ feeding

    @Slot(float)
    def on_time(self, now: float) -> None:
        """Time moved: redraw when the present moved by a pixel or more (or passed the due line)."""
        per_pixel = self._span / max(1, self.plot.width())
        if abs(now - self._drawn_now) >= per_pixel:
            self.schedule_redraw()

    def set_deadline(self, at: float | None) -> None:
        """The time a new session is due if nothing happens (None: never)."""
        if at != self._deadline:
            self._deadline = at
            self._range_dirty = True
            self.schedule_redraw()

    def schedule_redraw(self) -> None:
        if not self._redraw_timer.isActive():
            self._redraw_timer.start()

    def set_data(self, data: TimelineData) -> None:
        self.data = data
        self._drawn_version = -1
        self.schedule_redraw()

    # ------------------------------------------------------------ view

    def set_span(self, seconds: float) -> None:
        """How many simulated seconds the view shows while it follows the present."""
        self._span = max(10.0, float(seconds))
        self._range_dirty = True
        self.schedule_redraw()

    @property
    def follow(self) -> bool:
        return self._follow

    def set_follow(self, follow: bool) -> None:
        if follow != self._follow:
            self._follow = follow
            self.followChanged.emit(follow)
        if follow:
            self._range_dirty = True
            self.redraw()

    @Slot()
    def _on_manual_range(self, *_: object) -> None:
        (x0, x1), _y = self.view.viewRange()
        self._span = max(10.0, x1 - x0)
        self.set_follow(False)
        self._update_markers()

    @Slot()
    def _on_x_range(self, *_: object) -> None:
        self._update_markers()

    @Slot()
    def redraw(self) -> None:
        """Draw now (normally called by the coalescing timer)."""
        self._redraw_timer.stop()
        self.redraws += 1
        now = self._drawn_now = self._now()
        data = self.data
        if data.version != self._drawn_version:
            self._drawn_version = data.version
            self._range_dirty = True
            ys = data.step_y.view()
            self._ymax = float(ys.max()) if len(ys) else 1.0
            self.event_curve.setData(data.event_x.view(), data.event_y.view())
        self.step_curve.setData(*data.step_line(now), skipFiniteCheck=True)
        bx, by = data.band_line(now, self._ymax + 1.0)
        self.band_curve.setData(bx, by)
        self.now_line.setPos(now)
        if self._deadline is None:
            self.deadline_line.hide()
        else:
            self.deadline_line.setPos(self._deadline)
            self.deadline_label.setFormat(f"new session due {format_clock(self._deadline)}")
            self.deadline_line.show()
        if self._follow:
            self._follow_present(now)
        self._update_markers()

    def _follow_present(self, now: float) -> None:
        # The view moves in steps (when the present nears its right edge, or something
        # changed), not every second: redrawing the axes is most of an idle window's work.
        (x0, x1), _ = self.view.viewRange()
        span = self._span
        steady = not self._range_dirty and abs((x1 - x0) - span) < 0.01 * span
        if steady and x0 < now < x1 - 0.04 * span:
            return
        self._range_dirty = False
        right = now + self._span * 0.12
        deadline = self._deadline
        if deadline is not None and now < deadline <= now + self._span * 0.5:
            right = max(right, deadline + self._span * 0.05)
        left = right - self._span
        lo, hi = self._visible_index_range(left, right)
        pad = max(0.5, (hi - lo) * 0.08)
        self.view.setRange(xRange=(left, right), yRange=(max(0.0, lo - pad), hi + pad), padding=0)

    def _visible_index_range(self, left: float, right: float) -> tuple[float, float]:
        xs, ys = self.data.step_x.view(), self.data.step_y.view()
        if len(xs) == 0:
            return 0.0, 2.0
        i0 = max(0, int(np.searchsorted(xs, left, side="right")) - 1)
        i1 = int(np.searchsorted(xs, right, side="right"))
        part = ys[i0 : max(i1, i0 + 1)]
        return float(part.min()) - 0.5, float(part.max()) + 0.5

    def _update_markers(self) -> None:
        (x0, x1), _ = self.view.viewRange()
        xs = self.data.start_x.view()
        i0 = int(np.searchsorted(xs, x0, side="left"))
        i1 = int(np.searchsorted(xs, x1, side="right"))
        i0 = max(i0, i1 - MAX_MARKERS)
        texts = self.data.start_text[i0:i1]
        brushes = [self._colors.timeout if "timeout" in t else self._colors.start for t in texts]
        self.start_markers.setData(
            x=xs[i0:i1], y=self.data.start_y.view()[i0:i1], data=texts, brush=brushes, pen=None
        )
        jumps = [j for j in self.data.jumps if x0 <= j.at <= x1][-MAX_LABELS:]
        texts = [(j.at, j.index, jump_label(j.count, j.index)) for j in jumps]
        self._place(self._labels, texts, self._colors.timeout, anchor=(0.0, 1.3))
        shown = i1 - i0 if i1 - i0 <= MAX_REASONS else 0  # reasons only when few are in view
        reasons = [
            (float(xs[i]), float(self.data.start_y.view()[i]), self.data.start_short[i])
            for i in range(i1 - shown, i1)
        ]
        self._place(self._reasons, reasons, self._colors.foreground, anchor=(-0.05, -0.1))

    def _place(
        self,
        pool: list[pg.TextItem],
        texts: list[tuple[float, float, str]],
        color: QColor,
        anchor: tuple[float, float],
    ) -> None:
        while len(pool) < len(texts):
            label = pg.TextItem(anchor=anchor)
            self.plot.getPlotItem().addItem(label, ignoreBounds=True)
            pool.append(label)
        for label, (x, y, text) in zip(pool[: len(texts)], texts, strict=True):
            label.setColor(color)
            label.setText(text)
            label.setPos(x, y)
            label.show()
        for label in pool[len(texts) :]:
            label.hide()

    @staticmethod
    def _tip(x: float, y: float, data: object) -> str:
        return str(data)

    # ------------------------------------------------------------ look and export

    def apply_palette(self, dark: bool) -> None:
        """Colours for a light or a dark window."""
        c = self._colors = _Colors(dark)
        self.plot.setBackground(c.background)
        item = self.plot.getPlotItem()
        for name in ("left", "bottom"):
            axis = item.getAxis(name)
            axis.setPen(pg.mkPen(c.foreground))
            axis.setTextPen(pg.mkPen(c.foreground))
            axis.setTickFont(QFont(self.font().family(), 9))
        self.step_curve.setPen(pg.mkPen(c.step, width=2.5))
        self.event_curve.setSymbolBrush(pg.mkBrush(c.event))
        self.event_curve.setSymbolPen(None)
        self.band_curve.setPen(pg.mkPen(None))
        self.band_curve.setFillBrush(pg.mkBrush(c.band))
        self.start_markers.setBrush(pg.mkBrush(c.timeout))
        self.start_markers.setPen(pg.mkPen(None))
        self.legend.setBrush(pg.mkBrush(c.background))
        self.legend.setPen(pg.mkPen(c.foreground.lighter(150) if not dark else c.foreground))
        self.deadline_line.setPen(pg.mkPen(c.deadline, width=1.5, style=Qt.PenStyle.DashLine))
        self.deadline_label.setColor(c.deadline)
        self.now_line.setPen(pg.mkPen(c.now, width=1, style=Qt.PenStyle.DotLine))
        self.legend.setLabelTextColor(c.foreground)
        for item in self.legend.items:
            item[1].setText(item[1].text, color=c.foreground)
        self._drawn_version = -1
        self.schedule_redraw()

    def export_png(self, path: str | Path) -> bool:
        return self.plot.grab().save(str(path), "PNG")

    def export_csv(self, path: str | Path) -> None:
        Path(path).write_text(self.data.to_csv(), encoding="utf-8")

    def stop(self) -> None:
        self._redraw_timer.stop()

    def visible_range(self) -> tuple[float, float]:
        (x0, x1), _ = self.view.viewRange()
        return x0, x1
