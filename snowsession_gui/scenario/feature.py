"""Scenarios in the window: File > Open scenario / Example scenarios / Record / Save recording /
Stop scenario, Simulate > Skip to the next scenario step, and the Scenario dock.

The dock is there while a run is (it is not part of the saved layout); the timeline's span fits
a scenario while it plays. The folder of the last scenario file chosen is kept.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtWidgets import QFileDialog, QMenu

from session.scenario import Scenario, ScenarioError, example_scenarios
from session.scenario.run import ScenarioRun
from snowsession_gui.model.exports import write_text
from snowsession_gui.model.settings_names import SCENARIO_FOLDER_KEY
from snowsession_gui.widgets.menus import Section, make_action
from snowsession_gui.window.main_window import MainWindow

from .panel import ScenarioPanel, outcome
from .player import ScenarioPlayer, read_scenario

__all__ = ["ScenarioFeature"]

DOCK_WIDTH = 300


class ScenarioFeature(QObject):
    """Scenario playback and recording for one window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("scenarioFeature")
        self.window = window
        self.player = ScenarioPlayer(window.host)
        w = window
        self._make_actions(w)
        self.examples = self._make_examples(w)
        w.add_menu_action(Section.FILE_SCENARIO, self.open_action)
        w.add_menu(Section.FILE_SCENARIO, self.examples)
        for action in (self.record_action, self.save_action, self.stop_action):
            w.add_menu_action(Section.FILE_SCENARIO, action)
        w.add_menu_action(Section.SIMULATE_SCENARIO, self.next_action)

        self.panel = ScenarioPanel(w.host, (self.next_action, self.save_action, self.stop_action))
        right = Qt.DockWidgetArea.RightDockWidgetArea
        self.dock = w.add_dock("scenarioDock", "Scenario", self.panel, right, transient=True)
        self.dock.hide()
        w.host.startedOver.connect(self._on_started_over)
        w.host.timeChanged.connect(self._on_progress)
        w.host.recorded.connect(self._on_progress)
        self._told_done: object = None
        """The run whose end the status bar has told (each run's end is told once)."""
        w.paletteChanged.connect(self.panel.apply_colors)
        self.panel.apply_colors(w.colors)
        self._enable()

    def _make_actions(self, w: MainWindow) -> None:
        """Open, record, save, stop and the next step (the menus' words; the dock's buttons
        say less)."""
        self.open_action = make_action(
            w, "Open &scenario…", self.choose_scenario, "Ctrl+Shift+O", "openScenarioAction"
        )
        self.record_action = make_action(
            w, "&Record a scenario", self.start_recording, "Ctrl+Shift+R", "recordAction"
        )
        self.save_action = make_action(
            w,
            "Save recording &as…",
            self.choose_recording_file,
            None,
            "saveRecordingAction",
            tip="Save what you did as a scenario file",
        )
        self.stop_action = make_action(
            w,
            "S&top scenario",
            self.stop,
            None,
            "stopScenarioAction",
            tip="End the scenario and go back to your save file",
        )
        self.next_action = make_action(
            w,
            "Skip to the next scenario step",
            self.next_step,
            "Shift+N",
            "nextStepAction",
            tip="Skip to the next step",
        )
        for action, short in (
            (self.next_action, "Next step"),
            (self.save_action, "Save recording…"),
            (self.stop_action, "Stop"),
        ):
            action.setIconText(short)  # what the dock's buttons say; the menus say the rest

    def _make_examples(self, w: MainWindow) -> QMenu:
        """The example scenarios that come with the app, a menu item each."""
        examples = QMenu("E&xample scenarios", w)
        examples.setObjectName("examplesMenu")
        for name, path in example_scenarios().items():
            action = examples.addAction(name)
            action.setObjectName(f"example:{name}")
            action.setData(str(path))
        examples.triggered.connect(self._on_example)
        return examples

    def _enable(self) -> None:
        player = self.player
        self.stop_action.setEnabled(player.active)
        run = player.run
        done = run is not None and run.done
        self.next_action.setEnabled(player.active and not player.recording and not done)
        self.save_action.setEnabled(player.can_save_recording)

    @Slot(object)
    def _on_started_over(self, _run: object = None) -> None:
        """A run began or ended (by Stop, or by anything that ends it: another file, another
        policy). The timeline shows the window's own run again as it left it."""
        run = self.player.run
        if run is None:
            self.dock.hide()
        else:
            self.window.show_whole_run()  # the whole scenario, as it plays
            if not self.dock.isVisible():
                self.dock.show()
                self.window.resizeDocks([self.dock], [DOCK_WIDTH], Qt.Orientation.Horizontal)
            self.dock.raise_()
        self._enable()

    @Slot()
    @Slot(object)
    @Slot(float)
    def _on_progress(self, *_: object) -> None:
        """A played run reached its end: nothing is left to step to, and the status bar says
        how it went and how to go back."""
        run = self.player.run
        if run is None or self.player.recording or not run.done or self._told_done is run:
            return
        self._told_done = run
        self._enable()
        self.window.show_message(
            f"scenario finished: {outcome(run)}; File > Stop scenario goes back to your save file"
        )

    # ------------------------------------------------------------ playback

    def _kept_folder(self) -> Path | None:
        settings = self.window.settings
        kept = settings.value(SCENARIO_FOLDER_KEY) if settings is not None else None
        return Path(str(kept)) if kept and Path(str(kept)).is_dir() else None

    def _keep_folder(self, path: str | Path) -> None:
        settings = self.window.settings
        if settings is not None:
            settings.setValue(SCENARIO_FOLDER_KEY, str(Path(path).parent))

    def _folder(self) -> Path:
        """Where the scenario dialogs open: the folder of the last file chosen, else the
        example scenarios."""
        kept = self._kept_folder()
        return kept or next(iter(example_scenarios().values()), Path.home()).parent

    @Slot()
    def choose_scenario(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.window, "Open a scenario", str(self._folder()), "Scenarios (*.toml);;All (*)"
        )
        if path:
            self._keep_folder(path)
            self.play_file(path)

    @Slot(object)
    def _on_example(self, action: object) -> None:
        data = getattr(action, "data", None)
        if callable(data):
            self.play_file(str(data()))

    def play_file(self, path: str | Path) -> ScenarioRun | None:
        """Play the scenario in ``path``; a bad file is reported (file:line) and nothing runs."""
        try:
            scenario = read_scenario(path)
        except ScenarioError as error:
            self.panel.show_error(str(error))
            self.window.show_error("Cannot play this scenario", str(error))
            return None
        return self.play(scenario, Path(path).stem)

    def play(self, scenario: Scenario, name: str, *, recording: bool = False) -> ScenarioRun | None:
        try:
            run = self.player.record(name) if recording else self.player.play(scenario, name)
        except (OSError, ValueError, RuntimeError) as error:
            self.window.show_error("Cannot run this scenario", str(error))
            self._enable()
            return None
        paused = " (paused: press 1 to 4 to play)" if self.window.host.sim.speed == 0 else ""
        what = "recording" if recording else f"playing {name}"
        self.window.show_message(f"{what} on a scratch save file{paused}")
        return run

    @Slot()
    def next_step(self) -> None:
        if not self.player.skip_to_next_step():
            self.window.show_message("no scenario step is left")

    @Slot()
    def stop(self) -> None:
        """End the scenario or recording; the window's own session is back as it was."""
        recording = self.player.recording
        if not self.player.stop():
            return
        if recording and self.player.can_save_recording:
            self.window.show_message("recording ended: File > Save recording as… still saves it")
        else:
            self.window.show_message("scenario ended: back to your save file")

    # ------------------------------------------------------------ recording

    @Slot()
    def start_recording(self) -> ScenarioRun | None:
        stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
        return self.play(Scenario(), f"recording {stamp}", recording=True)

    @Slot()
    def choose_recording_file(self) -> None:
        if not self.player.can_save_recording:
            return
        folder = self._kept_folder() or self.window.host.home.path.parent
        path, _ = QFileDialog.getSaveFileName(
            self.window,
            "Save the recording as a scenario",
            str(folder / "recording.toml"),
            "Scenarios (*.toml)",
        )
        if path:
            self._keep_folder(path)
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
