"""A simulated week, headless: an event every second and a background trip every hour.

Run: ``python -m benchmarks.week [--rounds N] [--profile]``. The scenario has 604,800 events
(one a second for 7 days) and 168 six-minute background trips; each round parses it, runs it
on a virtual clock with a real save file, and writes the timeline (the ``simulate`` table) to
a temporary file, then does the same with every event written as CSV. Targets: the week with
its table in at most 0.5 s, with its CSV in at most 1.0 s in all. Baselines run in the same
process, interleaved: the same week driven by hand (``VirtualClock.advance_to`` then
``get_session_context`` for each event, no recording), the runner handing the engine every
event (an ``on_session`` hook: what counting in bulk saves), the engine's 40,320 checks with
the one event before each that the runner hands it (the floor the engine sets), a bare Python
loop over the same times, and the CSV's bytes written to a file ready-made.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import platform
import pstats
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from session import ClientSession, VirtualClock
from session.scenario import parse_scenario
from session.scenario.output import write_csv, write_json, write_table
from session.scenario.run import ScenarioRun

WEEK = 7 * 24 * 3600
CHECK_INTERVAL = 15
TARGET_S = 0.5
"""The week with its timeline table, in all."""
CSV_TARGET_S = 1.0
"""The week with every event written as CSV, in all."""

SCENARIO = f"""\
description = "A week: an event every second, a six-minute background trip every hour."

[session]
foreground_timeout = 600
background_timeout = 300
check_interval = {CHECK_INTERVAL}

[[step]]
at = 0
every = 1
until = {WEEK - 1}
do = "event"

[[step]]
at = "00:50:00"
every = 3600
until = {WEEK - 1}
do = "background"

[[step]]
at = "00:56:00"
every = 3600
until = {WEEK - 1}
do = "foreground"

[[step]]
at = {WEEK - 1}
do = "expect"
session_index = 1
background = false
checking = true
"""


def scenario_round(
    folder: Path, writer: Callable[..., None] = write_table, **options: Any
) -> dict[str, float]:
    """Parse, run and write the timeline; seconds for each part and in all."""
    start = time.perf_counter()
    scenario = parse_scenario(SCENARIO, "week.toml")
    parsed = time.perf_counter()
    clock = VirtualClock(wall_start=0.0)
    run = ScenarioRun(scenario, folder / "week.xml", clock=clock, **options).run()
    ran = time.perf_counter()
    with open(folder / "timeline.out", "w", encoding="utf-8") as out:
        writer(run, out)
    written = time.perf_counter()
    (folder / "week.xml").unlink()
    if len(run.events) != WEEK or not run.passed:
        raise SystemExit(f"the week went wrong: {len(run.events)} events, passed={run.passed}")
    return {
        "parse": parsed - start,
        "run": ran - parsed,
        "write": written - ran,
        "total": written - start,
        "bytes": (folder / "timeline.out").stat().st_size,
    }


def by_hand_round(folder: Path) -> float:
    """The same week driven directly: no scenario, no recording, no output."""
    start = time.perf_counter()
    clock = VirtualClock(wall_start=0.0)
    session = ClientSession(folder / "hand.xml", clock=clock)
    track, advance = session.get_session_context, clock.advance_to
    for second in range(WEEK):
        advance(float(second))
        minute = second % 3600
        if minute == 3000:
            session.set_background(True)
        elif minute == 3360:
            session.set_background(False)
        track(f"e0000000-0000-4000-8000-{second + 1:012d}")
    session.close()
    (folder / "hand.xml").unlink()
    return time.perf_counter() - start


def checks_round(folder: Path) -> float:
    """The engine alone through the week's checks: one event before each (as the runner
    hands them in bulk), no scenario, no recording."""
    start = time.perf_counter()
    clock = VirtualClock(wall_start=0.0)
    session = ClientSession(folder / "checks.xml", clock=clock)
    track, advance = session.get_session_context, clock.advance_to
    for check in range(0, WEEK, CHECK_INTERVAL):
        advance(float(check + CHECK_INTERVAL - 1))
        track(f"e0000000-0000-4000-8000-{check + CHECK_INTERVAL:012d}")
    session.close()
    (folder / "checks.xml").unlink()
    return time.perf_counter() - start


def write_floor_round(folder: Path, text: str) -> float:
    """The CSV's bytes, made already, written to a file: what writing costs with no work."""
    start = time.perf_counter()
    with open(folder / "floor.out", "w", encoding="utf-8") as out:
        out.write(text)
    return time.perf_counter() - start


def bare_loop_round() -> float:
    """A Python loop over the week's seconds that only records them."""
    start = time.perf_counter()
    times: list[float] = []
    sessions: list[int] = []
    for second in range(WEEK):
        times.append(float(second))
        sessions.append(1)
    return time.perf_counter() - start


def profile(folder: Path) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    scenario_round(folder)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=(text := io.StringIO()))
    stats.sort_stats("tottime").print_stats(12)
    print(text.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.week")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of a round")
    args = parser.parse_args()
    print(
        f"python {platform.python_version()} on {platform.machine()}, "
        f"{args.rounds} rounds; median (best)"
    )
    results: dict[str, list[float]] = {name: [] for name in BASELINES}
    with tempfile.TemporaryDirectory(prefix="bench-week-") as name:
        folder = Path(name)
        ours: list[dict[str, float]] = []
        csv: list[dict[str, float]] = []
        csv_text = ""
        for _ in range(args.rounds):
            ours.append(scenario_round(folder))
            csv.append(scenario_round(folder, write_csv))
            csv_text = csv_text or (folder / "timeline.out").read_text(encoding="utf-8")
            results["by hand"].append(by_hand_round(folder))
            results["one at a time"].append(
                scenario_round(folder, on_session=lambda session: None)["total"]
            )
            results["checks"].append(checks_round(folder))
            results["bare loop"].append(bare_loop_round())
            results["write floor"].append(write_floor_round(folder, csv_text))
        json_round = scenario_round(folder, write_json)
        if args.profile:
            profile(folder)

    def figure(values: list[float]) -> str:
        return f"{statistics.median(values):6.3f} s ({min(values):.3f})"

    def verdict(median: float, target: float) -> str:
        return f"target <= {target} s: {'met' if median <= target else 'NOT met'}"

    total = [r["total"] for r in ours]
    median = statistics.median(total)
    print(f"week scenario, {WEEK:,} events, timeline table written:")
    print(f"  total              {figure(total)}   {verdict(median, TARGET_S)}")
    for part in ("parse", "run", "write"):
        print(f"    {part:<16} {figure([r[part] for r in ours])}")
    print(f"  events per second  {WEEK / median:,.0f}")
    print(f"  table size         {int(ours[0]['bytes']):,} bytes")
    csv_total = [r["total"] for r in csv]
    print(f"the same week with every event written as CSV ({int(csv[0]['bytes']):,} bytes):")
    print(
        f"  total              {figure(csv_total)}   "
        f"{verdict(statistics.median(csv_total), CSV_TARGET_S)}"
    )
    for part in ("run", "write"):
        print(f"    {part:<16} {figure([r[part] for r in csv])}")
    for name, label in BASELINES.items():
        print(f"baseline: {label}")
        values = results[name]
        reference = statistics.median([r["write"] for r in csv] if name == "write floor" else total)
        against = "CSV write" if name == "write floor" else "week with table"
        print(
            f"                     {figure(values)}   {against} / this: "
            f"{reference / statistics.median(values):.2f}"
        )
    print(
        f"with every event written as JSON {json_round['total']:6.3f} s in all, "
        f"write {json_round['write']:.3f} s, {int(json_round['bytes']):,} bytes (one round)"
    )


BASELINES = {
    "by hand": "the week by hand (advance_to + get_session_context per event, nothing recorded)",
    "one at a time": "the runner handing the engine every event (an on_session hook), table",
    "checks": f"the engine's {WEEK // CHECK_INTERVAL:,} checks, with one event before each",
    "bare loop": "a bare loop recording the times",
    "write floor": "the CSV's bytes, made already, written to a file",
}


if __name__ == "__main__":
    main()
