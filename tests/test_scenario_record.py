"""Recording: what was done, with its simulated times, replays to the same timeline."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest

from session.scenario import Action, Scenario, parse_scenario
from session.scenario.record import Recorder, record
from session.scenario.run import ScenarioRun


def _ids() -> Callable[[], str]:
    counter = itertools.count(1)
    return lambda: f"00000000-0000-4000-8000-{next(counter):012d}"


def _timeline(run: ScenarioRun) -> tuple[object, ...]:
    return (
        [(s.at, s.index, s.reason, s.session_id, s.previous_session_id) for s in run.sessions],
        [(e.at, e.event_id, e.session) for e in run.events],
        [(m.at, m.kind, m.detail) for m in run.marks],
    )


def test_an_exploration_replays_to_the_same_timeline(tmp_path: Path) -> None:
    live = ScenarioRun(
        Scenario(foreground_timeout=120, check_interval=10),
        tmp_path / "live.xml",
        id_factory=_ids(),
    )
    # What a person might do in the window: irregular events, a regular burst, switches,
    # a setting change, a restart, the checker stopped and started, time passing.
    script: list[tuple[float, str, dict[str, object]]] = [
        (0, "event", {}),
        (3.25, "event", {}),
        (17, "event", {}),
        *((20 + 5 * k, "event", {}) for k in range(30)),
        (200, "background", {}),
        (280, "foreground", {}),
        (281, "event", {}),
        (300, "set", {"foreground_timeout": 45, "check_interval": 7}),
        (500, "stop_checker", {}),
        (700, "start_checker", {}),
        (900.5, "restart", {}),
        (901, "event", {}),
        (1500, "event", {}),
    ]
    for at, action, values in script:
        live.advance_to(at)
        live.perform(action, **values)
    live.advance_to(1600)
    text = Recorder.from_run(live).to_toml()
    live.finish()

    replay = ScenarioRun(
        parse_scenario(text, "recorded.toml"), tmp_path / "replay.xml", id_factory=_ids()
    ).run()
    assert _timeline(replay) == _timeline(live)
    assert len(live.sessions) >= 4  # timeouts and a restart, so the test means something
    assert replay.passed and len(replay.expectations) == 3  # the final state, as recorded
    assert text.count("every = 5") == 1  # the regular burst became one repeating step


def test_regular_events_fold_only_when_the_times_come_back_exactly() -> None:
    recorder = Recorder()
    for k in range(5):
        recorder.add(10 + 2 * k, "event")
    recorder.add(30, "background")
    for at in (40, 40.1, 40.2, 40.3):  # 0.1 steps do not add up exactly in floating point
        recorder.add(at, "event")
    steps = recorder.steps()
    assert (steps[0].at, steps[0].every, steps[0].until, steps[0].runs) == (10, 2, 18, 5)
    assert steps[1].action is Action.BACKGROUND
    replayed = parse_scenario(recorder.to_toml()).steps
    times = [
        s.at + k * (s.every or 0)
        for s in replayed
        if s.action is Action.EVENT
        for k in range(s.runs)
    ]
    assert times == [10, 12, 14, 16, 18, 40, 40.1, 40.2, 40.3]


def test_the_text_holds_settings_policy_and_description() -> None:
    text = record(
        [
            (0, "event", {}),
            (61, "set", {"background_timeout": 30}),
            (3600.5, "expect", {"session_index": 2, "background": False}),
        ],
        foreground_timeout=600,
        check_interval=15.5,
        policy="dotnet",
        description='a "quoted" note',
    )
    scenario = parse_scenario(text)
    assert scenario.description == 'a "quoted" note' and scenario.policy == "dotnet"
    assert scenario.settings() == {"foreground_timeout": 600, "check_interval": 15.5}
    assert [(s.at, s.action.value, dict(s.values)) for s in scenario.steps] == [
        (0, "event", {}),
        (61, "set", {"background_timeout": 30}),
        (3600.5, "expect", {"session_index": 2, "background": False}),
    ]
    assert 'at = "00:01:01"' in text


def test_the_recorder_refuses_what_it_could_not_replay() -> None:
    recorder = Recorder()
    recorder.add(10, "event")
    with pytest.raises(ValueError, match="time order"):
        recorder.add(5, "event")
    with pytest.raises(ValueError, match="takes no"):
        recorder.add(20, "event", session_index=1)
    with pytest.raises(ValueError, match="needs one of"):
        recorder.add(20, "set")
    with pytest.raises(ValueError, match="zero or more"):
        recorder.add(float("nan"), "event")
    with pytest.raises(ValueError):
        recorder.add(20, "jump")
