"""A finished scenario run written out: a table for people, JSON and CSV for programs.

Each writer takes one run or several (the same scenario under several policies) and a text
stream. The table groups events of the same session that follow each other into one row;
JSON and CSV list every event.
"""

from __future__ import annotations

import csv
import json
from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence
from itertools import chain, cycle, islice, repeat
from operator import mod
from typing import Any, TextIO

from ..util.text import short_id
from .model import format_time
from .run import ScenarioRun
from .timeline import (
    EVENT_ID_HEADS,
    EVENT_ID_MIDDLE,
    EventEntry,
    EventRun,
    ExpectationResult,
    Mark,
    SessionEntry,
    event_id,
    event_id_head,
)

__all__ = [
    "CSV_COLUMNS",
    "FORMATS",
    "summary",
    "summary_line",
    "write_csv",
    "write_json",
    "write_table",
]

CSV_COLUMNS = (
    "policy",
    "at",
    "time",
    "kind",
    "session_index",
    "session_id",
    "event_id",
    "detail",
    "result",
)


def summary(run: ScenarioRun) -> dict[str, Any]:
    """Counts for one run: sessions, sessions without events, events, expectations."""
    per_session = run.events_per_session()
    failed = len(run.failures)
    return {
        "policy": run.policy,
        "sessions": len(run.sessions),
        "sessions_without_events": sum(1 for s in run.sessions if not per_session[s.number]),
        "events": len(run.events),
        "final_session_index": run.sessions[-1].index if run.sessions else None,
        "expectations_passed": len(run.expectations) - failed,
        "expectations_failed": failed,
    }


def summary_line(run: ScenarioRun) -> str:
    """``dotnet: 4 sessions (2 without events), 120 events``."""
    counts = summary(run)
    plural = "" if counts["sessions"] == 1 else "s"
    empty = counts["sessions_without_events"]
    without = f" ({empty} without events)" if empty else ""
    return (
        f"{run.policy}: {counts['sessions']} session{plural}{without}, "
        f"{counts['events']} event{'' if counts['events'] == 1 else 's'}"
    )


def _runs(runs: ScenarioRun | Sequence[ScenarioRun]) -> Sequence[ScenarioRun]:
    return [runs] if isinstance(runs, ScenarioRun) else runs


def _seconds(at: float) -> float | int:
    return int(at) if float(at).is_integer() else at


# ------------------------------------------------------------------------------------ table


def _table_rows(run: ScenarioRun) -> Iterator[tuple[str, str, str, str, str]]:
    """(time, what, index, session, detail), events in a row in one session on one row."""
    sessions = run.sessions
    for item in run.timeline(fold_events=True):
        if isinstance(item, EventRun):
            entry = sessions[item.session - 1]
            if item.count == 1:
                what, detail = "event", f"event {item.first + 1}"
            else:  # events are numbered from 1: the last block of their id
                what = f"{item.count} events"
                detail = (
                    f"events {item.first + 1} … {item.last + 1}, until {format_time(item.last_at)}"
                )
            yield (format_time(item.at), what, str(entry.index), short_id(entry.session_id), detail)
        elif isinstance(item, SessionEntry):
            yield (
                format_time(item.at),
                "new session",
                str(item.index),
                short_id(item.session_id),
                item.why,
            )
        elif isinstance(item, Mark):
            yield format_time(item.at), item.kind, "", "", item.detail
        elif isinstance(item, ExpectationResult):
            verdict = "expect ok" if item.passed else "EXPECT FAILED"
            yield format_time(item.at), verdict, "", "", item.message


def write_table(
    runs: ScenarioRun | Sequence[ScenarioRun], out: TextIO, temporary: bool = False
) -> None:
    """The timeline of each run as an aligned table, then a summary; the header gives the
    timeouts in force at the start (a ``set`` step's come in the timeline), and says when
    the save file is ``temporary`` (deleted when the command ends)."""
    runs = _runs(runs)
    for number, run in enumerate(runs):
        if number:
            out.write("\n")
        scenario = run.scenario
        out.write(f"scenario {scenario.source}")
        out.write(f": {scenario.description.splitlines()[0]}\n" if scenario.description else "\n")
        settings = scenario.starting_settings()
        where = " (temporary: deleted on exit)" if temporary else ""
        out.write(
            f"policy {run.policy}; foreground timeout {_seconds(settings['foreground_timeout'])} s,"
            f" background timeout {_seconds(settings['background_timeout'])} s, check every "
            f"{_seconds(settings['check_interval'])} s; save file {run.save_path}{where}\n\n"
        )
        rows = [("time", "what", "index", "session", "detail"), *_table_rows(run)]
        widths = [max(len(row[column]) for row in rows) for column in range(4)]
        for row in rows:
            cells = [
                row[0].ljust(widths[0]),
                row[1].ljust(widths[1]),
                row[2].rjust(widths[2]),
                row[3].ljust(widths[3]),
                row[4],
            ]
            out.write("  ".join(cells).rstrip() + "\n")
        counts = summary(run)
        out.write(
            f"\n{summary_line(run)}; expectations: {counts['expectations_passed']} held, "
            f"{counts['expectations_failed']} failed\n"
        )
    if len(runs) > 1:
        out.write("\n" + "; ".join(summary_line(run) for run in runs) + "\n")


# ------------------------------------------------------------------------------------ json


def _run_json(run: ScenarioRun, temporary: bool) -> dict[str, Any]:
    sessions = run.sessions
    return {
        "policy": run.policy,
        "save_path": str(run.save_path),
        "save_path_temporary": temporary,
        "settings": {key: _seconds(value) for key, value in run.settings.items()},
        "passed": run.passed,
        "summary": summary(run),
        "sessions": [
            {
                "at": _seconds(s.at),
                "time": format_time(s.at),
                "number": s.number,
                "session_index": s.index,
                "session_id": s.session_id,
                "previous_session_id": s.previous_session_id,
                "user_id": s.user_id,
                "reason": s.reason,
                "why": s.why,
            }
            for s in sessions
        ],
        "events": [
            {
                "at": _seconds(e.at),
                "event_id": e.event_id,
                "session_index": sessions[e.session - 1].index,
                "session_id": sessions[e.session - 1].session_id,
            }
            for e in run.events
        ],
        "marks": [
            {"at": _seconds(m.at), "time": format_time(m.at), "kind": m.kind, "detail": m.detail}
            for m in run.marks
        ],
        "expectations": [
            {
                "at": _seconds(x.at),
                "time": format_time(x.at),
                "line": x.line,
                "key": x.key,
                "expected": x.expected,
                "actual": x.actual,
                "passed": x.passed,
                "message": x.message,
            }
            for x in run.expectations
        ],
    }


def write_json(
    runs: ScenarioRun | Sequence[ScenarioRun], out: TextIO, temporary: bool = False
) -> None:
    """``{"scenario", "description", "passed", "runs": [...]}``; one run per policy."""
    runs = _runs(runs)
    scenario = runs[0].scenario
    document = {
        "scenario": scenario.source,
        "description": scenario.description,
        "passed": all(run.passed for run in runs),
        "runs": [_run_json(run, temporary) for run in runs],
    }
    # Compact: the C encoder is used only without indentation (a week of events is 600,000).
    out.write(json.dumps(document, separators=(",", ":")))
    out.write("\n")


# ------------------------------------------------------------------------------------ csv


def _cell(value: str) -> str:
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _csv_item(policy: str, item: SessionEntry | Mark | ExpectationResult) -> tuple[object, ...]:
    at = (_seconds(item.at), format_time(item.at))
    if isinstance(item, SessionEntry):
        return (policy, *at, "session", item.index, item.session_id, "", item.why, item.reason)
    if isinstance(item, Mark):
        return (policy, *at, item.kind, "", "", "", item.detail, "")
    return (policy, *at, "expect", "", "", "", item.message, "pass" if item.passed else "fail")


def write_csv(
    runs: ScenarioRun | Sequence[ScenarioRun], out: TextIO, temporary: bool = False
) -> None:
    """One row per timeline entry (every event included), with a header row (where the save
    file was is not in it, temporary or not)."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for run in _runs(runs):
        policy, sessions, times = run.policy, run.sessions, run.record.event_times
        for item in run.timeline(fold_events=True):
            if isinstance(item, EventRun):
                entry = sessions[item.session - 1]
                tail = f",event,{entry.index},{_cell(entry.session_id)},"
                out.write(_event_rows(_cell(policy), tail, times, item.first, item.last + 1))
            elif not isinstance(item, EventEntry):  # no EventEntry comes when events are folded
                writer.writerow(_csv_item(policy, item))


_MINUTES_SECONDS = tuple(f"{m:02d}:{s:02d}" for m in range(60) for s in range(60))
_ROW_ENDS = tuple(f"{n:03d},,\n" for n in range(1000))  # an id's last three digits, then ,,
_ID_STARTS = tuple(event_id_head(n) + EVENT_ID_MIDDLE for n in range(EVENT_ID_HEADS))
"""Event ids up to their last block, by the event's number modulo EVENT_ID_HEADS."""


def _event_rows(head: str, tail: str, times: list[float], first: int, stop: int) -> str:
    """The rows of the events ``first`` to ``stop - 1``, all of one session (``tail`` says which,
    quoted where needed), made a column at a time: they are most rows (a week is 604,800)."""
    at = times[first:stop]
    whole = list(map(int, at))
    if whole != at:  # a fraction of a second: row by row, as format_time writes it
        return "".join(
            f"{head},{_seconds(a)},{format_time(a)}{tail}{event_id(n)},,\n"
            for n, a in enumerate(at, first)
        )
    numbers = range(first + 1, stop + 1)  # the ids' numbers: events count from 1
    return "".join(
        chain.from_iterable(
            zip(
                repeat(head + ","),
                map(str, whole),
                _per_block(whole, 3600, lambda hour: f",{hour:02d}:"),
                map(_MINUTES_SECONDS.__getitem__, map(mod, whole, repeat(3600))),
                repeat(tail),
                islice(cycle(_ID_STARTS), numbers[0] % EVENT_ID_HEADS, None),
                _per_block(numbers, 1000, lambda thousand: f"{thousand:09d}"),
                islice(cycle(_ROW_ENDS), numbers[0] % 1000, None),
            )
        )
    )


def _per_block(values: Sequence[int], size: int, text: Callable[[int], str]) -> Iterator[str]:
    """``text(value // size)`` for each of ``values`` (which never fall), made once a block."""
    return chain.from_iterable(_blocks(values, size, text))


def _blocks(
    values: Sequence[int], size: int, text: Callable[[int], str]
) -> Iterator[Iterator[str]]:
    start = 0
    while start < len(values):
        block = values[start] // size
        stop = bisect_left(values, (block + 1) * size, start)
        yield repeat(text(block), stop - start)
        start = stop


FORMATS = {"table": write_table, "json": write_json, "csv": write_csv}
