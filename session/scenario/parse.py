"""Checking a scenario file before it runs: every error with the line it is on.

tomllib reads the TOML but gives no line numbers for what it read, so the lines of the
``[[step]]`` headers and of the keys are found by scanning the text (see :class:`_Lines`).
"""

from __future__ import annotations

import errno
import os
import re
import tomllib
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..policy import POLICY_NAMES, make_policy
from ..settings import check_seconds
from ..util.files import read_limited
from .model import (
    EXPECT_KEYS,
    MAX_STEP_RUNS,
    TIMEOUT_KEYS,
    Action,
    Scenario,
    ScenarioError,
    Step,
    check_expectation,
    format_time,
    parse_time,
)

__all__ = ["MAX_SCENARIO_BYTES", "example_scenarios", "load_scenario", "parse_scenario"]

MAX_SCENARIO_BYTES = 16 << 20
"""Larger scenario files are refused unread: a week of steps is a few kilobytes."""

_ACTION_KEYS: dict[Action, tuple[str, ...]] = {
    Action.SET: TIMEOUT_KEYS,
    Action.EXPECT: (*EXPECT_KEYS, "policy"),
}
_STEP_KEYS = ("at", "do", "every", "until")
_TOP_KEYS = ("session", "step", "description")
_SESSION_KEYS = (*TIMEOUT_KEYS, "policy", "continue_session_on_restart")


class _Lines:
    """Line numbers of tables and keys, found by scanning the text (tomllib gives none).

    When the ``[[step]]`` headers cannot be matched one to one with the parsed steps (steps
    written as an inline array, headers inside multi-line strings) no step line is claimed.
    """

    _HEADER = re.compile(r"\s*\[\[\s*(?:step|\"step\"|'step')\s*\]\]\s*(?:#.*)?")
    _TABLE = re.compile(r"\s*\[")
    _KEY = re.compile(r"\s*[\"']?([A-Za-z0-9_-]+)[\"']?\s*=")

    def __init__(self, text: str, steps: int) -> None:
        self._lines = text.splitlines()
        headers = [n for n, line in enumerate(self._lines) if self._HEADER.fullmatch(line)]
        self._steps = headers if len(headers) == steps else None
        self._session = next(
            (
                n
                for n, line in enumerate(self._lines)
                if re.fullmatch(r"\s*\[\s*(?:session|\"session\")\s*\]\s*(?:#.*)?", line)
            ),
            None,
        )

    def step(self, index: int) -> int | None:
        return None if self._steps is None else self._steps[index] + 1

    def step_key(self, index: int, key: str) -> int | None:
        if self._steps is None:
            return None
        return self._key_after(self._steps[index], key) or self.step(index)

    def session_key(self, key: str) -> int | None:
        if self._session is None:
            return None
        return self._key_after(self._session, key) or self._session + 1

    def top_key(self, key: str) -> int | None:
        for number, line in enumerate(self._lines):
            if self._TABLE.match(line):
                break
            match = self._KEY.match(line)
            if match and match.group(1) == key:
                return number + 1
        for number, line in enumerate(self._lines):
            if re.fullmatch(rf"\s*\[+\s*[\"']?{re.escape(key)}[\"']?\s*\]+.*", line):
                return number + 1
        return None

    def _key_after(self, start: int, key: str) -> int | None:
        for number in range(start + 1, len(self._lines)):
            line = self._lines[number]
            if self._TABLE.match(line):
                return None
            match = self._KEY.match(line)
            if match and match.group(1) == key:
                return number + 1
        return None


def example_scenarios() -> dict[str, Path]:
    """The example scenarios that ship with the package, by name (the file name without .toml)."""
    folder = resources.files("session.scenario.examples")
    found = {
        item.name.removesuffix(".toml"): Path(str(item))
        for item in folder.iterdir()
        if item.name.endswith(".toml")
    }
    return dict(sorted(found.items()))


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file. Raises :class:`ScenarioError` (or OSError: a missing
    file, or a path that is not a regular file under :data:`MAX_SCENARIO_BYTES`)."""
    path = Path(path)
    data = read_limited(path, MAX_SCENARIO_BYTES, "scenario file")
    if data is None:
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(path))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ScenarioError(str(path), f"the file is not UTF-8 text ({error.reason})") from None
    return parse_scenario(text, str(path))


def parse_scenario(text: str, source: str = "<scenario>") -> Scenario:
    """Check a scenario's TOML text and return it; :class:`ScenarioError` says what is wrong."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        found = re.search(r"\(at line (\d+), column (\d+)\)", message)
        if found:
            message = message[: found.start()].strip() + f" (column {found.group(2)})"
            raise ScenarioError(source, f"not valid TOML: {message}", int(found.group(1))) from None
        raise ScenarioError(source, f"not valid TOML: {message}") from None
    raw_steps = document.get("step", [])
    count = len(raw_steps) if isinstance(raw_steps, list) else 0
    return _Parser(source, _Lines(text, count)).parse(document)


class _Parser:
    def __init__(self, source: str, lines: _Lines) -> None:
        self._source = source
        self._lines = lines

    def _fail(self, message: str, line: int | None, step: int | None = None) -> ScenarioError:
        if line is None and step is not None:
            message = f"step {step + 1}: {message}"
        return ScenarioError(self._source, message, line)

    def parse(self, document: dict[str, Any]) -> Scenario:
        """The scenario, or one :class:`ScenarioError` holding every error found: each key
        of ``[session]`` and each step is checked even when one before it is wrong."""
        errors: list[ScenarioError] = []
        for key in document:
            if key not in _TOP_KEYS:
                errors.append(
                    self._fail(
                        f"unknown key {key!r} at the top level; expected [session], [[step]] "
                        "tables and an optional description",
                        self._lines.top_key(key),
                    )
                )
        description = document.get("description", "")
        if not isinstance(description, str):
            errors.append(
                self._fail("description must be a string", self._lines.top_key("description"))
            )
            description = ""
        session = document.get("session", {})
        settings: dict[str, Any] = {}
        if not isinstance(session, dict):
            errors.append(
                self._fail("session must be a table: [session]", self._lines.top_key("session"))
            )
        else:
            settings = self._session(session, errors)
        raw_steps = document.get("step", [])
        steps: list[Step] = []
        if not isinstance(raw_steps, list) or not all(isinstance(s, dict) for s in raw_steps):
            errors.append(
                self._fail("step must be a list of tables: [[step]]", self._lines.top_key("step"))
            )
        else:
            steps = self._steps(raw_steps, errors)
        if errors:
            first = errors[0]
            raise ScenarioError(first.source, first.message, first.line, tuple(errors[1:]))
        return Scenario(
            tuple(steps), **settings, description=description.strip(), source=self._source
        )

    def _steps(self, raw_steps: list[dict[str, Any]], errors: list[ScenarioError]) -> list[Step]:
        steps: list[Step] = []
        runs = 0
        for index, raw in enumerate(raw_steps):
            try:
                step = self._step(index, raw)
            except ScenarioError as error:
                errors.append(error)
                continue
            if steps and step.at < steps[-1].at:
                errors.append(
                    self._fail(
                        f"at {format_time(step.at)} is before the step above it "
                        f"(at {format_time(steps[-1].at)}): list steps in time order",
                        self._lines.step_key(index, "at"),
                        index,
                    )
                )
            runs += step.runs
            if runs > MAX_STEP_RUNS:
                errors.append(
                    self._fail(
                        f"the steps run more than {MAX_STEP_RUNS:,} times in all; "
                        "use a longer 'every' or an earlier 'until'",
                        self._lines.step(index),
                        index,
                    )
                )
                break
            steps.append(step)
        return steps

    def _session(self, table: dict[str, Any], errors: list[ScenarioError]) -> dict[str, Any]:
        settings: dict[str, Any] = {}
        for key, value in table.items():
            try:
                self._setting(settings, key, value)
            except ScenarioError as error:
                errors.append(error)
        return settings

    def _setting(self, settings: dict[str, Any], key: str, value: Any) -> None:
        line = self._lines.session_key(key)
        if key == "policy":
            settings["policy"] = self._policy(value, line)
        elif key == "continue_session_on_restart":
            if not isinstance(value, bool):
                raise self._fail(f"{key} must be true or false, got {value!r}", line)
            settings[key] = value
        elif key in TIMEOUT_KEYS:
            settings[key] = self._timeout(key, value, line)
        else:
            raise self._fail(
                f"unknown key {key!r} in [session]; expected one of {', '.join(_SESSION_KEYS)}",
                line,
            )

    def _policy(self, value: object, line: int | None, step: int | None = None) -> str:
        if not isinstance(value, str):
            raise self._fail(f'policy must be a name such as "dotnet", got {value!r}', line, step)
        if value not in POLICY_NAMES:
            try:
                make_policy(value)
            except ValueError as error:
                raise self._fail(str(error), line, step) from None
        return value

    def _timeout(self, key: str, value: object, line: int | None, step: int | None = None) -> Any:
        try:
            check_seconds(key, value)
        except (TypeError, ValueError) as error:
            raise self._fail(str(error), line, step) from None
        return value

    def _time(self, index: int, raw: dict[str, Any], key: str) -> float:
        try:
            return parse_time(raw[key], key)
        except ValueError as error:
            raise self._fail(str(error), self._lines.step_key(index, key), index) from None

    def _step(self, index: int, raw: dict[str, Any]) -> Step:
        action = self._action(index, raw)
        at = self._time(index, raw, "at")
        every, until = self._repeat(index, raw, at)
        values: dict[str, Any] = {}
        policy = None
        if action is Action.SET:
            values = self._set(index, raw)
        elif action is Action.EXPECT:
            values = self._expect(index, raw)
            if "policy" in raw:
                policy = self._policy(raw["policy"], self._lines.step_key(index, "policy"), index)
        step_line = self._lines.step(index)
        return Step(at, action, MappingProxyType(values), every, until, policy, step_line)

    def _action(self, index: int, raw: dict[str, Any]) -> Action:
        """The step's action, once it has a 'do' and an 'at' and only the keys it takes."""
        lines = self._lines
        if "do" not in raw:
            raise self._fail("this step has no 'do' (what it does)", lines.step(index), index)
        if "at" not in raw:
            raise self._fail("this step has no 'at' (when it runs)", lines.step(index), index)
        try:
            action = Action(raw["do"])
        except ValueError:
            names = ", ".join(a.value for a in Action)
            raise self._fail(
                f"unknown action {raw['do']!r}; do is one of {names}",
                lines.step_key(index, "do"),
                index,
            ) from None
        allowed = (*_STEP_KEYS, *_ACTION_KEYS.get(action, ()))
        for key in raw:
            if key not in allowed:
                extra = _ACTION_KEYS.get(action, ())
                hint = f" (a {action.value} step takes {', '.join(extra)})" if extra else ""
                raise self._fail(
                    f"unknown key {key!r} for a {action.value} step{hint}",
                    lines.step_key(index, key),
                    index,
                )
        return action

    def _repeat(
        self, index: int, raw: dict[str, Any], at: float
    ) -> tuple[float | None, float | None]:
        """A repeating step's ``every`` and ``until`` (both or neither)."""
        if "every" not in raw and "until" not in raw:
            return None, None
        lines = self._lines
        if "every" not in raw or "until" not in raw:
            missing = "until" if "every" in raw else "every"
            present = "every" if "every" in raw else "until"
            raise self._fail(
                f"'{present}' needs '{missing}': a step repeats every N seconds until a time",
                lines.step_key(index, present),
                index,
            )
        every = self._time(index, raw, "every")
        until = self._time(index, raw, "until")
        if every <= 0:
            raise self._fail(
                "every must be more than 0 seconds", lines.step_key(index, "every"), index
            )
        if until < at:
            raise self._fail(
                f"until {format_time(until)} is before at {format_time(at)}",
                lines.step_key(index, "until"),
                index,
            )
        return every, until

    def _set(self, index: int, raw: dict[str, Any]) -> dict[str, Any]:
        """A set step's timeouts: at least one."""
        lines = self._lines
        values = {
            key: self._timeout(key, raw[key], lines.step_key(index, key), index)
            for key in TIMEOUT_KEYS
            if key in raw
        }
        if not values:
            raise self._fail(
                f"a set step needs at least one of {', '.join(TIMEOUT_KEYS)}",
                lines.step(index),
                index,
            )
        return values

    def _expect(self, index: int, raw: dict[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for key in EXPECT_KEYS:
            if key not in raw:
                continue
            value = raw[key]
            try:
                check_expectation(key, value)
            except ValueError as error:
                raise self._fail(str(error), self._lines.step_key(index, key), index) from None
            values[key] = value
        if not values:
            raise self._fail(
                f"an expect step needs at least one of {', '.join(EXPECT_KEYS)}",
                self._lines.step(index),
                index,
            )
        return values
