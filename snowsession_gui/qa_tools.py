"""The window's QA tools: scenario playback and recording, monitor mode, and the exports.

:func:`install` adds them to a :class:`MainWindow`: entries in the File and Simulate menus, a
Scenario dock (shown when a scenario plays), the expectations on the timeline, and monitor
windows for save files other programs write.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QFileDialog, QMenu, QMessageBox

from session.scenario import Scenario, ScenarioError, example_scenarios
from session.scenario.run import ScenarioRun
from session.scenario.timeline import ExpectationResult, Mark

from .exports import event_log_csv, event_log_json, write_text
from .monitor_window import MonitorWindow
from .scenario_panel import ExpectationMarks, ScenarioPanel
from .scenario_player import ScenarioPlayer, read_scenario

if TYPE_CHECKING:
    from .main_window import MainWindow

__all__ = ["QaTools", "install"]


def install(window: MainWindow) -> QaTools:
    return QaTools(window)


class QaTools(QObject):
    """Scenario playback/recording, monitor windows and event log exports for one window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.player = ScenarioPlayer(window.host, self)
        self.panel = ScenarioPanel()
        self.marks = ExpectationMarks(window.timeline)
        self.monitors: list[MonitorWindow] = []
        self.dock = QDockWidget("Scenario", window)
        self.dock.setObjectName("scenarioDock")
        self.dock.setWidget(self.panel)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.hide()
        self.player.recorded.connect(self._on_recorded)
        self.player.stepped.connect(self._on_stepped)
        window.host.contextReady.connect(self._on_stepped)  # an event fired by hand
        self._shown_events = 0
        self.panel.stopRequested.connect(self.stop)
        self.panel.nextStepRequested.connect(self.next_step)
        self.panel.saveRecordingRequested.connect(self.choose_recording_file)
        window.host.sessionReplaced.connect(self._on_session_replaced)
        self._menus()
        window.installEventFilter(self)

    # ------------------------------------------------------------ menus

    def _action(self, text: str, slot: object, shortcut: str = "", name: str = "") -> QAction:
        action = QAction(text, self.window)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(text.replace("&", "").rstrip("…"))
        action.setObjectName(name)
        action.triggered.connect(slot)
        self.window.addAction(action)
        return action

    def _menus(self) -> None:
        w = self.window
        bar = w.menuBar()
        menus = {m.title().replace("&", ""): m for m in bar.findChildren(QMenu)}
        file, sim, view = (
            menus.get(t) or bar.addMenu(f"&{t}") for t in ("File", "Simulate", "View")
        )
        quit_action = w.findChild(QAction, "quitAction")
        before = quit_action if quit_action in file.actions() else None

        def add(menu: QMenu, item: QAction | QMenu | None) -> None:
            if item is None:
                menu.insertSeparator(before) if menu is file else menu.addSeparator()
            elif isinstance(item, QMenu):
                menu.insertMenu(before, item) if menu is file else menu.addMenu(item)
            else:
                menu.insertAction(before, item) if menu is file else menu.addAction(item)

        examples = QMenu("E&xample scenarios", w)
        examples.setObjectName("examplesMenu")
        for name, path in example_scenarios().items():
            action = examples.addAction(name)
            action.setObjectName(f"example:{name}")
            action.triggered.connect(lambda *_, p=path: self.play_file(p))
        self.stop_action = self._action("S&top scenario", self.stop, name="stopScenarioAction")
        self.save_action = self._action(
            "Save recording &as…", self.choose_recording_file, name="saveRecordingAction"
        )
        for item in (
            self._action(
                "Open &scenario…", self.choose_scenario, "Ctrl+Shift+O", "openScenarioAction"
            ),
            examples,
            self._action(
                "&Record a scenario", self.start_recording, "Ctrl+Shift+R", "recordAction"
            ),
            self.save_action,
            self.stop_action,
            None,
            self._action(
                "&Monitor a save file…", self.choose_monitor, "Ctrl+Shift+M", "monitorAction"
            ),
            None,
            self._action(
                "Export event log as CS&V…", self.choose_log_csv, name="exportLogCsvAction"
            ),
            self._action(
                "Export event log as &JSON…", self.choose_log_json, name="exportLogJsonAction"
            ),
            None,
        ):
            add(file, item)
        sim.addSeparator()
        sim.addAction(
            self._action(
                "Skip to the next scenario step", self.next_step, "Shift+N", "nextStepAction"
            )
        )
        view.insertAction(
            view.actions()[len(w.docks)] if len(view.actions()) > len(w.docks) else None,
            self.dock.toggleViewAction(),
        )
        self._enable()

    def _enable(self) -> None:
        self.stop_action.setEnabled(self.player.active)
        self.save_action.setEnabled(self.player.can_save_recording)

    # ------------------------------------------------------------ playback and recording

    @Slot()
    def choose_scenario(self) -> None:
        start = next(iter(example_scenarios().values()), Path.home()).parent
        path, _ = QFileDialog.getOpenFileName(
            self.window, "Open a scenario", str(start), "Scenarios (*.toml);;All (*)"
        )
        if path:
            self.play_file(path)

    def play_file(self, path: str | Path) -> ScenarioRun | None:
        """Play the scenario in ``path``; a bad file is reported (file:line) and nothing runs."""
        try:
            scenario = read_scenario(path)
        except ScenarioError as error:
            self.dock.show()
            self.panel.show_error(str(error))
            self.window.show_error("Cannot play this scenario", str(error))
            return None
        return self.play(scenario, Path(path).stem)

    def play(self, scenario: Scenario, name: str, *, recording: bool = False) -> ScenarioRun | None:
        w = self.window
        w.timeline.clear()
        w.event_log.clear()
        w.context_view.clear()
        self.marks.clear()
        self._shown_events = 0
        try:
            run = self.player.record(name) if recording else self.player.play(scenario, name)
        except (OSError, ValueError, RuntimeError) as error:
            self.window.show_error("Cannot run this scenario", str(error))
            self._enable()
            return None
        if run.end > 0:  # the whole scenario fits the timeline once it has played
            w.timeline.set_span(max(60.0, run.end * 1.5))
        self.panel.start(run, name, recording)
        self.panel.refresh()
        if not self.dock.isVisible():
            self.dock.show()
            w.resizeDocks([self.dock], [320], Qt.Orientation.Horizontal)
        self.dock.raise_()
        self._enable()
        paused = " (paused: press 1 to 4 to play)" if w.host.sim.speed == 0 else ""
        what = "recording" if recording else f"playing {name}"
        w.show_message(f"{what} on a scratch save file{paused}")
        return run

    @Slot()
    def start_recording(self) -> ScenarioRun | None:
        stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
        return self.play(Scenario(), f"recording {stamp}", recording=True)

    @Slot()
    def choose_recording_file(self) -> None:
        if not self.player.can_save_recording:
            return
        path, _ = QFileDialog.getSaveFileName(
            self.window, "Save the recording as a scenario", "recording.toml", "Scenarios (*.toml)"
        )
        if path:
            self.save_recording(path)

    def save_recording(self, path: str | Path) -> bool:
        """Write what was recorded as a scenario file; errors are shown, never raised."""
        try:
            write_text(path, self.player.recorded_toml())
        except (OSError, RuntimeError, ValueError) as error:
            self.window.show_error("Cannot save the recording", f"{path}: {error}")
            return False
        self.window.show_message(f"recording saved to {path}")
        return True

    @Slot()
    def next_step(self) -> None:
        if not self.player.skip_to_next_step():
            self.window.show_message("no scenario step is left")

    @Slot()
    def stop(self) -> None:
        """End the scenario or recording and go back to the save file the window had open."""
        if not self.player.active:
            return
        home = self.player.home
        recording = self.player.recording
        self.player.stop()
        self.marks.clear()
        self.panel.show_idle()
        self._enable()
        if home is not None:
            self.window.open_save_file(home)
        if recording and self.player.last_recording:
            self.window.show_message("recording ended: File > Save recording as… still saves it")

    @Slot()
    @Slot(object)
    def _on_stepped(self, *_: object) -> None:
        """After time moved the run: its progress, and the context of its latest event (once
        per step of time, not per event: a run may track thousands between two frames)."""
        run = self.player.run
        if run is None:
            return
        self.panel.refresh()
        if len(run.events) == self._shown_events:
            return
        new = run.events[self._shown_events :]
        self._shown_events = len(run.events)
        origin, sessions, w = self.player.origin, run.sessions, self.window
        rows = []
        for event in new:
            entry = sessions[event.session - 1]
            rows.append((origin + event.at, event.event_id, entry.index, entry.session_id[:8]))
            w.timeline.data.add_event(origin + event.at, entry.index)
        bar = w.event_log.verticalScrollBar()
        at_end = bar.value() >= bar.maximum() - 2
        w.event_log.log_model.extend(rows)
        if at_end:
            w.event_log.scrollToBottom()
        if w.timeline.built:
            w.timeline.schedule_redraw()
        session = run.session
        if not session.closed:
            w.state_panel.refresh(session)
            if run.events[-1].session == len(run.sessions):
                w.context_view.show_context(session.policy.context(session.state))

    @Slot(object)
    def _on_session_replaced(self, _session: object) -> None:
        if self.player.active and self.window.host.run is None:  # another file was opened
            self.player.close()
            self.marks.clear()
            self.panel.show_idle()
            self._enable()

    @Slot(object)
    def _on_recorded(self, item: object) -> None:
        run = self.player.run
        if isinstance(item, ExpectationResult) and run is not None:
            self.marks.add(self.player.origin + item.at, run.session.session_index, item)
            self.panel.add_result(item)
        else:
            self.panel.refresh()
            if isinstance(item, Mark) and item.kind == "set" and run is not None:
                self.window.controls.refresh(run.session)

    # ------------------------------------------------------------ monitor mode

    @Slot()
    def choose_monitor(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.window, "Monitor a save file (read-only)", "", "Save files (*.xml);;All (*)"
        )
        if path:
            self.monitor(path)

    def monitor(self, path: str | Path) -> MonitorWindow:
        window = MonitorWindow(path)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.destroyed.connect(lambda *_: self._forget(window))
        self.monitors.append(window)
        window.show()
        return window

    def _forget(self, window: MonitorWindow) -> None:
        if window in self.monitors:
            self.monitors.remove(window)

    def offer_monitor(self, message: str, path: Path) -> QMessageBox:
        """The file is another program's: say so, and offer to watch it read-only."""
        box = self.window.show_error("This save file is in use", message)
        button = box.addButton("Monitor it read-only", QMessageBox.ButtonRole.AcceptRole)
        button.setObjectName("monitorInsteadButton")
        button.clicked.connect(lambda *_: self.monitor(path))
        return box

    # ------------------------------------------------------------ exports

    def _rows(self) -> list[tuple[float, str, int, str]]:
        return list(self.window.event_log.log_model.rows)

    @Slot()
    def choose_log_csv(self) -> None:
        self._choose_export("event-log.csv", "CSV (*.csv)", self.export_log_csv)

    @Slot()
    def choose_log_json(self) -> None:
        self._choose_export("event-log.json", "JSON (*.json)", self.export_log_json)

    def _choose_export(self, name: str, kind: str, write: object) -> None:
        folder = self.window.host.save_path.parent
        path, _ = QFileDialog.getSaveFileName(
            self.window, "Export the event log", str(folder / name), kind
        )
        if path:
            write(path)  # type: ignore[operator]

    def export_log_csv(self, path: str | Path) -> bool:
        return self._export(path, event_log_csv(self._rows()))

    def export_log_json(self, path: str | Path) -> bool:
        return self._export(path, event_log_json(self._rows()))

    def _export(self, path: str | Path, text: str) -> bool:
        try:
            write_text(path, text)
        except OSError as error:
            self.window.show_error(
                "Export failed", f"could not write {path}: {error.strerror or error}"
            )
            return False
        self.window.show_message(f"exported {path}")
        return True

    # ------------------------------------------------------------ closing

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.player.close()
            for window in list(self.monitors):
                window.close()
        return False
