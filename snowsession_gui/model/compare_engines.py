"""Two engines side by side: ``dotnet`` and ``mobile`` fed the same events, switches and time.

No Qt here: the compare view (:mod:`snowsession_gui.policy.compare_view`) draws what this runs,
as its host (:mod:`snowsession_gui.policy.compare_host`) sends it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path

from session import (
    DEFAULTS,
    POLICY_NAMES,
    ClientSession,
    Notification,
    SessionStarted,
    Settings,
    VirtualClock,
    check_seconds,
)

__all__ = [
    "COMPARE_DEMO",
    "COMPARE_DEMO_END",
    "DEMO_SETTINGS",
    "POLICY_PAIR",
    "PolicyPair",
    "Tally",
    "summarise",
    "whose_timeouts",
]

DOTNET, MOBILE = POLICY_PAIR = POLICY_NAMES
"""The two policies compared: the timer-driven one and the event-driven one."""

# (simulated seconds from the start, what to do): a short background trip, a long idle, a long
# background trip. With the tracker's defaults (DEMO_SETTINGS) the .NET rules make sessions
# nobody used.
COMPARE_DEMO: tuple[tuple[float, str], ...] = (
    (10, "event"),
    (60, "event"),
    (120, "event"),
    (200, "event"),
    (260, "background"),
    (380, "foreground"),
    (400, "event"),
    (450, "event"),
    # idle for over half an hour
    (2600, "event"),
    (2640, "event"),
    (2700, "event"),
    (2750, "background"),
    # ten minutes in the background
    (3350, "foreground"),
    (3360, "event"),
    (3410, "event"),
    (3450, "event"),
)
COMPARE_DEMO_END = 3500.0
DEMO_SETTINGS = DEFAULTS
"""The timeouts the demo is written for (it plays with these, whatever the window uses)."""


def whose_timeouts(settings: Settings, window: Settings, source: str) -> str:
    """Whose the timeouts in force are, in a few words: ``source`` is where they came from
    (``window``, ``demo`` or ``here``), ``window`` the main window's now."""
    if source == "demo":
        whose = "the demo's own" + (", the tracker's defaults" if settings == DEFAULTS else "")
        return whose + (", as in the main window" if settings == window else "")
    if settings == window:
        return "the main window's"
    return "set here" if source == "here" else "the main window's before they changed"


class Tally:
    """Counts one engine's sessions, and those that ended without an event."""

    def __init__(self) -> None:
        self.sessions = 0
        self.empty = 0

    def __call__(self, note: Notification) -> None:
        if isinstance(note, SessionStarted):
            self.sessions += 1
            if note.old is not None and note.old.first_event_id is None:
                self.empty += 1

    def describe(self, policy: str) -> str:
        text = f"{policy}: {self.sessions} session{'' if self.sessions == 1 else 's'}"
        if self.empty:
            text += f", {self.empty} without events"
        return text


def summarise(tallies: Mapping[str, Tally]) -> str:
    """One line: where the two policies' tallies differ (or that they agree so far)."""
    dotnet, mobile = (tallies[name] for name in POLICY_PAIR)
    if (dotnet.sessions, dotnet.empty) == (mobile.sessions, mobile.empty):
        count = dotnet.sessions
        return f"Same so far: {count} session{'' if count == 1 else 's'} under both policies"
    return f"{dotnet.describe(DOTNET)}; {mobile.describe(MOBILE)}"


class PolicyPair:
    """A ``dotnet`` and a ``mobile`` :class:`~session.ClientSession` on one clock.

    Each has its own save file in ``folder`` (``dotnet.xml``, ``mobile.xml``).

    Parameters
    ----------
    settings
        The timeouts and interval of both.
    lifecycle_events
        Under mobile, track an ``application_background``/``_foreground`` event before each
        switch, as the mobile trackers do (so the old state's timeout judges it).
    observers
        Extra observers per policy name, given to each engine at construction.
    """

    def __init__(
        self,
        folder: str | Path,
        clock: VirtualClock,
        *,
        settings: Settings = DEFAULTS,
        lifecycle_events: bool = True,
        observers: Mapping[str, Iterable[Callable[[Notification], None]]] | None = None,
    ) -> None:
        self.folder = Path(folder)
        self.clock = clock
        self.settings = settings
        self.lifecycle_events = lifecycle_events
        self.tallies = {name: Tally() for name in POLICY_PAIR}
        self.sessions: dict[str, ClientSession] = {}
        extra = observers or {}
        try:
            for name in POLICY_PAIR:
                self.sessions[name] = ClientSession(
                    self.folder / f"{name}.xml",
                    foreground_timeout=settings.foreground_timeout,
                    background_timeout=settings.background_timeout,
                    check_interval=settings.check_interval,
                    clock=clock,
                    policy=name,
                    observers=(self.tallies[name], *extra.get(name, ())),
                )
        except BaseException:
            self.close()
            raise

    def fire_event(self) -> str:
        """Track one event (the same id) in both engines."""
        event_id = str(uuid.uuid4())
        for session in self.sessions.values():
            session.get_session_context(event_id)
        return event_id

    @property
    def background(self) -> bool:
        return self.sessions[DOTNET].background

    def set_background(self, background: bool) -> None:
        """Send the app to the background (True) or the foreground in both engines."""
        for name, session in self.sessions.items():
            if session.background == background:
                continue
            if name == MOBILE and self.lifecycle_events:
                session.get_session_context(str(uuid.uuid4()))
            session.set_background(background)

    def set_setting(self, name: str, seconds: float) -> None:
        """Set a timeout or the interval of both engines (each notifies the change).
        Raises ValueError (and changes neither) for a value the engine refuses."""
        seconds = check_seconds(name, seconds)
        for session in self.sessions.values():
            setattr(session, name, seconds)
        self.settings = replace(self.settings, **{name: seconds})

    def play(self, script: Iterable[tuple[float, str]], end: float) -> None:
        """Play ``script`` ((seconds from now, ``event``/``background``/``foreground``), in
        order) at once, then move the clock to ``end`` seconds from now."""
        start = self.clock.now()
        for at, action in script:
            self.clock.advance_to(start + at)
            if action == "event":
                self.fire_event()
            else:
                self.set_background(action == "background")
        self.clock.advance_to(start + end)

    def summary(self) -> str:
        """One line: where the two differ (or that they agree so far)."""
        return summarise(self.tallies)

    def close(self) -> None:
        for session in self.sessions.values():
            session.close()
