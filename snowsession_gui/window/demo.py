"""Half an hour of simulated use: events, a background trip, an idle spell, timeouts.

:func:`play_demo` plays it on the window's own session (``snowsession-gui --offscreen
--screenshot`` and the benchmarks, on a scratch file); :func:`demo_scenario` is the same use
as a scenario, which the empty window's *Play demo* plays on a scratch save file, leaving the
person's own file alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication

from session import DEFAULTS
from session.scenario import Action, Scenario, Step

if TYPE_CHECKING:
    from snowsession_gui.host.session_host import SessionHost

    from .main_window import MainWindow

__all__ = ["DEMO_NAME", "DEMO_STEPS", "demo_scenario", "play_demo", "play_run_at_once", "settle"]

DEMO_NAME = "demo"
"""What the demo is called where it plays (the Scenario dock says ``Scenario: demo``)."""

# (simulated seconds from now, what to do)
DEMO_STEPS: tuple[tuple[float, str], ...] = (
    (5, "event"),
    (40, "event"),
    (75, "event"),
    (130, "event"),
    (200, "event"),
    (260, "event"),
    (300, "background"),
    (420, "foreground"),
    (430, "event"),
    (470, "event"),
    (520, "event"),
    # idle: the foreground timeout (600 s) is seen by a check near 00:18:40
    (1200, "event"),
    (1240, "event"),
    (1290, "event"),
    (1300, "background"),
    # a long background trip: the background timeout (300 s) ends the session
    (1700, "foreground"),
    (1710, "event"),
    (1760, "event"),
    (1800, "event"),
    (1830, "event"),
    (1850, "event"),
)
DEMO_END = 1880.0

# (simulated seconds, policy, the session index then): under dotnet the idle spell ends the
# first session at the check after its timeout, the long background trip the second; under
# mobile the first event after the idle spell starts the second, and nothing else does.
DEMO_EXPECTED: tuple[tuple[float, str, int], ...] = (
    (1140, "dotnet", 2),
    (DEMO_END, "dotnet", 3),
    (1200, "mobile", 2),
    (DEMO_END, "mobile", 2),
)


def demo_scenario() -> Scenario:
    """:data:`DEMO_STEPS` as a scenario, with the tracker's default timeouts (those the demo
    is written for) and what the dotnet policy should make of them."""
    steps = [Step(float(at), Action(action)) for at, action in DEMO_STEPS]
    steps += [
        Step(float(at), Action.EXPECT, {"session_index": index}, policy=policy)
        for at, policy, index in DEMO_EXPECTED
    ]
    return Scenario(
        steps=tuple(sorted(steps, key=lambda step: step.at)),
        foreground_timeout=DEFAULTS.foreground_timeout,
        background_timeout=DEFAULTS.background_timeout,
        check_interval=DEFAULTS.check_interval,
        description="The demo: half an hour of use (events, a short and a long background "
        "trip, an idle spell) on a scratch save file, with the tracker's default timeouts",
        source=DEMO_NAME,
    )


def settle(host: SessionHost) -> None:
    """Let the last save reach the disk and the timeline read it: played at once, each new
    session is read from the file before the next (no jump of several in one reading)."""
    session = host.session
    if session is not None:
        session.flush(2.0)
    host.watcher.read_now()


def play_run_at_once(host: SessionHost) -> None:
    """Play the scenario in charge to its end at once, reading the file after each step."""
    run = host.run
    if run is None:
        return
    for at in sorted({step.at for step in run.scenario.steps} | {run.end}):
        host.sim.skip_to(at)
        settle(host)


def play_demo(
    window: MainWindow, steps: tuple[tuple[float, str], ...] = DEMO_STEPS, end: float = DEMO_END
) -> None:
    """Play ``steps`` on the window's time (which should be paused), then draw it all."""
    host = window.host
    sim = host.sim
    start = sim.now()
    app = QApplication.instance()

    def settled() -> None:
        settle(host)
        if app is not None:
            app.processEvents()

    settled()
    for at, action in steps:
        sim.skip_to(start + at)
        settled()
        if action == "event":
            window.fire_event()
        elif action in ("background", "foreground"):
            host.set_background(action == "background")
        settled()
    sim.skip_to(start + end)
    settled()
    window.show_whole_run(at_once=True)  # the whole run and the next deadline
    if app is not None:
        app.processEvents()
