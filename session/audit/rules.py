"""How each app's sessions are judged: its timeouts, and which new sessions it starts by design.

A warehouse mixes web apps (30 minutes) and mobile apps (their own foreground and background
timeouts). A timeouts file (TOML) gives defaults and, per ``app_id`` or ``platform``, what
differs; an app's own entry wins over its platform's, which wins over the defaults, a setting
at a time::

    foreground_timeout = 1800          # defaults, for every app
    check_interval = 0

    [platform.mob]
    background_timeout = 300

    [app."kiosk-dotnet"]
    foreground_timeout = 600
    new_sessions = ["start"]           # a new session at every start is by design

A timeout that is given nowhere is not judged. ``new_sessions`` names what starts a session
before the timeout by design: ``start`` (the app starts one each time it starts, as the .NET
tracker does) and ``on_demand`` (the app asks for one: ``startNewSession``, ``newSession()``);
such a session is reported as expected, not as ``early_new_session``. The .NET tracker
(``v_tracker`` ``cs-…``) starts a session at every start, so its apps expect ``start``
unless their entry says ``new_sessions = []``.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..settings import check_seconds

__all__ = ["NEW_SESSION_CAUSES", "Rule", "Rules", "RulesError", "load_rules"]

NEW_SESSION_CAUSES = ("start", "on_demand")
"""What may start a session before its timeout by design."""

_SETTINGS = ("foreground_timeout", "background_timeout", "check_interval")
_MAX_FILE_BYTES = 1 << 20


class RulesError(ValueError):
    """A timeouts file that cannot be used: one line for people."""


@dataclass(frozen=True, slots=True)
class Rule:
    """Settings for the apps it names; None: not said here (the next level's, or not judged)."""

    foreground_timeout: float | None = None
    background_timeout: float | None = None
    check_interval: float | None = None
    new_sessions: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class Rules:
    """The defaults, and what differs by ``app_id`` and by ``platform``."""

    default: Rule = Rule()
    apps: Mapping[str, Rule] = field(default_factory=dict)
    platforms: Mapping[str, Rule] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        foreground: float | None = None,
        background: float | None = None,
        check_interval: float = 0.0,
    ) -> Rules:
        """The same timeouts for every app (the command's ``--…-timeout`` options)."""
        return cls(Rule(foreground, background, check_interval))

    def merged(self, over: Rules) -> Rules:
        """These rules with ``over``'s settings in their place where ``over`` gives them."""
        return Rules(
            _merge(self.default, over.default),
            _merge_all(self.apps, over.apps),
            _merge_all(self.platforms, over.platforms),
        )


def _merge(under: Rule, over: Rule) -> Rule:
    return Rule(
        *(
            getattr(over, name) if getattr(over, name) is not None else getattr(under, name)
            for name in (*_SETTINGS, "new_sessions")
        )
    )


def _merge_all(under: Mapping[str, Rule], over: Mapping[str, Rule]) -> dict[str, Rule]:
    merged = dict(under)
    for name, rule in over.items():
        merged[name] = _merge(merged.get(name, Rule()), rule)
    return merged


def _rule(where: str, table: Mapping[str, Any]) -> Rule:
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key in _SETTINGS:
            try:
                if key == "check_interval" and value == 0:
                    values[key] = 0.0
                else:
                    values[key] = check_seconds(key, value)
            except (TypeError, ValueError) as error:
                raise RulesError(f"{where}: {error}") from None
        elif key == "new_sessions":
            if not isinstance(value, list) or not all(v in NEW_SESSION_CAUSES for v in value):
                raise RulesError(
                    f"{where}: new_sessions must be a list of {' and '.join(NEW_SESSION_CAUSES)}, "
                    f"got {value!r:.80}"
                )
            values[key] = tuple(dict.fromkeys(value))
        else:
            raise RulesError(
                f"{where}: unknown setting {key!r:.60} (known: {', '.join(_SETTINGS)}, "
                "new_sessions)"
            )
    return Rule(**values)


def _group(document: Mapping[str, Any], name: str, path: str) -> dict[str, Rule]:
    table = document.get(name, {})
    if not isinstance(table, dict) or not all(isinstance(v, dict) for v in table.values()):
        raise RulesError(f"{path}: [{name}.NAME] tables are expected under '{name}'")
    return {key: _rule(f"{path}: [{name}.{key}]", value) for key, value in table.items()}


def load_rules(path: str | os.PathLike[str]) -> Rules:
    """The rules of a timeouts file; :class:`RulesError` says what is wrong with it."""
    name = os.fspath(path)
    try:
        with open(name, "rb") as handle:
            data = handle.read(_MAX_FILE_BYTES + 1)
    except OSError as error:
        raise RulesError(f"cannot read {name}: {error.strerror or error}") from None
    if len(data) > _MAX_FILE_BYTES:
        raise RulesError(f"{name} is over {_MAX_FILE_BYTES} bytes: not a timeouts file")
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise RulesError(f"{name} is not TOML: {error}") from None
    defaults = {k: v for k, v in document.items() if k not in ("app", "platform")}
    return Rules(
        _rule(name, defaults),
        _group(document, "app", name),
        _group(document, "platform", name),
    )
