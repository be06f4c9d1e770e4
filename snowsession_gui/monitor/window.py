"""Monitor mode: the state and live timeline of a save file another program writes.

The window reads the file only, through a :class:`SaveFileWatcher` (the same looks and the
same words as ``snowsession watch``), its host: it draws from the watcher's signals only (the
first look, then each change, in order), never writes the file, never creates or takes its
``.lock``, and has no control that drives an engine. A file that disappears, comes back, is
replaced by another user's or is damaged is reported in the change list and the status line,
and watched on. A slow poll backs up the file system watcher (a folder that is deleted and
made again is not seen by it). The timeline follows the file at a span that fits how often it
changes until a span is chosen (View, or the toolbar's selector: presets and *Fit all*); after
a zoom, *Follow the file* (F) brings it back. The *Save file* tab shows the XML on disk and
what each change of it changed.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer, Slot
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from session.storage.report import Change, Report, describe
from snowsession_gui.host.save_watcher import SaveFileWatcher
from snowsession_gui.model.units import format_clock
from snowsession_gui.timeline.spans import MONITOR_SPANS, FollowControls
from snowsession_gui.timeline.view import Timeline
from snowsession_gui.widgets.menus import close_keys
from snowsession_gui.widgets.palette import LIGHT, Colors, colors, is_dark, text_style
from snowsession_gui.widgets.save_file_view import SaveFileView

from .file_state import FileStateForm, wall_text

__all__ = ["MonitorWindow", "pace_span"]

FIRST_SPAN = 300.0
"""Seconds shown before the file's pace is known."""


def pace_span(change_times: list[float]) -> float:
    """A span that shows about thirty changes at the pace the file changes (30 s to 1 h)."""
    gaps = [b - a for a, b in zip(change_times[-21:], change_times[-20:], strict=False) if b > a]
    if not gaps:
        return FIRST_SPAN
    return min(3600.0, max(30.0, 30 * statistics.median(gaps)))


class MonitorWindow(QMainWindow):
    """Watches ``path`` read-only.

    Parameters
    ----------
    now
        Seconds for the timeline's time axis (default: real seconds since monitoring began).
    wall
        The wall clock, for "changed N s ago" (default ``time.time``).
    poll_ms
        How often the file is looked at besides the watcher's notifications (0: never).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        now: Callable[[], float] | None = None,
        wall: Callable[[], float] = time.time,
        poll_ms: int = 1000,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("monitorWindow")
        self.path = Path(path).absolute()
        start = time.monotonic()
        self._now = now or (lambda: time.monotonic() - start)
        self._wall = wall
        self.changes = 0
        self.change_times: list[float] = []
        self.last_change: float | None = None
        """Wall time of the last change seen (the file's modification time when it has one)."""
        self._report: Report | None = None
        self._paced = True
        """The span follows the file's pace until one is chosen."""
        self.colors: Colors = LIGHT
        self.setWindowTitle(f"monitoring {self.path.name} (read-only) — snowsession")
        self._make_banner_and_status()
        self._make_timeline()
        self.file_state = FileStateForm()
        self.index_value = self.file_state.index_value
        self.fields = self.file_state.fields
        self.log = self._change_list()
        self._lay_out(self.file_state)
        self._toolbar_and_menus()
        self._watch(poll_ms)
        self.resize(1100, 700)
        self.apply_palette()

    # ------------------------------------------------------------ the parts

    def _make_banner_and_status(self) -> None:
        self.banner = QLabel(
            f"MONITORING (read-only): {self.path} — this window never writes the file "
            "and takes no lock; the program that owns it keeps writing."
        )
        self.banner.setObjectName("monitorBanner")
        self.banner.setAccessibleName("Monitor mode")
        self.banner.setWordWrap(True)
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = QLabel()
        self.status.setObjectName("monitorStatus")
        self.status.setAccessibleName("Last change")
        self.status.setWordWrap(True)

    def _make_timeline(self) -> None:
        self.timeline = Timeline(self._now, self)
        self.timeline.without_engine()
        self.timeline.set_span(FIRST_SPAN)
        self.timeline.setToolTip("Session index of the file over the time it has been monitored")

    @staticmethod
    def _change_list() -> QListWidget:
        log = QListWidget()
        log.setObjectName("monitorLog")
        log.setAccessibleName("Changes of the file")
        log.setToolTip("Each change of the file, as it was seen")
        return log

    def _lay_out(self, state: QWidget) -> None:
        center = QWidget()
        layout = QVBoxLayout(center)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.status)
        layout.addWidget(self.timeline, 1)
        self.setCentralWidget(center)
        left, bottom = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.BottomDockWidgetArea
        state_dock = self._dock("monitorStateDock", "File state", state, left)
        self.resizeDocks([state_dock], [440], Qt.Orientation.Horizontal)
        log_dock = self._dock("monitorLogDock", "Changes", self.log, bottom)
        self.resizeDocks([log_dock], [160], Qt.Orientation.Vertical)
        self.save_view = SaveFileView(self._now)
        self.save_dock = self._dock("monitorSaveFileDock", "Save file", self.save_view, bottom)
        self.tabifyDockWidget(log_dock, self.save_dock)
        log_dock.raise_()

    def _dock(self, name: str, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _watch(self, poll_ms: int) -> None:
        """Listen to the watcher, the monitor's host: the first look, then each change."""
        self.watcher = SaveFileWatcher(self.path, parent=self)
        self.watcher.watching.connect(self._on_first_look)
        self.watcher.changed.connect(self._on_change)
        self._poll = QTimer(self)
        self._poll.setObjectName("monitorPoll")
        self._poll.timeout.connect(self._on_poll)
        if poll_ms > 0:
            self._poll.start(poll_ms)
        self.watcher.watch(self.path)

    def _toolbar_and_menus(self) -> None:
        self.following = FollowControls(
            self,
            self.timeline,
            MONITOR_SPANS,
            what="the file",
            prefix="monitor",
        )
        self.following.chosen.connect(self._on_span_chosen)
        self.follow_button = self.following.follow_button
        toolbar = QToolBar("View", self)
        toolbar.setObjectName("monitorToolBar")
        toolbar.setMovable(False)
        toolbar.addWidget(self.following.selector)
        toolbar.addWidget(self.follow_button)
        self.addToolBar(toolbar)

        file = self.menuBar().addMenu("&File")
        for text, slot, name in (
            ("Export timeline as &PNG…", self.choose_export_png, "exportPngAction"),
            ("Export timeline as &CSV…", self.choose_export_csv, "exportCsvAction"),
        ):
            action = file.addAction(text)
            action.setObjectName(name)
            action.triggered.connect(slot)
        file.addSeparator()
        close = file.addAction("&Close")
        close.setObjectName("closeMonitorAction")
        close.setShortcuts(close_keys())
        close.triggered.connect(self.close)
        view = self.menuBar().addMenu("&View")
        for action in (self.following.follow_action, *self.following.actions):
            view.addAction(action)
            self.addAction(action)
        view.addSeparator()
        view.addAction(self.save_dock.toggleViewAction())
        self.addAction(close)

    @Slot(float)
    def _on_span_chosen(self, _seconds: float) -> None:
        """A span chosen by hand is kept: the timeline no longer paces itself by the file."""
        self._paced = False

    def ensure_plot(self) -> None:
        """Build the timeline's plot now, labelled for a monitor."""
        plot = self.timeline.ensure_plot()
        plot.plot.getPlotItem().setLabel("bottom", "time since monitoring began")

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.ensure_plot()

    # ------------------------------------------------------------ looks at the file

    @Slot(Report)
    def _on_first_look(self, report: Report) -> None:
        if report.state == "missing":
            self._show(report, "no file at this path yet: watching for it")
        else:
            self._show(report, f"first look: {describe(report)}")

    @Slot(object)
    def _on_change(self, change: Change) -> None:
        text = change.text
        if change.after.state == "missing":
            text += ": watching for it to come back"
        self._show(change.after, text)

    def _show(self, report: Report, text: str) -> None:
        self._report = report
        self.changes += 1
        now = self._now()
        self.change_times.append(now)
        self.last_change = report.modified if report.modified is not None else self._wall()
        self.log.addItem(f"{format_clock(now)}  {text}")
        self.log.scrollToBottom()
        self.timeline.add_reading(report)
        self.save_view.add_reading(report, text)
        if self.timeline.follow and self._paced:
            self.timeline.set_span(pace_span(self.change_times))
        self.file_state.show_report(report)
        self._show_status()

    @Slot()
    def _on_poll(self) -> None:
        self.watcher.read_now()
        self.timeline.on_time(self._now())
        self._show_status()

    def _problem(self) -> str:
        report = self._report
        if report is None:
            return ""
        if report.state == "missing":
            return "The file is missing — watching for it to come back."
        if report.state == "unreadable":
            return f"The file is unreadable: {report.error} — watching for a good save."
        if report.state == "damaged":
            return "The file is damaged (see Problem) — watching for a good save."
        if report.state == "foreign":
            return f"Not a save file: {report.error} — watching for a save file."
        return ""

    def _show_status(self) -> None:
        problem = self._problem()
        changed = "never seen" if self.last_change is None else wall_text(self.last_change)
        ago = ""
        if self.last_change is not None:
            ago = f" ({max(0, round(self._wall() - self.last_change))} s ago)"
        plural = "" if self.changes == 1 else "s"
        text = f"Last changed: {changed}{ago} · {self.changes} change{plural} seen"
        self.status.setText(f"{problem}  {text}" if problem else text)
        c = self.colors
        self.status.setStyleSheet(
            text_style(c.problem, bold=True, extra="padding: 2px 8px;")
            if problem
            else "padding: 2px 8px;"
        )

    def apply_palette(self) -> None:
        c = self.colors = colors(is_dark(self))
        self.banner.setStyleSheet(
            f"background: {c.info}; color: {c.on_strong}; padding: 8px; font-weight: bold;"
        )
        self.timeline.apply_colors(c)
        self.save_view.apply_colors(c)
        self.file_state.apply_colors(c)
        self._show_status()

    # ------------------------------------------------------------ exports, closing

    @Slot()
    def choose_export_png(self) -> None:
        self._export("png", "PNG (*.png)", self.timeline.export_png)

    @Slot()
    def choose_export_csv(self) -> None:
        self._export("csv", "CSV (*.csv)", self.timeline.export_csv)

    def _export(self, kind: str, pattern: str, write: Callable[[Path], None]) -> None:
        default = str(Path.home() / f"{self.path.stem}-timeline.{kind}")
        path, _ = QFileDialog.getSaveFileName(self, "Export the timeline", default, pattern)
        if not path:
            return
        try:
            write(Path(path))
        except OSError as error:
            QMessageBox.warning(
                self, "Export failed", f"could not write {path}: {error.strerror or error}"
            )

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:  # the system or the app turned dark
            self.apply_palette()
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._poll.stop()
        self.timeline.stop()
        self.watcher.stop()
        super().closeEvent(event)
