"""Play a scenario in the window, or record what a person does, on the window's simulated time.

A :class:`ScenarioPlayer` puts a :class:`session.scenario_run.ScenarioRun` in charge of the
window's :class:`SessionHost`: the run opens its sessions on a scratch save file (so a scenario
always starts as it does headless, and the file the window had open is left alone), the
window's time moves the run (:attr:`SimulationClock.driver`), and the controls act through
:meth:`ScenarioRun.perform`. Recording is a run of an empty scenario with the settings in force;
what was performed becomes a scenario file (:class:`session.scenario_record.Recorder`).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from session import ClientSession, EventTracked, Notification
from session.scenario import Scenario, ScenarioError, load_scenario
from session.scenario.record import Recorder
from session.scenario.run import ScenarioRun

from .host import SETTINGS, SessionHost
from .qt_session import SessionBridge

__all__ = ["ScenarioPlayer", "read_scenario"]


def read_scenario(path: str | Path) -> Scenario:
    """Load a scenario file; raises :class:`ScenarioError` with a one-line message (file and
    line) for anything wrong with it, a missing or unreadable file included."""
    try:
        return load_scenario(path)
    except ScenarioError:
        raise
    except UnicodeDecodeError:
        raise ScenarioError(str(path), "is not a text file (a scenario is TOML text)") from None
    except OSError as error:
        raise ScenarioError(str(path), f"cannot be read: {error.strerror or error}") from None


class ScenarioPlayer(QObject):
    """Runs one scenario (or a recording) in the host at a time.

    Signals: ``started(ScenarioRun)`` once the run is in charge, ``recorded(item)`` for each
    :class:`SessionEntry`, :class:`Mark` and :class:`ExpectationResult` (always on the GUI
    thread), ``stepped()`` after time moved the run, ``stopped()`` when it is over.
    """

    started = Signal(object)
    recorded = Signal(object)
    stepped = Signal()
    stopped = Signal()
    _relay = Signal(object)

    def __init__(self, host: SessionHost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.run: ScenarioRun | None = None
        self.recording = False
        self.last_recording: str | None = None
        """The scenario text of the last recording that ended (Save recording still works)."""
        self.name = ""
        self.origin = 0.0
        """The window's clock time at scenario time 0."""
        self.home: Path | None = None
        """The save file the window had open before the first run (to go back to)."""
        self._bridge: SessionBridge | None = None
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._relay.connect(self.recorded)  # queued when a storage mark comes from the writer

    @property
    def active(self) -> bool:
        return self.run is not None

    @property
    def can_save_recording(self) -> bool:
        return (self.recording and self.run is not None) or self.last_recording is not None

    @property
    def save_path(self) -> Path | None:
        return Path(self.run.save_path) if self.run is not None else None

    def play(self, scenario: Scenario, name: str = "", *, recording: bool = False) -> ScenarioRun:
        """Start ``scenario`` now, on a fresh scratch save file (any run before is ended)."""
        if self.run is None:
            self.home = self.host.save_path
        self._end()
        self._folder = tempfile.TemporaryDirectory(prefix="snowsession-scenario-")
        bridge = SessionBridge(parent=self.host)
        bridge.notified.connect(self.host.notified)
        self._bridge = bridge
        relay = bridge.notify

        def observe(note: Notification) -> None:
            # Events reach the views in batches after each step of time (see QaTools): one Qt
            # signal per event would cost more than the run itself.
            if not isinstance(note, EventTracked):
                relay(note)

        self.recording = recording
        self.name = name or ("recording" if recording else scenario.source)
        self.origin = self.host.clock.now()
        run = ScenarioRun(
            scenario,
            Path(self._folder.name) / "session.xml",
            clock=self.host.clock,
            policy=scenario.policy or getattr(self.host, "policy", None),
            observers=(observe,),
            on_session=self._on_session,
            on_record=self._relay.emit,
        )
        self.run = run
        self.host.run = run
        self.host.sim.driver = self._drive
        self.started.emit(run)
        self._drive(self.origin)  # the steps at time 0 run at once
        return run

    def skip_to_next_step(self) -> bool:
        """Move time to the next step of the scenario; False when every step has run."""
        run = self.run
        if run is None or run.next_step_at is None:
            return False
        self.host.sim.skip(max(0.0, self.origin + run.next_step_at - self.host.clock.now()))
        return True

    def record(self, name: str = "recording") -> ScenarioRun:
        """Start recording: a new user on a scratch file, with the settings in force."""
        settings = {key: self.host.setting(key) for key in SETTINGS}
        return self.play(
            Scenario(description=f"Recorded in snowsession-gui ({name})", **settings),
            name,
            recording=True,
        )

    def recorded_toml(self) -> str:
        """The scenario file for what was done since recording began, with an ``expect`` of the
        state now (so the replay checks it ends the same way)."""
        if self.run is not None and self.recording:
            return Recorder.from_run(self.run).to_toml()
        if self.last_recording is not None:
            return self.last_recording
        raise RuntimeError("nothing was recorded")

    def stop(self) -> None:
        """End the run (its session is closed); the window then goes back to :attr:`home`."""
        if self._end():
            self.stopped.emit()

    def _end(self) -> bool:
        run = self.run
        if run is None:
            return False
        if self.recording and run.performed:  # kept, to be saved after it ended
            self.last_recording = Recorder.from_run(run).to_toml()
        self.run = None
        if self.host.run is run:
            self.host.end_run()
        run.finish()
        if self._bridge is not None:
            self._bridge.detach()
            self._bridge.deleteLater()
            self._bridge = None
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None
        self.recording = False
        return True

    def _on_session(self, session: ClientSession) -> None:
        assert self._bridge is not None
        session.flush(timeout=2.0)  # its start on disk before the timeline reads the file
        self.host.adopt(session, self._bridge)

    def _drive(self, target: float) -> None:
        run = self.run
        if run is None:
            self.host.clock.advance_to(target)
            return
        run.advance_to(max(target - self.origin, run.time))
        self.stepped.emit()

    @Slot()
    def close(self) -> None:
        self._end()
