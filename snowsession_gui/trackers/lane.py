"""One lane of the tracker lanes (pyqtgraph): a user's session index over wall-clock time.

Each item is made once and given new data with ``setData``; a lane shows whichever user it
is given (the lanes on screen are reused as the list scrolls).
"""

from __future__ import annotations

import html

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetricsF

from snowsession_gui.model.lane_shapes import LaneShapes
from snowsession_gui.model.tracker_words import axis_label, short_user_id
from snowsession_gui.timeline.axes import IndexAxis, TimeAxis
from snowsession_gui.widgets.palette import LIGHT, Colors

__all__ = ["AXIS_WIDTH", "Lane", "LaneIndexAxis", "WallClockAxis"]

AXIS_WIDTH = 46
"""The index axis' width in every lane, so that their times line up."""


class WallClockAxis(TimeAxis):
    """Unix seconds on round steps, read as UTC wall-clock time."""

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [axis_label(v, spacing) for v in values]


class LaneIndexAxis(IndexAxis):
    """Whole session indexes in a short lane: every index labelled while a line of text fits
    between two of them."""


class Lane:
    """A lane: a ``PlotItem`` with the session lines, idle gaps, events and findings."""

    def __init__(self, plot: pg.PlotItem, index_axis: IndexAxis) -> None:
        self.plot = plot
        self.index_axis = index_axis
        self.view = plot.getViewBox()
        self.shapes: LaneShapes | None = None
        self.selected = False
        self.colors = LIGHT
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.showGrid(x=True, y=False, alpha=0.12)
        index_axis.setWidth(AXIS_WIDTH)
        self.view.setMouseEnabled(x=True, y=False)
        self.view.disableAutoRange()
        self.view.sigResized.connect(self.retitle)
        self.idle = pg.PlotDataItem(connect="pairs")
        self.late = pg.PlotDataItem(connect="pairs")
        self.sessions = pg.PlotDataItem(connect="pairs")
        self.dots = pg.PlotDataItem(pen=None, symbol="o", symbolSize=5)
        self.dots.setClipToView(True)
        self.dots.setDownsampling(auto=True, method="peak")
        self.marks = pg.PlotDataItem(pen=None, symbol="d", symbolSize=12)
        for item in (self.idle, self.late, self.sessions, self.dots, self.marks):
            plot.addItem(item)
        self.apply_colors(LIGHT)

    @property
    def user_id(self) -> str | None:
        return None if self.shapes is None else self.shapes.user.user_id

    def show(self, shapes: LaneShapes | None, selected: bool) -> None:
        """Draw ``shapes`` (None: an empty lane, hidden by the caller)."""
        if shapes is self.shapes and selected == self.selected:
            return
        self.shapes, self.selected = shapes, selected
        if shapes is None:
            for item in (self.idle, self.late, self.sessions, self.dots, self.marks):
                item.setData([], [])
            self.plot.setTitle(None)
            return
        self.sessions.setData(shapes.sessions_x, shapes.sessions_y)
        self.idle.setData(shapes.idle_x, shapes.idle_y)
        self.late.setData(shapes.late_x, shapes.late_y)
        self.dots.setData(shapes.dots_x, shapes.dots_y)
        self.marks.setData(shapes.marks_x, shapes.marks_y)
        self.view.setYRange(shapes.low, shapes.high, padding=0)
        self.index_axis.highest = shapes.high - 0.5
        self.retitle()

    def retitle(self) -> None:
        """Write the title again: the user id whole and the events counted if that fits the
        lane's width, else shorter."""
        shapes, c = self.shapes, self.colors
        if shapes is None:
            return
        user = shapes.user
        found = len(user.findings)
        tail = f"{found} finding(s)" if found else "no findings"
        marker = "▸ " if self.selected else ""
        sessions = f"{len(user.sessions)} session(s)"
        font = QFont()
        font.setPointSize(9)
        font.setBold(self.selected)
        room = self.plot.size().width() - AXIS_WIDTH
        plain = ""
        short = short_user_id(user.user_id)
        for plain in (
            f"{marker}{user.user_id} · {sessions} · {user.events} event(s) · {tail}",
            f"{marker}{short} · {sessions} · {user.events} event(s) · {tail}",
            f"{marker}{short} · {sessions} · {tail}",
            f"{marker}{short} · {f'⚠ {found}' if found else '✓'}",
        ):
            if QFontMetricsF(font).horizontalAdvance(plain) <= room:
                break
        head, _, tail = plain.rpartition(" · ")
        color = c.problem if found else c.passed
        text = f'{html.escape(head)} · <span style="color:{color}">{html.escape(tail)}</span>'
        if self.selected:
            text = f"<b>{text}</b>"
        self.plot.setTitle(text, size="9pt", color=c.foreground, justify="left")
        self.plot.titleLabel.setMinimumWidth(0)  # the lane's width is the view's, not the title's

    def show_time_axis(self, show: bool) -> None:
        self.plot.showAxis("bottom", show)

    def apply_colors(self, colors: Colors) -> None:
        c = self.colors = colors
        font = QFont()
        font.setPointSize(8)
        for name in ("left", "bottom"):
            axis = self.plot.getAxis(name)
            axis.setPen(pg.mkPen(c.foreground))
            axis.setTextPen(pg.mkPen(c.foreground))
            axis.setTickFont(font)
        self.sessions.setPen(pg.mkPen(c.step, width=3))
        self.idle.setPen(pg.mkPen(c.muted, width=1.5, style=Qt.PenStyle.DashLine))
        self.late.setPen(pg.mkPen(c.timeout, width=1.5, style=Qt.PenStyle.DashLine))
        self.dots.setSymbolBrush(pg.mkBrush(c.event))
        self.dots.setSymbolPen(None)
        self.marks.setSymbolBrush(pg.mkBrush(c.problem))
        self.marks.setSymbolPen(pg.mkPen(c.background, width=1))
        self.retitle()
