"""Scenario files: what is accepted, and every error reported with its line before anything runs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from session.scenario import (
    Action,
    ScenarioError,
    format_time,
    load_scenario,
    parse_scenario,
    parse_time,
)

GOOD = """\
description = "an example"

[session]
foreground_timeout = 600
background_timeout = 300.5
check_interval = 15

[[step]]
at = 0
do = "start_checker"

[[step]]
at = "00:01:00"
every = 5
until = "00:20:00"
do = "event"

[[step]]
at = 700
do = "set"
foreground_timeout = 120

[[step]]
at = "30:00"
do = "expect"
session_index = 3
background = false
checking = true
policy = "dotnet"
"""


def test_a_full_scenario_is_read() -> None:
    scenario = parse_scenario(GOOD, "good.toml")
    assert scenario.description == "an example"
    assert scenario.settings() == {
        "foreground_timeout": 600,
        "background_timeout": 300.5,
        "check_interval": 15,
    }
    start, events, change, expect = scenario.steps
    assert (start.at, start.action, start.line) == (0, Action.START_CHECKER, 8)
    assert (events.at, events.every, events.until, events.runs) == (60, 5, 1200, 229)
    assert events.last == 1200
    assert dict(change.values) == {"foreground_timeout": 120}
    assert change.line == 18
    assert dict(expect.values) == {"session_index": 3, "background": False, "checking": True}
    assert (expect.at, expect.policy, expect.line) == (1800, "dotnet", 23)
    assert scenario.end == 1800


def test_an_empty_scenario_is_valid() -> None:
    scenario = parse_scenario("")
    assert scenario.steps == () and scenario.settings() == {} and scenario.end == 0


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (0, 0),
        (90, 90),
        (2.5, 2.5),
        ("00:00:00", 0),
        ("01:02:03", 3723),
        ("168:00:00", 604800),
        ("10:30", 630),
        ("00:10.5", 10.5),
        (" 1:00:00 ", 3600),
    ],
)
def test_times(value: object, seconds: float) -> None:
    assert parse_time(value) == seconds


@pytest.mark.parametrize(
    "value",
    [-1, True, "1:60:00", "00:61", "abc", "1h", "", [1], float("inf"), float("nan"), "1:2:3:4"],
)
def test_bad_times(value: object) -> None:
    with pytest.raises(ValueError, match="at"):
        parse_time(value, "at")


def test_format_time() -> None:
    assert format_time(0) == "00:00:00"
    assert format_time(3723) == "01:02:03"
    assert format_time(604799) == "167:59:59"
    assert format_time(59.25) == "00:00:59.25"


def _step(body: str, before: str = "") -> str:
    return f'{before}[[step]]\nat = 0\ndo = "event"\n\n[[step]]\n{textwrap.dedent(body)}'


# Each case: the text, the line the error must name, and words the message must hold.
ERRORS = [
    ("colour = 1\n", 1, "unknown key 'colour' at the top level"),
    ("[session]\nforeground_timeout = 600\nidle = 3\n", 3, "unknown key 'idle' in [session]"),
    ("[session]\n\ncheck_interval = 0\n", 3, "check_interval must be more than 0"),
    ('[session]\nforeground_timeout = "ten"\n', 2, "must be a number of seconds"),
    ("[session]\nbackground_timeout = true\n", 2, "must be a number of seconds"),
    ('[session]\npolicy = "android"\n', 2, "unknown session policy 'android'"),
    (_step('at = 5\ndo = "evnt"\n'), 7, "unknown action 'evnt'"),
    (_step('at = 5\ndo = "event"\ncolour = 3\n'), 8, "unknown key 'colour' for a event step"),
    (_step('at = 5\ndo = "event"\nsession_index = 3\n'), 8, "unknown key 'session_index'"),
    (_step('at = "5 minutes"\ndo = "event"\n'), 6, 'at must be seconds or "hh:mm:ss"'),
    (_step('at = -5\ndo = "event"\n'), 6, "at must be zero or more seconds"),
    (_step('at = 5\ndo = "event"\nevery = 5\n'), 8, "'every' needs 'until'"),
    (_step('at = 5\nuntil = 50\ndo = "event"\n'), 7, "'until' needs 'every'"),
    (_step('at = 50\nevery = 5\nuntil = 40\ndo = "event"\n'), 8, "until 00:00:40 is before at"),
    (_step('at = 5\nevery = 0\nuntil = 40\ndo = "event"\n'), 7, "every must be more than 0"),
    (_step('at = 5\nevery = "x"\nuntil = 40\ndo = "event"\n'), 7, "every must be seconds"),
    (_step('at = 5\ndo = "set"\n'), 5, "a set step needs at least one of"),
    (_step('at = 5\ndo = "set"\ncheck_interval = -1\n'), 8, "check_interval must be more"),
    (_step('at = 5\ndo = "expect"\n'), 5, "an expect step needs at least one of"),
    (_step('at = 5\ndo = "expect"\nsession_index = true\n'), 8, "session_index must be a whole"),
    (_step('at = 5\ndo = "expect"\nsession_index = 0\n'), 8, "session_index must be a whole"),
    (_step('at = 5\ndo = "expect"\nchecking = "yes"\n'), 8, "checking must be true or false"),
    (_step('at = 5\ndo = "expect"\nchecking = true\npolicy = 7\n'), 9, "policy must be a name"),
    (_step("at = 5\n"), 5, "this step has no 'do'"),
    (_step('do = "event"\n'), 5, "this step has no 'at'"),
    (
        _step('at = 5\ndo = "event"\n', '[[step]]\nat = 10\ndo = "event"\n\n'),
        6,
        "at 00:00:00 is before the step above it (at 00:00:10)",
    ),
    (
        _step('at = 1\nevery = 0.000001\nuntil = "1000:00:00"\ndo = "event"\n'),
        5,
        "the steps run more than",
    ),
    ("[session]\nforeground_timeout = 600\nforeground_timeout = 5\n", 3, "not valid TOML"),
    ("[[step]]\nat = 0\ndo = event\n", 3, "not valid TOML"),
    ("step = 3\n", 1, "step must be a list of tables"),
    ("session = 3\n", 1, "session must be a table"),
    ("description = 3\n", 1, "description must be a string"),
]


@pytest.mark.parametrize(("text", "line", "words"), ERRORS)
def test_errors_name_their_line(text: str, line: int, words: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, "s.toml")
    error = caught.value
    assert error.line == line, str(error)
    assert words in error.message
    assert str(error).startswith(f"s.toml:{line}: ")
    assert "\n" not in str(error)


def test_comments_and_blank_lines_do_not_shift_lines() -> None:
    text = '# a comment\n\n[[step]]   # first\nat = 0\n\n# more\ndo = "evnt"\n'
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, "s.toml")
    assert caught.value.line == 7


def test_steps_at_the_same_time_keep_file_order() -> None:
    scenario = parse_scenario(_step('at = 0\ndo = "background"\n'))
    assert [s.action for s in scenario.steps] == [Action.EVENT, Action.BACKGROUND]


def test_steps_written_inline_are_reported_by_number_when_lines_are_unknown() -> None:
    text = 'step = [{at = 0, do = "event"}, {at = 1, do = "jump"}]\n'
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, "s.toml")
    assert caught.value.line is None
    assert str(caught.value).startswith("s.toml: step 2: unknown action 'jump'")


def test_a_planned_policy_name_is_accepted_on_expectations() -> None:
    scenario = parse_scenario(
        '[[step]]\nat = 1\ndo = "expect"\nsession_index = 1\npolicy = "mobile"\n'
    )
    assert scenario.steps[0].policy == "mobile"


def test_load_scenario_reads_a_file_and_refuses_bad_bytes(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(GOOD, encoding="utf-8")
    assert load_scenario(path).source == str(path)
    path.write_bytes(b'description = "\xff"\n')
    with pytest.raises(ScenarioError, match="not UTF-8"):
        load_scenario(path)


def test_continue_session_on_restart() -> None:
    assert parse_scenario(
        "[session]\ncontinue_session_on_restart = true\n"
    ).continue_session_on_restart
    with pytest.raises(ScenarioError, match=":2: continue_session_on_restart must be true"):
        parse_scenario("[session]\ncontinue_session_on_restart = 1\n", "s.toml")


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("[]=\"'#.:,{}\n atdoevryunil0123456789-_step")), max_size=200
    )
)
def test_any_text_gives_a_scenario_or_a_scenario_error(text: str) -> None:
    try:
        parse_scenario(text, "fuzz.toml")
    except ScenarioError as error:
        assert str(error).startswith("fuzz.toml") and "\n" not in str(error)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(["", "# note", "   ", "# [[step]] in a comment"]), min_size=3, max_size=3
    ),
    st.integers(0, 4),
    st.sampled_from(["at", "do", "every"]),
)
def test_the_reported_line_is_the_offending_one(padding: list[str], bad: int, key: str) -> None:
    blocks = []
    for index in range(5):
        at, do = f"at = {index}", 'do = "event"'
        extra = []
        if index == bad:
            if key == "at":
                at = 'at = "wrong"'  # not a time
            elif key == "do":
                do = 'do = "wrong"'  # not an action
            else:
                extra = ["every = 5"]  # without until
        blocks.append("\n".join(["[[step]]", *padding, at, do, *extra]))
    text = "\n".join(blocks) + "\n"
    marker = "every = " if key == "every" else f'{key} = "wrong"'
    wrong_line = next(
        n
        for n, line in enumerate(text.splitlines(), 1)
        if line == marker or line.startswith(marker)
    )
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text)
    assert caught.value.line == wrong_line
