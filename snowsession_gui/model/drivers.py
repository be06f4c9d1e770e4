"""What the window's controls and time act on: the window's own session, or a scenario run.

The window's :class:`SessionHost` drives exactly one :class:`Driver` at a time
and never asks which kind it is. :class:`DirectDriver` acts on a ``ClientSession`` on the
save file the window opened; :class:`ScenarioDriver` acts through a
:class:`~session.scenario.run.ScenarioRun` on a scratch save file, on its own clock, which
starts at 0 so the window shows scenario time. Both hand every engine notification to the
host's observer; neither touches a widget.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from session import (
    ClientSession,
    Notification,
    SaveFileBusyError,
    Timeouts,
    VirtualClock,
    check_seconds,
)
from session.scenario import Action, Scenario
from session.scenario.record import Recorder
from session.scenario.run import ScenarioRun
from session.scenario.timeline import ExpectationResult, Mark, SessionEntry
from session.storage.report import FileState, read_report

__all__ = [
    "CannotOpen",
    "DirectDriver",
    "Driver",
    "ExpectationMark",
    "FileBusy",
    "Record",
    "ScenarioDriver",
    "check_save_file",
]


@dataclass(frozen=True, slots=True)
class ExpectationMark:
    """An expectation a run checked, at scenario time ``at``, while session ``index`` was in
    force (where the timeline draws it)."""

    at: float
    index: int
    result: ExpectationResult


Record = SessionEntry | Mark | ExpectationMark
"""What a scenario run records, besides its events."""


class CannotOpen(Exception):
    """A save file could not be opened; the message says why and what to do."""


class FileBusy(CannotOpen):
    """Another program holds the save file's lock (it can still be watched in monitor mode)."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.path = path


def check_save_file(path: Path) -> str | None:
    """Why ``path`` cannot be opened as a save file, or None if it can (or does not exist):
    the engine's own judgement, asked before the current session is closed for it. What is
    not a save file (a folder, a device, a picture) or cannot be read is refused; a damaged
    save file is opened, and the engine sets it aside as it does everywhere."""
    report = read_report(path)
    if report.state in (FileState.UNREADABLE, FileState.FOREIGN):
        return f"{report.error}. Nothing was changed."
    return None


class Driver(Protocol):
    """One thing the controls and time act on."""

    clock: VirtualClock

    @property
    def session(self) -> ClientSession | None: ...

    @property
    def settings(self) -> Timeouts: ...

    def fire_event(self) -> str: ...

    def set_background(self, background: bool) -> None: ...

    def set_checking(self, checking: bool) -> None: ...

    def set_setting(self, name: str, seconds: float) -> None: ...

    def set_paused(self, paused: bool) -> None: ...

    def request_new_session(self) -> None: ...

    def restart(self) -> None: ...

    def advance_to(self, target: float) -> None: ...

    def close(self) -> None: ...


def _open(
    path: Path,
    settings: Timeouts,
    clock: VirtualClock,
    policy: str,
    observer: Callable[[Notification], None],
) -> ClientSession:
    try:
        session = ClientSession(
            path,
            foreground_timeout=settings.foreground_timeout,
            background_timeout=settings.background_timeout,
            check_interval=settings.check_interval,
            clock=clock,
            policy=policy,
            observers=(observer,),
        )
    except SaveFileBusyError as error:
        holder = "another program"
        if error.holder_pid is not None and error.holder_pid != os.getpid():
            holder += f", {error.holder_name or 'unnamed'} (process {error.holder_pid})"
        raise FileBusy(
            f"{path} is in use by {holder}, which holds the file's lock. Close that program "
            "first, or watch the file read-only in monitor mode.",
            path,
        ) from None
    except (OSError, ValueError, TypeError) as error:
        raise CannotOpen(f"cannot open {path}: {error}") from None
    # The timeline is read from the file: the session's start must be on disk before the
    # first reading, or a quick timeout could reach the file first and hide it.
    session.flush(timeout=2.0)
    return session


class DirectDriver:
    """The window's own ``ClientSession`` on ``path``; a restart opens a new one on it.

    Raises :class:`CannotOpen` (or :class:`FileBusy`) when the file cannot be used.
    """

    def __init__(
        self,
        path: Path,
        settings: Timeouts,
        clock: VirtualClock,
        policy: str,
        observer: Callable[[Notification], None],
    ) -> None:
        self.path = path
        self.clock = clock
        self.policy = policy
        self._settings = settings
        self._observer = observer
        self._session: ClientSession | None = _open(path, settings, clock, policy, observer)

    @property
    def session(self) -> ClientSession | None:
        return self._session

    @property
    def settings(self) -> Timeouts:
        return self._settings

    def _live(self) -> ClientSession:
        session = self._session
        if session is None or session.closed:
            raise CannotOpen(
                "no session is open (the last restart failed): use Restart app or File > Open"
            )
        return session

    def fire_event(self) -> str:
        event_id = str(uuid.uuid4())
        self._live().get_session_context(event_id)
        return event_id

    def set_background(self, background: bool) -> None:
        self._live().set_background(background)

    def set_checking(self, checking: bool) -> None:
        session = self._live()
        if checking:
            session.start_checker()
        else:
            session.stop_checker()

    def set_setting(self, name: str, seconds: float) -> None:
        setattr(self._live(), name, seconds)
        self._settings = replace(self._settings, **{name: seconds})

    def set_paused(self, paused: bool) -> None:
        session = self._live()
        if paused:
            session.pause()
        else:
            session.resume()

    def request_new_session(self) -> None:
        self._live().start_new_session()

    def restart(self, policy: str | None = None) -> None:
        """Close the session and open a new one on the same file (under ``policy``, if given).

        On failure no session is open and the policy stays as it was.
        """
        if self._session is not None:
            self._session.close()
        self._session = None
        self._session = _open(
            self.path, self._settings, self.clock, policy or self.policy, self._observer
        )
        self.policy = policy or self.policy

    def advance_to(self, target: float) -> None:
        self.clock.advance_to(max(target, self.clock.now()))

    def close(self) -> None:
        if self._session is not None:
            self._session.close()


class ScenarioDriver:
    """A :class:`ScenarioRun` (or a recording) on a scratch save file and its own clock.

    Parameters
    ----------
    scenario
        What to play; an empty one with the settings in force for a recording.
    policy
        The policy when the scenario names none.
    wall_start
        The wall-clock time the run's time 0 stands for.
    observer
        The engine observer of every session the run opens.
    on_record
        Called with each :data:`Record` (storage marks come from the writer thread).
    """

    def __init__(
        self,
        scenario: Scenario,
        *,
        name: str,
        recording: bool,
        policy: str,
        wall_start: float,
        observer: Callable[[Notification], None],
        on_record: Callable[[Record], None],
    ) -> None:
        self.name = name
        self.recording = recording
        self._closed_toml: str | None = None
        self.clock = VirtualClock(0.0, wall_start=wall_start)
        self._folder = tempfile.TemporaryDirectory(prefix="snowsession-scenario-")
        self.folder = Path(self._folder.name)
        self._on_record = on_record
        try:
            self.run = ScenarioRun(
                scenario,
                self.folder / "session.xml",
                clock=self.clock,
                policy=scenario.policy or policy,
                observers=(observer,),
                on_session=self._opened,
                on_record=self._recorded,
            )
        except BaseException:
            self._folder.cleanup()
            raise

    @staticmethod
    def _opened(session: ClientSession) -> None:
        session.flush(timeout=2.0)  # its start on disk before the timeline reads the file

    def _recorded(self, item: SessionEntry | Mark | ExpectationResult) -> None:
        if isinstance(item, ExpectationResult):  # checked now, in the session in force
            self._on_record(ExpectationMark(item.at, self.run.session.session_index, item))
        else:
            self._on_record(item)

    @property
    def session(self) -> ClientSession | None:
        return self.run.session

    @property
    def settings(self) -> Timeouts:
        return Timeouts(**self.run.settings)

    def fire_event(self) -> str:
        self.run.perform(Action.EVENT)
        return self.run.events[-1].event_id

    def set_background(self, background: bool) -> None:
        self.run.perform(Action.BACKGROUND if background else Action.FOREGROUND)

    def set_checking(self, checking: bool) -> None:
        self.run.perform(Action.START_CHECKER if checking else Action.STOP_CHECKER)

    def set_setting(self, name: str, seconds: float) -> None:
        self.run.perform(Action.SET, **{name: check_seconds(name, seconds)})

    def set_paused(self, paused: bool) -> None:
        session = self.run.session
        if paused:
            session.pause()
        else:
            session.resume()

    def request_new_session(self) -> None:
        self.run.session.start_new_session()

    def restart(self) -> None:
        self.run.perform(Action.RESTART)

    def advance_to(self, target: float) -> None:
        self.run.advance_to(max(target, self.run.time))

    def next_step_at(self) -> float | None:
        return self.run.next_step_at

    def recorded_toml(self) -> str | None:
        """The scenario file of what was done while recording, with an ``expect`` of the state
        reached (None if nothing was done); still there after :meth:`close`."""
        if self.run.session.closed:
            return self._closed_toml
        if not self.recording or not self.run.performed:
            return None
        return Recorder.from_run(self.run).to_toml()

    def close(self) -> None:
        """Close the run's session and delete the scratch folder."""
        try:
            self._closed_toml = self.recorded_toml()
            self.run.finish()
        finally:
            self._folder.cleanup()
