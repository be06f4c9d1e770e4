"""Play a scenario in the window, or record what a person does, on the window's time.

The :class:`ScenarioPlayer` asks the host to put a scenario run in charge
(:meth:`SessionHost.play`): the run works on a scratch save file and its own clock from 0, so
it starts as it does headless and the window's own file is left alone; the window's controls
and time then act on the run. Recording is a run of an empty scenario with the window's
settings; what was done becomes a scenario file (:class:`session.scenario.record.Recorder`).
"""

from __future__ import annotations

from pathlib import Path

from session.scenario import Scenario, ScenarioError, load_scenario
from session.scenario.run import ScenarioRun
from snowsession_gui.host.session_host import SessionHost
from snowsession_gui.model.drivers import ScenarioDriver

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


class ScenarioPlayer:
    """Starts and stops scenario runs and recordings in ``host``, and keeps the last
    recording so it can be saved after it ended."""

    def __init__(self, host: SessionHost) -> None:
        self.host = host
        self._recording: ScenarioDriver | None = None

    @property
    def driver(self) -> ScenarioDriver | None:
        return self.host.scenario

    @property
    def run(self) -> ScenarioRun | None:
        return self.host.run

    @property
    def active(self) -> bool:
        return self.host.scenario is not None

    @property
    def recording(self) -> bool:
        driver = self.host.scenario
        return driver is not None and driver.recording

    @property
    def can_save_recording(self) -> bool:
        """Whether a recording (going on, or the last one) did anything that can be saved."""
        if self.recording:
            return True
        recording = self._recording
        return recording is not None and recording.recorded_toml() is not None

    def play(self, scenario: Scenario, name: str) -> ScenarioRun:
        """Start ``scenario`` now (any run before is ended). Raises OSError, ValueError."""
        return self.host.play(scenario, name=name).run

    def record(self, name: str = "recording") -> ScenarioRun:
        """Start recording: a new user on a scratch file, with the window's settings."""
        settings = self.host.home.settings
        scenario = Scenario(
            foreground_timeout=settings.foreground_timeout,
            background_timeout=settings.background_timeout,
            check_interval=settings.check_interval,
            description=f"Recorded in snowsession-gui ({name})",
        )
        driver = self._recording = self.host.play(scenario, name=name, recording=True)
        return driver.run

    def recorded_toml(self) -> str:
        """The scenario file for what was recorded (going on, or the last recording), with an
        ``expect`` of the state reached, so a replay checks it ends the same way."""
        text = self._recording.recorded_toml() if self._recording is not None else None
        if text is None:
            raise RuntimeError("nothing was recorded")
        return text

    def skip_to_next_step(self) -> bool:
        """Move time to the next step of the scenario; False when every step has run."""
        run = self.host.run
        if run is None or run.next_step_at is None:
            return False
        self.host.sim.skip_to(run.next_step_at)
        return True

    def stop(self) -> bool:
        """End the run or recording; the window goes back to its own session, as it was.
        False if none was running."""
        return self.host.end_scenario() is not None
