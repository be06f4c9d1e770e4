"""Times, speeds and the default policy as the window shows and reads them (no Qt here: the
launcher uses them).

One copy of each: the clock format, the countdown format, the speeds offered and their limit,
and the reading of a typed number of seconds (checked by the engine's own
:func:`session.check_seconds`).
"""

from __future__ import annotations

import math
import re

from session import DEFAULT_POLICY, check_seconds

__all__ = [
    "DEFAULT_POLICY",
    "DEFAULT_SPEED",
    "MAX_JUMP",
    "MAX_SPEED",
    "SPEEDS",
    "TIME_HINT",
    "format_clock",
    "format_countdown",
    "format_number",
    "format_seconds",
    "format_span",
    "jump_problem",
    "parse_clock",
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

MAX_JUMP = 7 * 86400.0
"""The furthest one jump moves simulated time (a week of checks takes a second or two)."""


def jump_problem(target: float, now: float) -> str | None:
    """Why simulated time cannot go from ``now`` to ``target`` (in words for people, with
    ``now`` as given), or None: time only moves on, at most :data:`MAX_JUMP` at a time."""
    if target < now and format_clock(target) != format_clock(now):
        return (
            f"{format_clock(target)} is before now ({format_clock(now)}): simulated time "
            "only moves on"
        )
    if target - now > MAX_JUMP:
        return (
            f"{format_clock(target)} is more than {format_span(MAX_JUMP)} ahead of now "
            f"({format_clock(now)}): go there a week at a time"
        )
    return None


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
    """``mm:ss`` (``h:mm:ss`` past an hour, ``Nd hh:mm:ss`` past a day, as :func:`format_clock`),
    rounded up so 00:00 means now."""
    whole = max(0, math.ceil(seconds)) if math.isfinite(seconds) else 0
    if whole >= 86400:
        return format_clock(whole)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def format_span(seconds: float) -> str:
    """A length of time for a menu or a legend: ``45 s``, ``5 min``, ``2 h``, ``1.5 h``, ``3 d``
    (whole days past a thousand: ``11574 d``, never an exponent)."""
    for unit, size in (("d", 86400.0), ("h", 3600.0), ("min", 60.0)):
        if seconds >= size:
            return f"{_short(seconds / size)} {unit}"
    return f"{_short(seconds)} s"


def _short(value: float) -> str:
    """``value`` to three significant digits, or whole past a thousand (never ``1e+04``)."""
    return f"{value:.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def format_number(seconds: float) -> str:
    """A number of seconds as typed and shown: ``600``, ``2.5``, ``1000000000`` (to the
    millisecond, never an exponent); the one form the fields, views and exports write."""
    return f"{seconds:.3f}".rstrip("0").rstrip(".")


def format_seconds(seconds: float) -> str:
    """A setting for people: ``600 s``, ``2.5 s``, ``1000000000 s`` (:func:`format_number`)."""
    return f"{format_number(seconds)} s"


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
    value: float
    try:  # a whole number stays one, so a refusal names it as typed (-5, not -5.0)
        value = int(cleaned)
    except ValueError:
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


_CLOCK = re.compile(r"(?:(\d+)\s*d\s*)?(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)")
TIME_HINT = "hh:mm:ss, mm:ss or seconds; +5:00 is five minutes from now"
"""How a time may be typed (:func:`parse_clock`)."""


def parse_clock(text: str, now: float) -> float:
    """A simulated time as a person types it: ``01:30:00``, ``30:00``, ``1d 02:00:00``,
    ``5400``, ``90 s``; a leading ``+`` counts from ``now``.

    Raises ValueError with a message for people.
    """
    typed = text.strip()
    relative = typed.startswith("+")
    body = typed.removeprefix("+").strip()
    if not body:
        raise ValueError(f"type a time: {TIME_HINT}")
    number = body.removesuffix("s").strip().replace("_", "")
    try:
        seconds = float(number)
    except ValueError:
        match = _CLOCK.fullmatch(body)
        if not match:
            raise ValueError(f"“{typed}” is not a time: type {TIME_HINT}") from None
        days, hours, minutes, secs = match.groups()
        if int(minutes) >= 60 or float(secs) >= 60 or (days and int(hours or 0) >= 24):
            raise ValueError(f"“{typed}” has minutes or seconds of 60 or more") from None
        seconds = int(days or 0) * 86400 + int(hours or 0) * 3600 + int(minutes) * 60
        seconds += float(secs)
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"“{typed}” is not a time: type {TIME_HINT}")
    return now + seconds if relative else seconds
