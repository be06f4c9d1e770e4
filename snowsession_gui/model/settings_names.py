"""How the window names each setting, once: its title and what it is, as fields, reports,
messages and ``--help`` say it, and the key it is kept under between runs (no Qt)."""

from __future__ import annotations

from typing import NamedTuple

__all__ = [
    "COLLECTOR_ENABLED_KEY",
    "COLLECTOR_URL_KEY",
    "FIRST_RUN_HIDDEN_KEY",
    "GEOMETRY_KEY",
    "LAYOUT_KEY",
    "POLICY_KEY",
    "SCENARIO_FOLDER_KEY",
    "SETTING_LABELS",
    "SETTING_WORDS",
    "SPEED_KEY",
    "SettingWords",
    "setting_key",
    "trackers_key",
]


class SettingWords(NamedTuple):
    """A setting's title (``Foreground timeout``) and what it is, in a phrase."""

    title: str
    about: str

    @property
    def label(self) -> str:
        """The title within a sentence: ``the foreground timeout``."""
        return "the " + self.title.lower()


SETTING_WORDS = {
    "foreground_timeout": SettingWords(
        "Foreground timeout",
        "idle time after which a check starts a new session while the app is in the foreground",
    ),
    "background_timeout": SettingWords(
        "Background timeout",
        "idle time after which a check starts a new session while the app is in the background",
    ),
    "check_interval": SettingWords("Check interval", "time between two expiry checks"),
}
"""Each setting's words, by :data:`session.SETTING_NAMES`."""

SETTING_LABELS = {name: words.label for name, words in SETTING_WORDS.items()}
"""How the settings are named in messages (``the foreground timeout``)."""

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
