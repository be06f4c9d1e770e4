"""The app factory: builds the real window without entering the event loop."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import platformdirs
from PySide6.QtCore import QSettings

from session import VirtualClock

from .host import SessionHost
from .main_window import MainWindow

__all__ = ["app_settings", "create_main_window", "default_save_path"]

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


def _number(settings: QSettings, key: str) -> float | None:
    value: Any = settings.value(key)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and number >= 0 else None


def _policy(settings: QSettings) -> str:
    value: Any = settings.value("session/policy")
    return value if value in ("dotnet", "mobile") else "dotnet"


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
        The engine policy, ``"dotnet"`` or ``"mobile"``. Default: the last one used, else dotnet.
    settings
        Where the window keeps its settings (default: :func:`app_settings`).
    restore
        Restore the window's last geometry and dock layout.

    Raises :class:`~snowsession_gui.host.CannotOpen` when the file cannot be used.
    """
    settings = settings if settings is not None else app_settings()
    saved = {
        "foreground_timeout": _number(settings, "session/foreground_timeout") or 600.0,
        "background_timeout": _number(settings, "session/background_timeout") or 300.0,
        "check_interval": _number(settings, "session/check_interval") or 15.0,
    }
    saved_speed = _number(settings, "time/speed")
    host = SessionHost(
        Path(save_path) if save_path is not None else default_save_path(),
        clock=clock,
        speed=speed if speed is not None else (saved_speed if saved_speed is not None else 1.0),
        foreground_timeout=foreground_timeout or saved["foreground_timeout"],
        background_timeout=background_timeout or saved["background_timeout"],
        check_interval=check_interval or saved["check_interval"],
        policy=policy or _policy(settings),
    )
    window = MainWindow(host, settings)
    if restore:
        geometry = settings.value("window/geometry")
        state = settings.value("window/state")
        if geometry is not None:
            window.restoreGeometry(geometry)
        if state is not None:
            window.restoreState(state)
    return window
