"""The timeline: session index over simulated time, from the saved file, with why and when.

The data is collected from the first moment; the pyqtgraph plot (and the import of pyqtgraph,
the largest part of start-up) is built just after the window's first paint, or at once when
anything asks for it, so the window appears without waiting for it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from session import BackgroundChanged, EventTracked, Notification, SessionStarted

from .save_watcher import SaveFileReading
from .timeline_data import TimelineData

if TYPE_CHECKING:
    from .timeline_plot import TimelinePlot

__all__ = ["Timeline"]


class Timeline(QWidget):
    """Feeds :class:`TimelineData` and draws it with a :class:`TimelinePlot`.

    Feed it with :meth:`on_reading` (save file readings) and :meth:`on_note` (engine
    notifications). Any attribute of the plot (``plot``, ``step_curve``, ``redraw``, …) can
    be reached through this widget; reaching one builds the plot if it is not built yet.
    """

    followChanged = Signal(bool)

    def __init__(self, now: Callable[[], float], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timeline")
        self._now = now
        self.data = TimelineData()
        self._plot: TimelinePlot | None = None
        self._deadline: float | None = None
        self._follow = True
        self._span: float | None = None
        self._dark = False
        self._scheduled = False
        self._placeholder = QLabel("Drawing the timeline…")
        self._placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(self._placeholder)

    # ------------------------------------------------------------ the plot, built late

    @property
    def built(self) -> bool:
        return self._plot is not None

    def ensure_plot(self) -> TimelinePlot:
        """The plot, built now if it was not."""
        if self._plot is None:
            from .timeline_plot import TimelinePlot

            plot = TimelinePlot(self.data, self._now, self)
            plot.apply_palette(self._dark)
            if self._span is not None:
                plot.set_span(self._span)
            plot.set_deadline(self._deadline)
            plot.set_follow(self._follow)
            plot.followChanged.connect(self._on_follow_changed)
            self._layout.replaceWidget(self._placeholder, plot)
            self._placeholder.deleteLater()
            self._plot = plot
            plot.redraw()
        return self._plot

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self._plot is None and not self._scheduled:
            self._scheduled = True  # build once the first frame is on screen
            QTimer.singleShot(0, self, self._build_after_paint)

    @Slot()
    def _build_after_paint(self) -> None:
        self.ensure_plot()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.ensure_plot(), name)

    # ------------------------------------------------------------ feeding

    def _changed(self) -> None:
        if self._plot is not None:
            self._plot.schedule_redraw()

    @Slot(object)
    def on_reading(self, reading: SaveFileReading) -> None:
        """A new reading of the save file."""
        if self.data.add_reading(self._now(), reading.session_index):
            self._changed()

    @Slot(object)
    def on_note(self, note: Notification) -> None:
        """An engine notification: reasons, events and background periods."""
        if isinstance(note, EventTracked):
            self.data.add_event(note.at, note.state.session_index)
        elif isinstance(note, SessionStarted):
            self.data.add_start(note)
        elif isinstance(note, BackgroundChanged):
            self.data.set_background(note.at, note.background)
        else:
            return
        self._changed()

    @Slot(float)
    def on_time(self, now: float) -> None:
        if self._plot is not None:
            self._plot.on_time(now)

    def set_deadline(self, at: float | None) -> None:
        """The time a new session is due if nothing happens (None: never)."""
        self._deadline = at
        if self._plot is not None:
            self._plot.set_deadline(at)

    def clear(self) -> None:
        self.data = TimelineData()
        if self._plot is not None:
            self._plot.set_data(self.data)

    # ------------------------------------------------------------ view state

    @property
    def follow(self) -> bool:
        return self._follow

    @Slot(bool)
    def set_follow(self, follow: bool) -> None:
        self._follow = follow
        if self._plot is not None:
            self._plot.set_follow(follow)

    @Slot(bool)
    def _on_follow_changed(self, follow: bool) -> None:
        self._follow = follow
        self.followChanged.emit(follow)

    def set_span(self, seconds: float) -> None:
        self._span = seconds
        if self._plot is not None:
            self._plot.set_span(seconds)

    def apply_palette(self, dark: bool) -> None:
        self._dark = dark
        if self._plot is not None:
            self._plot.apply_palette(dark)

    def redraw(self) -> None:
        if self._plot is not None:
            self._plot.redraw()

    def stop(self) -> None:
        if self._plot is not None:
            self._plot.stop()

    def export_png(self, path: str | Path) -> bool:
        return self.ensure_plot().export_png(path)

    def export_csv(self, path: str | Path) -> None:
        Path(path).write_text(self.data.to_csv(), encoding="utf-8")
