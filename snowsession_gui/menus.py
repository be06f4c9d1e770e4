"""The window's menus and keyboard shortcuts (every action also works from its key)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence

if TYPE_CHECKING:
    from .main_window import MainWindow

__all__ = ["SHORTCUTS", "build_menus"]

SHORTCUTS = {
    "Space": "fire an event",
    "B": "background / foreground",
    "C": "checker on / off",
    "P": "pause / resume",
    "0-4": "pause, 1x, 10x, 60x, 600x",
    "M / Shift+M": "skip 1 / 5 minutes",
    "N": "skip to the next check",
    "F": "follow the present",
    "Ctrl+R": "restart app",
    "Ctrl+K": "compare the dotnet and mobile policies",
    "Ctrl+O": "open a save file",
    "Ctrl+Shift+O": "play a scenario file",
    "Shift+N": "skip to the next scenario step",
    "Ctrl+Shift+R": "record a scenario",
    "Ctrl+Shift+M": "monitor a save file, read-only",
    "F1": "how sessions work",
}


def _action(
    window: MainWindow,
    text: str,
    slot: Callable[..., object],
    shortcut: str | QKeySequence | QKeySequence.StandardKey | None = None,
    name: str = "",
) -> QAction:
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.setToolTip(text.replace("&", "").rstrip("…"))
    if name:
        action.setObjectName(name)
    action.triggered.connect(slot)
    window.addAction(action)  # the key works wherever the focus is in the window
    return action


def build_menus(window: MainWindow) -> None:
    """File, Simulate, View and Help."""
    bar = window.menuBar()
    w = window

    file = bar.addMenu("&File")
    file.addAction(
        _action(w, "&Open save file…", w.choose_file, QKeySequence.StandardKey.Open, "openAction")
    )
    file.addSeparator()
    file.addAction(
        _action(w, "Export timeline as &PNG…", w.choose_export_png, name="exportPngAction")
    )
    file.addAction(
        _action(w, "Export timeline as &CSV…", w.choose_export_csv, name="exportCsvAction")
    )
    file.addSeparator()
    file.addAction(_action(w, "&Quit", w.close, QKeySequence.StandardKey.Quit, "quitAction"))

    sim = bar.addMenu("&Simulate")
    c, t = w.controls, w.time_controls
    sim.addAction(_action(w, "&Fire event", c.fire_event, "Space", "fireEventAction"))
    sim.addAction(
        _action(w, "&Background / foreground", c.toggle_background, "B", "backgroundAction")
    )
    sim.addAction(_action(w, "&Checker on / off", c.toggle_checker, "C", "checkerAction"))
    sim.addSeparator()
    sim.addAction(_action(w, "&Pause / resume", t.toggle_pause, "P", "pauseAction"))
    for key, speed in enumerate((0.0, 1.0, 10.0, 60.0, 600.0)):
        label = "Pause" if speed == 0 else f"Speed {speed:g}x"
        sim.addAction(_action(w, label, lambda *_, s=speed: t.choose_speed(s), str(key)))
    sim.addSeparator()
    sim.addAction(_action(w, "Skip +1 min", t.skip_one_minute, "M"))
    sim.addAction(_action(w, "Skip +5 min", t.skip_five_minutes, "Shift+M"))
    sim.addAction(_action(w, "Skip to the &next check", t.skip_to_check, "N"))
    sim.addSeparator()
    sim.addAction(_action(w, "&Restart app", w.restart, "Ctrl+R", "restartAction"))
    sim.addAction(_action(w, "Reset (&delete the save file)…", w.request_reset, name="resetAction"))

    view = bar.addMenu("&View")
    for dock in w.docks.values():
        view.addAction(dock.toggleViewAction())
    view.addSeparator()
    view.addAction(_action(w, "&Follow the present", w.follow_button.toggle, "F", "followAction"))

    help_menu = bar.addMenu("&Help")
    help_menu.addAction(_action(w, "&How sessions work", w.show_how, "F1", "howAction"))
    help_menu.addAction(_action(w, "&About snowsession", w.show_about, name="aboutAction"))
