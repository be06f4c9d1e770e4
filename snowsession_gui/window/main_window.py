"""The main window: timeline in the middle, state and controls beside, log and context below.

It wires the host's signals to its views (each view draws from them alone). Features plug in
through the frame's extension points (:class:`~snowsession_gui.window.frame.WindowFrame`) and
the window's offers to features (:class:`~snowsession_gui.window.offers.FeatureOffers`); this
module imports no feature.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeySequence, QShowEvent
from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox, QWidget

from session import SETTING_NAMES, StorageRecovered
from snowsession_gui.host.session_host import CannotOpen, FileBusy, SessionHost
from snowsession_gui.model import settings_names as keys
from snowsession_gui.model.snapshot import SessionSnapshot
from snowsession_gui.model.units import SPEEDS, speed_label
from snowsession_gui.monitor.monitors import Monitors
from snowsession_gui.timeline.spans import MAIN_SPANS, FollowControls
from snowsession_gui.timeline.view import Timeline
from snowsession_gui.widgets.context_view import ContextView, warm_up
from snowsession_gui.widgets.controls import Controls
from snowsession_gui.widgets.event_log import EventLog
from snowsession_gui.widgets.menus import Section, make_action
from snowsession_gui.widgets.palette import colors, is_dark, text_style
from snowsession_gui.widgets.state_panel import StatePanel
from snowsession_gui.widgets.time_controls import TimeControls

from .dock_widths import first_layout
from .frame import WindowFrame
from .help import ABOUT, HelpDialog, how_sessions_work
from .offers import FeatureOffers
from .screen_fit import fit_to_screen, restore_on_screen

__all__ = ["MainWindow", "Section"]

LEFT = Qt.DockWidgetArea.LeftDockWidgetArea
BOTTOM = Qt.DockWidgetArea.BottomDockWidgetArea


class MainWindow(WindowFrame, FeatureOffers):
    """The snowsession window around a :class:`SessionHost` (which it owns and closes).

    Signals: ``paletteChanged(Colors)`` when the window turns light or dark; ``closing()``
    just before it closes its host (features stop their own work then).
    """

    paletteChanged = Signal(object)
    closing = Signal()

    def __init__(
        self,
        host: SessionHost,
        settings: QSettings | None = None,
        install: Callable[[MainWindow], None] | None = None,
    ) -> None:
        """``install`` adds the features (``create_main_window`` passes its own) before the
        views are first sent what happened, so every feature sees it all from the start."""
        super().__init__()
        self.setObjectName("mainWindow")
        self.host = host
        host.setParent(self)
        self.settings = settings
        self._help: HelpDialog | None = None
        self._warmed = False
        self.colors = colors(False)
        self.storage_problem: str | None = None

        self._make_views(host)
        self._place_docks()
        self._make_status_bar()
        self.monitors = Monitors(self)
        self._actions()
        self._connect()
        fit_to_screen(self)
        self.apply_palette()
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_scheme_changed)
        if install is not None:
            install(self)
        host.flush()  # what happened before anyone listened: the first session
        host.sim.show_time()  # the first frame at once (the plot follows the first paint)

    # ------------------------------------------------------------ construction

    def _make_views(self, host: SessionHost) -> None:
        """The timeline in the middle, the views around it, the time controls in the toolbar."""
        self.timeline = Timeline(host.now, self)
        self.timeline.setMinimumSize(480, 240)
        self.setCentralWidget(self.timeline)
        self.state_panel = StatePanel()
        self.controls = Controls(host)
        self.time_controls = TimeControls(host.sim, jumps=host)
        self.event_log = EventLog()
        self.context_view = ContextView()

        self.toolbar.addWidget(self.time_controls)
        self.following = FollowControls(self, self.timeline, MAIN_SPANS)
        self.follow_button = self.following.follow_button
        self.toolbar.addWidget(self.following.selector)
        self.toolbar.addWidget(self.follow_button)

    def _place_docks(self) -> None:
        """The state and the controls run the window's whole height; the log and the context
        sit under the timeline."""
        self.setCorner(Qt.Corner.BottomLeftCorner, LEFT)
        self.add_dock("stateDock", "State", self.state_panel, LEFT, scroll=True)
        self.add_dock("controlsDock", "Controls", self.controls, LEFT, scroll=True)
        self.add_dock("eventLogDock", "Event log", self.event_log, BOTTOM)
        self.add_dock("contextDock", "Context", self.context_view, BOTTOM, beside="eventLogDock")
        self._laid_out = False
        self.resizeDocks([self.docks["eventLogDock"]], [190], Qt.Orientation.Vertical)
        self.resizeDocks(
            [self.docks["eventLogDock"], self.docks["contextDock"]],
            [520, 360],
            Qt.Orientation.Horizontal,
        )

    def _make_status_bar(self) -> None:
        """A storage problem to the left (hidden while there is none), the save file right."""
        self.path_label = QLabel()
        self.path_label.setObjectName("savePathLabel")
        self.path_label.setAccessibleName("Save file")
        self.storage_label = QLabel()
        self.storage_label.setObjectName("storageStatus")
        self.storage_label.setAccessibleName("Storage problem")
        self.storage_label.hide()
        self.statusBar().addWidget(self.storage_label, 1)
        self.statusBar().addPermanentWidget(self.path_label)

    def _actions(self) -> None:
        m, c, t = self.menu_bar, self.controls, self.time_controls
        open_key, quit_key = QKeySequence.StandardKey.Open, QKeySequence.StandardKey.Quit
        file, watch, sim = Section.FILE_OPEN, Section.FILE_MONITOR, Section.SIMULATE_EVENTS
        for section, text, slot, key, name in (
            (file, "&Open save file…", self.choose_file, open_key, "openAction"),
            (watch, "&Monitor a save file…", self.choose_monitor, "Ctrl+Shift+M", "monitorAction"),
            (Section.FILE_QUIT, "&Quit", self.close, quit_key, "quitAction"),
            (sim, "&Fire event", c.fire_event, "Space", "fireEventAction"),
            (sim, "&Background / foreground", c.toggle_background, "B", "backgroundAction"),
            (sim, "&Checker on / off", c.toggle_checker, "C", "checkerAction"),
            (Section.SIMULATE_TIME, "&Pause / resume", t.toggle_pause, "P", "pauseAction"),
        ):
            m.add(section, make_action(self, text, slot, key, name))
        for digit, speed in enumerate(SPEEDS):
            text = "Pause" if speed == 0 else f"Speed {speed_label(speed)}"
            setter = t.speed_setter(speed)
            m.add(Section.SIMULATE_TIME, make_action(self, text, setter, str(digit)))
        skips: list[tuple[str, Callable[[], object], str, str]] = [
            ("Skip +1 min", t.skip_one_minute, "M", "skipMinuteAction"),
            ("Skip +5 min", t.skip_five_minutes, "Shift+M", "skipFiveMinutesAction"),
            ("Skip to the &next check", t.skip_to_check, "N", "skipToCheckAction"),
            ("Skip to the next new &session", t.skip_to_next_session, "S", "skipToSessionAction"),
            ("&Go to time…", t.open_go_to, "Ctrl+G", "goToTimeAction"),
        ]
        for text, skip, key, name in skips:
            m.add(Section.SIMULATE_TIME, make_action(self, text, skip, key, name))
        restart = make_action(self, "&Restart app", self.restart, "Ctrl+R", "restartAction")
        m.add(Section.SIMULATE_APP, restart)
        m.add(
            Section.SIMULATE_APP,
            make_action(
                self, "Reset (&delete the save file)…", self.request_reset, None, "resetAction"
            ),
        )
        for action in (self.following.follow_action, *self.following.actions):
            self.add_menu_action(Section.VIEW_TIMELINE, action)
        m.add(
            Section.HELP, make_action(self, "&How sessions work", self.show_how, "F1", "howAction")
        )
        m.add(
            Section.HELP,
            make_action(self, "&About snowsession", self.show_about, None, "aboutAction"),
        )

    def _connect(self) -> None:
        h, timeline = self.host, self.timeline
        for view in (timeline, self.event_log, self.context_view):
            h.startedOver.connect(view.start_run)
            h.eventsTracked.connect(view.add_events)
        for log_or_line in (timeline, self.event_log):
            h.sessionStarted.connect(log_or_line.add_start)
        h.backgroundChanged.connect(timeline.set_background)
        h.expectationChecked.connect(timeline.add_expectation)
        h.fileRead.connect(timeline.add_reading)
        h.timeChanged.connect(timeline.on_time)
        h.timeChanged.connect(self.state_panel.show_time)
        for view_slot in (self.state_panel.show_state, timeline.show_state, self._show_state):
            h.stateChanged.connect(view_slot)
        h.storageRecovered.connect(self._on_recovered)
        self.controls.message.connect(self.show_message)
        self.controls.restartRequested.connect(self.restart)
        self.controls.resetRequested.connect(self.request_reset)
        self.time_controls.message.connect(self.show_message)

    # ------------------------------------------------------------ the host → this window

    @Slot(object)
    def _show_state(self, snapshot: SessionSnapshot) -> None:
        path, scenario = snapshot.save_path, self.host.scenario
        where = "Scenario's scratch save file" if scenario else "Save file"
        self._set(self.path_label, f"{where}: {path}")
        self.path_label.setToolTip(str(path))
        home = self.host.home.path.name  # a scenario leaves the person's own file alone
        title = path.name if scenario is None else f"{scenario.name} (scenario; {home} left alone)"
        self.setWindowTitle(f"{title} — snowsession")  # the app's name last: not added again
        self.show_storage_problem(snapshot.storage_problem)
        if self._help is not None:
            self._help.refresh()

    @Slot(object)
    def _on_recovered(self, note: StorageRecovered) -> None:
        self.show_message(f"saved {note.path} again")

    def show_storage_problem(self, message: str | None) -> None:
        """Show (or, with None, clear) the engine's storage problem in the status bar."""
        self.storage_problem = message
        if message:
            self._set(self.storage_label, f"⚠ {message}")
            self.storage_label.setToolTip(message)
            self.storage_label.show()
        else:
            self.storage_label.clear()
            self.storage_label.hide()

    @staticmethod
    def _set(label: QLabel, text: str) -> None:
        if label.text() != text:
            label.setText(text)

    # ------------------------------------------------------------ file actions

    def open_save_file(self, path: str | Path) -> bool:
        """Open another save file; a file that cannot be used is refused with a message."""
        try:
            self.host.open(path)
        except FileBusy as error:
            self.offer_monitor(str(error), error.path)
            return False
        except CannotOpen as error:
            self.show_error("Cannot open this file", str(error))
            return False
        self.show_message(f"opened {path}")
        return True

    @Slot()
    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open a save file", str(self.host.home.path.parent), "Save files (*.xml);;All (*)"
        )
        if path:
            self.open_save_file(path)

    @Slot()
    def choose_monitor(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Monitor a save file (read-only)", "", "Save files (*.xml);;All (*)"
        )
        if path:
            self.monitors.open(path)

    def offer_monitor(self, message: str, path: Path) -> QMessageBox:
        """The file is another program's: say so, and offer to watch it read-only."""
        box = self.show_error("This save file is in use", message)
        button = box.addButton("Monitor it read-only", QMessageBox.ButtonRole.AcceptRole)
        button.setObjectName("monitorInsteadButton")
        button.clicked.connect(lambda *_: self.monitors.open(path))
        return box

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
        self.show_message("reset: the save file was deleted and a new user started")

    # ------------------------------------------------------------ help

    @Slot()
    def show_how(self) -> None:
        if self._help is None:
            self._help = self._show_dialog(HelpDialog("How sessions work", self._how, self))
        self._help.show()
        self._help.raise_()

    def _how(self) -> str:
        return how_sessions_work(self.host.settings, self.menu_bar.keys())

    @Slot()
    def show_about(self) -> None:
        self._show_dialog(HelpDialog("About snowsession", lambda: ABOUT, self))

    def _show_dialog(self, dialog: HelpDialog) -> HelpDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.keep_dialog(dialog)
        dialog.show()
        return dialog

    def _forget_dialog(self, dialog: QWidget, *_: object) -> None:
        super()._forget_dialog(dialog)
        if dialog is self._help:
            self._help = None

    # ------------------------------------------------------------ look, settings, closing

    def is_dark(self) -> bool:
        return is_dark(self)

    def apply_palette(self) -> None:
        c = self.colors = colors(self.is_dark())
        self.timeline.apply_colors(c)
        self.state_panel.apply_colors(c)
        self.controls.apply_colors(c)
        self.time_controls.apply_colors(c)
        self.context_view.apply_colors(c)
        self.storage_label.setStyleSheet(text_style(c.problem, bold=True))
        self.paletteChanged.emit(c)

    @Slot(Qt.ColorScheme)
    def _on_scheme_changed(self, _scheme: Qt.ColorScheme) -> None:
        self.apply_palette()

    def restore_layout(self, geometry: QByteArray | None, state: QByteArray | None) -> None:
        """Put the window and its docks back as they were (what was kept by
        :meth:`save_settings`)."""
        if geometry is not None:
            restore_on_screen(self, geometry)
        if state is not None and self.restoreState(state):
            self._laid_out = True
        self.hide_transient_docks()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._laid_out:
            self._laid_out = True
            first_layout(self)
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

    def save_settings(self) -> None:
        """Keep the layout, the speed and the window's own timeouts for the next start."""
        settings = self.settings
        if settings is None:
            return
        self.hide_transient_docks()  # not part of the layout to come back to
        settings.setValue(keys.GEOMETRY_KEY, self.saveGeometry())
        settings.setValue(keys.LAYOUT_KEY, self.saveState())
        settings.setValue(keys.SPEED_KEY, self.host.sim.speed)
        home = self.host.home.settings
        for name in SETTING_NAMES:
            settings.setValue(keys.setting_key(name), getattr(home, name))
        settings.setValue(keys.POLICY_KEY, self.host.policy)
        settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.timeline.stop()
        self.close_dialogs()
        self.closing.emit()
        self.monitors.close_all()
        self.save_settings()
        self.host.close()
        super().closeEvent(event)
