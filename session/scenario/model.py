"""Scenario files: a session's life written down as timed steps, in TOML.

A scenario sets the engine up (``[session]``) and lists ``[[step]]`` tables, each with a time
``at`` and an action ``do``; ``every`` and ``until`` repeat a step. Everything is checked when
the file is read, before anything runs, and an error names the line it is on::

    [session]
    foreground_timeout = 600

    [[step]]
    at = "00:01:00"
    every = 5
    until = "00:20:00"
    do = "event"

Times are seconds (``90``, ``2.5``) or ``"hh:mm:ss"`` / ``"mm:ss"`` strings (hours may pass 24,
seconds may have a fraction: ``"168:00:00"``, ``"00:10.5"``). Steps are listed in the order of
their ``at``; at the same time they run in file order, after the engine's own checks due then.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ..settings import DEFAULTS, SETTING_NAMES

__all__ = [
    "EXPECT_KEYS",
    "MAX_STEP_RUNS",
    "TIMEOUT_KEYS",
    "Action",
    "Scenario",
    "ScenarioError",
    "Step",
    "check_expectation",
    "format_time",
    "parse_time",
]

TIMEOUT_KEYS = SETTING_NAMES
EXPECT_KEYS = ("session_index", "background", "checking")
MAX_STEP_RUNS = 20_000_000
"""The most step runs (repeats included) one scenario may ask for: a typo guard."""


class Action(enum.StrEnum):
    """What a step does."""

    EVENT = "event"
    BACKGROUND = "background"
    FOREGROUND = "foreground"
    START_CHECKER = "start_checker"
    STOP_CHECKER = "stop_checker"
    SET = "set"
    RESTART = "restart"
    EXPECT = "expect"


class ScenarioError(ValueError):
    """A scenario that cannot run; ``str()`` is one line: ``FILE:LINE: what is wrong``.

    ``errors`` is every error found in the file, this one first (``snowsession check`` lists
    them all); ``str()`` says how many more there are.
    """

    def __init__(
        self,
        source: str,
        message: str,
        line: int | None = None,
        others: tuple[ScenarioError, ...] = (),
    ) -> None:
        where = f"{source}:{line}" if line is not None else source
        more = f" (and {len(others)} more error(s) in the file)" if others else ""
        super().__init__(f"{where}: {message}{more}")
        self.source = source
        self.line = line
        self.message = message
        self.errors: tuple[ScenarioError, ...] = (self, *others)


def check_expectation(key: str, value: object) -> None:
    """A ValueError unless ``value`` can be expected of ``key`` (one of :data:`EXPECT_KEYS`)."""
    if key == "session_index":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"session_index must be a whole number from 1, got {value!r}")
    elif not isinstance(value, bool):
        raise ValueError(f"{key} must be true or false, got {value!r}")


# ------------------------------------------------------------------------------------ times

_CLOCK = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)")


def parse_time(value: object, name: str = "a time") -> float:
    """Seconds from a number of seconds or an ``"hh:mm:ss"`` / ``"mm:ss"`` string.

    Raises ValueError with a message for people when ``value`` is not a time of day count.
    """
    if isinstance(value, bool):
        raise ValueError(f'{name} must be seconds or "hh:mm:ss", got {value!r}')
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        match = _CLOCK.fullmatch(value.strip())
        if not match:
            raise ValueError(f'{name} must be seconds or "hh:mm:ss" (or "mm:ss"), got {value!r}')
        hours, minutes, secs = match.groups()
        if int(minutes) >= 60 or float(secs) >= 60:
            raise ValueError(f"{name} {value!r} has minutes or seconds of 60 or more")
        seconds = int(hours or 0) * 3600 + int(minutes) * 60 + float(secs)
    else:
        raise ValueError(f'{name} must be seconds or "hh:mm:ss", got {value!r}')
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"{name} must be zero or more seconds, got {value!r}")
    return seconds


def format_time(seconds: float) -> str:
    """``hh:mm:ss`` for a number of seconds (hours may pass 24; a fraction is kept)."""
    whole = int(seconds)
    text = f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}"
    if seconds != whole:
        fraction = f"{seconds - whole:.6f}".rstrip("0")
        text += fraction[1:] if fraction != "0." else ""
    return text


# ------------------------------------------------------------------------------------ model


@dataclass(frozen=True, slots=True)
class Step:
    """One step: ``action`` at ``at`` seconds, repeated every ``every`` seconds up to ``until``.

    ``values`` holds the timeouts of a ``set`` or the expectations of an ``expect``;
    ``policy`` limits an ``expect`` to runs with that policy; ``line`` is where it was written.
    """

    at: float
    action: Action
    values: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    every: float | None = None
    until: float | None = None
    policy: str | None = None
    line: int | None = None

    @property
    def runs(self) -> int:
        """How many times the step runs."""
        if self.every is None or self.until is None:
            return 1
        return math.floor((self.until - self.at) / self.every + 1e-9) + 1

    @property
    def last(self) -> float:
        """The time of its last run."""
        return self.at + (self.runs - 1) * (self.every or 0.0)

    def describe(self) -> str:
        """The step in a few words, for timelines: ``set foreground_timeout=120``."""
        details = " ".join(f"{key}={_show(value)}" for key, value in self.values.items())
        return f"{self.action.value} {details}".strip()


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True, slots=True)
class Scenario:
    """A parsed scenario. Timeouts left out (None) take the engine's defaults."""

    steps: tuple[Step, ...] = ()
    foreground_timeout: float | None = None
    background_timeout: float | None = None
    check_interval: float | None = None
    policy: str | None = None
    continue_session_on_restart: bool = False
    """Resume an unexpired session at a restart, for policies that can (``mobile``)."""
    description: str = ""
    source: str = "<scenario>"

    @property
    def end(self) -> float:
        """The time of the last step run (0 for no steps)."""
        return max((step.last for step in self.steps), default=0.0)

    def settings(self) -> dict[str, float]:
        """The timeouts the scenario sets, as ``ClientSession`` keyword arguments."""
        values = {key: getattr(self, key) for key in TIMEOUT_KEYS}
        return {key: value for key, value in values.items() if value is not None}

    def starting_settings(self) -> dict[str, float]:
        """Every timeout in force when the scenario starts: the defaults, with its own."""
        return {**DEFAULTS.as_dict(), **self.settings()}
