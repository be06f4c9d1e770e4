"""Scenario files: a session's life written down as timed steps, checked, run and recorded.

``model`` holds what a scenario is, ``parse`` reads and checks its TOML, ``run`` plays it on
simulated time with a real save file, ``timeline`` is what a run recorded, ``output`` writes a
run out (table, JSON, CSV), ``record`` turns actions into a scenario, and ``examples`` lists the
example scenarios that ship with the package.
"""

from __future__ import annotations

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
from .parse import example_scenarios, load_scenario, parse_scenario

__all__ = [
    "EXPECT_KEYS",
    "MAX_STEP_RUNS",
    "TIMEOUT_KEYS",
    "Action",
    "Scenario",
    "ScenarioError",
    "Step",
    "check_expectation",
    "example_scenarios",
    "format_time",
    "load_scenario",
    "parse_scenario",
    "parse_time",
]
