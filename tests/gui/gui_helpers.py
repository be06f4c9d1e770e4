"""Small helpers shared by the window's tests."""

from __future__ import annotations

from snowsession_gui.main_window import MainWindow


def settle(window: MainWindow) -> None:
    """Let the save reach the disk and the timeline read it, then draw (no waiting on timers)."""
    session = window.host.session
    assert session is not None
    assert session.flush(5.0)
    assert window.host.watcher is not None
    window.host.watcher.read_now()
    window.timeline.redraw()
