"""The timeline's plot (pyqtgraph): imported only when the timeline is first drawn."""

from __future__ import annotations

import math
from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFont, QHelpEvent, QImage
from PySide6.QtWidgets import QToolTip, QVBoxLayout, QWidget

from snowsession_gui.model.label_places import GAP
from snowsession_gui.model.timeline_data import DEFAULT_SPAN, TimelineData
from snowsession_gui.widgets.palette import LIGHT, Colors

from .axes import timeline_plot
from .marks import Marks
from .picture import picture_scale, render_scaled

__all__ = ["TimelinePlot"]

REDRAW_MS = 30
LEGEND_COLUMN_PX = 120
MIN_SPAN = 60.0
"""The fewest simulated seconds the view shows while it follows the present."""
DEADLINE_SHARE = 0.75
"""Following the present, the view takes in the deadline when it is no further ahead than
this share of the span (a 600 s timeout in the default 15 min); a later one is marked at
the right edge."""
HELP = (
    "Session index over simulated time, read from the save file. Drag to pan, wheel to zoom; "
    "hover a mark to see why a session started or what an expectation found."
)


class TimelinePlot(QWidget):
    """A pyqtgraph ``PlotWidget`` (objectName ``timelinePlot``) drawn from :class:`TimelineData`.

    It redraws at most every 30 ms however often it is asked to. It follows the present until
    the user pans or zooms; :meth:`set_follow` brings it back. While it follows it shows the
    span asked for, whole, as the span selector says (``inf``: everything from the start,
    with room to grow), and never a time before the first thing drawn. Labels are placed
    beside their marks without covering each other, the legend or the plot's edges; one
    tooltip says what is under the pointer, failed expectations first.

    Signals: ``followChanged(bool)``; ``spanChanged(float)`` when the span asked for changed
    (a zoom included).
    """

    followChanged = Signal(bool)
    spanChanged = Signal(float)

    def __init__(
        self, data: TimelineData, now: Callable[[], float], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._now = now
        self.data = data
        self._drawn_version = -1
        self._deadline: float | None = None
        self._follow = True
        self._span = DEFAULT_SPAN
        self._shown_span = DEFAULT_SPAN
        self._ymax = 1.0
        self._drawn_now = float("-inf")
        self._range_dirty = True
        self._with_engine = True
        self._leader: TimelinePlot | None = None
        self.redraws = 0
        self.colors = LIGHT

        self.plot, self.index_axis, self.time_axis = timeline_plot(self)
        self.plot.setObjectName("timelinePlot")
        self.plot.setAccessibleName("Session timeline")
        self.plot.viewport().installEventFilter(self)
        self.view = self.plot.getPlotItem().getViewBox()
        self.view.disableAutoRange()
        self.view.sigRangeChangedManually.connect(self._on_manual_range)
        # Any change of the visible times or size (a program's setRange, a linked plot's pan,
        # a resize) places the markers and labels again.
        self.view.sigRangeChanged.connect(self._on_range)
        self.view.sigResized.connect(self._on_resized)
        self._add_curves()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)

        self._redraw_timer = QTimer(self)
        self._redraw_timer.setObjectName("timelineRedraw")
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.setInterval(REDRAW_MS)
        self._redraw_timer.timeout.connect(self.redraw)
        self.apply_colors(LIGHT)

    def _add_curves(self) -> None:
        """The background band, the index's steps, the events, the now and deadline lines,
        the legend and the marks."""
        item = self.plot.getPlotItem()
        self.band_curve = pg.PlotDataItem(fillLevel=0.0, name="background")
        self.band_curve.setZValue(-10)
        self.step_curve = pg.PlotDataItem(name="session index", stepMode="right")
        self.event_curve = pg.PlotDataItem(pen=None, symbol="o", symbolSize=5, name="event")
        self.deadline_line = pg.InfiniteLine(angle=90, movable=False)
        self.now_line = pg.InfiniteLine(angle=90, movable=False)
        self.legend = item.addLegend(offset=(10, 10), labelTextSize="9pt", colCount=5)
        for it in (self.band_curve, self.step_curve, self.event_curve):
            item.addItem(it)
        self.marks = Marks(item, self.legend, self.data)
        item.addItem(self.now_line, ignoreBounds=True)
        item.addItem(self.deadline_line, ignoreBounds=True)
        self.deadline_line.hide()

    # ------------------------------------------------------------ feeding

    @Slot(float)
    def on_time(self, now: float) -> None:
        """Time moved: redraw when the present moved by a pixel or more."""
        per_pixel = self._shown_span / max(1, self.plot.width())
        if abs(now - self._drawn_now) >= per_pixel:
            self.schedule_redraw()

    def set_deadline(self, at: float | None) -> None:
        """The time a new session is due if nothing happens (None: never)."""
        if at != self._deadline:
            self._deadline = self.marks.deadline = at
            self._range_dirty = True
            self.schedule_redraw()

    @property
    def deadline(self) -> float | None:
        return self._deadline

    def schedule_redraw(self) -> None:
        if not self._redraw_timer.isActive():
            self._redraw_timer.start()

    def set_data(self, data: TimelineData) -> None:
        self.data = self.marks.data = data
        self._drawn_version = -1
        self.schedule_redraw()

    def without_engine(self) -> None:
        """A file another program writes (a monitor): no events, bands or reasons to show."""
        self._with_engine = False
        for it in (self.event_curve, self.band_curve):
            self.legend.removeItem(it)
        self.marks.without_engine()

    # ------------------------------------------------------------ view

    def set_span(self, seconds: float) -> None:
        """How many simulated seconds the view shows while it follows the present
        (``math.inf``: everything from the start)."""
        span = max(10.0, float(seconds))
        if span != self._span:
            self._span = span
            self.spanChanged.emit(span)
        self._range_dirty = True
        self.schedule_redraw()

    @property
    def span(self) -> float:
        """The span asked for (``math.inf`` for everything)."""
        return self._span

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

    def show_range(self, left: float, right: float) -> None:
        """Stop following and show ``left`` to ``right``, every index in it and room above
        for the labels."""
        self.set_follow(False)
        start = self._start(left)
        self.time_axis.earliest = start
        self.view.setLimits(xMin=min(left, start - (right - left) * 0.02))
        lo, hi = self.data.index_range(left, right)
        self.view.setRange(xRange=(left, right), yRange=self._y_range(lo, hi), padding=0)
        self.redraw()

    @Slot()
    def _on_manual_range(self, *_: object) -> None:
        (x0, x1), _y = self.view.viewRange()
        self._shown_span = max(10.0, x1 - x0)
        if self._shown_span != self._span:
            self._span = self._shown_span
            self.spanChanged.emit(self._span)
        self.set_follow(False)
        self.marks.update()

    @Slot()
    def _on_range(self, *_: object) -> None:
        self.marks.update()

    @Slot()
    def _on_resized(self, *_: object) -> None:
        self._fit_legend()
        self.index_axis.fit_title(self.view.size().height())
        self._range_dirty = True
        self.schedule_redraw()

    def share_times_with(self, leader: TimelinePlot) -> None:
        """Show the times ``leader`` shows (a plot above this one), at the same columns:
        following the present, this plot takes the leader's times rather than its own."""
        self._leader = leader
        self.plot.setXLink(leader.plot)
        for axis in (self.index_axis, leader.index_axis):
            axis.fix_width()

    def set_legend_shown(self, shown: bool) -> None:
        """Show or hide the legend (a small second plot goes without one)."""
        self.legend.setVisible(shown)
        self.marks.update()

    def _fit_legend(self) -> None:
        entries = max(1, len(self.legend.items))
        columns = max(1, min(entries, int(self.view.size().width() // LEGEND_COLUMN_PX)))
        if columns != self.legend.columnCount:
            self.legend.setColumnCount(columns)

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
            self.index_axis.highest = self._ymax if len(ys) else None
            self.time_axis.earliest = self._start(now)
            self.event_curve.setData(data.event_x.view(), data.event_y.view())
            if self.marks.list_expectations():
                self._fit_legend()
        self.step_curve.setData(*data.step_line(now), skipFiniteCheck=True)
        bx, by = data.band_line(now, self._ymax + 1.0)
        self.band_curve.setData(bx, by)
        self.now_line.setValue(now)
        self.marks.now = now
        if self._deadline is None:
            self.deadline_line.hide()
        else:
            self.deadline_line.setValue(self._deadline)
            self.deadline_line.show()
        if self._follow:
            self._follow_present(now)
        self.marks.update()

    def _start(self, now: float) -> float:
        """The first time drawn: nothing before it is shown."""
        data = self.data
        firsts = [a.view()[0] for a in (data.step_x, data.start_x, data.event_x) if a.size]
        return float(min(firsts)) if firsts else now

    def _follow_present(self, now: float) -> None:
        # The view moves in steps (when the present nears its right edge, or something
        # changed), not every second: redrawing the axes is most of an idle window's work.
        if self._leader is not None:  # its times come through the link: only the indexes
            left, right = self._leader.visible_range()
            self._range_dirty = False
            self.view.setRange(yRange=self._y_range(*self.data.index_range(left, right)), padding=0)
            return
        (x0, x1), _ = self.view.viewRange()
        start = self._start(now)
        fit_all = not math.isfinite(self._span)
        end = now
        deadline = self._deadline
        if (
            deadline is not None
            and deadline > now
            and (fit_all or deadline <= now + self._span * DEADLINE_SHARE)
        ):
            end = deadline
        whole = max(MIN_SPAN, end - start)  # what there is to show
        cap = self._span
        width = x1 - x0
        fits = width <= cap * 1.01 and (width >= cap * 0.99 or (width >= whole and x0 <= start))
        if not self._range_dirty and fits and x0 < now and end <= x1 - 0.04 * width:
            return
        self._range_dirty = False
        if not fit_all:  # the span asked for, the present near the right edge once it fills
            width = cap
            right = max(now + width * 0.12, end + width * 0.05, start + width * 0.98)
            left = right - width
        else:  # all there is, with room to grow into before the view moves again
            width = whole * 1.25
            left = start - width * 0.02
        right = left + width
        self._shown_span = width
        self.view.setLimits(xMin=start - width * 0.02)
        lo, hi = self.data.index_range(left, right)
        self.view.setRange(xRange=(left, right), yRange=self._y_range(lo, hi), padding=0)

    def _y_range(self, lo: float, hi: float) -> tuple[float, float]:
        """The indexes ``lo`` to ``hi`` with a margin, and a strip above them for labels
        (the deadline's among them) so that no label lies on the line."""
        pad = max(0.5, (hi - lo) * 0.08)
        bottom, top = max(0.0, lo - pad), hi + pad
        strip = 2 * (self.fontMetrics().height() + GAP)
        share = min(0.4, strip / max(1.0, self.view.size().height()))
        return bottom, top + (top - bottom) * share / (1 - share)

    def tip_at(self, scene_x: float, scene_y: float) -> str | None:
        """What the pointer at a scene position is over, failures first (None: nothing)."""
        return self.marks.tip_at(scene_x, scene_y)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.plot.viewport() and event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            scene = self.plot.mapToScene(event.pos())
            QToolTip.showText(event.globalPos(), self.tip_at(scene.x(), scene.y()) or HELP)
            return True
        return super().eventFilter(watched, event)

    # ------------------------------------------------------------ look and export

    def apply_colors(self, colors: Colors) -> None:
        """Colours for a light or a dark window (:mod:`snowsession_gui.widgets.palette`)."""
        c = self.colors = colors
        self.plot.setBackground(c.q("background"))
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
        self.band_curve.setFillBrush(pg.mkBrush(c.q("band")))
        self.marks.apply_colors(c)
        self.legend.setBrush(pg.mkBrush(c.background))
        self.legend.setPen(pg.mkPen(c.muted))
        self.deadline_line.setPen(pg.mkPen(c.due, width=1.5, style=Qt.PenStyle.DashLine))
        self.now_line.setPen(pg.mkPen(c.now, width=1, style=Qt.PenStyle.DotLine))
        self.legend.setLabelTextColor(c.foreground)
        for _sample, label in self.legend.items:
            label.setText(label.text, color=c.foreground)
        self._drawn_version = -1
        self.schedule_redraw()

    def picture(
        self,
        width: int,
        height: int,
        colors: Colors | None = None,
        shown: tuple[float, float] | None = None,
    ) -> QImage:
        """The plot as it is now (the same times and indexes, or the times ``shown``), drawn
        at ``width`` x ``height`` pixels however small it is on screen (in ``colors``,
        default its own). Its text grows with the picture (:func:`~.picture.picture_scale`)."""
        scale = picture_scale(width, height)
        copy = TimelinePlot(self.data, self._now)
        copy.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
        if not self._with_engine:
            copy.without_engine()
        copy.apply_colors(colors or self.colors)
        copy.set_deadline(self._deadline)
        copy.resize(round(width / scale), round(height / scale))
        copy.show()
        (x0, x1), _ = self.view.viewRange()
        copy.show_range(*(shown or (x0, x1)))
        image = render_scaled(copy, width, height, copy.colors.q("background"))
        copy.stop()
        copy.close()
        copy.deleteLater()
        return image

    def stop(self) -> None:
        self._redraw_timer.stop()

    def visible_range(self) -> tuple[float, float]:
        (x0, x1), _ = self.view.viewRange()
        return x0, x1
