"""Times, speeds and the default policy as the window shows and reads them (no Qt here: the
launcher uses them).

One copy of each: the clock format, the countdown format, the speeds offered and their limit,
and the reading of a typed number of seconds (checked by the engine's own
:func:`session.check_seconds`).
"""

from __future__ import annotations

import math

from session import DEFAULT_POLICY, check_seconds

__all__ = [
    "DEFAULT_POLICY",
    "DEFAULT_SPEED",
    "MAX_SPEED",
    "SPEEDS",
    "format_clock",
    "format_countdown",
    "format_seconds",
    "parse_seconds",
    "parse_speed",
    "speed_label",
]


DEFAULT_SPEED = 1.0
"""Simulated seconds per real second when nothing says otherwise: real time."""

SPEEDS: tuple[float, ...] = (0.0, 1.0, 10.0, 60.0, 600.0)
"""The speeds offered in the window (keys 0 to 4); 0 is pause."""

MAX_SPEED = 3600.0
"""The fastest simulated time may run (simulated seconds per real second)."""


def format_clock(seconds: float | None) -> str:
    """Elapsed simulated seconds as ``hh:mm:ss`` (``Nd hh:mm:ss`` past a day)."""
    if seconds is None or not math.isfinite(seconds):
        return "--:--:--"
    sign = "-" if seconds < 0 else ""
    total = math.floor(abs(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours:02d}:{minutes:02d}:{secs:02d}"
    return f"{sign}{days}d {text}" if days else f"{sign}{text}"


def format_countdown(seconds: float) -> str:
    """``mm:ss`` (``h:mm:ss`` past an hour), rounded up so 00:00 means now."""
    whole = max(0, int(-(-seconds // 1)))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def format_seconds(seconds: float) -> str:
    """A setting for people: ``600 s``, ``2.5 s``."""
    return f"{seconds:g} s"


def speed_label(speed: float) -> str:
    """``Pause`` or ``60x``."""
    return "Pause" if speed == 0 else f"{speed:g}x"


def parse_seconds(text: str, what: str = "the value") -> float:
    """Seconds as a person types them (``90``, ``90 s``, ``1_000``).

    Raises ValueError with a message for people; the range is the engine's
    (:func:`session.check_seconds`).
    """
    typed = text.strip().removesuffix("s").strip()
    cleaned = typed.replace("_", "")
    if not cleaned:
        raise ValueError(f"{what} is empty: type a number of seconds")
    try:
        value = float(cleaned)
    except ValueError:
        raise ValueError(f"“{typed}” is not a number of seconds") from None
    return check_seconds(what, value)


def parse_speed(text: str) -> float:
    """A speed as typed: 0 (paused) up to :data:`MAX_SPEED`; ValueError says what is wrong."""
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or not 0 <= value <= MAX_SPEED:
        raise ValueError(f"{text!r} must be between 0 (paused) and {MAX_SPEED:g}")
    return value
