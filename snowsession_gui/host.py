"""The window's engine host: one ``ClientSession`` on a simulated clock, and its life cycle.

It owns the session, the :class:`SessionBridge` the widgets listen to, the
:class:`SimulationClock` and the :class:`SaveFileWatcher`. Opening, restarting and resetting
replace the session (closing the old one first: the engine holds an OS lock on the file).
"""

from __future__ import annotations

import contextlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from session import ClientSession, SaveFileBusyError, SessionStarted, VirtualClock, read_save_file

from .qt_session import SessionBridge
from .save_watcher import SaveFileWatcher
from .seconds_input import parse_seconds
from .sim_clock import SimulationClock

if TYPE_CHECKING:
    from session.scenario.run import ScenarioRun

__all__ = ["SETTINGS", "CannotOpen", "FileBusy", "SessionHost", "check_save_file"]

SETTINGS = ("foreground_timeout", "background_timeout", "check_interval")
LABELS = {
    "foreground_timeout": "the foreground timeout",
    "background_timeout": "the background timeout",
    "check_interval": "the check interval",
}


class CannotOpen(Exception):
    """A save file could not be opened; the message says why and what to do."""


class FileBusy(CannotOpen):
    """Another program holds the save file's lock (it can still be watched in monitor mode)."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.path = path


def check_save_file(path: Path) -> str | None:
    """Why ``path`` cannot be opened as a save file, or None if it can (or does not exist).

    A file whose user id cannot be read is not a save file (a picture, a folder, junk): it is
    refused rather than handed to the engine, which would set it aside and start a new user.
    """
    if path.is_dir():
        return f"{path} is a folder, not a save file. Choose a save file (for example session.xml)."
    if not path.exists():
        return None
    if not os.access(path, os.R_OK):
        return f"{path} cannot be read (permission denied). Check its permissions."
    loaded = read_save_file(path)
    if loaded.saved is None or loaded.saved.user_id is None:
        reason = loaded.problem or "it holds no client session"
        return f"{path} is not a snowsession save file: {reason}. Nothing was changed."
    return None


@dataclass
class Settings:
    foreground_timeout: float = 600.0
    background_timeout: float = 300.0
    check_interval: float = 15.0


class SessionHost(QObject):
    """Runs the window's session. Signals: ``sessionReplaced(ClientSession)`` after
    open/restart/reset, ``notified(note)`` for every engine notification (GUI thread),
    ``timeChanged(float)`` when simulated time moves, ``contextReady(SessionContext)`` for
    each event fired through :meth:`fire_event`."""

    sessionReplaced = Signal(object)
    notified = Signal(object)
    timeChanged = Signal(float)
    contextReady = Signal(object)

    def __init__(
        self,
        save_path: str | os.PathLike[str],
        *,
        clock: VirtualClock | None = None,
        speed: float = 1.0,
        foreground_timeout: float = 600.0,
        background_timeout: float = 300.0,
        check_interval: float = 15.0,
        policy: str = "dotnet",
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = Settings(foreground_timeout, background_timeout, check_interval)
        self.policy = policy
        """The engine policy of every session this host opens (``dotnet`` or ``mobile``)."""
        self.sim = SimulationClock(clock, speed=0.0, parent=self)
        self.sim.timeChanged.connect(self.timeChanged)
        self.bridge: SessionBridge | None = None
        self.session: ClientSession | None = None
        self.start_note: SessionStarted | None = None
        self.notified.connect(self._remember_start)
        self.watcher: SaveFileWatcher | None = None
        self.run: ScenarioRun | None = None
        """A scenario run that owns the session (playback, recording): actions go through it."""
        self._start(Path(save_path))
        self.sim.set_speed(speed)

    def _remember_start(self, note: object) -> None:
        if isinstance(note, SessionStarted):
            self.start_note = note

    @property
    def clock(self) -> VirtualClock:
        return self.sim.clock

    @property
    def save_path(self) -> Path:
        assert self.session is not None
        return self.session.save_path

    def now(self) -> float:
        return self.sim.clock.now()

    # ------------------------------------------------------------ life cycle

    def _new_session_unchecked(self, path: Path) -> ClientSession:
        s = self.settings
        bridge = SessionBridge(parent=self)
        bridge.notified.connect(self.notified)
        try:
            session = ClientSession(
                path,
                s.foreground_timeout,
                s.background_timeout,
                s.check_interval,
                clock=self.sim.clock,
                policy=self.policy,
                observers=(bridge.notify,),
            )
        except BaseException:
            bridge.detach()
            bridge.deleteLater()
            raise
        bridge.attach(session)
        self.bridge = bridge
        # The timeline is read from the file: the session's start must be on disk before the
        # first reading, or a quick timeout could reach the file first and hide it.
        session.flush(timeout=2.0)
        return session

    def _construct(self, path: Path) -> ClientSession:
        try:
            return self._new_session_unchecked(path)
        except SaveFileBusyError:
            raise FileBusy(
                f"{path} is in use by another program (it holds the file's lock). Close that "
                "program first, or watch the file read-only in monitor mode.",
                path,
            ) from None
        except (OSError, ValueError, TypeError) as error:
            raise CannotOpen(f"cannot open {path}: {error}") from None

    def _start(self, path: Path) -> None:
        problem = check_save_file(path)
        if problem:
            raise CannotOpen(problem)
        self.session = self._construct(path)
        self._watch(path)
        self.sessionReplaced.emit(self.session)

    def _watch(self, path: Path) -> None:
        if self.watcher is not None and self.watcher.path == path:
            return
        if self.watcher is not None:
            self.watcher.stop()
            self.watcher.deleteLater()
        self.watcher = SaveFileWatcher(path, parent=self)

    def open(self, path: str | os.PathLike[str]) -> None:
        """Close the current session and open ``path``. Raises :class:`CannotOpen` (and keeps
        the current session) when ``path`` cannot be used."""
        path = Path(path)
        problem = check_save_file(path)
        if problem:
            raise CannotOpen(problem)
        self.end_run()
        old = self.session
        if old is not None and old.save_path.resolve() != path.resolve():
            # Take the new file first so a refusal leaves the current session running.
            session = self._construct(path)
            self._close(old)
        else:
            self._close(old)
            session = self._construct(path)
        self.session = session
        self._watch(path)
        self.sessionReplaced.emit(session)

    def restart(self) -> None:
        """The app restarts: a new ``ClientSession`` on the same file (a new session)."""
        assert self.session is not None
        if self._perform("restart"):
            return
        path = self.session.save_path
        self._close(self.session)
        self.session = self._construct(path)
        self.sessionReplaced.emit(self.session)

    def reset(self) -> None:
        """Forget everything: delete the save file and start a new user."""
        assert self.session is not None
        if self.run is not None:
            raise CannotOpen("a scenario is running on a scratch file: stop it first (File menu)")
        path = self.session.save_path
        self._close(self.session)
        try:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        except OSError as error:
            self.session = self._construct(path)  # carry on with the file as it is
            self.sessionReplaced.emit(self.session)
            raise CannotOpen(f"cannot delete {path}: {error.strerror or error}") from None
        if self.watcher is not None:
            self.watcher.forget()
        self.session = self._construct(path)
        self.sessionReplaced.emit(self.session)

    def _close(self, session: ClientSession | None) -> None:
        if session is None:
            return
        for bridge in self.findChildren(SessionBridge):
            if bridge.session is session:
                bridge.detach()
                bridge.deleteLater()
                if bridge is self.bridge:
                    self.bridge = None
        session.close()

    def close(self) -> None:
        """Stop time, close the session (writing its last state) and stop watching."""
        self.sim.stop()
        self.end_run()
        self._close(self.session)
        if self.watcher is not None:
            self.watcher.stop()

    # ------------------------------------------------------------ actions

    def live(self) -> ClientSession:
        """The open session; raises :class:`CannotOpen` if there is none (a failed restart)."""
        session = self.session
        if session is None or session.closed:
            raise CannotOpen(
                "no session is open (the last restart or reset failed): use Restart app or "
                "File > Open"
            )
        return session

    def fire_event(self) -> str:
        """Track one event (a fresh id), emit ``contextReady`` with its context, return the id."""
        run = self.run
        if run is not None and self._perform("event"):
            session = self.live()
            self.contextReady.emit(session.policy.context(session.state))
            return run.events[-1].event_id
        event_id = str(uuid.uuid4())
        context = self.live().get_session_context(event_id)
        self.contextReady.emit(context)
        return event_id

    def set_background(self, background: bool) -> None:
        if not self._perform("background" if background else "foreground"):
            self.live().set_background(background)

    def set_checking(self, checking: bool) -> None:
        session = self.live()
        if self._perform("start_checker" if checking else "stop_checker"):
            return
        if checking:
            session.start_checker()
        else:
            session.stop_checker()

    def apply_setting(self, name: str, text: str) -> str | None:
        """Apply a typed value to a timeout or the interval; the reason it was refused, or None."""
        if name not in SETTINGS:
            raise KeyError(name)
        value, message = parse_seconds(text, LABELS[name])
        if message is not None or value is None:
            return message or "refused"
        try:
            if not self._perform("set", **{name: value}):
                setattr(self.live(), name, value)
        except CannotOpen as error:
            return str(error)
        except (TypeError, ValueError) as error:
            return str(error)
        setattr(self.settings, name, value)
        return None

    def setting(self, name: str) -> float:
        if self.run is not None:  # a scenario's own settings are not the window's
            return self.run.settings[name]
        value: float = getattr(self.settings, name)
        return value

    # ------------------------------------------------------------ a scenario run in charge

    def adopt(self, session: ClientSession, bridge: SessionBridge) -> None:
        """Show ``session``, opened by a scenario run whose observer is ``bridge.notify``
        (the current session, if another, is closed first)."""
        bridge.attach(session)
        if self.session is not None and self.session is not session:
            self._close(self.session)
        self.session, self.bridge = session, bridge
        self._watch(session.save_path)
        self.sessionReplaced.emit(session)

    def end_run(self) -> None:
        """Stop routing actions and time through the scenario run (its session stays open)."""
        self.run = None
        self.sim.driver = None

    def _perform(self, action: str, **values: Any) -> bool:
        """Do ``action`` through the scenario run, if one is in charge (False if none is)."""
        if self.run is None:
            return False
        self.live()
        self.run.perform(action, **values)
        return True
