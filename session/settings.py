"""The three timing settings: their names, their defaults and the one check of a value."""

from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass

from .state import INT32_MAX

__all__ = ["DEFAULTS", "MAX_SECONDS", "SETTING_NAMES", "Settings", "Timeouts", "check_seconds"]

MAX_SECONDS = INT32_MAX
"""The largest timeout or interval, in seconds: the .NET setters take an Int32."""


def check_seconds(name: str, value: object) -> float:
    """``value`` as seconds for the setting ``name``, or a ValueError/TypeError naming both."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number of seconds, got {value!r}")
    seconds = float(value)
    if not math.isfinite(seconds) or not 0 < seconds <= MAX_SECONDS:
        raise ValueError(
            f"{name} must be more than 0 and at most {MAX_SECONDS} seconds, got {value!r}"
        )
    return seconds


@dataclass(frozen=True, slots=True)
class Settings:
    """A session's settings: seconds idle before a new session (foreground, background) and
    between expiry checks. (Not the audit's timeouts, :class:`session.audit.rules.Rules`.)"""

    foreground_timeout: float = 600.0
    background_timeout: float = 300.0
    check_interval: float = 15.0

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            object.__setattr__(self, name, check_seconds(name, value))

    def as_dict(self) -> dict[str, float]:
        """The settings as ``ClientSession`` keyword arguments."""
        return asdict(self)


SETTING_NAMES = ("foreground_timeout", "background_timeout", "check_interval")
"""The settings, in the order they are shown and written."""

Timeouts = Settings
"""The former name of :class:`Settings`, kept so that code written against it still runs."""

DEFAULTS = Settings()
"""The .NET tracker's defaults: 600 s, 300 s, a check every 15 s."""
