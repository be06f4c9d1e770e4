"""Recording: actions with their simulated times, written as a scenario that replays them.

What a person does in a window (events, switches, setting changes, restarts) goes into a
:class:`Recorder`; :meth:`Recorder.to_toml` writes a scenario file that replays to the same
timeline, so an exploration becomes a regression test. Regular runs of events are folded into
one ``every``/``until`` step only when that gives back exactly the same times.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import tomli_w

from ..settings import check_seconds
from .model import (
    EXPECT_KEYS,
    TIMEOUT_KEYS,
    Action,
    Scenario,
    Step,
    check_expectation,
    format_time,
    parse_time,
)
from .run import ScenarioRun

__all__ = ["Recorder"]

_VALUE_KEYS = {Action.SET: TIMEOUT_KEYS, Action.EXPECT: EXPECT_KEYS}
_FOLD_AT_LEAST = 3
_EXACT_INTS = 2**53  # every whole float up to here is an int and back


class Recorder:
    """Actions in time order, and the scenario that replays them.

    Parameters
    ----------
    foreground_timeout, background_timeout, check_interval
        The settings in force when recording began (None: the engine's default).
    policy, continue_session_on_restart, description
        Written into the scenario as they are.
    """

    def __init__(
        self,
        *,
        foreground_timeout: float | None = None,
        background_timeout: float | None = None,
        check_interval: float | None = None,
        policy: str | None = None,
        continue_session_on_restart: bool = False,
        description: str = "",
    ) -> None:
        given = (foreground_timeout, background_timeout, check_interval)
        self.settings = {
            key: _seconds(key, value)
            for key, value in zip(TIMEOUT_KEYS, given, strict=True)
            if value is not None
        }
        self.policy = policy
        self.continue_session_on_restart = continue_session_on_restart
        self.description = description
        self.actions: list[tuple[float, Action, Mapping[str, Any]]] = []

    @classmethod
    def from_run(cls, run: ScenarioRun, *, expect_final: bool = True) -> Recorder:
        """What was done to ``run`` through :meth:`ScenarioRun.perform`, with the settings it
        began with; ``expect_final`` adds an ``expect`` of the state the run is in now."""
        scenario = run.scenario
        recorder = cls(
            **scenario.settings(),
            policy=run.policy,
            continue_session_on_restart=scenario.continue_session_on_restart,
            description=scenario.description,
        )
        for at, action, values in run.performed:
            if action is not Action.EXPECT:
                recorder.add(at, action, **values)
        if expect_final and not run.session.closed:
            recorder.add(
                run.time,
                Action.EXPECT,
                session_index=run.session.session_index,
                background=run.session.background,
                checking=run.session.is_checking,
            )
        return recorder

    def add(self, at: float, action: Action | str, **values: Any) -> None:
        """Record ``action`` at scenario time ``at`` (not before the last one recorded)."""
        action = Action(action)
        if not (math.isfinite(at) and at >= 0):
            raise ValueError(f"a recorded time must be zero or more seconds, got {at!r}")
        if self.actions and at < self.actions[-1][0]:
            raise ValueError(
                f"actions are recorded in time order: {format_time(at)} is before "
                f"{format_time(self.actions[-1][0])}"
            )
        unknown = set(values) - set(_VALUE_KEYS.get(action, ()))
        if unknown:
            raise ValueError(f"{action.value} takes no {', '.join(sorted(unknown))}")
        if action in _VALUE_KEYS and not values:
            raise ValueError(f"{action.value} needs one of {', '.join(_VALUE_KEYS[action])}")
        for key, value in values.items():
            if action is Action.SET:
                _seconds(key, value)
            else:
                check_expectation(key, value)
        self.actions.append((float(at), action, MappingProxyType(dict(values))))

    def steps(self) -> list[Step]:
        """The recorded actions as steps, regular runs of events folded."""
        steps: list[Step] = []
        actions = self.actions
        position = 0
        while position < len(actions):
            at, action, values = actions[position]
            if action is Action.EVENT:
                folded = _fold(actions, position)
                if folded is not None:
                    step, position = folded
                    steps.append(step)
                    continue
            steps.append(Step(at, action, values))
            position += 1
        return steps

    def scenario(self) -> Scenario:
        return Scenario(
            tuple(self.steps()),
            self.settings.get("foreground_timeout"),
            self.settings.get("background_timeout"),
            self.settings.get("check_interval"),
            policy=self.policy,
            continue_session_on_restart=self.continue_session_on_restart,
            description=self.description,
            source="<recorded>",
        )

    def to_toml(self) -> str:
        """The scenario file's text: ``[session]``, then one ``[[step]]`` table per step.

        Raises ValueError for text a UTF-8 file cannot hold (a lone surrogate).
        """
        blocks: list[str] = []
        if self.description:
            text = _utf8("description", self.description)
            # A multi-line string reads best, but TOML reads "\r\n" in one back as "\n".
            multiline = "\n" in text and "\r" not in text
            blocks.append(tomli_w.dumps({"description": text}, multiline_strings=multiline))
        session: dict[str, Any] = {key: _number(value) for key, value in self.settings.items()}
        if self.policy:
            session["policy"] = _utf8("policy", self.policy)
        if self.continue_session_on_restart:
            session["continue_session_on_restart"] = True
        if session:
            blocks.append("[session]\n" + tomli_w.dumps(session))
        for step in self.steps():
            table: dict[str, Any] = {"at": _time(step.at)}
            if step.every is not None and step.until is not None:
                table |= {"every": _number(step.every), "until": _time(step.until)}
            table["do"] = step.action.value
            table |= {key: _number(value) for key, value in step.values.items()}
            # tomli_w would write short steps as one inline array; a table each is easier to edit.
            blocks.append("[[step]]\n" + tomli_w.dumps(table))
        return "\n".join(blocks)


def _fold(
    actions: list[tuple[float, Action, Mapping[str, Any]]], start: int
) -> tuple[Step, int] | None:
    """A repeating event step for the events from ``start`` on, if it gives their exact times."""
    times: list[float] = []
    for at, action, _ in actions[start:]:
        if action is not Action.EVENT:
            break
        times.append(at)
    if len(times) < _FOLD_AT_LEAST:
        return None
    every = times[1] - times[0]
    if every <= 0:
        return None
    count = 1
    while count < len(times) and times[count] == times[0] + count * every:
        count += 1
    if count < _FOLD_AT_LEAST:
        return None
    step = Step(times[0], Action.EVENT, every=every, until=times[count - 1])
    if step.runs != count:  # the step's own arithmetic must give back exactly these times
        return None
    return step, start + count


def _seconds(name: str, value: Any) -> Any:
    """``value`` if it is a setting's seconds, else a ValueError saying why not."""
    try:
        check_seconds(name, value)
    except TypeError as error:
        raise ValueError(str(error)) from None
    return value


def _time(seconds: float) -> object:
    """Whole seconds as ``"hh:mm:ss"`` where that reads back exactly, else the number."""
    if float(seconds).is_integer():
        text = format_time(seconds)
        if parse_time(text) == seconds:
            return text
    return _number(seconds)


def _number(value: object) -> object:
    """A whole number of seconds as an int (``5``, not ``5.0``); anything else as it is."""
    if isinstance(value, float) and value.is_integer() and abs(value) <= _EXACT_INTS:
        return int(value)
    return value


def _utf8(name: str, text: str) -> str:
    """``text``, or a ValueError if a UTF-8 file cannot hold it."""
    if not isinstance(text, str):
        raise ValueError(f"the {name} must be text, got {text!r}")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError(
            f"the {name} holds {text[error.start]!r} at character {error.start + 1}, a lone "
            "surrogate that a UTF-8 scenario file cannot hold; remove it and save again"
        ) from None
    return text


def record(actions: Iterable[tuple[float, Action | str, Mapping[str, Any]]], **options: Any) -> str:
    """The scenario text for ``(at, action, values)`` triples (a shortcut for tests and tools)."""
    recorder = Recorder(**options)
    for at, action, values in actions:
        recorder.add(at, action, **values)
    return recorder.to_toml()
