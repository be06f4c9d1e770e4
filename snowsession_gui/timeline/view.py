"""The timeline: session index over simulated time, from the saved file, with why and when.

The data is collected from the first moment; the pyqtgraph plot (and the import of pyqtgraph,
the largest part of start-up) is built just after the window's first paint, or at once when
anything asks for it (:meth:`Timeline.ensure_plot`), so the window appears without waiting.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QImage, QPaintEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from session import BackgroundChanged, EventTracked, SessionStarted
from session.storage.report import Report
from snowsession_gui.model.drivers import ExpectationMark
from snowsession_gui.model.exports import write_bytes, write_text
from snowsession_gui.model.runs import PerRun, Run
from snowsession_gui.model.snapshot import SessionSnapshot
from snowsession_gui.model.timeline_data import DEFAULT_SPAN, Checked, TimelineData
from snowsession_gui.widgets.palette import LIGHT, Colors

from .picture import Heading, png_bytes, titled

if TYPE_CHECKING:
    from .plot import TimelinePlot

__all__ = ["EXPORT_SIZE", "EarlierRun", "Timeline"]

EXPORT_SIZE = (1600, 900)
"""The size of an exported picture, whatever the size on screen."""


@dataclass(slots=True)
class RunView:
    """What the timeline keeps of one run: its data, and how it was looked at."""

    data: TimelineData = field(default_factory=TimelineData)
    span: float | None = None
    follow: bool = True
    range: tuple[float, float] | None = None
    """The times shown when it was left, if it was not following the present."""
    seen: float = 0.0
    """The latest time it was shown at (the time it was left at, once left)."""
    left: int = 0
    """How many runs were left before this one was last left (0: never left)."""


@dataclass(frozen=True, slots=True)
class EarlierRun:
    """A run kept besides the one in force, to be drawn beside it: its data (read it, don't
    write it) and the time it was left at."""

    run: Run
    data: TimelineData
    ended: float


class Timeline(QWidget):
    """Feeds :class:`TimelineData` and draws it with a :class:`TimelinePlot`.

    Its slots take the host's signals (:meth:`start_run`, :meth:`add_start`,
    :meth:`add_events`, :meth:`set_background`, :meth:`show_state`, :meth:`add_reading`,
    :meth:`add_expectation`, :meth:`on_time`). It keeps what it drew of every run, so a run
    shown again (the window's own, after a scenario) is drawn as it was. The plot itself is
    :meth:`ensure_plot`.

    Signals: ``followChanged(bool)``, ``spanChanged(float)``; ``earlierRuns(list)`` with
    every :class:`EarlierRun`, the run just left last, whenever the run in force changed.
    """

    followChanged = Signal(bool)
    spanChanged = Signal(float)
    earlierRuns = Signal(object)

    def __init__(self, now: Callable[[], float], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timeline")
        self._now = now
        self.runs: PerRun[RunView] = PerRun(RunView)
        self._plot: TimelinePlot | None = None
        self._deadline: float | None = None
        self._colors = LIGHT
        self._with_engine = True
        self._runs_left = 0
        self._build = QTimer(self)  # parented: it goes with the timeline if that goes first
        self._build.setObjectName("timelineBuild")
        self._build.setSingleShot(True)
        self._build.setInterval(0)
        self._build.timeout.connect(self._build_after_paint)
        self._placeholder = QLabel("Drawing the timeline…")
        self._placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(self._placeholder)

    @property
    def data(self) -> TimelineData:
        """What is drawn of the run in force (fed by the slots below; read it, don't write
        it)."""
        return self.runs.current.data

    @property
    def _data(self) -> TimelineData:
        return self.runs.current.data

    # ------------------------------------------------------------ the plot, built late

    @property
    def built(self) -> bool:
        return self._plot is not None

    def ensure_plot(self) -> TimelinePlot:
        """The plot, built now if it was not."""
        if self._plot is None:
            from .plot import TimelinePlot

            plot = TimelinePlot(self._data, self._now, self)
            if not self._with_engine:
                plot.without_engine()
            plot.apply_colors(self._colors)
            view = self.runs.current
            if view.span is not None:
                plot.set_span(view.span)
            plot.set_deadline(self._deadline)
            plot.set_follow(view.follow)
            plot.followChanged.connect(self._on_follow_changed)
            plot.spanChanged.connect(self._on_span_changed)
            self._layout.replaceWidget(self._placeholder, plot)
            self._placeholder.deleteLater()
            self._plot = plot
            if self.isVisible():  # at its size now, so what is drawn first fits it
                plot.show()
                self._layout.activate()
            plot.redraw()
        return self._plot

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self._plot is None and not self._build.isActive():
            self._build.start()  # build once the first frame is on screen

    @Slot()
    def _build_after_paint(self) -> None:
        if self.isVisible():
            self.ensure_plot()

    def without_engine(self) -> None:
        """Show a file another program writes: no events, bands or reasons."""
        self._with_engine = False
        if self._plot is not None:
            self._plot.without_engine()

    # ------------------------------------------------------------ feeding

    def _changed(self) -> None:
        if self._plot is not None:
            self._plot.schedule_redraw()

    @Slot(object)
    def add_reading(self, report: Report) -> None:
        """A look at the save file (the host's ``fileRead``)."""
        index = report.saved.session_index if report.saved is not None else None
        now = self._now()
        self.runs.current.seen = max(self.runs.current.seen, now)
        if self._data.add_reading(now, index):
            self._changed()

    @Slot(object)
    def add_start(self, note: SessionStarted) -> None:
        self._data.add_start(note)
        self._changed()

    @Slot(object)
    def add_events(self, notes: Sequence[EventTracked]) -> None:
        self._data.add_events(notes)
        self._changed()

    @Slot(object)
    def set_background(self, note: BackgroundChanged) -> None:
        self._data.set_background(note.at, note.background)
        self._changed()

    @Slot(object)
    def add_expectation(self, mark: ExpectationMark) -> None:
        result = mark.result
        message = result.message
        self._data.add_expectation(mark.at, mark.index, Checked(result.passed, result.key, message))
        self._changed()

    @Slot(object)
    def show_state(self, snapshot: SessionSnapshot) -> None:
        """The deadline: when a new session is due if nothing else happens."""
        self.set_deadline(snapshot.due if snapshot.open else None)

    @Slot(float)
    def on_time(self, now: float) -> None:
        self.runs.current.seen = max(self.runs.current.seen, now)
        if self._plot is not None:
            self._plot.on_time(now)

    def set_deadline(self, at: float | None) -> None:
        """The time a new session is due if nothing happens (None: never)."""
        self._deadline = at
        if self._plot is not None:
            self._plot.set_deadline(at)

    @Slot(object)
    def start_run(self, run: Run) -> None:
        """Show ``run``: as it was left, if it was shown before, else from nothing."""
        plot = self._plot
        if plot is not None:
            left = self.runs.current
            left.span = plot.span
            left.range = None if plot.follow else plot.visible_range()
        leaving = self.runs.current
        if not self.runs.switch(run):
            return
        self._runs_left += 1
        leaving.left = self._runs_left
        view = self.runs.current
        self.earlierRuns.emit(self.earlier_runs())
        self.spanChanged.emit(self.span)
        if plot is not None:
            plot.set_data(view.data)
            plot.set_span(self.span)
            if view.follow or view.range is None:
                plot.set_follow(True)
                view.follow = True
            else:
                plot.show_range(*view.range)
        self.followChanged.emit(view.follow)

    def earlier_runs(self) -> list[EarlierRun]:
        """The runs kept besides the one in force that drew anything, in the order they
        were left: the run just left is the last."""
        kept = sorted(self.runs.earlier(), key=lambda kept: kept[1].left)
        return [
            EarlierRun(run, view.data, view.seen) for run, view in kept if view.data.step_x.size
        ]

    # ------------------------------------------------------------ view state

    @property
    def follow(self) -> bool:
        return self.runs.current.follow

    @Slot(bool)
    def set_follow(self, follow: bool) -> None:
        self.runs.current.follow = follow
        if self._plot is not None:
            self._plot.set_follow(follow)

    @Slot(bool)
    def _on_follow_changed(self, follow: bool) -> None:
        self.runs.current.follow = follow
        self.followChanged.emit(follow)

    @Slot(float)
    def _on_span_changed(self, seconds: float) -> None:
        self.runs.current.span = seconds
        self.spanChanged.emit(seconds)

    def set_span(self, seconds: float) -> None:
        """How many simulated seconds the view shows while it follows the present
        (``math.inf``: everything from the start)."""
        changed = seconds != self.span
        self.runs.current.span = seconds
        if self._plot is not None:
            self._plot.set_span(seconds)
        elif changed:
            self.spanChanged.emit(seconds)

    @property
    def span(self) -> float:
        """The span asked for while following (``math.inf``: everything)."""
        span = self.runs.current.span
        return DEFAULT_SPAN if span is None else span

    def show_range(self, left: float, right: float) -> None:
        """Stop following and show ``left`` to ``right``."""
        self.ensure_plot().show_range(left, right)

    def visible_range(self) -> tuple[float, float]:
        return self.ensure_plot().visible_range()

    def apply_colors(self, colors: Colors) -> None:
        self._colors = colors
        if self._plot is not None:
            self._plot.apply_colors(colors)

    def redraw(self) -> None:
        self.ensure_plot().redraw()

    def stop(self) -> None:
        self._build.stop()
        if self._plot is not None:
            self._plot.stop()

    # ------------------------------------------------------------ exports

    def picture(
        self,
        size: tuple[int, int] = EXPORT_SIZE,
        heading: Heading | None = None,
        colors: Colors | None = None,
        shown: tuple[float, float] | None = None,
    ) -> QImage:
        """The timeline as it is shown now (or the times ``shown``), at ``size`` pixels, with
        ``heading`` above it."""
        plot = self.ensure_plot()
        c = colors or self._colors
        return titled(lambda w, h: plot.picture(w, h, c, shown), *size, heading, c, self.font())

    def run_span(self) -> tuple[float, float]:
        """The run's own simulated times: its first step drawn, and the last moment simulated."""
        xs = self._data.step_x.view()
        now = self._now()
        return (min(float(xs[0]), now) if len(xs) else now), now

    def whole_run(self) -> tuple[float, float]:
        """The simulated times from the first thing drawn to the present, with a margin."""
        left, now = self.run_span()
        right = max(now, left + 60.0)
        width = right - left
        # before the start, no more than the view following the present allows; after the
        # present, room for the last session's labels
        return left - width * 0.02, right + width * 0.06

    def picture_times(self) -> tuple[float, float]:
        """The times a picture of the timeline shows: the whole run, unless a span other
        than the default was chosen or the view was moved by hand (then what is on
        screen)."""
        if self.follow and self.span in (DEFAULT_SPAN, math.inf):
            return self.whole_run()
        return self.visible_range()

    def export_png(
        self,
        path: str | Path,
        size: tuple[int, int] = EXPORT_SIZE,
        heading: Heading | None = None,
        shown: tuple[float, float] | None = None,
    ) -> None:
        """Write the timeline as it is shown now (or the times ``shown``), at ``size``
        pixels. Raises OSError."""
        write_bytes(path, png_bytes(self.picture(size, heading, shown=shown)))

    def export_csv(self, path: str | Path) -> None:
        """Write the session steps as CSV. Raises OSError."""
        write_text(path, self._data.to_csv())
