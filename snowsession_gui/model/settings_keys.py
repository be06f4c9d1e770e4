"""Every key the window keeps between runs, once: what writes a setting and what reads it back
use the same name (no Qt)."""

from __future__ import annotations

__all__ = [
    "COLLECTOR_ENABLED_KEY",
    "COLLECTOR_URL_KEY",
    "FIRST_RUN_HIDDEN_KEY",
    "GEOMETRY_KEY",
    "LAYOUT_KEY",
    "POLICY_KEY",
    "SCENARIO_FOLDER_KEY",
    "SPEED_KEY",
    "setting_key",
    "trackers_key",
]

GEOMETRY_KEY = "window/geometry"
"""The main window's place and size."""
LAYOUT_KEY = "window/state"
"""The main window's docks and toolbars."""
SPEED_KEY = "time/speed"
"""Simulated seconds per real second."""
POLICY_KEY = "session/policy"
"""The policy the window's own session runs."""
COLLECTOR_URL_KEY = "collector/url"
"""Where *Send to a collector* sends."""
COLLECTOR_ENABLED_KEY = "collector/enabled"
"""Whether events are sent to it (``true`` or ``false``)."""
FIRST_RUN_HIDDEN_KEY = "firstRun/hidden"
"""Whether the person hid the first-run hint (``true``)."""
SCENARIO_FOLDER_KEY = "scenario/folder"
"""The folder a scenario was last opened from."""


def setting_key(name: str) -> str:
    """The key of one of the window's own settings (a name in :data:`session.SETTING_NAMES`)."""
    return f"session/{name}"


def trackers_key(name: str) -> str:
    """The key of one of the Trackers panel's choices (its address, port, log, timeouts)."""
    return f"trackers/{name}"
