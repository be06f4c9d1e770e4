"""Recording: what was done, with its simulated times, replays to the same timeline."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from session.policy import POLICY_NAMES
from session.scenario import (
    TIMEOUT_KEYS,
    Action,
    Scenario,
    ScenarioError,
    Step,
    load_scenario,
    parse_scenario,
)
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


def test_the_recorder_refuses_values_it_could_not_replay() -> None:
    recorder = Recorder()
    with pytest.raises(ValueError, match="foreground_timeout must be a number of seconds"):
        recorder.add(0, "set", foreground_timeout="600")
    with pytest.raises(ValueError, match="more than 0"):
        recorder.add(0, "set", check_interval=0)
    with pytest.raises(ValueError, match="session_index must be a whole number from 1"):
        recorder.add(0, "expect", session_index=True)
    with pytest.raises(ValueError, match="background must be true or false"):
        recorder.add(0, "expect", background="no")
    with pytest.raises(ValueError, match="background_timeout must be more than 0"):
        Recorder(background_timeout=float("inf"))
    assert recorder.actions == []  # nothing half-recorded


NASTY = {
    "non-ASCII": "Café ☕ — naïve Øre, 日本語のテキスト, Ελληνικά, עברית",
    "emoji": "😀 👩‍👩‍👧 🇺🇦 🏳️‍🌈 (a family, a flag and a rainbow flag are several code points)",
    "quotes": "say \"hi\", it's 'fine', \"\"\"triple\"\"\" and '''triple''' too",
    "backslashes": r"C:\new\table \u0041 \\ \" ends with a backslash \\",
    "newlines": "first line\nsecond line\n[[step]]\nat = 5\n\n[session]\nend",
    "carriage returns": "windows\r\nlines\rand a lone CR",
    "control characters": "nul\x00 bell\x07 bs\x08 tab\t vt\x0b ff\x0c esc\x1b del\x7f \x85",
    "unicode separators": "line\u2028separator\u2029paragraph \ufeff bom \u200b zero width",
    "a TOML comment": "# not a comment\n# nor this",
    "a scenario name": 'Recorded in snowsession-gui (we\'ird "name" 😀 [[step]] #1.toml)',
}


@pytest.mark.parametrize("description", list(NASTY.values()), ids=list(NASTY))
def test_any_text_is_written_and_read_back_through_a_utf8_file(
    tmp_path: Path, description: str
) -> None:
    recorder = Recorder(foreground_timeout=90, policy="mobile", description=description)
    recorder.add(0, "event")
    recorder.add(10.5, "set", background_timeout=30)
    recorder.add(3600, "expect", session_index=1)
    path = tmp_path / "recorded.toml"
    path.write_bytes(recorder.to_toml().encode("utf-8"))
    scenario = load_scenario(path)
    assert scenario.description == description.strip()
    assert scenario.policy == "mobile" and scenario.settings() == {"foreground_timeout": 90}
    assert [(s.at, s.action, dict(s.values)) for s in scenario.steps] == [
        (0, Action.EVENT, {}),
        (10.5, Action.SET, {"background_timeout": 30}),
        (3600, Action.EXPECT, {"session_index": 1}),
    ]


def test_a_played_scenarios_description_survives_its_recording(tmp_path: Path) -> None:
    played = parse_scenario(
        'description = "Démo ☕ 😀 \\"quoted\\""\n[[step]]\nat = 0\ndo = "event"\n'
    )
    run = ScenarioRun(played, tmp_path / "run.xml", id_factory=_ids())
    run.advance_to(5)
    run.perform("event")
    text = Recorder.from_run(run).to_toml()
    run.finish()
    assert parse_scenario(text).description == 'Démo ☕ 😀 "quoted"'


def test_the_file_keeps_a_table_per_step_so_errors_name_their_line() -> None:
    recorder = Recorder(description="one\ntwo")
    for at in (0, 1, 2, 3, 10):
        recorder.add(at, "event")
    text = recorder.to_toml()
    assert text.startswith('description = """\none\ntwo"""\n\n[[step]]\nat = "00:00:00"\n')
    assert text.count("[[step]]\n") == 2 and "{" not in text  # no inline tables
    broken = text.replace('at = "00:00:10"', 'at = "00:00:10"\nsession_index = 2')
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(broken, "edited.toml")
    assert raised.value.line == text.splitlines().index('at = "00:00:10"') + 2


@pytest.mark.parametrize("where", ["description", "policy"])
def test_a_lone_surrogate_is_refused_rather_than_written(where: str) -> None:
    # A file name that is not UTF-8 reaches Python as a lone surrogate ('\udcff').
    recorder = Recorder(**{where: "from \udcff.toml"})  # type: ignore[arg-type]
    recorder.add(0, "event")
    with pytest.raises(ValueError, match=rf"the {where} holds '\\udcff' at character 6"):
        recorder.to_toml()


def test_a_huge_description_is_written_whole() -> None:
    description = 'Lorem ipsum 😀 "dolor" \\ sit amet\n' * 30_000  # about 1 MB
    recorder = Recorder(description=description)
    recorder.add(0, "event")
    scenario = parse_scenario(recorder.to_toml())
    assert scenario.description == description.strip()
    assert scenario.steps[0].line == 30_004  # after """, 30,000 lines, """ and a blank line


_TIMES = st.one_of(
    st.integers(0, 10**9).map(float),
    st.floats(0, 1e12, allow_nan=False, allow_infinity=False),
    st.sampled_from([0.1, 0.2, 0.3, 1 / 3, 2.0**53, 2.0**53 + 2, 1e15 + 0.5, 5e-324]),
)
_SECONDS = st.one_of(st.integers(1, 86_400), st.floats(0.001, 86_400, allow_nan=False))
_VALUES: dict[Action, st.SearchStrategy[dict[str, object]]] = {
    Action.SET: st.dictionaries(st.sampled_from(TIMEOUT_KEYS), _SECONDS, min_size=1),
    Action.EXPECT: st.fixed_dictionaries(
        {},
        optional={
            "session_index": st.integers(1, 10**6),
            "background": st.booleans(),
            "checking": st.booleans(),
        },
    ).filter(bool),
}


@st.composite
def _recorders(draw: st.DrawFn) -> Recorder:
    recorder = Recorder(
        **draw(st.dictionaries(st.sampled_from(TIMEOUT_KEYS), _SECONDS)),
        policy=draw(st.sampled_from([None, *POLICY_NAMES])),
        continue_session_on_restart=draw(st.booleans()),
        description=draw(st.text(max_size=40)),
    )
    times = sorted(draw(st.lists(_TIMES, max_size=25)))
    if draw(st.booleans()):  # a regular run to fold, at some start and step
        start, every = draw(_TIMES), draw(st.sampled_from([0.5, 1.0, 5.0, 0.1, 7.25, 3600.0]))
        times = sorted(times + [start + k * every for k in range(draw(st.integers(3, 8)))])
    for at in times:
        action = draw(st.sampled_from(list(Action)))
        values = draw(_VALUES[action]) if action in _VALUES else {}
        recorder.add(at, action, **values)
    return recorder


def _when(steps: Iterable[Step]) -> list[tuple[float, Action, dict[str, object]]]:
    """Every run of every step: its time, action and values."""
    return [
        (step.at + k * (step.every or 0.0), step.action, dict(step.values))
        for step in steps
        for k in range(step.runs)
    ]


@settings(max_examples=300, deadline=None)
@given(_recorders())
def test_any_recording_reads_back_to_the_same_steps(recorder: Recorder) -> None:
    scenario = parse_scenario(recorder.to_toml())
    steps = recorder.steps()
    assert [(s.at, s.action, dict(s.values), s.every, s.until) for s in scenario.steps] == [
        (s.at, s.action, dict(s.values), s.every, s.until) for s in steps
    ]
    assert _when(scenario.steps) == [(at, a, dict(v)) for at, a, v in recorder.actions]
    assert scenario.settings() == recorder.settings
    assert scenario.policy == recorder.policy
    assert scenario.continue_session_on_restart == recorder.continue_session_on_restart
    assert scenario.description == recorder.description.strip()
