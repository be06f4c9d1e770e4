"""The compare view's host: the two engines of a :class:`PolicyPair`, and a route for each.

The view acts through the host (an event, a background switch, a timeout, time moving,
starting over) and draws only what the routes send, on the same terms as the main window:
each engine's notifications on the signals of the one map
(:data:`~snowsession_gui.host.qt_session.NOTIFICATION_SIGNALS`), events in batches, and once
the host call that made them has returned, a fresh
:class:`~snowsession_gui.model.snapshot.SessionSnapshot` of that engine (``stateChanged``).
Each start over is a new run (``startedOver``). Both engines take the same timeouts, so a
refused timeout comes back once, as ``refused(Refused)`` on the :attr:`CompareHost.lead`
route, the one whose settings the view shows for both.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject

from session import SETTING_NAMES, ClientSession, Notification, Settings, VirtualClock
from snowsession_gui.host.route import Refused, Route
from snowsession_gui.model.compare_engines import DOTNET, POLICY_PAIR, PolicyPair
from snowsession_gui.model.runs import RunBook
from snowsession_gui.model.settings_names import SETTING_LABELS
from snowsession_gui.model.units import parse_seconds

__all__ = ["LEAD", "CompareHost"]

LEAD = DOTNET
"""The engine whose route speaks for both where they are alike: settings and refusals."""


class CompareHost(QObject):
    """Runs a :class:`PolicyPair` on ``clock`` with save files in ``folder``.

    :attr:`routes` holds a :class:`~snowsession_gui.host.route.Route` per policy name (its
    ``policy`` property says which). It is the :class:`~snowsession_gui.host.sim_clock.
    TimeSource` of the view's simulated time: time moves through it, so what the engines'
    checks do is sent at once.
    """

    def __init__(self, folder: Path, clock: VirtualClock, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.clock = clock
        self._runs = RunBook()
        self.pair: PolicyPair | None = None
        """The engines (the host's own: views draw from the routes)."""
        self.routes: dict[str, Route] = {}
        for name in POLICY_PAIR:
            run = self._runs.new(name, home=True)
            route = Route(run, session=partial(self._session, name), parent=self)
            route.setProperty("policy", name)
            self.routes[name] = route

    @property
    def lead(self) -> Route:
        """The route that speaks for both engines where they are alike."""
        return self.routes[LEAD]

    def _session(self, name: str) -> ClientSession | None:
        return None if self.pair is None else self.pair.sessions.get(name)

    @contextlib.contextmanager
    def operation(self) -> Iterator[None]:
        """A host call: what both engines make is sent when it returns."""
        with contextlib.ExitStack() as stack:
            for route in self.routes.values():
                stack.enter_context(route.operation())
            yield

    # ------------------------------------------------------------ requests

    def start(self, settings: Settings, *, lifecycle_events: bool) -> None:
        """New engines on fresh save files with ``settings``: a new run on each route."""
        with self.operation():
            self._close_pair()
            observers: dict[str, Iterable[Callable[[Notification], None]]] = {}
            for name, route in self.routes.items():
                (self.folder / f"{name}.xml").unlink(missing_ok=True)
                token = object()
                route.start_over(token, self._runs.new(name, home=True))
                observers[name] = [route.observer(token)]
            self.pair = PolicyPair(
                self.folder,
                self.clock,
                settings=settings,
                lifecycle_events=lifecycle_events,
                observers=observers,
            )

    def fire_event(self) -> None:
        """Track one event in both engines."""
        with self.operation():
            if self.pair is not None:
                self.pair.fire_event()

    def set_background(self, background: bool) -> None:
        """Send the app to the background (True) or the foreground in both engines."""
        with self.operation():
            if self.pair is not None and self.pair.background != background:
                self.pair.set_background(background)

    def set_lifecycle_events(self, on: bool) -> None:
        """Whether mobile tracks a lifecycle event before each switch from now on."""
        if self.pair is not None:
            self.pair.lifecycle_events = on

    def apply_setting(self, name: str, text: str) -> None:
        """Apply a typed value to a timeout or the interval of both engines; a value they
        refuse is sent as ``refused`` on the lead route, and nothing changes."""
        if name not in SETTING_NAMES:
            raise KeyError(name)
        with self.operation():
            try:
                seconds = parse_seconds(text, SETTING_LABELS[name])
                if self.pair is not None and getattr(self.pair.settings, name) != seconds:
                    self.pair.set_setting(name, seconds)
            except (TypeError, ValueError) as error:
                self.lead.send(Refused(name, str(error)))

    def apply_settings(self, settings: Settings) -> None:
        """Give both engines ``settings`` (each one that differs)."""
        with self.operation():
            for name in SETTING_NAMES:
                seconds = getattr(settings, name)
                if self.pair is not None and getattr(self.pair.settings, name) != seconds:
                    self.pair.set_setting(name, seconds)

    def play(self, script: Iterable[tuple[float, str]], end: float) -> None:
        """Play ``script`` at once (see :meth:`PolicyPair.play`); everything is sent after."""
        with self.operation():
            if self.pair is not None:
                self.pair.play(script, end)

    # ------------------------------------------------------------ time

    def now(self) -> float:
        return self.clock.now()

    def advance_to(self, target: float) -> None:
        """Move time on, running the checks due on the way; what they did is sent after."""
        with self.operation():
            self.clock.advance_to(target)

    def next_due(self) -> float | None:
        return self.clock.next_due()

    def close(self) -> None:
        """Send nothing more, and close the engines."""
        for route in self.routes.values():
            route.close()
        self._close_pair()

    def _close_pair(self) -> None:
        if self.pair is not None:
            self.pair.close()
            self.pair = None
