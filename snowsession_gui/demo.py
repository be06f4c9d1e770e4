"""A few simulated minutes played in the window: events, a background trip, timeouts.

Used by ``snowsession-gui --offscreen --screenshot`` and by the benchmarks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:
    from .main_window import MainWindow

__all__ = ["DEMO_STEPS", "play_demo"]

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


def play_demo(
    window: MainWindow, steps: tuple[tuple[float, str], ...] = DEMO_STEPS, end: float = DEMO_END
) -> None:
    """Play ``steps`` on the window's time (which should be paused), then draw it all."""
    host = window.host
    sim = host.sim
    start = sim.now()
    app = QApplication.instance()

    def settle() -> None:
        session = host.session
        if session is not None:
            session.flush(2.0)
        host.watcher.read_now()
        if app is not None:
            app.processEvents()

    settle()
    for at, action in steps:
        sim.skip_to(start + at)
        settle()
        if action == "event":
            window.controls.fire_event()
        elif action in ("background", "foreground"):
            host.set_background(action == "background")
        settle()
    sim.skip_to(start + end)
    settle()
    snapshot = host.snapshot
    due = snapshot.due if snapshot is not None else None
    window.timeline.set_span(((due if due is not None else sim.now()) - start) * 1.07)
    window.timeline.redraw()
    if app is not None:
        app.processEvents()
