"""The main window: timeline in the middle, state and controls beside, log and context below."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QSettings, Qt, QTimer, Slot
from PySide6.QtGui import QCloseEvent, QGuiApplication, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QToolBar,
    QToolButton,
    QWidget,
)

from session import Notification, SessionContext, StorageProblem, StorageRecovered

from .context_view import ContextView, warm_up
from .controls import Controls
from .event_log import EventLog
from .help import ABOUT, HOW_SESSIONS_WORK, HelpDialog
from .host import CannotOpen, FileBusy, SessionHost
from .menus import build_menus
from .policy_feature import install as install_features
from .qa_tools import install as install_qa_tools
from .save_watcher import SaveFileReading
from .state_panel import StatePanel
from .time_controls import TimeControls
from .timeline import Timeline

__all__ = ["MainWindow"]


class MainWindow(QMainWindow):
    """The snowsession window around a :class:`SessionHost` (which it owns and closes)."""

    def __init__(self, host: SessionHost, settings: QSettings | None = None) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.host = host
        host.setParent(self)
        self.settings = settings
        self._dialogs: list[QWidget] = []
        self.storage_problem: str | None = None
        self._warmed = False

        self.timeline = Timeline(host.now, self)
        self.setCentralWidget(self.timeline)
        self.state_panel = StatePanel()
        self.controls = Controls(host)
        self.time_controls = TimeControls(host.sim)
        self.event_log = EventLog()
        self.context_view = ContextView()

        toolbar = QToolBar("Time", self)
        toolbar.setObjectName("timeToolBar")
        toolbar.setMovable(False)
        toolbar.addWidget(self.time_controls)
        self.follow_button = QToolButton()
        self.follow_button.setObjectName("followButton")
        self.follow_button.setText("Follow present")
        self.follow_button.setCheckable(True)
        self.follow_button.setChecked(True)
        self.follow_button.setToolTip("Keep the timeline on the present (F); pan or zoom to stop")
        self.follow_button.setAccessibleName("Follow the present")
        toolbar.addWidget(self.follow_button)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)

        self.docks: dict[str, QDockWidget] = {}
        left = Qt.DockWidgetArea.LeftDockWidgetArea
        bottom = Qt.DockWidgetArea.BottomDockWidgetArea
        self._dock("stateDock", "State", self.state_panel, left)
        self._dock("controlsDock", "Controls", self.controls, left)
        self._dock("eventLogDock", "Event log", self.event_log, bottom)
        self._dock("contextDock", "Context", self.context_view, bottom)
        self.splitDockWidget(
            self.docks["eventLogDock"], self.docks["contextDock"], Qt.Orientation.Horizontal
        )
        self.resizeDocks([self.docks["stateDock"]], [340], Qt.Orientation.Horizontal)
        self.resizeDocks([self.docks["eventLogDock"]], [220], Qt.Orientation.Vertical)
        self.resizeDocks(
            [self.docks["eventLogDock"], self.docks["contextDock"]],
            [560, 440],
            Qt.Orientation.Horizontal,
        )

        self.path_label = QLabel()
        self.path_label.setObjectName("savePathLabel")
        self.path_label.setAccessibleName("Save file")
        self.storage_label = QLabel()
        self.storage_label.setObjectName("storageStatus")
        self.storage_label.setAccessibleName("Storage problem")
        self.storage_label.setStyleSheet("color: #dc2626; font-weight: bold;")
        self.storage_label.hide()
        self.statusBar().addWidget(self.storage_label, 1)
        self.statusBar().addPermanentWidget(self.path_label)

        build_menus(self)
        self.qa = install_qa_tools(self)  # scenarios, recording, monitor mode, log exports
        self._connect()
        if host.start_note is not None:  # the first session started before we listened
            self.timeline.on_note(host.start_note)
        self._on_session_replaced()
        self.features = install_features(self)
        self.resize(1280, 820)
        self.apply_palette()
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_scheme_changed)
        self.timeline.redraw()  # the first frame at once

    # ------------------------------------------------------------ construction

    def _dock(self, name: str, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> None:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(area, dock)
        self.docks[name] = dock

    def _connect(self) -> None:
        host = self.host
        host.notified.connect(self._on_note)
        host.notified.connect(self.timeline.on_note)
        host.notified.connect(self.event_log.on_note)
        host.contextReady.connect(self._on_context)
        host.timeChanged.connect(self._on_time)
        host.sessionReplaced.connect(self._on_session_replaced)
        self.controls.message.connect(self.show_message)
        self.controls.restartRequested.connect(self.restart)
        self.controls.resetRequested.connect(self.request_reset)
        self.time_controls.message.connect(self.show_message)
        self.follow_button.toggled.connect(self.timeline.set_follow)
        self.timeline.followChanged.connect(self.follow_button.setChecked)
        self._watch()

    def _watch(self) -> None:
        watcher = self.host.watcher
        if watcher is not None:
            watcher.changed.connect(self._on_reading, Qt.ConnectionType.UniqueConnection)
            watcher.read_now()

    # ------------------------------------------------------------ engine → views

    @Slot(object)
    def _on_note(self, note: Notification) -> None:
        session = self.host.session
        if isinstance(note, StorageProblem):
            self.show_storage_problem(note.message)
        elif isinstance(note, StorageRecovered):
            self.show_storage_problem(None)
            self.show_message(f"saved {note.path} again")
        if session is not None and not session.closed:
            self.state_panel.refresh(session)
            self.timeline.set_deadline(session.expected_new_session_at())

    @Slot(object)
    def _on_context(self, context: SessionContext) -> None:
        self.context_view.show_context(context)

    @Slot(object)
    def _on_reading(self, reading: SaveFileReading) -> None:
        self.timeline.on_reading(reading)

    @Slot(float)
    def _on_time(self, now: float) -> None:
        session = self.host.session
        if session is not None and not session.closed:
            self.state_panel.refresh_countdown(session)
        self.timeline.on_time(now)

    @Slot()
    def _on_session_replaced(self, *_: object) -> None:
        session = self.host.session
        if session is None:
            return
        self.path_label.setText(f"Save file: {session.save_path}")
        self.path_label.setToolTip(str(session.save_path))
        self.setWindowTitle(f"snowsession — {session.save_path.name}")
        self.state_panel.refresh(session)
        self.timeline.set_deadline(session.expected_new_session_at())
        self.show_storage_problem(session.storage_problem)
        self._watch()

    def show_storage_problem(self, message: str | None) -> None:
        """Show (or, with None, clear) the engine's storage problem in the status bar."""
        self.storage_problem = message
        if message:
            self.storage_label.setText(f"⚠ {message}")
            self.storage_label.setToolTip(message)
            self.storage_label.show()
        else:
            self.storage_label.clear()
            self.storage_label.hide()

    @Slot(str)
    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 4000)

    # ------------------------------------------------------------ file actions

    def open_save_file(self, path: str | Path) -> bool:
        """Open another save file; a file that cannot be used is refused with a message."""
        try:
            self.host.open(path)
        except FileBusy as error:
            self.qa.offer_monitor(str(error), error.path)
            return False
        except CannotOpen as error:
            self.show_error("Cannot open this file", str(error))
            return False
        self._start_over()
        self.show_message(f"opened {path}")
        return True

    def _start_over(self) -> None:
        """Empty the views for another file or user, then show its first session."""
        self.timeline.clear()
        self.event_log.clear()
        self.context_view.clear()
        if self.host.start_note is not None:
            self.timeline.on_note(self.host.start_note)
        watcher = self.host.watcher
        if watcher is not None:
            watcher.forget()
            watcher.read_now()

    @Slot()
    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open a save file", str(self.host.save_path.parent), "Save files (*.xml);;All (*)"
        )
        if path:
            self.open_save_file(path)

    @Slot()
    def restart(self) -> None:
        try:
            self.host.restart()
        except CannotOpen as error:
            self.show_error("Cannot restart", str(error))
            return
        self.show_message("restarted: a new ClientSession on the same file")

    @Slot()
    def request_reset(self) -> None:
        if self.confirm(
            "Reset the session?",
            f"This deletes {self.host.save_path} and starts over as a new user.",
        ):
            self.reset()

    def reset(self) -> None:
        try:
            self.host.reset()
        except CannotOpen as error:
            self.show_error("Cannot reset", str(error))
            return
        self._start_over()
        self.show_message("reset: the save file was deleted and a new user started")

    def confirm(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text)
        return answer == QMessageBox.StandardButton.Yes

    def show_error(self, title: str, text: str) -> QMessageBox:
        """A window-modal message that does not block the caller (nor the tests)."""
        box = QMessageBox(
            QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self
        )
        box.setObjectName("errorMessage")
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _r, b=box: self._forget_dialog(b))
        self._dialogs.append(box)
        self.show_message(text)
        box.open()
        return box

    def _forget_dialog(self, dialog: QWidget) -> None:
        if dialog in self._dialogs:
            self._dialogs.remove(dialog)

    @Slot()
    def choose_export_png(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export the timeline", "timeline.png", "PNG (*.png)"
        )
        if path and not self.timeline.export_png(path):
            self.show_error("Export failed", f"could not write {path}")

    @Slot()
    def choose_export_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export the timeline", "timeline.csv", "CSV (*.csv)"
        )
        if path:
            try:
                self.timeline.export_csv(path)
            except OSError as error:
                self.show_error("Export failed", f"could not write {path}: {error.strerror}")

    # ------------------------------------------------------------ help

    @Slot()
    def show_how(self) -> None:
        self._show_dialog(HelpDialog("How sessions work", HOW_SESSIONS_WORK, self))

    @Slot()
    def show_about(self) -> None:
        self._show_dialog(HelpDialog("About snowsession", ABOUT, self))

    def _show_dialog(self, dialog: QWidget) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._dialogs.append(dialog)
        dialog.destroyed.connect(lambda *_: self._forget_dialog(dialog))
        dialog.show()

    # ------------------------------------------------------------ look, settings, closing

    def is_dark(self) -> bool:
        """Whether the window is drawn dark: the palette Qt derives from the system's scheme
        (or one the user set) is what the rest of the window is drawn with."""
        return self.palette().color(QPalette.ColorRole.Window).lightness() < 128

    def apply_palette(self) -> None:
        self.timeline.apply_palette(self.is_dark())

    @Slot(Qt.ColorScheme)
    def _on_scheme_changed(self, _scheme: Qt.ColorScheme) -> None:
        self.apply_palette()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._warmed:
            self._warmed = True
            QTimer.singleShot(100, self, self._warm_up)

    @Slot()
    def _warm_up(self) -> None:
        warm_up()  # the schema validator, so the first event shows its badge at once

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self.apply_palette()
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        for dialog in list(self._dialogs):
            dialog.close()
        self._dialogs.clear()
        if self.settings is not None:
            self.settings.setValue("window/geometry", self.saveGeometry())
            self.settings.setValue("window/state", self.saveState())
            self.settings.setValue("time/speed", self.host.sim.speed)
            for name in ("foreground_timeout", "background_timeout", "check_interval"):
                self.settings.setValue(f"session/{name}", self.host.setting(name))
            self.settings.sync()
        self.timeline.stop()
        self.host.close()
        super().closeEvent(event)
