"""Events counted in bulk give exactly what one event at a time gives, for every policy.

A run that alone hears its sessions hands the engine only the last of each stretch of events
that would change nothing but the last access. Each scenario here runs three ways: that way,
one event at a time (an ``on_session`` hook: the engine's lock-free path for each event), and
one at a time through the engine's lock (an observer of every notification). The timeline,
the sessions with their reasons, the event-to-session mapping, the engine's state, every
output format and the save file must be the same, byte for byte.
"""

from __future__ import annotations

import io
import itertools
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scenario_strategies import scenario_texts

from session import ClientSession, EventTracked, Notification, SessionContext, VirtualClock
from session.policy import POLICIES, Control, DotNetPolicy
from session.scenario import example_scenarios, load_scenario, parse_scenario
from session.scenario.bulk import first_run, run_times
from session.scenario.model import Action, Scenario, Step
from session.scenario.output import FORMATS
from session.scenario.run import ScenarioRun
from session.state import SessionState

WAYS: dict[str, dict[str, Any]] = {
    "in bulk": {},
    "one at a time": {"on_session": lambda session: None},
    "one at a time, locked": {"observers": (lambda note: None,)},
}


def _ids() -> Callable[[], str]:
    counter = itertools.count(1)
    return lambda: f"00000000-0000-4000-8000-{next(counter):012d}"


def outcome(
    scenario: Scenario,
    path: Path,
    policy: str,
    pieces: tuple[float, ...] = (),
    origin: float = 0.0,
    **way: Any,
) -> dict[str, Any]:
    """Everything a run gives, on ``path`` (removed afterwards), moved in ``pieces`` first, on
    a clock that reads ``origin`` at its start."""
    run = ScenarioRun(
        scenario,
        path,
        clock=VirtualClock(origin, wall_start=1_800_000_000.0),
        policy=policy,
        id_factory=_ids(),
        **way,
    )
    for target in pieces:
        run.advance_to(max(target, run.time))
    run.advance_to(max(run.end, run.time))
    session = run.session
    engine = (session.state, session.last_access, session.next_check_at, session.is_checking)
    run.finish()
    written = {}
    for name, write in FORMATS.items():
        out = io.StringIO()
        write(run, out)
        written[name] = out.getvalue()
    result = {
        "log": list(run.record.log),
        "event times": list(run.record.event_times),
        "event sessions": list(run.record.event_sessions),
        "events per session": run.events_per_session(),
        "engine": (*engine, session.background, run.clock.now()),
        "written": written,
        "save file": path.read_bytes(),
    }
    path.unlink()
    return result


def assert_same_every_way(scenario: Scenario, path: Path, policy: str, **options: Any) -> None:
    results = {
        name: outcome(scenario, path, policy, **options, **way) for name, way in WAYS.items()
    }
    reference = results.pop("one at a time")
    assert reference["events per session"] == Counter(reference["event sessions"])
    for name, result in results.items():
        for key, value in reference.items():
            assert result[key] == value, f"{name}: {key} differs"


# ------------------------------------------------------------------ generated scenarios


@settings(max_examples=100, deadline=None)
@given(
    text=scenario_texts(),
    policy=st.sampled_from(("dotnet", "mobile")),
    pieces=st.lists(st.floats(0, 3000), max_size=6).map(lambda xs: tuple(sorted(xs))),
    origin=st.sampled_from((0.0, 0.1, 1234.567, 86_400.3)),  # a window's clock has run on
)
def test_generated_scenarios_give_the_same_every_way(
    tmp_path_factory: pytest.TempPathFactory,
    text: str,
    policy: str,
    pieces: tuple[float, ...],
    origin: float,
) -> None:
    path = tmp_path_factory.mktemp("bulk") / "session.xml"
    assert_same_every_way(parse_scenario(text), path, policy, pieces=pieces, origin=origin)


@pytest.mark.parametrize("policy", ["dotnet", "mobile"])
@pytest.mark.parametrize("name", sorted(example_scenarios()))
def test_every_shipped_example_gives_the_same_every_way(
    tmp_path: Path, name: str, policy: str
) -> None:
    scenario = load_scenario(example_scenarios()[name])
    assert_same_every_way(scenario, tmp_path / "session.xml", policy)


# ------------------------------------------------------------------ what reaches the engine


@pytest.fixture
def handed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The event ids the engine is handed, in order."""
    ids: list[str] = []
    track = ClientSession.get_session_context

    def counted(self: ClientSession, event_id: str) -> Any:
        ids.append(event_id)
        return track(self, event_id)

    monkeypatch.setattr(ClientSession, "get_session_context", counted)
    yield ids


HOUR = '[[step]]\nat = 0\nevery = 1\nuntil = 3599\ndo = "event"\n'


def test_alone_the_engine_gets_the_last_event_before_each_check(
    tmp_path: Path, handed: list[str]
) -> None:
    run = ScenarioRun(parse_scenario(HOUR), tmp_path / "s.xml").run()
    assert len(run.events) == 3600 and run.events[-1].session == 1
    # the first event, then the one before each check (every 15 s), then the last
    assert handed[:3] == [run.events[n].event_id for n in (0, 14, 29)]
    assert len(handed) == 3600 // 15 + 1
    assert handed[-1] == run.events[-1].event_id


@pytest.mark.parametrize("way", ["one at a time", "one at a time, locked"])
def test_with_an_observer_or_a_hook_every_event_reaches_the_engine(
    tmp_path: Path, handed: list[str], way: str
) -> None:
    run = ScenarioRun(parse_scenario(HOUR), tmp_path / "s.xml", **WAYS[way]).run()
    assert handed == [event.event_id for event in run.events]


def test_an_observer_of_events_hears_every_one(tmp_path: Path) -> None:
    heard: list[float] = []

    def observe(note: Notification) -> None:
        if isinstance(note, EventTracked):
            heard.append(note.at)

    run = ScenarioRun(parse_scenario(HOUR), tmp_path / "s.xml", observers=(observe,)).run()
    assert heard == [event.at for event in run.events]


def test_under_the_mobile_policy_every_event_reaches_the_engine(
    tmp_path: Path, handed: list[str]
) -> None:
    run = ScenarioRun(parse_scenario(HOUR), tmp_path / "s.xml", policy="mobile").run()
    assert handed == [event.event_id for event in run.events]


DAY = """\
[[step]]
at = 0
every = 1
until = 86399
do = "event"

[[step]]
at = "00:50:00"
every = 3600
until = 86399
do = "background"

[[step]]
at = "00:56:00"
every = 3600
until = 86399
do = "foreground"
"""


def test_a_day_of_an_event_a_second_gives_the_same_in_bulk(tmp_path: Path) -> None:
    scenario = parse_scenario(DAY, "day.toml")  # the benchmark's week, a day of it
    bulk = outcome(scenario, tmp_path / "day.xml", "dotnet")
    assert bulk == outcome(scenario, tmp_path / "day.xml", "dotnet", **WAYS["one at a time"])
    assert len(bulk["event times"]) == 86400


# ------------------------------------------------------------------ the arithmetic


@settings(max_examples=500, deadline=None)
@given(
    start=st.sampled_from((0.0, 0.1, 1.0, 7.5, 1e6 + 0.3)),
    every=st.sampled_from((0.1, 1 / 3, 1.0, 2.5, 15.0)),
    span=st.integers(0, 60),
    bound=st.floats(-10, 1e6 + 100),
    offset=st.sampled_from((0.0, 0.1, 1_800_000_000.0)),
    reaching=st.booleans(),
)
def test_first_run_is_the_first_time_past_the_bound(
    start: float, every: float, span: int, bound: float, offset: float, reaching: bool
) -> None:
    step = Step(start, Action.EVENT, every=every, until=start + every * span)
    runs = step.runs

    def stops(run: int) -> bool:
        time = offset + (start + run * every)
        return time >= bound + offset if reaching else time > bound + offset

    for lo in {0, runs // 2, runs}:
        expected = next((run for run in range(lo, runs) if stops(run)), runs)
        assert first_run(step, lo, runs, bound + offset, offset=offset, reaching=reaching) == (
            expected
        )


# ------------------------------------------------------------------ policies of one's own


class Counting(DotNetPolicy):
    """Checks as .NET does, but counts every event into the context (as mobile does)."""

    name = "counting"
    stable_context = False

    def count(self, state: SessionState, event_id: str, wall: float) -> SessionState:
        counted = super().count(state, event_id, wall)
        return replace(counted, event_index=counted.event_index + 1)

    def context(self, state: SessionState) -> SessionContext:
        return SessionContext.mobile(state)


class Saving(DotNetPolicy):
    """Checks as .NET does, and saves the state at every event (never resuming it)."""

    name = "saving"

    def __init__(self, *, continue_session_on_restart: bool = False) -> None:
        self.continue_session_on_restart = True


class Pausable(DotNetPolicy):
    """Checks as .NET does, and can be paused."""

    name = "pausable"
    controls = frozenset({Control.PAUSE})


@pytest.fixture
def own_policies(monkeypatch: pytest.MonkeyPatch) -> None:
    for policy in (Counting, Saving, Pausable):
        monkeypatch.setitem(POLICIES, policy.name, policy)


@pytest.mark.usefixtures("own_policies")
@pytest.mark.parametrize("policy", ["counting", "saving"])
def test_a_policy_whose_events_change_more_gets_every_event(
    tmp_path: Path, handed: list[str], policy: str
) -> None:
    run = ScenarioRun(parse_scenario(HOUR), tmp_path / "s.xml", policy=policy).run()
    assert handed == [event.event_id for event in run.events]
    if policy == "counting":
        assert run.session.state.event_index == 3600
    handed.clear()
    assert_same_every_way(parse_scenario(HOUR), tmp_path / "t.xml", policy)


@pytest.mark.usefixtures("own_policies")
def test_while_paused_every_event_reaches_the_engine(tmp_path: Path, handed: list[str]) -> None:
    run = ScenarioRun(parse_scenario(HOUR), tmp_path / "s.xml", policy="pausable")
    run.advance_to(600)
    run.session.pause()
    before = len(handed)
    run.advance_to(1200)
    assert handed[before:] == [event.event_id for event in run.events[601:1201]]
    assert before <= 600 // 15 + 2  # in bulk before the pause, and after it:
    run.session.resume()
    after = len(handed)
    run.run()
    assert len(handed) - after <= 2400 // 15 + 1


@settings(max_examples=500, deadline=None)
@given(
    start=st.one_of(st.integers(0, 2**53).map(float), st.floats(0, 1e9)),
    every=st.one_of(st.integers(1, 10**6).map(float), st.floats(1e-3, 1e6)),
    lo=st.integers(0, 50),
    count=st.integers(0, 50),
)
def test_run_times_are_the_runners_own(start: float, every: float, lo: int, count: int) -> None:
    step = Step(start, Action.EVENT, every=every, until=start + every * (lo + count))
    made = run_times(step, lo, lo + count)
    assert made == [start + run * every for run in range(lo, lo + count)]
    assert all(type(time) is float for time in made)
