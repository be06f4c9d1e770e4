"""A simulated week, headless: an event every second and a background trip every hour.

Run: ``python -m benchmarks.week [--rounds N] [--profile]``. The scenario has 604,800 events
(one a second for 7 days) and 168 six-minute background trips; each round parses it, runs it
on a virtual clock with a real save file, and writes the timeline (the ``simulate`` table) to
a temporary file. Target: under 2 s. Two baselines run in the same process, interleaved: the
same week driven by hand (``VirtualClock.advance_to`` then ``get_session_context`` for each
event, no recording), and a bare Python loop over the same times.
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

from session import ClientSession, VirtualClock
from session.scenario import parse_scenario
from session.scenario.output import write_csv, write_json, write_table
from session.scenario.run import ScenarioRun

WEEK = 7 * 24 * 3600
TARGET_S = 2.0

SCENARIO = f"""\
description = "A week: an event every second, a six-minute background trip every hour."

[session]
foreground_timeout = 600
background_timeout = 300
check_interval = 15

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


def scenario_round(folder: Path, writer: Callable[..., None] = write_table) -> dict[str, float]:
    """Parse, run and write the timeline; seconds for each part and in all."""
    start = time.perf_counter()
    scenario = parse_scenario(SCENARIO, "week.toml")
    parsed = time.perf_counter()
    run = ScenarioRun(scenario, folder / "week.xml", clock=VirtualClock(wall_start=0.0)).run()
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
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of a round")
    args = parser.parse_args()
    print(
        f"python {platform.python_version()} on {platform.machine()}, "
        f"{args.rounds} rounds; median (best)"
    )
    with tempfile.TemporaryDirectory(prefix="bench-week-") as name:
        folder = Path(name)
        ours: list[dict[str, float]] = []
        by_hand: list[float] = []
        bare: list[float] = []
        for _ in range(args.rounds):
            ours.append(scenario_round(folder))
            by_hand.append(by_hand_round(folder))
            bare.append(bare_loop_round())
        extra = {
            fmt: scenario_round(folder, writer)
            for fmt, writer in (("csv", write_csv), ("json", write_json))
        }
        if args.profile:
            profile(folder)

    def figure(values: list[float]) -> str:
        return f"{statistics.median(values):6.3f} s ({min(values):.3f})"

    total = [r["total"] for r in ours]
    median = statistics.median(total)
    print(f"week scenario, {WEEK:,} events, timeline table written:")
    print(
        f"  total              {figure(total)}   target < {TARGET_S} s: "
        f"{'met' if median < TARGET_S else 'NOT met'}"
    )
    for part in ("parse", "run", "write"):
        print(f"    {part:<16} {figure([r[part] for r in ours])}")
    print(f"  events per second  {WEEK / median:,.0f}")
    print(f"  table size         {int(ours[0]['bytes']):,} bytes")
    print("baseline: the week by hand (advance_to + get_session_context per event)")
    print(
        f"                     {figure(by_hand)}   scenario run / by hand: "
        f"{median / statistics.median(by_hand):.2f}"
    )
    print("baseline: a bare loop recording the times")
    print(
        f"                     {figure(bare)}   scenario run / bare loop: "
        f"{median / statistics.median(bare):.1f}"
    )
    for fmt, result in extra.items():
        print(
            f"with every event written as {fmt.upper():<4} {result['total']:6.3f} s in all, "
            f"write {result['write']:.3f} s, {int(result['bytes']):,} bytes"
        )


if __name__ == "__main__":
    main()
