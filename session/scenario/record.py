"""Recording: actions with their simulated times, written as a scenario that replays them.

What a person does in a window (events, switches, setting changes, restarts) goes into a
:class:`Recorder`; :meth:`Recorder.to_toml` writes a scenario file that replays to the same
timeline, so an exploration becomes a regression test. Regular runs of events are folded into
one ``every``/``until`` step only when that gives back exactly the same times.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from .model import EXPECT_KEYS, TIMEOUT_KEYS, Action, Scenario, Step, format_time
from .run import ScenarioRun

__all__ = ["Recorder"]

_VALUE_KEYS = {Action.SET: TIMEOUT_KEYS, Action.EXPECT: EXPECT_KEYS}
_FOLD_AT_LEAST = 3


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
        self.settings = {
            key: value
            for key, value in zip(
                TIMEOUT_KEYS, (foreground_timeout, background_timeout, check_interval), strict=True
            )
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
        """The scenario file's text."""
        lines: list[str] = []
        if self.description:
            lines += [f"description = {json.dumps(self.description)}", ""]
        if self.settings or self.policy or self.continue_session_on_restart:
            lines.append("[session]")
            lines += [f"{key} = {_value(value)}" for key, value in self.settings.items()]
            if self.policy:
                lines.append(f"policy = {json.dumps(self.policy)}")
            if self.continue_session_on_restart:
                lines.append("continue_session_on_restart = true")
            lines.append("")
        for step in self.steps():
            lines += ["[[step]]", f"at = {_time(step.at)}"]
            if step.every is not None and step.until is not None:
                lines += [f"every = {_value(step.every)}", f"until = {_time(step.until)}"]
            lines.append(f'do = "{step.action.value}"')
            lines += [f"{key} = {_value(value)}" for key, value in step.values.items()]
            lines.append("")
        return "\n".join(lines)


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


def _time(seconds: float) -> str:
    if float(seconds).is_integer():
        return f'"{format_time(seconds)}"'
    return repr(float(seconds))


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value))


def record(actions: Iterable[tuple[float, Action | str, Mapping[str, Any]]], **options: Any) -> str:
    """The scenario text for ``(at, action, values)`` triples (a shortcut for tests and tools)."""
    recorder = Recorder(**options)
    for at, action, values in actions:
        recorder.add(at, action, **values)
    return recorder.to_toml()
