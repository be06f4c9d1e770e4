"""Two engines side by side: ``dotnet`` and ``mobile`` fed the same events, switches and time.

No Qt here: the compare view (:mod:`snowsession_gui.compare_view`) draws what this runs.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from session import (
    DEFAULTS,
    POLICY_NAMES,
    ClientSession,
    Notification,
    SessionStarted,
    Timeouts,
    VirtualClock,
)

__all__ = [
    "COMPARE_DEMO",
    "COMPARE_DEMO_END",
    "DEMO_SETTINGS",
    "POLICY_PAIR",
    "PolicyPair",
    "Tally",
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
        settings: Timeouts = DEFAULTS,
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

    def summary(self) -> str:
        """One line: where the two differ (or that they agree so far)."""
        dotnet, mobile = (self.tallies[name] for name in POLICY_PAIR)
        if (dotnet.sessions, dotnet.empty) == (mobile.sessions, mobile.empty):
            count = dotnet.sessions
            return f"Same so far: {count} session{'' if count == 1 else 's'} under both policies"
        return f"{dotnet.describe('dotnet')}; {mobile.describe('mobile')}"

    def close(self) -> None:
        for session in self.sessions.values():
            session.close()
