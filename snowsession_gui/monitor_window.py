"""Monitor mode: the state and live timeline of a save file another program writes.

The window reads the file only (``session.read_save_file`` through a :class:`SaveFileWatcher`):
it never writes it, never creates or takes its ``.lock``, and has no control that drives an
engine. A file that disappears, comes back, is replaced by another user's or is corrupt is
reported in the banner and in the change list, and watched on. A slow poll backs up the file
system watcher (a folder that is deleted and made again is not seen by it).
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QCloseEvent, QFontDatabase, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QFormLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from session.storage.report import read_report

from .save_watcher import SaveFileReading, SaveFileWatcher
from .sim_clock import format_clock
from .state_panel import session_index_label
from .timeline import Timeline

__all__ = ["MonitorWindow"]

BANNER = "#b45309"
PROBLEM = "#dc2626"


def _wall(stamp: float | None) -> str:
    if stamp is None:
        return "—"
    return datetime.datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M:%S")


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
        self.last_change: float | None = None
        """Wall time of the last change seen (the file's modification time when it has one)."""
        self._previous: SaveFileReading | None = None
        self.setWindowTitle(f"snowsession — monitoring {self.path.name} (read-only)")

        self.banner = QLabel()
        self.banner.setObjectName("monitorBanner")
        self.banner.setAccessibleName("Monitor mode")
        self.banner.setWordWrap(True)
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner.setStyleSheet(
            f"background: {BANNER}; color: white; padding: 8px; font-weight: bold;"
        )
        self.status = QLabel()
        self.status.setObjectName("monitorStatus")
        self.status.setAccessibleName("Last change")
        self.status.setStyleSheet("padding: 2px 8px;")
        self.status.setWordWrap(True)

        self.timeline = Timeline(self._now, self)
        self.timeline.setToolTip("Session index of the file over the time it has been monitored")

        self.index_value = session_index_label(self)
        self.fields: dict[str, QLabel] = {}
        form = QFormLayout()
        form.addRow("Session index", self.index_value)
        for name, title in (
            ("userIdValue", "User id"),
            ("sessionIdValue", "Session id"),
            ("previousSessionIdValue", "Previous session id"),
            ("fileChangedValue", "File changed"),
            ("fileProblemValue", "Problem"),
            ("dotnetVerdictValue", "A .NET app"),
        ):
            label = QLabel("—")
            label.setObjectName(name)
            label.setAccessibleName(title)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if name.endswith("IdValue"):  # ids read whole, in the state panel's font
                label.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
            else:
                label.setWordWrap(True)
            self.fields[name] = label
            form.addRow(title, label)
        state = QWidget()
        state.setObjectName("monitorState")
        state.setLayout(form)

        self.log = QListWidget()
        self.log.setObjectName("monitorLog")
        self.log.setAccessibleName("Changes of the file")
        self.log.setToolTip("Each change of the file, as it was seen")

        center = QWidget()
        layout = QVBoxLayout(center)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.status)
        layout.addWidget(self.timeline, 1)
        self.setCentralWidget(center)
        for name, title, widget, area in (
            ("monitorStateDock", "File state", state, Qt.DockWidgetArea.LeftDockWidgetArea),
            ("monitorLogDock", "Changes", self.log, Qt.DockWidgetArea.BottomDockWidgetArea),
        ):
            dock = QDockWidget(title, self)
            dock.setObjectName(name)
            dock.setWidget(widget)
            self.addDockWidget(area, dock)
            self.resizeDocks(
                [dock],
                [440 if name == "monitorStateDock" else 160],
                Qt.Orientation.Horizontal
                if name == "monitorStateDock"
                else Qt.Orientation.Vertical,
            )
        self._menus()

        self.watcher = SaveFileWatcher(self.path, parent=self)
        self.watcher.changed.connect(self._on_reading)
        self._poll = QTimer(self)
        self._poll.setObjectName("monitorPoll")
        self._poll.timeout.connect(self._on_poll)
        if poll_ms > 0:
            self._poll.start(poll_ms)
        self.resize(1100, 700)
        self.watcher.read_now()
        self._show_status()

    def ensure_plot(self) -> None:
        """Build the timeline's plot now, labelled for a monitor (no engine: no events)."""
        plot = self.timeline.ensure_plot()
        item = plot.plot.getPlotItem()
        item.setLabel("bottom", "time since monitoring began")
        for name in ("event", "background", "new session"):
            plot.legend.removeItem(name)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.ensure_plot()

    def _menus(self) -> None:
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
        close.setShortcut(QKeySequence(QKeySequence.StandardKey.Close))
        close.triggered.connect(self.close)

    # ------------------------------------------------------------ readings

    @Slot(object)
    def _on_reading(self, reading: SaveFileReading) -> None:
        previous, self._previous = self._previous, reading
        self.changes += 1
        self.last_change = reading.mtime if reading.mtime is not None else self._wall()
        what = self._describe(previous, reading)
        self.log.addItem(f"{format_clock(self._now())}  {what}")
        self.log.scrollToBottom()
        self.timeline.on_reading(reading)
        self.index_value.setText(
            "—" if reading.session_index is None else str(reading.session_index)
        )
        f = self.fields
        f["userIdValue"].setText(reading.user_id or "—")
        f["sessionIdValue"].setText(reading.session_id or "—")
        f["previousSessionIdValue"].setText(reading.previous_session_id or "—")
        f["fileChangedValue"].setText(_wall(reading.mtime))
        f["fileProblemValue"].setText(reading.problem or "none")
        f["fileProblemValue"].setStyleSheet(f"color: {PROBLEM};" if reading.problem else "")
        f["dotnetVerdictValue"].setText(read_report(self.path).dotnet_verdict)
        self._show_status()

    @staticmethod
    def _describe(previous: SaveFileReading | None, reading: SaveFileReading) -> str:
        if not reading.exists and previous is None:
            return "no file at this path yet: watching for it"
        if not reading.exists:
            return "the file is gone: watching for it to come back"
        if reading.session_index is None:
            return f"the file cannot be read: {reading.problem or 'no client session in it'}"
        session = f"session {reading.session_index} ({(reading.session_id or '')[:8]})"
        if previous is None:
            return f"first reading: {session}"
        if not previous.exists:
            return f"the file is back: {session}"
        if previous.user_id is not None and previous.user_id != reading.user_id:
            return f"the file was replaced by another user's: {session}"
        if previous.session_index is None:
            return f"the file is readable again: {session}"
        if reading.problem:
            return f"{session}, with a problem: {reading.problem}"
        step = reading.session_index - previous.session_index
        if step > 1:
            return f"{session}: {step} new sessions since the last reading"
        if step < 0:
            return f"{session}: the index went back from {previous.session_index}"
        return session

    @Slot()
    def _on_poll(self) -> None:
        self.watcher.read_now()
        self.timeline.on_time(self._now())
        self._show_status()

    def _show_status(self) -> None:
        reading = self._previous
        self.banner.setText(
            f"MONITORING (read-only): {self.path} — this window never writes the file "
            "and takes no lock; the program that owns it keeps writing."
        )
        if reading is not None and not reading.exists:
            problem = "The file is missing — watching for it to come back."
        elif reading is not None and reading.session_index is None:
            problem = f"The file is unreadable: {reading.problem} — watching for a good save."
        else:
            problem = ""
        changed = "never seen" if self.last_change is None else _wall(self.last_change)
        ago = ""
        if self.last_change is not None:
            ago = f" ({max(0, round(self._wall() - self.last_change))} s ago)"
        plural = "" if self.changes == 1 else "s"
        text = f"Last changed: {changed}{ago} · {self.changes} change{plural} seen"
        self.status.setText(f"{problem}  {text}" if problem else text)
        self.status.setStyleSheet(
            f"padding: 2px 8px; color: {PROBLEM}; font-weight: bold;"
            if problem
            else "padding: 2px 8px;"
        )

    # ------------------------------------------------------------ exports, closing

    @Slot()
    def choose_export_png(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export the timeline", f"{self.path.stem}-timeline.png", "PNG (*.png)"
        )
        if path and not self.timeline.export_png(path):
            QMessageBox.warning(self, "Export failed", f"could not write {path}")

    @Slot()
    def choose_export_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export the timeline", f"{self.path.stem}-timeline.csv", "CSV (*.csv)"
        )
        if path:
            try:
                self.timeline.export_csv(path)
            except OSError as error:
                QMessageBox.warning(self, "Export failed", f"could not write {path}: {error}")

    def closeEvent(self, event: QCloseEvent) -> None:
        self._poll.stop()
        self.timeline.stop()
        self.watcher.stop()
        super().closeEvent(event)


def run_monitor(app: QApplication, path: Path, screenshot: Path | None = None) -> int:
    """``snowsession-gui --monitor SAVE_FILE``: the monitor window, or its picture and exit."""
    window = MonitorWindow(path)
    window.show()
    if screenshot is None:
        return app.exec()
    from .run import write_picture

    def prepare() -> None:
        app.processEvents()
        window.ensure_plot()
        window.timeline.redraw()
        app.processEvents()

    return write_picture(app, window, screenshot, prepare)
