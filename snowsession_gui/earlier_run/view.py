"""An earlier run drawn under the one in force: pick one of the runs the timeline kept (the
window's own before a scenario, a scenario run after Stop, a file opened before) and see its
whole timeline, to compare two runs side by side."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from snowsession_gui.model.units import format_clock
from snowsession_gui.timeline.view import EarlierRun
from snowsession_gui.widgets.palette import LIGHT, Colors

if TYPE_CHECKING:
    from snowsession_gui.model.timeline_data import TimelineData
    from snowsession_gui.timeline.plot import TimelinePlot

__all__ = ["EarlierRunView"]

NONE_YET = (
    "No earlier run yet. Play a scenario and stop it, or open another save file: the run "
    "you leave can then be drawn here, under the one in force."
)


class EarlierRunView(QWidget):
    """``earlierRunSelector``, ``earlierRunCaption`` and the run's ``earlierRunPlot``, fitted
    to the whole run. Fed by the timeline's ``earlierRuns``; it only reads what it is sent."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("earlierRunView")
        self._runs: list[EarlierRun] = []
        self._end = 0.0
        self.selector = QComboBox()
        self.selector.setObjectName("earlierRunSelector")
        self.selector.setAccessibleName("Earlier run shown")
        self.selector.setToolTip("Which earlier run is drawn here")
        self.selector.setMinimumContentsLength(24)
        self.caption = QLabel(NONE_YET)
        self.caption.setObjectName("earlierRunCaption")
        self.caption.setWordWrap(True)
        self.plot: TimelinePlot | None = None
        """Built when there is a first run to draw (pyqtgraph is not loaded before)."""
        self._colors = LIGHT
        top = QHBoxLayout()
        top.addWidget(self.selector)
        top.addWidget(self.caption, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addLayout(top)
        self._layout = layout
        self.selector.hide()
        self.selector.activated.connect(self._on_selected)

    def _ended(self) -> float:
        return self._end

    @property
    def shown(self) -> EarlierRun | None:
        """The run drawn (None: there is none)."""
        index = self.selector.currentIndex()
        return self._runs[index] if 0 <= index < len(self._runs) else None

    @Slot(object)
    def set_runs(self, runs: Sequence[EarlierRun]) -> None:
        """The runs kept besides the one in force, the run just left last: that one is
        shown (it is sent when the run in force changed)."""
        self._runs = list(runs)
        self.selector.clear()
        for earlier in self._runs:
            self.selector.addItem(earlier.run.title)
        self.selector.setCurrentIndex(len(self._runs) - 1)
        self._show()

    @Slot(int)
    def _on_selected(self, _index: int) -> None:
        self._show()

    def _ensure_plot(self, data: TimelineData) -> TimelinePlot:
        if self.plot is None:
            from snowsession_gui.timeline.plot import TimelinePlot

            self.plot = TimelinePlot(data, self._ended, self)
            self.plot.plot.setObjectName("earlierRunPlot")
            self.plot.plot.setAccessibleName("Earlier run's timeline")
            self.plot.apply_colors(self._colors)
            self.plot.set_legend_shown(False)  # the timeline above has the same one
            self._layout.addWidget(self.plot, 1)
        return self.plot

    def _show(self) -> None:
        earlier = self.shown
        self.selector.setVisible(earlier is not None)
        if self.plot is not None:
            self.plot.setVisible(earlier is not None)
        if earlier is None:
            self.caption.setText(NONE_YET)
            return
        self._end = earlier.ended
        data = earlier.data
        indices = data.step_y.view()
        low, high = (int(indices.min()), int(indices.max())) if indices.size else (0, 0)
        starts, events = data.start_x.size, data.event_x.size
        shown = f"index {low}" if low == high else f"indices {low} to {high}"
        self.caption.setText(
            f"Left at {format_clock(earlier.ended)} · {starts} session start"
            f"{'' if starts == 1 else 's'} ({shown}) · {events} event{'' if events == 1 else 's'}"
        )
        plot = self._ensure_plot(data)
        plot.set_data(data)
        plot.set_span(math.inf)
        plot.set_follow(True)
        plot.redraw()

    def apply_colors(self, colors: Colors) -> None:
        self._colors = colors
        if self.plot is not None:
            self.plot.apply_colors(colors)

    def stop(self) -> None:
        if self.plot is not None:
            self.plot.stop()
