"""What the main window offers its features beyond the frame's extension points.

A feature asks the window (fire an event as the controls do, show the whole run, the rows of
the event log, a picture of the timeline) and never reaches into the widget that holds the
answer, so a view can change inside without breaking a feature. ``tests/gui/test_feature_reach.py``
keeps it so.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QImage

from session import SessionStarted
from snowsession_gui.model.exports import Row
from snowsession_gui.timeline.picture import Heading
from snowsession_gui.timeline.view import EXPORT_SIZE, EarlierRun, Timeline
from snowsession_gui.widgets.controls import Controls
from snowsession_gui.widgets.event_log import ColumnHandle, EventColumn, EventLog
from snowsession_gui.widgets.palette import Colors

__all__ = ["FeatureOffers"]


class FeatureOffers:
    """The main window's methods for features (mixed into
    :class:`~snowsession_gui.window.main_window.MainWindow`, which holds the views)."""

    timeline: Timeline
    event_log: EventLog
    controls: Controls

    def add_event_column(self, column: EventColumn, position: int | None = None) -> ColumnHandle:
        """Add a column to the event log (shown at ``position``, default last)."""
        return self.event_log.add_column(column, position)

    def fire_event(self) -> None:
        """Track one event, as the Fire event button does (and say so, or why not)."""
        self.controls.fire_event()

    def show_whole_run(self, *, at_once: bool = False) -> None:
        """Fit all: the timeline follows the present showing everything from the start;
        ``at_once`` draws it now rather than at the next frame."""
        self.timeline.set_span(math.inf)
        if at_once:
            self.timeline.redraw()

    def shows_events(self) -> bool:
        """Whether the timeline of the run in force has an event on it."""
        return self.timeline.data.event_x.size > 0

    def session_starts(self) -> list[SessionStarted]:
        """The sessions started in the run in force, oldest first."""
        return list(self.timeline.data.starts)

    def event_rows(self) -> list[Row]:
        """The event log's rows of the run in force."""
        return list(self.event_log.rows)

    def on_earlier_runs(self, slot: Callable[[list[EarlierRun]], None]) -> None:
        """Call ``slot`` with the earlier runs the timeline keeps, each time they change."""
        self.timeline.earlierRuns.connect(slot)

    # ------------------------------------------------------------ the timeline as shown

    def shown_range(self) -> tuple[float, float]:
        """The simulated times the timeline shows now."""
        return self.timeline.visible_range()

    def run_range(self) -> tuple[float, float]:
        """The run's own simulated times: its first step drawn, and the last moment simulated."""
        return self.timeline.run_span()

    def picture_range(self) -> tuple[float, float]:
        """The simulated times a picture of the timeline shows: the whole run, unless a
        span was chosen or the view moved by hand (then what is on screen)."""
        return self.timeline.picture_times()

    def whole_run_range(self) -> tuple[float, float]:
        """The simulated times from the first thing drawn to the present, with a margin."""
        return self.timeline.whole_run()

    def timeline_picture(
        self,
        size: tuple[int, int] = EXPORT_SIZE,
        heading: Heading | None = None,
        colors: Colors | None = None,
        shown: tuple[float, float] | None = None,
    ) -> QImage:
        """The timeline as shown (or the times ``shown``) at ``size``, ``heading`` above."""
        return self.timeline.picture(size, heading, colors, shown)

    def export_timeline_png(
        self,
        path: str | Path,
        size: tuple[int, int] = EXPORT_SIZE,
        heading: Heading | None = None,
        shown: tuple[float, float] | None = None,
    ) -> None:
        """Write the timeline as shown (or the times ``shown``) at ``size`` pixels. Raises
        OSError."""
        self.timeline.export_png(path, size, heading, shown)

    def export_timeline_csv(self, path: str | Path) -> None:
        """Write the session steps of the run in force as CSV. Raises OSError."""
        self.timeline.export_csv(path)
