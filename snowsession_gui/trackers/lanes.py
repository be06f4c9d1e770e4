"""The tracker lanes (pyqtgraph): one lane per user (device), session index over wall-clock
time, every lane on one time axis.

As many lanes are on screen as fit at a readable height (one fills the view; thirty scroll,
a page at a time); the lanes on screen are reused as the list scrolls. It draws from the
frozen :class:`~snowsession_gui.model.tracker_data.Frame` it is given, and fits the time axis to
everything until the user drags or zooms (:meth:`TrackerLanes.fit` brings that back).
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF, Qt, Signal, Slot
from PySide6.QtGui import QHelpEvent, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QScrollBar, QToolTip, QVBoxLayout, QWidget

from snowsession_gui.model.lane_shapes import LaneShapes, extent, lane_shapes, lane_tip
from snowsession_gui.model.tracker_data import Frame
from snowsession_gui.widgets.palette import LIGHT, Colors

from .lane import Lane, LaneIndexAxis, WallClockAxis

__all__ = ["LANE_PX", "TrackerLanes", "rich"]

LANE_PX = 76
"""The least height a lane gets; fewer lanes than fit share the height."""
TIP_PX = 8
"""How near (pixels) the pointer must be to a mark for its tooltip."""
MIN_SPAN = 60.0
MARGINS = (2, 2, 8, 2)
"""Around the lanes: left, top, right, bottom (pixels)."""
HELP = (
    "One lane per user (device): the session index over time (UTC). Drag to pan, wheel to "
    "zoom; hover a red mark to read a finding, a line for its session, a dashed step for the "
    "idle gap; click a lane to see its chain below."
)


def rich(text: str) -> str:
    """Plain text (ids and messages from trackers among it) as a tooltip that shows it as it
    is, never as markup."""
    return "<p style='white-space:pre-wrap'>" + html.escape(text).replace("\n", "<br>") + "</p>"


class TrackerLanes(QWidget):
    """The lanes of the users given to :meth:`show_frame` (objectName ``trackerLanes``).

    Signals: ``userPicked(user_id)`` when a lane is clicked; ``fitChanged(bool)`` when the
    time axis stops or starts fitting everything.
    """

    userPicked = Signal(str)
    fitChanged = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trackerLanes")
        self.frame = Frame()
        self.users: tuple[str, ...] = ()
        self.selected: str | None = None
        self.colors = LIGHT
        self.fitting = True
        self.lanes: list[Lane] = []
        self._shapes: dict[str, LaneShapes] = {}
        self.plot = pg.GraphicsLayoutWidget()
        self.plot.setObjectName("trackerLanesPlot")
        self.plot.setAccessibleName("Tracker lanes")
        self.plot.ci.setSpacing(0)
        self.plot.ci.setContentsMargins(*MARGINS)
        self.plot.viewport().installEventFilter(self)
        self.plot.scene().sigMouseClicked.connect(self._on_click)
        self.scroller = QScrollBar(Qt.Orientation.Vertical)
        self.scroller.setObjectName("laneScroll")
        self.scroller.setAccessibleName("Scroll the lanes")
        self.scroller.valueChanged.connect(self._place)
        self.empty = QLabel()
        self.empty.setTextFormat(Qt.TextFormat.PlainText)  # file names, ids, typed text
        self.empty.setObjectName("lanesEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.plot, 1)
        row.addWidget(self.empty, 1)
        row.addWidget(self.scroller)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row, 1)
        self.setMinimumHeight(LANE_PX + 30)
        self.set_empty_text("No tracker events yet.")
        self.apply_colors(LIGHT)

    # ------------------------------------------------------------ data

    def set_empty_text(self, text: str) -> None:
        self.empty.setText(text)
        self._show_empty()

    def _show_empty(self) -> None:
        empty = not self.users
        self.empty.setVisible(empty)
        self.plot.setVisible(not empty)

    def show_frame(self, frame: Frame, users: Sequence[str], selected: str | None) -> None:
        """Draw ``users`` (in this order) of ``frame``, ``selected`` marked."""
        self.frame, self.users, self.selected = frame, tuple(users), selected
        kept: dict[str, LaneShapes] = {}
        for user_id in self.users:
            user = frame.report.user(user_id)
            if user is None:
                continue
            trail = frame.trail(user_id)
            shapes = self._shapes.get(user_id)
            if shapes is None or shapes.user != user or shapes.dots_x is not trail.times:
                shapes = lane_shapes(user, trail)
            kept[user_id] = shapes
        self._shapes = kept
        self._show_empty()
        self._place()
        if self.fitting:
            self.fit()

    def shapes(self, user_id: str) -> LaneShapes | None:
        """What the lane of ``user_id`` draws (None: not among the users given)."""
        return self._shapes.get(user_id)

    # ------------------------------------------------------------ lanes on screen

    def capacity(self) -> int:
        """How many lanes fit at :data:`LANE_PX` or more."""
        return max(1, self.height() // LANE_PX)

    def visible_users(self) -> list[str]:
        return [lane.user_id for lane in self.lanes if lane.user_id is not None]

    def _pool(self, count: int) -> None:
        if count == len(self.lanes):
            return
        x_range = self.lanes[0].view.viewRange()[0] if self.lanes else None
        self.plot.ci.clear()
        self.lanes = []
        for row in range(count):
            axis = LaneIndexAxis("left")
            item = self.plot.ci.addPlot(
                row=row, col=0, axisItems={"left": axis, "bottom": WallClockAxis("bottom")}
            )
            lane = Lane(item, axis)
            lane.apply_colors(self.colors)
            if self.lanes:
                lane.view.setXLink(self.lanes[0].view)
            lane.view.sigRangeChangedManually.connect(self._on_manual_range)
            self.lanes.append(lane)
        if x_range is not None and self.lanes:
            self.lanes[0].view.setXRange(x_range[0], x_range[1], padding=0)

    @Slot()
    def _place(self) -> None:
        count = min(self.capacity(), len(self.users))
        self.scroller.setRange(0, max(0, len(self.users) - count))
        self.scroller.setPageStep(max(1, count))
        self.scroller.setVisible(len(self.users) > count)
        self._pool(max(1, count))
        start = self.scroller.value()
        shown = self.users[start : start + count]
        for i, lane in enumerate(self.lanes):
            user = shown[i] if i < len(shown) else None
            lane.show(None if user is None else self._shapes.get(user), user == self.selected)
            lane.show_time_axis(i == len(self.lanes) - 1)
        self._share_height()

    def _share_height(self) -> None:
        """Every lane's plot as tall as the others: the last row is taller by the time axis
        it carries (rows shared evenly would make its plot the shortest)."""
        if not self.lanes:
            return
        layout = self.plot.ci.layout
        rows = len(self.lanes)
        axis = self.lanes[-1].plot.getAxis("bottom")
        extra = axis.maximumHeight() if axis.isVisible() else 0.0
        total = self.plot.viewport().height() - MARGINS[1] - MARGINS[3]
        each = max(1.0, (total - extra) / rows)
        for row in range(rows):
            layout.setRowFixedHeight(row, each + (extra if row == rows - 1 else 0.0))

    def scroll_to(self, user_id: str) -> None:
        """Bring the lane of ``user_id`` on screen."""
        if user_id not in self.users:
            return
        index = self.users.index(user_id)
        start, count = self.scroller.value(), max(1, min(self.capacity(), len(self.users)))
        if not start <= index < start + count:
            self.scroller.setValue(min(index, self.scroller.maximum()))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place()
        if self.fitting:
            self.fit()

    # ------------------------------------------------------------ the time axis

    def extent(self) -> tuple[float, float] | None:
        """The first and last times of every user given (not only those on screen)."""
        spans = [span for span in map(extent, self._shapes.values()) if span is not None]
        if not spans:
            return None
        return min(a for a, _ in spans), max(b for _, b in spans)

    @Slot()
    def fit(self) -> None:
        """Show every event of every user, and keep doing so as events come."""
        changed = not self.fitting
        self.fitting = True
        found = self.extent()
        if found is not None and self.lanes:
            first, last = found
            if last - first < MIN_SPAN:
                middle = (first + last) / 2
                first, last = middle - MIN_SPAN / 2, middle + MIN_SPAN / 2
            pad = (last - first) * 0.03
            self.lanes[0].view.setXRange(first - pad, last + pad, padding=0)
        if changed:
            self.fitChanged.emit(True)

    @Slot()
    def _on_manual_range(self, *_: object) -> None:
        if self.fitting:
            self.fitting = False
            self.fitChanged.emit(False)

    def visible_range(self) -> tuple[float, float]:
        (x0, x1), _ = self.lanes[0].view.viewRange()
        return x0, x1

    def show_range(self, left: float, right: float) -> None:
        """Stop fitting and show ``left`` to ``right`` (Unix seconds)."""
        self._on_manual_range()
        self.lanes[0].view.setXRange(left, right, padding=0)

    # ------------------------------------------------------------ pointer

    def lane_at(self, scene: QPointF) -> Lane | None:
        for lane in self.lanes:
            if lane.shapes is not None and lane.view.sceneBoundingRect().contains(scene):
                return lane
        return None

    def tip_at(self, scene: QPointF) -> str | None:
        """What the pointer at ``scene`` is over (None: nothing there)."""
        lane = self.lane_at(scene)
        if lane is None or lane.shapes is None:
            return None
        point = lane.view.mapSceneToView(scene)
        (x0, x1), (y0, y1) = lane.view.viewRange()
        box = lane.view.sceneBoundingRect()
        dx = TIP_PX * (x1 - x0) / max(1.0, box.width())
        dy = TIP_PX * (y1 - y0) / max(1.0, box.height())
        return lane_tip(lane.shapes, self.frame.rules, point.x(), point.y(), dx, max(dy, 0.3))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.plot.viewport() and event.type() == QEvent.Type.Resize:
            self._share_height()
        if watched is self.plot.viewport() and event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            scene = self.plot.mapToScene(event.pos())
            QToolTip.showText(event.globalPos(), rich(self.tip_at(scene) or HELP), self.plot)
            return True
        return super().eventFilter(watched, event)

    @Slot(object)
    def _on_click(self, event: object) -> None:
        scene_pos = getattr(event, "scenePos", None)
        if scene_pos is None:
            return
        lane = self.lane_at(scene_pos())
        if lane is not None and lane.user_id is not None:
            self.userPicked.emit(lane.user_id)

    # ------------------------------------------------------------ look

    def apply_colors(self, colors: Colors) -> None:
        self.colors = colors
        self.plot.setBackground(colors.q("background"))
        for lane in self.lanes:
            lane.apply_colors(colors)
