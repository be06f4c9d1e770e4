"""The window's engine host: it drives one :class:`~snowsession_gui.model.drivers.Driver` and sends
the views one stream of typed signals, whatever the driver.

Every change starts as a host call (a control, or time moving) or in the engine itself, and
reaches the views the same way, through the host's :class:`~.route.Route`: the engine
notifies, the route keeps the notification and emits it once the engine call that made it has
returned, then a fresh snapshot. A request the host cannot carry out comes back the same way,
as ``refused(Refused)``. The views draw from these signals only.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from session import (
    DEFAULTS,
    POLICY_NAMES,
    SETTING_NAMES,
    ClientSession,
    PolicyError,
    Settings,
    VirtualClock,
)
from session.scenario import Scenario
from session.scenario.run import ScenarioRun
from session.storage.report import Change, Report
from snowsession_gui.model.drivers import (
    CannotOpen,
    DirectDriver,
    Driver,
    FileBusy,
    ScenarioDriver,
    check_save_file,
)
from snowsession_gui.model.runs import Run, RunBook
from snowsession_gui.model.settings_names import SETTING_LABELS
from snowsession_gui.model.snapshot import no_session_reason
from snowsession_gui.model.units import (
    DEFAULT_POLICY,
    DEFAULT_SPEED,
    MAX_JUMP,
    format_clock,
    format_span,
    jump_problem,
    parse_seconds,
)

from .route import Refused, Route, RouteSignals
from .save_watcher import SaveFileWatcher
from .sim_clock import SimulationClock

__all__ = ["CannotOpen", "FileBusy", "Refused", "SessionHost", "check_save_file"]


class SessionHost(RouteSignals, QObject):
    """Runs the window's session, or a scenario in its place, on simulated time.

    Its signals are its :attr:`route`'s (:class:`~snowsession_gui.host.route.Route` says what
    each carries), and ``timeChanged(float)`` when simulated time moved. ``home`` is the
    window's own session on its own file; ``driver`` is what the controls and time act on now
    (``home``, or a scenario run).
    """

    timeChanged = Signal(float)

    def __init__(
        self,
        save_path: str | os.PathLike[str],
        *,
        clock: VirtualClock | None = None,
        speed: float = DEFAULT_SPEED,
        settings: Settings = DEFAULTS,
        policy: str = DEFAULT_POLICY,
        parent: QObject | None = None,
    ) -> None:
        path = Path(save_path)
        self._runs = RunBook()
        self.home_run = self._runs.of_file(path)
        """The run of the window's own session on its own file."""
        super().__init__(parent)
        self.route = Route(
            self.home_run,
            session=self._session,
            first_look=self._first_look,
            shown_again=self._shown_again,
            parent=self,
        )
        """The one route from the engine to the views."""
        self._clock = clock if clock is not None else VirtualClock()
        problem = check_save_file(path)
        if problem:
            raise CannotOpen(problem)
        token = self._home_token = self.route.token
        self.home = DirectDriver(path, settings, self._clock, policy, self.route.observer(token))
        self.driver: Driver = self.home
        self.watcher = SaveFileWatcher(self.save_path, parent=self)
        self.watcher.changed.connect(self._on_file_change)
        self.sim = SimulationClock(self, speed=0.0, parent=self)
        self.sim.timeChanged.connect(self.timeChanged)
        self.sim.set_speed(speed)

    # ------------------------------------------------------------ what is in force

    @property
    def session(self) -> ClientSession | None:
        return self.driver.session

    @property
    def clock(self) -> VirtualClock:
        return self.driver.clock

    @property
    def scenario(self) -> ScenarioDriver | None:
        """The scenario run in charge, if one is."""
        driver = self.driver
        return driver if isinstance(driver, ScenarioDriver) else None

    @property
    def run(self) -> ScenarioRun | None:
        return self.scenario.run if self.scenario is not None else None

    @property
    def policy(self) -> str:
        """The policy of the window's own session (a scenario may name its own)."""
        return self.home.policy

    @property
    def settings(self) -> Settings:
        """The settings in force (a scenario's own while one runs)."""
        return self.driver.settings

    def setting(self, name: str) -> float:
        value: float = getattr(self.driver.settings, name)
        return value

    @property
    def save_path(self) -> Path:
        session = self.driver.session
        return session.save_path if session is not None else self.home.path

    def live(self) -> ClientSession:
        """The open session; raises :class:`CannotOpen` if there is none (a failed restart)."""
        session = self.driver.session
        if session is None or session.closed:
            raise CannotOpen(
                "no session is open (the last restart failed): use Restart app or File > Open"
            )
        return session

    # ------------------------------------------------------------ time (a TimeSource)

    def now(self) -> float:
        return self.driver.clock.now()

    def next_due(self) -> float | None:
        return self.driver.clock.next_due()

    def advance_to(self, target: float) -> None:
        with self.route.operation():
            self.driver.advance_to(target)

    def go_to(self, target: float) -> None:
        """Move simulated time on to ``target``, running every check on the way.

        Raises ValueError, in words for people, for a time before now (time only moves on)
        or more than :data:`~snowsession_gui.model.units.MAX_JUMP` ahead.
        """
        problem = jump_problem(target, self.now())
        if problem is not None:
            raise ValueError(problem)
        self.sim.skip_to(target)

    def skip_to_next_session(self) -> float:
        """Move time on to the moment the next new session starts; returns that time.

        Raises ValueError, in words for people, when nothing but an event would start one
        (the checker is stopped, or the policy has none) or none would start within
        :data:`~snowsession_gui.model.units.MAX_JUMP`; time is then left where it was.
        """
        before, start = self.live().state.session_id, self.now()
        scenario = self.scenario
        try:
            with self.route.operation():  # what happens on the way reaches the views once
                while True:
                    current = self.driver.session
                    if current is not None and current.state.session_id != before:
                        return self.now()
                    due = current.expected_new_session_at() if current is not None else None
                    step = scenario.next_step_at() if scenario is not None else None
                    targets = [t for t in (due, step) if t is not None]
                    if not targets:
                        raise ValueError(no_session_reason(current, scenario is not None))
                    target = max(self.now(), min(targets))
                    if target - start > MAX_JUMP:
                        moved = self.now() != start
                        raise ValueError(
                            f"no new session is due within {format_span(MAX_JUMP)}"
                            + (f"; time moved on to {format_clock(self.now())}" if moved else "")
                        )
                    self.driver.advance_to(target)
        finally:
            self.sim.show_time()

    # ------------------------------------------------------------ actions

    def fire_event(self) -> str | None:
        """Track one event; returns its id (None when refused)."""
        ids: list[str] = []
        self._request("fire_event", lambda: ids.append(self.driver.fire_event()))
        return ids[0] if ids else None

    # Each request says whether it was carried out; when not, ``refused`` tells the views why.

    def set_background(self, background: bool) -> bool:
        return self._request("set_background", partial(self.driver.set_background, background))

    def set_checking(self, checking: bool) -> bool:
        return self._request("set_checking", partial(self.driver.set_checking, checking))

    def set_paused(self, paused: bool) -> bool:
        return self._request("set_paused", partial(self.driver.set_paused, paused))

    def request_new_session(self) -> bool:
        return self._request("request_new_session", self.driver.request_new_session)

    def apply_setting(self, name: str, text: str) -> str | None:
        """Apply a typed value to a timeout or the interval; why it was refused, or None
        (a refusal is sent as ``refused`` too)."""
        if name not in SETTING_NAMES:
            raise KeyError(name)
        with self.route.operation():
            try:
                seconds = parse_seconds(text, SETTING_LABELS[name])
                self.live()
                self.driver.set_setting(name, seconds)
            except (CannotOpen, ValueError, TypeError) as error:
                self.route.send(Refused(name, str(error)))
                return str(error)
        return None

    def _request(self, what: str, action: Callable[[], object]) -> bool:
        """Carry out ``action`` on the open session and say so; without one (or against the
        policy) the views are sent :class:`Refused` (``what`` and why) instead."""
        with self.route.operation():
            try:
                self.live()
                action()
            except (CannotOpen, PolicyError) as error:
                self.route.send(Refused(what, str(error)))
                return False
        return True

    def restart(self) -> None:
        """The app restarts: a new ``ClientSession`` on the same file (a new session)."""
        with self.route.operation():
            self.driver.restart()

    def set_policy(self, name: str) -> None:
        """Run the window's own session under ``name`` (a restart; a scenario ends first)."""
        if name not in POLICY_NAMES:
            raise ValueError(f"unknown policy {name!r}; choose one of {', '.join(POLICY_NAMES)}")
        self.end_scenario()
        with self.route.operation():
            self.home.restart(policy=name)

    # ------------------------------------------------------------ files

    def open(self, path: str | os.PathLike[str]) -> None:
        """Open ``path`` as the window's save file (a scenario ends first). Raises
        :class:`CannotOpen` (keeping the current session) when ``path`` cannot be used."""
        path = Path(path)
        problem = check_save_file(path)
        if problem:
            raise CannotOpen(problem)
        self.end_scenario()
        old = self.home
        with self.route.operation():
            if old.path.resolve() == path.resolve():
                old.restart()  # the same file: a restart, and the same run goes on
                self._switch(old, self._home_token, self.home_run)
                return
            token = object()
            # The new file first, so that a refusal leaves the current session running.
            new = DirectDriver(
                path, old.settings, self._clock, old.policy, self.route.observer(token)
            )
            self.home, self._home_token = new, token
            self.home_run = self._runs.of_file(path)  # a file opened before goes on where it was
            self._switch(new, token, self.home_run)
            old.close()

    def reset(self) -> None:
        """Forget everything: delete the save file and start a new user."""
        if self.driver is not self.home:
            raise CannotOpen("a scenario is running on a scratch file: stop it first (File menu)")
        home = self.home
        with self.route.operation():
            home.close()
            try:
                with contextlib.suppress(FileNotFoundError):
                    home.path.unlink()
            except OSError as error:
                home.restart()  # carry on with the file as it is
                raise CannotOpen(f"cannot delete {home.path}: {error.strerror or error}") from None
            home.restart()
            self.home_run = self._runs.of_file(home.path, fresh=True)
            self._switch(home, self._home_token, self.home_run)

    # ------------------------------------------------------------ a scenario in charge

    def play(self, scenario: Scenario, *, name: str, recording: bool = False) -> ScenarioDriver:
        """Put ``scenario`` in charge, on a scratch save file and its own clock at 0 (a run
        before it ends first). The window's own session stays open, untouched, until
        :meth:`end_scenario`. Raises what the run raises (OSError, ValueError)."""
        self.end_scenario()
        token = object()
        with self.route.operation():
            driver = ScenarioDriver(
                scenario,
                name=name,
                recording=recording,
                policy=self.home.policy,
                wall_start=self._clock.wall_time(),
                observer=self.route.observer(token),
                on_record=self.route.observer(token),
            )
            kind = "recording" if recording else "scenario"
            self._switch(driver, token, self._runs.new(f"{kind} {name}", home=False))
            driver.advance_to(0.0)  # the steps at time 0 run at once
        return driver

    def end_scenario(self) -> ScenarioDriver | None:
        """Back to the window's own session, as it was (a scenario's run is closed)."""
        driver = self.scenario
        if driver is None:
            return None
        with self.route.operation():
            self._switch(self.home, self._home_token, self.home_run)
            driver.close()
        return driver

    # ------------------------------------------------------------ for the route

    def _session(self) -> ClientSession | None:
        return self.driver.session

    def _first_look(self) -> Report:
        return self.watcher.watch(self.save_path)

    def _shown_again(self) -> None:
        self.sim.show_time()  # another clock may be in force: its time, at once

    def _switch(self, driver: Driver, token: object, run: Run) -> None:
        self.driver = driver
        self.route.start_over(token, run)

    @Slot(object)
    def _on_file_change(self, change: Change) -> None:
        self.route.send(change.after)  # in its place among the engine's notifications

    def close(self) -> None:
        """Stop time, close the sessions (writing their last state) and stop watching."""
        self.route.close()
        self.sim.stop()
        scenario = self.scenario
        if scenario is not None:
            self.driver = self.home
            scenario.close()
        self.home.close()
        self.watcher.stop()
