"""The scenario runner: every action, exact timing on the virtual clock, step by step or at once."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest

from session import ClientSession, Notification, SessionStarted, VirtualClock, read_save_file
from session.scenario import Action, Scenario, Step, parse_scenario
from session.scenario.run import ScenarioRun
from session.scenario.timeline import EventRun, ExpectationResult, Mark, SessionEntry

Ids = Callable[[], str]


def run_text(text: str, save_path: Path, ids: Ids, **options: object) -> ScenarioRun:
    return ScenarioRun(parse_scenario(text), save_path, id_factory=ids, **options).run()


def steps(*lines: str) -> str:
    return "".join(f"[[step]]\n{line}\n" for line in lines)


def test_an_idle_foreground_app_gets_a_session_every_timeout(save_path: Path, ids: Ids) -> None:
    run = run_text(
        "[session]\nforeground_timeout = 600\n"
        + steps('at = 0\ndo = "start_checker"', 'at = 1800\ndo = "expect"\nsession_index = 4'),
        save_path,
        ids,
    )
    assert [(s.at, s.index, s.reason) for s in run.sessions] == [
        (0, 1, "start"),
        (600, 2, "timeout"),
        (1200, 3, "timeout"),
        (1800, 4, "timeout"),
    ]
    assert run.sessions[1].why == (
        "timeout: 600 s since the session began at 00:00:00, seen by the check at 00:10:00"
    )
    assert run.sessions[1].previous_session_id == run.sessions[0].session_id
    assert run.passed and len(run.expectations) == 1


def test_events_belong_to_their_session_and_say_why_it_ended(save_path: Path, ids: Ids) -> None:
    run = run_text(
        "[session]\nforeground_timeout = 60\ncheck_interval = 15\n"
        + steps('at = 0\nevery = 10\nuntil = 50\ndo = "event"', 'at = 200\ndo = "event"'),
        save_path,
        ids,
    )
    # checks at 15, 30, ... : the last event at 50 times out at 110, seen at 120; the idle
    # session from 120 times out at 180.
    assert [(s.at, s.index) for s in run.sessions] == [(0, 1), (120, 2), (180, 3)]
    assert run.sessions[1].why == (
        "timeout: 60 s since the last event at 00:00:50, seen by the check at 00:02:00"
    )
    assert [(e.at, e.event_id, e.session) for e in run.events] == [
        (0, "9e3779b1-0000-4000-8000-000000000001", 1),
        (10, "3c6ef362-0000-4000-8000-000000000002", 1),
        (20, "daa66d13-0000-4000-8000-000000000003", 1),
        (30, "78dde6c4-0000-4000-8000-000000000004", 1),
        (40, "17156075-0000-4000-8000-000000000005", 1),
        (50, "b54cda26-0000-4000-8000-000000000006", 1),
        (200, "538453d7-0000-4000-8000-000000000007", 3),
    ]
    assert run.events_per_session() == {1: 6, 3: 1}


def test_background_foreground_and_the_checker(save_path: Path, ids: Ids) -> None:
    run = run_text(
        steps(
            'at = 0\ndo = "event"',
            'at = 10\ndo = "background"',
            'at = 10\ndo = "expect"\nbackground = true\nchecking = true',
            'at = 20\ndo = "stop_checker"',
            'at = 20\ndo = "expect"\nchecking = false',
            'at = 30\ndo = "foreground"',
            'at = 30\ndo = "expect"\nbackground = false\nchecking = true',
            'at = 40\ndo = "stop_checker"',
            'at = 50\ndo = "start_checker"',
            'at = 50\ndo = "expect"\nchecking = true',
        ),
        save_path,
        ids,
    )
    assert run.passed, [f.message for f in run.failures]
    assert [(m.at, m.kind) for m in run.marks] == [
        (0, "checker"),
        (10, "background"),
        (20, "checker"),
        (30, "foreground"),
        (30, "checker"),
        (40, "checker"),
        (50, "checker"),
    ]
    assert run.marks[2].detail == "checker stopped"
    assert run.marks[4].detail == "checker armed, first check at 00:00:45"


def test_a_background_trip_longer_than_the_timeout_stops_the_checker(
    save_path: Path, ids: Ids
) -> None:
    run = run_text(
        steps('at = 0\ndo = "event"', 'at = 0\ndo = "background"', 'at = 3600\ndo = "event"'),
        save_path,
        ids,
    )
    assert [(s.at, s.index) for s in run.sessions] == [(0, 1), (300, 2)]
    assert "300 s in the background since the last event at 00:00:00" in run.sessions[1].why
    assert run.events[1].session == 2


def test_set_changes_each_timeout(save_path: Path, ids: Ids) -> None:
    run = run_text(
        steps(
            'at = 0\ndo = "start_checker"',
            'at = 0\ndo = "set"\nforeground_timeout = 120\nbackground_timeout = 30\n'
            "check_interval = 10",
        ),
        save_path,
        ids,
    )
    run_b = ScenarioRun(
        parse_scenario(
            steps(
                'at = 0\ndo = "start_checker"',
                'at = 5\ndo = "set"\nforeground_timeout = 120\ncheck_interval = 10',
                'at = 400\ndo = "expect"\nsession_index = 4',
            )
        ),
        save_path.with_name("b.xml"),
        id_factory=ids,
    ).run()
    assert run.settings == {
        "foreground_timeout": 120,
        "background_timeout": 30,
        "check_interval": 10,
    }
    assert run.marks[-1] == Mark(
        0, "set", "foreground_timeout=120 background_timeout=30 check_interval=10"
    )
    # The first check was armed with 15 s; the new interval applies from the next re-arm:
    # checks at 15, 25, ..., 125 (a timeout of 120 s) , 245, 365.
    assert [(s.at, s.index) for s in run_b.sessions] == [(0, 1), (125, 2), (245, 3), (365, 4)]
    assert run_b.passed


def test_a_refused_setting_changes_nothing_and_is_not_recorded(save_path: Path, ids: Ids) -> None:
    run = ScenarioRun(parse_scenario(steps('at = 0\ndo = "event"')), save_path, id_factory=ids)
    try:
        run.advance_to(10)
        with pytest.raises(ValueError, match="check_interval"):
            run.perform("set", foreground_timeout=60, check_interval=-1)
        assert run.session.foreground_timeout == 600 and run.settings["foreground_timeout"] == 600
        assert run.performed == []
        run.perform("set", foreground_timeout=60)
        assert run.performed == [(10, Action.SET, {"foreground_timeout": 60})]
    finally:
        run.finish()


def test_restart_opens_a_new_session_on_the_same_file(save_path: Path, ids: Ids) -> None:
    opened: list[ClientSession] = []
    run = ScenarioRun(
        parse_scenario(
            steps(
                'at = 0\ndo = "event"',
                'at = 60\ndo = "restart"',
                'at = 60\ndo = "expect"\nsession_index = 2\nchecking = false',
                'at = 70\ndo = "event"',
            )
        ),
        save_path,
        id_factory=ids,
        on_session=opened.append,
    )
    first = run.session
    run.advance_to(60)
    assert first.closed and run.session is not first and opened == [first, run.session]
    run.run()
    one, two = run.sessions
    assert (two.at, two.index, two.reason) == (60, 2, "start")
    assert two.user_id == one.user_id and two.previous_session_id == one.session_id
    assert two.why == "app start: a new ClientSession on an existing save file"
    assert [m.kind for m in run.marks][:3] == ["checker", "restart", "checker"]
    assert run.passed
    saved = read_save_file(save_path).saved
    assert saved is not None and saved.session_index == 2 and saved.session_id == two.session_id
    ClientSession(save_path, clock=VirtualClock()).close()  # the run released the file


def test_an_existing_save_file_is_used(save_path: Path, ids: Ids) -> None:
    run_text(steps('at = 0\ndo = "event"'), save_path, ids)
    again = run_text(steps('at = 0\ndo = "expect"\nsession_index = 2'), save_path, ids)
    assert again.passed


def test_failed_expectations_say_what_was_found(save_path: Path, ids: Ids) -> None:
    run = run_text(
        steps('at = 0\ndo = "expect"\nsession_index = 3\nbackground = false'), save_path, ids
    )
    assert not run.passed
    (failure,) = run.failures
    assert failure.message == "line 1 at 00:00:00: session_index expected 3, got 1"
    assert run.expectations[1].message == "line 1 at 00:00:00: background holds false"


def test_expectations_for_another_policy_are_skipped(save_path: Path, ids: Ids) -> None:
    run = run_text(
        steps('at = 0\ndo = "expect"\nsession_index = 9\npolicy = "mobile"'), save_path, ids
    )
    assert run.expectations == [] and run.passed


def test_a_check_due_at_a_steps_time_runs_first(save_path: Path, ids: Ids) -> None:
    run = run_text(
        "[session]\nforeground_timeout = 30\n"
        + steps('at = 0\ndo = "event"', 'at = 30\ndo = "expect"\nsession_index = 2'),
        save_path,
        ids,
    )
    assert run.passed


def test_advancing_in_pieces_gives_the_same_timeline(tmp_path: Path) -> None:
    text = (
        "[session]\nforeground_timeout = 120\nbackground_timeout = 60\ncheck_interval = 7\n"
        + steps(
            'at = 0\nevery = 3\nuntil = 200\ndo = "event"',
            'at = 50\nevery = 400\nuntil = 900\ndo = "background"',
            'at = 250\nevery = 400\nuntil = 1000\ndo = "foreground"',
            'at = 300\nevery = 11\nuntil = 700\ndo = "event"',
            'at = 720\ndo = "restart"',
            'at = 730\ndo = "event"',
            'at = 1000\ndo = "expect"\nchecking = false\nbackground = true',
        )
    )
    whole = ScenarioRun(parse_scenario(text), tmp_path / "a.xml", id_factory=_ids()).run()
    piece = ScenarioRun(parse_scenario(text), tmp_path / "b.xml", id_factory=_ids())
    rng = random.Random(4)
    while not piece.done:
        piece.advance(rng.choice([0, 0.5, 1, 7, 13, 60, 333]))
        assert piece.time <= 1000 or piece.done
    piece.finish()
    assert _shape(piece) == _shape(whole)
    assert [s.reason for s in whole.sessions] == ["start", "start", "timeout"]
    assert whole.passed


def test_time_cannot_go_back(save_path: Path, ids: Ids) -> None:
    run = ScenarioRun(Scenario(), save_path, id_factory=ids)
    run.advance_to(10)
    with pytest.raises(ValueError, match="cannot go back"):
        run.advance_to(5)
    run.finish()


def test_the_runs_clock_is_the_given_virtual_clock(save_path: Path, ids: Ids) -> None:
    clock = VirtualClock(start=1000.0, wall_start=1_800_000_000.0)
    run = ScenarioRun(
        parse_scenario(steps('at = 0\nevery = 1\nuntil = 100\ndo = "event"')),
        save_path,
        clock=clock,
        id_factory=ids,
    )
    run.advance_to(42.5)
    assert clock.now() == 1042.5 and run.time == 42.5
    assert run.session.clock.wall_time() == 1_800_000_042.5
    assert len(run.events) == 43
    run.finish()


def test_observers_and_records_are_called(save_path: Path, ids: Ids) -> None:
    notes: list[Notification] = []
    records: list[object] = []
    run = ScenarioRun(
        parse_scenario(
            "[session]\nforeground_timeout = 20\n"
            + steps(
                'at = 0\nevery = 1\nuntil = 5\ndo = "event"',
                'at = 59\ndo = "expect"\nsession_index = 2',
            )
        ),
        save_path,
        id_factory=ids,
        observers=[notes.append],
        on_record=records.append,
    ).run()
    assert sum(isinstance(n, SessionStarted) for n in notes) == 2
    kinds = [type(r) for r in records]
    assert kinds.count(SessionEntry) == 2 and kinds.count(ExpectationResult) == 1
    assert Mark in kinds and run.passed


def test_perform_does_an_action_now(save_path: Path, ids: Ids) -> None:
    run = ScenarioRun(Scenario(), save_path, id_factory=ids)
    run.advance_to(5)
    run.perform("event")
    run.perform(Action.SET, foreground_timeout=10)
    run.advance_to(40)
    # the event at 5 armed checks at 20 and 35, each 15 s idle: more than 10 s
    (result,) = run.perform("expect", session_index=3)
    assert result.passed and result.at == 40
    with pytest.raises(ValueError, match="takes no"):
        run.perform("event", session_index=1)
    assert [(at, action) for at, action, _ in run.performed] == [
        (5, Action.EVENT),
        (5, Action.SET),
        (40, Action.EXPECT),
    ]
    run.finish()


def test_folded_timeline(save_path: Path, ids: Ids) -> None:
    run = run_text(
        "[session]\nforeground_timeout = 30\n"
        + steps(
            'at = 0\nevery = 2\nuntil = 10\ndo = "event"',
            'at = 100\nevery = 2\nuntil = 104\ndo = "event"',
        ),
        save_path,
        ids,
    )
    folded = [e for e in run.timeline(fold_events=True) if isinstance(e, EventRun)]
    assert [(e.first, e.last, e.session, e.first_at, e.last_at) for e in folded] == [
        (0, 5, 1, 0, 10),
        (6, 8, 3, 100, 104),  # sessions 2 and 3 began at 45 and 75 s
    ]
    assert len(list(run.timeline())) == len(run.sessions) + len(run.marks) + len(run.events)


# ------------------------------------------------------------------ against a plain reference


def _ids() -> Ids:
    counter = iter(range(1, 10**9))
    return lambda: f"00000000-0000-4000-8000-{next(counter):012d}"


def _shape(run: ScenarioRun) -> tuple[object, ...]:
    return (
        [(s.at, s.index, s.reason, s.session_id) for s in run.sessions],
        [(e.at, e.session) for e in run.events],
        [(m.at, m.kind) for m in run.marks],
        [(x.at, x.key, x.actual) for x in run.expectations],
    )


def _reference(scenario: Scenario, path: Path) -> tuple[list[tuple[float, int, str]], list[int]]:
    """The same scenario driven the plain way: every step run and every event observed."""
    clock = VirtualClock()
    runs: list[tuple[float, int, Step]] = []
    for order, step in enumerate(scenario.steps):
        runs += [(step.at + k * (step.every or 0), order, step) for k in range(step.runs)]
    runs.sort(key=lambda r: (r[0], r[1]))
    sessions: list[tuple[float, int, str]] = []
    event_index: list[int] = []

    def observe(note: Notification) -> None:
        if isinstance(note, SessionStarted):
            sessions.append((clock.now(), note.new.session_index, note.reason.value))

    def open_session() -> ClientSession:
        return ClientSession(path, **scenario.settings(), clock=clock, observers=[observe])

    session = open_session()
    for at, _, step in runs:
        clock.advance_to(at)
        if step.action is Action.EVENT:
            session.get_session_context("e")
            event_index.append(session.session_index)
        elif step.action is Action.BACKGROUND:
            session.set_background(True)
        elif step.action is Action.FOREGROUND:
            session.set_background(False)
        elif step.action is Action.STOP_CHECKER:
            session.stop_checker()
        elif step.action is Action.RESTART:
            session.close()
            session = open_session()
    session.close()
    return sessions, event_index


@pytest.mark.parametrize("seed", range(12))
def test_the_fast_runner_matches_a_plain_reference(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    lines = []
    at = 0
    for _ in range(rng.randint(3, 12)):
        at += rng.choice([0, 1, 5, 14, 15, 16, 60, 299, 300, 301, 700])
        action = rng.choice(
            ["event", "event", "event", "background", "foreground", "stop_checker", "restart"]
        )
        if action == "event" and rng.random() < 0.6:
            every = rng.choice([1, 2.5, 7, 15, 30])
            lines.append(
                f'at = {at}\nevery = {every}\nuntil = {at + rng.randint(0, 2000)}\ndo = "event"'
            )
        else:
            lines.append(f'at = {at}\ndo = "{action}"')
    text = (
        f"[session]\nforeground_timeout = {rng.choice([30, 60, 600])}\n"
        f"background_timeout = {rng.choice([20, 300])}\n"
        f"check_interval = {rng.choice([1, 7, 15])}\n" + steps(*lines)
    )
    scenario = parse_scenario(text)
    run = ScenarioRun(scenario, tmp_path / "run.xml").run()
    sessions, event_index = _reference(scenario, tmp_path / "ref.xml")
    assert [(s.at, s.index, s.reason) for s in run.sessions] == sessions
    assert [run.sessions[e.session - 1].index for e in run.events] == event_index


# ------------------------------------------------------------------ other policies


def test_the_mobile_policy_decides_at_events(save_path: Path, ids: Ids) -> None:
    run = run_text(
        '[session]\nforeground_timeout = 60\npolicy = "mobile"\n'
        + steps(
            'at = 0\nevery = 10\nuntil = 30\ndo = "event"',
            'at = 500\ndo = "event"',
            'at = 900\ndo = "expect"\nsession_index = 2',
        ),
        save_path,
        ids,
    )
    assert run.policy == "mobile" and run.passed
    assert [(s.at, s.index, s.reason) for s in run.sessions] == [
        (0, 1, "start"),
        (500, 2, "timeout"),
    ]
    assert run.sessions[1].why == (
        "timeout: 60 s since the last event at 00:00:30, seen by the event at 00:08:20"
    )
    assert [e.session for e in run.events] == [1, 1, 1, 1, 2]


def test_a_mobile_restart_can_resume_the_session(save_path: Path, ids: Ids) -> None:
    text = "[session]\nforeground_timeout = 60\ncontinue_session_on_restart = true\n" + steps(
        'at = 0\ndo = "event"',
        'at = 30\ndo = "restart"',
        'at = 30\ndo = "expect"\nsession_index = 1\npolicy = "mobile"',
        'at = 30\ndo = "expect"\nsession_index = 2\npolicy = "dotnet"',
    )
    mobile = run_text(text, save_path, ids, policy="mobile")
    assert mobile.passed and [s.reason for s in mobile.sessions] == ["start", "resumed"]
    assert mobile.sessions[1].session_id == mobile.sessions[0].session_id
    dotnet = run_text(text, save_path.with_name("d.xml"), ids, policy="dotnet")
    assert dotnet.passed and [s.reason for s in dotnet.sessions] == ["start", "start"]
    assert dotnet.marks[0].detail == (
        "continue_session_on_restart does not apply: the dotnet policy starts a new session at "
        "every start"
    )


def test_other_timers_on_the_clock_run_at_their_times(save_path: Path, ids: Ids) -> None:
    clock = VirtualClock()
    seen: list[tuple[float, int]] = []
    run = ScenarioRun(
        parse_scenario(steps('at = 0\nevery = 1\nuntil = 100\ndo = "event"')),
        save_path,
        clock=clock,
        id_factory=ids,
    )
    clock.call_later(42.5, lambda: seen.append((clock.now(), len(run.events))))
    run.run()
    assert seen == [(42.5, 43)]


def test_moving_the_clock_behind_the_runs_back_is_refused(save_path: Path, ids: Ids) -> None:
    clock = VirtualClock()
    run = ScenarioRun(
        parse_scenario(steps('at = 10\ndo = "event"')), save_path, clock=clock, id_factory=ids
    )
    clock.advance(20)
    with pytest.raises(RuntimeError, match="moved outside the run"):
        run.advance_to(30)
    run.finish()
