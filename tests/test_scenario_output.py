"""The timeline written out: a table for people, JSON and CSV that parse back to the run."""

from __future__ import annotations

import csv
import io
import itertools
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scenario_strategies import scenario_texts

from session.scenario import format_time, parse_scenario
from session.scenario.output import (
    CSV_COLUMNS,
    summary,
    summary_line,
    write_csv,
    write_json,
    write_table,
)
from session.scenario.run import ScenarioRun
from session.scenario.timeline import (
    EVENT_ID_HEADS,
    EventEntry,
    ExpectationResult,
    Mark,
    SessionEntry,
)

TEXT = """\
description = "two sessions"

[session]
foreground_timeout = 60

[[step]]
at = 0
every = 10
until = 30
do = "event"

[[step]]
at = 100
do = "background"

[[step]]
at = 200
do = "event"

[[step]]
at = 200
do = "expect"
session_index = 2
background = true

[[step]]
at = 201
do = "expect"
session_index = 5
"""


@pytest.fixture
def run(tmp_path: Path) -> ScenarioRun:
    counter = itertools.count(1)
    return ScenarioRun(
        parse_scenario(TEXT, "two.toml"),
        tmp_path / "s.xml",
        id_factory=lambda: f"00000000-0000-4000-8000-{next(counter):012d}",
    ).run()


def test_summary(run: ScenarioRun) -> None:
    assert summary(run) == {
        "policy": "dotnet",
        "sessions": 2,
        "sessions_without_events": 0,
        "events": 5,
        "final_session_index": 2,
        "expectations_passed": 2,
        "expectations_failed": 1,
    }
    assert summary_line(run) == "dotnet: 2 sessions, 5 events"


def test_table(run: ScenarioRun) -> None:
    out = io.StringIO()
    write_table(run, out)
    text = out.getvalue()
    lines = text.splitlines()
    assert lines[0] == "scenario two.toml: two sessions"
    assert "foreground timeout 60 s, background timeout 300 s, check every 15 s" in lines[1]
    assert lines[3].split() == ["time", "what", "index", "session", "detail"]
    rows = [" ".join(line.split()) for line in lines]  # columns are padded to fit
    assert "00:00:00 4 events 1 00000000 events 1 … 4, until 00:00:30" in rows
    assert (
        "00:01:30 new session 2 00000000 timeout: 60 s since the last event at 00:00:30, "
        "seen by the check at 00:01:30"
    ) in rows
    assert "EXPECT FAILED" in text and "session_index expected 5, got 2" in text
    assert lines[-1] == "dotnet: 2 sessions, 5 events; expectations: 2 held, 1 failed"


def test_json_parses_back(run: ScenarioRun) -> None:
    out = io.StringIO()
    write_json(run, out)
    document = json.loads(out.getvalue())
    assert document["scenario"] == "two.toml" and document["passed"] is False
    (data,) = document["runs"]
    assert data["policy"] == "dotnet" and data["summary"] == summary(run)
    assert [(s["at"], s["session_index"], s["reason"]) for s in data["sessions"]] == [
        (0, 1, "start"),
        (90, 2, "timeout"),
    ]
    assert [e["session_index"] for e in data["events"]] == [1, 1, 1, 1, 2]
    assert data["events"][4] == {
        "at": 200,
        "event_id": "17156075-0000-4000-8000-000000000005",
        "session_index": 2,
        "session_id": run.sessions[1].session_id,
    }
    assert [x["passed"] for x in data["expectations"]] == [True, True, False]
    assert data["settings"] == {
        "foreground_timeout": 60,
        "background_timeout": 300,
        "check_interval": 15,
    }


def test_csv_parses_back(run: ScenarioRun) -> None:
    out = io.StringIO()
    write_csv(run, out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert tuple(rows[0]) == CSV_COLUMNS
    kinds = [row["kind"] for row in rows]
    assert kinds.count("event") == 5 and kinds.count("session") == 2
    assert kinds.count("expect") == 3 and len(rows) == 5 + 2 + 3 + len(run.marks)
    events = [row for row in rows if row["kind"] == "event"]
    assert [(r["at"], r["time"], r["session_index"]) for r in events] == [
        ("0", "00:00:00", "1"),
        ("10", "00:00:10", "1"),
        ("20", "00:00:20", "1"),
        ("30", "00:00:30", "1"),
        ("200", "00:03:20", "2"),
    ]
    timeout = next(r for r in rows if r["kind"] == "session" and r["result"] == "timeout")
    assert "seen by the check at 00:01:30" in timeout["detail"]  # a comma inside, quoted
    assert [r["result"] for r in rows if r["kind"] == "expect"] == ["pass", "pass", "fail"]
    assert [float(r["at"]) for r in rows] == sorted(float(r["at"]) for r in rows)


def test_csv_quotes_odd_ids(tmp_path: Path) -> None:
    run = ScenarioRun(
        parse_scenario('[[step]]\nat = 1.5\ndo = "event"\n'),
        tmp_path / "s.xml",
        id_factory=lambda: 'odd,"id"',
    ).run()
    out = io.StringIO()
    write_csv(run, out)
    event = [r for r in csv.DictReader(io.StringIO(out.getvalue())) if r["kind"] == "event"]
    assert [(e["at"], e["time"], e["session_id"]) for e in event] == [
        ("1.5", "00:00:01.5", 'odd,"id"'),
    ]


def test_several_runs_side_by_side(tmp_path: Path) -> None:
    scenario = parse_scenario(TEXT, "two.toml")
    runs = [ScenarioRun(scenario, tmp_path / f"{n}.xml").run() for n in range(2)]
    out = io.StringIO()
    write_table(runs, out)
    assert out.getvalue().count("scenario two.toml") == 2
    assert (
        out.getvalue()
        .rstrip()
        .endswith("dotnet: 2 sessions, 5 events; dotnet: 2 sessions, 5 events")
    )
    out = io.StringIO()
    write_json(runs, out)
    assert len(json.loads(out.getvalue())["runs"]) == 2


def _cell(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\r\n') else value


def reference_csv(runs: list[ScenarioRun]) -> str:
    """Every row written on its own, from the unfolded timeline: what write_csv must give."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for run in runs:
        for item in run.timeline():
            at = int(item.at) if float(item.at).is_integer() else item.at
            start = (run.policy, at, format_time(item.at))
            if isinstance(item, EventEntry):
                entry = run.sessions[item.session - 1]
                cells = (*start, "event", entry.index, _cell(entry.session_id), item.event_id)
                out.write(",".join(map(str, (*cells, "", ""))) + "\n")
            elif isinstance(item, SessionEntry):
                session = (item.index, item.session_id, "", item.why, item.reason)
                writer.writerow((*start, "session", *session))
            elif isinstance(item, Mark):
                writer.writerow((*start, item.kind, "", "", "", item.detail, ""))
            elif isinstance(item, ExpectationResult):
                verdict = "pass" if item.passed else "fail"
                writer.writerow((*start, "expect", "", "", "", item.message, verdict))
    return out.getvalue()


ODD_IDS = ('odd,"id"', "50%d %s", "é😀", "plain", "a\nb", "")


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(scenario_texts(), min_size=1, max_size=2), odd=st.booleans())
def test_csv_is_every_row_written_on_its_own(
    tmp_path_factory: pytest.TempPathFactory, texts: list[str], odd: bool
) -> None:
    folder = tmp_path_factory.mktemp("csv")
    names = itertools.cycle(ODD_IDS) if odd else (f"id-{n}" for n in itertools.count())
    runs = [
        ScenarioRun(parse_scenario(text), folder / f"{n}.xml", id_factory=names.__next__).run()
        for n, text in enumerate(texts)
    ]
    out = io.StringIO()
    write_csv(runs, out)
    assert out.getvalue() == reference_csv(runs)


def test_csv_of_events_hours_apart(tmp_path: Path) -> None:
    text = (
        "[session]\ncheck_interval = 1e9\nforeground_timeout = 2e9\n"
        '[[step]]\nat = 3599\nevery = 1e12\nuntil = 5e12\ndo = "event"\n'
        '[[step]]\nat = 5e12\nevery = 1\nuntil = 5000000002000\ndo = "event"\n'
    )
    run = ScenarioRun(parse_scenario(text), tmp_path / "s.xml").run()
    out = io.StringIO()
    write_csv(run, out)
    assert out.getvalue() == reference_csv([run])
    assert ",1388888888:53:20,event," in out.getvalue()


def test_csv_event_ids_past_their_first_blocks_turn(tmp_path: Path) -> None:
    """Ids differ from one event to the next in their first block, which comes again every
    EVENT_ID_HEADS events; the rows made a column at a time write each id as event_id does."""
    text = '[[step]]\nat = 0\nevery = 1\nuntil = 9000\ndo = "event"\n'
    run = ScenarioRun(parse_scenario(text), tmp_path / "s.xml").run()
    out = io.StringIO()
    write_csv(run, out)
    assert out.getvalue() == reference_csv([run])
    ids = [entry.event_id for entry in run.timeline() if isinstance(entry, EventEntry)]
    assert len(ids) == 9001 and len(set(ids)) == len(ids)
    heads = [event_id.split("-")[0] for event_id in ids]
    assert all(a != b for a, b in itertools.pairwise(heads))
    assert len(set(heads[:EVENT_ID_HEADS])) == EVENT_ID_HEADS
    assert heads[EVENT_ID_HEADS] == heads[0]
