"""The app factory: builds the real window, its features installed, without the event loop.

What the window keeps between runs (the timeouts, the policy, the speed) is read here, once,
for the window and for ``snowsession-gui --help`` alike.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs
from PySide6.QtCore import QByteArray, QSettings

from session import DEFAULTS, POLICY_NAMES, SETTING_NAMES, Settings, VirtualClock, check_seconds
from snowsession_gui.earlier_run.feature import EarlierRunFeature
from snowsession_gui.export.feature import ExportFeature
from snowsession_gui.host.session_host import SessionHost
from snowsession_gui.model import settings_names as keys
from snowsession_gui.model.units import DEFAULT_POLICY, DEFAULT_SPEED, MAX_SPEED
from snowsession_gui.policy.feature import PolicyFeature
from snowsession_gui.save_file.feature import SaveFileFeature
from snowsession_gui.scenario.feature import ScenarioFeature
from snowsession_gui.sending.feature import CollectorFeature
from snowsession_gui.trackers.feature import TrackersFeature
from snowsession_gui.window.first_run import FirstRun
from snowsession_gui.window.main_window import MainWindow

__all__ = ["Stored", "app_settings", "create_main_window", "default_save_path", "stored"]

ORGANIZATION = "snowsession"
APPLICATION = "snowsession-gui"


def default_save_path() -> Path:
    """The save file used when none is given: in the user's data folder."""
    return Path(platformdirs.user_data_dir("snowsession", appauthor=False)) / "session.xml"


def app_settings() -> QSettings:
    """The window's settings (an INI file in the user's config folder)."""
    return QSettings(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION
    )


@dataclass(frozen=True, slots=True)
class Stored:
    """What the window kept from its last run (the defaults where it kept nothing usable)."""

    timeouts: Settings = DEFAULTS
    policy: str = DEFAULT_POLICY
    speed: float = DEFAULT_SPEED


def _seconds(settings: QSettings, name: str) -> float:
    value: Any = settings.value(keys.setting_key(name))
    try:
        return check_seconds(name, float(value))
    except (TypeError, ValueError):
        return float(getattr(DEFAULTS, name))


def stored(settings: QSettings | None = None) -> Stored:
    """What is in force when the command line says nothing: the settings kept, else defaults."""
    settings = settings if settings is not None else app_settings()
    timeouts = Settings(**{name: _seconds(settings, name) for name in SETTING_NAMES})
    policy: Any = settings.value(keys.POLICY_KEY)
    speed: Any = settings.value(keys.SPEED_KEY)
    try:
        pace = float(speed)
    except (TypeError, ValueError):
        pace = DEFAULT_SPEED
    return Stored(
        timeouts,
        policy if policy in POLICY_NAMES else DEFAULT_POLICY,
        pace if 0 <= pace <= MAX_SPEED else DEFAULT_SPEED,
    )


def install_features(window: MainWindow) -> None:
    """Everything beyond the core window: scenarios, exports, policies, the collector, the
    save file view, an earlier run drawn beside the one in force, what the empty window says,
    and the sessions of real trackers."""
    window.add_feature(ScenarioFeature(window))
    window.add_feature(ExportFeature(window))
    window.add_feature(PolicyFeature(window))
    window.add_feature(CollectorFeature(window))
    window.add_feature(SaveFileFeature(window))
    window.add_feature(EarlierRunFeature(window))
    window.add_feature(FirstRun(window))
    window.add_feature(TrackersFeature(window))


def create_main_window(
    save_path: str | os.PathLike[str] | None = None,
    *,
    clock: VirtualClock | None = None,
    speed: float | None = None,
    foreground_timeout: float | None = None,
    background_timeout: float | None = None,
    check_interval: float | None = None,
    policy: str | None = None,
    settings: QSettings | None = None,
    restore: bool = True,
) -> MainWindow:
    """Build the snowsession window on ``save_path`` (default: :func:`default_save_path`).

    Parameters
    ----------
    clock
        The simulated clock the engine runs on (a new one at 0 by default). Tests pass one
        and may set ``speed=0`` to move it themselves.
    speed
        Simulated seconds per real second; 0 pauses. Default: the last one used, else 1.
    foreground_timeout, background_timeout, check_interval
        Seconds. Default: the last ones used, else the engine's defaults.
    policy
        The engine policy, one of ``session.POLICY_NAMES``. Default: the last one used, else
        ``dotnet``.
    settings
        Where the window keeps its settings (default: :func:`app_settings`).
    restore
        Restore the window's last geometry and dock layout.

    Raises :class:`~snowsession_gui.host.session_host.CannotOpen` when the file cannot be used.
    """
    settings = settings if settings is not None else app_settings()
    kept = stored(settings)
    given = {
        "foreground_timeout": foreground_timeout,
        "background_timeout": background_timeout,
        "check_interval": check_interval,
    }
    timeouts = Settings(
        **{name: given[name] or getattr(kept.timeouts, name) for name in SETTING_NAMES}
    )
    host = SessionHost(
        Path(save_path) if save_path is not None else default_save_path(),
        clock=clock,
        speed=speed if speed is not None else kept.speed,
        settings=timeouts,
        policy=policy or kept.policy,
    )
    window = MainWindow(host, settings, install_features)
    if restore:
        geometry, state = settings.value(keys.GEOMETRY_KEY), settings.value(keys.LAYOUT_KEY)
        window.restore_layout(
            geometry if isinstance(geometry, QByteArray) else None,
            state if isinstance(state, QByteArray) else None,
        )
    window.hide_transient_docks()
    return window
