"""The session audit at scale: ``snowsession sessions`` against a hand-written DuckDB query.

Run: ``python -m benchmarks.audit [--log-events N] [--lake-events N] [--spark-events N]
[--rounds R] [--cache DIR]``. The data comes from :mod:`benchmarks.generate` (faults planted,
clocks changed, late and duplicated events) and is kept in ``--cache`` between runs, keyed by
its size and seed. Each figure is the median of ``rounds`` runs, interleaved with the baseline
on the same data, each in a process of its own whose peak memory is its own peak RSS: DuckDB
reading the same files and running the chain part by hand (events grouped into sessions,
``lag`` over each user's sessions). Targets on this 2-core machine:

- the collector's log of 1M events, the full report as a table: at most 1.5x the baseline;
- 100M events of lake Parquet, ``--format summary`` with ``--findings-out``: at most 2x the
  baseline, at most 20 s and at most 4 GB peak memory;
- Spark ``local[2]`` on 10M events: the figure alone.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from statistics import median

from benchmarks.generate import VERSION, Spec, generate, timeouts_toml
from session.audit.readers import ENTITY_COLUMN

SESSIONS = [sys.executable, "-m", "session.cli", "sessions"]
LOG_RATIO, LAKE_RATIO, LAKE_SECONDS, LAKE_BYTES = 1.5, 2.0, 20.0, 4 << 30
NAMES = {"log": "events.ndjson", "folder": "events"}
TIME = "/usr/bin/time"
"""GNU time, for each run's peak memory (Debian's ``time`` package)."""

CHAIN = """
SELECT count(*) FILTER (WHERE b_index IS NOT NULL AND b_index <> session_index - 1)
FROM (
  SELECT *, lag(session_index) OVER (PARTITION BY user_id ORDER BY session_index, seen)
    AS b_index,
    lag(last_t) OVER (PARTITION BY user_id ORDER BY session_index, seen) AS b_last
  FROM (
    SELECT user_id, session_id, session_index, count(DISTINCT event_id) AS events,
      min(seen) AS seen, min(t) AS first_t, max(t) AS last_t,
      arg_min(previous_session_id, event_index) AS prev
    FROM ({events})
    GROUP BY user_id, session_id, session_index
  )
)
"""
"""The baseline: sessions grouped, ``lag`` over each user's sessions, one number out."""

LOG_EVENTS = """
SELECT fields.eid AS event_id, received AS seen, CAST(fields.dtm AS BIGINT) AS t,
  e.data->>'userId' AS user_id, e.data->>'sessionId' AS session_id,
  CAST(e.data->>'sessionIndex' AS BIGINT) AS session_index,
  CAST(e.data->>'eventIndex' AS BIGINT) AS event_index,
  e.data->>'previousSessionId' AS previous_session_id
FROM (SELECT received, fields, unnest(contexts) AS e FROM read_ndjson({path},
  columns = {received: 'DOUBLE', fields: 'STRUCT(eid VARCHAR, dtm VARCHAR)',
  contexts: 'STRUCT(schema VARCHAR, data JSON)[]'}))
WHERE starts_with(e.schema, 'iglu:com.snowplowanalytics.snowplow/client_session/')
"""

LAKE_EVENTS = f"""
SELECT event_id, collector_tstamp AS seen, epoch_ms(derived_tstamp) AS t, s.user_id,
  s.session_id, s.session_index, s.event_index, s.previous_session_id
FROM (SELECT event_id, collector_tstamp, derived_tstamp, {ENTITY_COLUMN}[1] AS s
  FROM read_parquet({{path}}))
"""


def cached(layout: str, events: int, seed: int, cache: Path) -> Path:
    """The generated data of ``layout`` and size, written once into ``cache`` (keyed by the
    generator's version too); its planted findings (``planted.json``) and timeouts
    (``timeouts.toml``) beside it."""
    folder = cache / f"{layout}-{events}-seed{seed}-v{VERSION}"
    done = folder / ".done"
    if not done.exists():
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        generated = generate(Spec(events=events, seed=seed))
        generated.con.execute(f"SET temp_directory = '{folder / 'tmp'}'")
        generated.write(layout, folder / NAMES[layout])
        generated.write_manifest(folder / "planted.json")
        (folder / "timeouts.toml").write_text(timeouts_toml(), encoding="utf-8")
        generated.con.close()
        done.write_text(f"{time.perf_counter() - started:.1f}\n")
        print(f"generated {layout} of {events:,} events in {done.read_text().strip()} s")
    return folder / NAMES[layout]


def run(command: Sequence[str]) -> tuple[float, int, int, str]:
    """Seconds, peak RSS (bytes), exit status and stdout of ``command`` in a process of its own.

    The peak is GNU time's ``%M`` of the command alone: a child's own ``ru_maxrss`` would
    start from this process's size (Linux keeps it across ``exec``)."""
    with tempfile.TemporaryDirectory() as folder:
        peak_file = os.path.join(folder, "peak")
        started = time.perf_counter()
        done = subprocess.run(
            [TIME, "-f", "%M", "-o", peak_file, *command], capture_output=True, text=True
        )
        seconds = time.perf_counter() - started
        peak = int(Path(peak_file).read_text().split()[-1]) * 1024
    if done.returncode not in (0, 1):
        raise RuntimeError(f"{command[:4]} exited {done.returncode}: {done.stderr[-2000:]}")
    return seconds, peak, done.returncode, done.stdout


def baseline(query: str, path: str) -> list[str]:
    code = (
        "import sys, duckdb\n"
        "print(duckdb.connect().execute(sys.argv[1].replace('{path}', repr(sys.argv[2])))"
        ".fetchone()[0])\n"
    )
    return [sys.executable, "-c", code, CHAIN.format(events=query), path]


def interleaved(
    ours: Sequence[str], base: Sequence[str], rounds: int
) -> tuple[list[tuple[float, int]], list[tuple[float, int]], str]:
    """``rounds`` runs of each, one after the other: (seconds, peak RSS) of each, and our last
    output."""
    mine, theirs, text = [], [], ""
    for _ in range(rounds):
        seconds, peak, _, text = run(ours)
        mine.append((seconds, peak))
        seconds, peak, _, _ = run(base)
        theirs.append((seconds, peak))
    return mine, theirs, text


def _figure(runs: list[tuple[float, int]]) -> tuple[float, float, float]:
    times = [seconds for seconds, _ in runs]
    return median(times), max(times), max(peak for _, peak in runs) / (1 << 30)


def log_report(events: int, seed: int, cache: Path, rounds: int) -> None:
    log = cached("log", events, seed, cache)
    toml = str(log.parent / "timeouts.toml")
    mine, theirs, _ = interleaved(
        [*SESSIONS, str(log), "--timeouts", toml], baseline(LOG_EVENTS, str(log)), rounds
    )
    ours, slowest, peak = _figure(mine)
    base, _, base_peak = _figure(theirs)
    ratio = ours / base
    verdict = "ok" if ratio <= LOG_RATIO else "missed"
    print(
        f"collector log, {events:,} events, full report (table): {ours:.2f} s median of "
        f"{rounds} (slowest {slowest:.2f} s, peak {peak:.2f} GB); baseline {base:.2f} s "
        f"({base_peak:.2f} GB); {ratio:.2f}x, target {LOG_RATIO}x: {verdict}"
    )


def lake_summary(events: int, seed: int, cache: Path, rounds: int) -> None:
    lake = cached("folder", events, seed, cache)
    toml = str(lake.parent / "timeouts.toml")
    planted = json.loads((lake.parent / "planted.json").read_text())["planted"]
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "findings.parquet")
        mine, theirs, text = interleaved(
            [
                *SESSIONS,
                str(lake),
                "--timeouts",
                toml,
                "--format",
                "summary",
                "--findings-out",
                out,
            ],
            baseline(LAKE_EVENTS, str(lake / "**" / "*.parquet")),
            rounds,
        )
    summary = json.loads(text)
    found = sum(summary["findings"].values())
    ours, slowest, peak = _figure(mine)
    base, _, base_peak = _figure(theirs)
    ratio = ours / base
    missed = [
        f"{ratio:.2f}x the baseline" if ratio > LAKE_RATIO else "",
        f"{slowest:.1f} s" if slowest > LAKE_SECONDS else "",
        f"{peak:.2f} GB" if peak * (1 << 30) > LAKE_BYTES else "",
    ]
    verdict = "missed: " + ", ".join(m for m in missed if m) if any(missed) else "ok"
    print(
        f"lake Parquet, {summary['events']:,} events, summary + findings-out: {ours:.2f} s "
        f"median of {rounds} (slowest {slowest:.2f} s, peak {peak:.2f} GB); baseline "
        f"{base:.2f} s ({base_peak:.2f} GB); {ratio:.2f}x; targets {LAKE_RATIO}x, "
        f"{LAKE_SECONDS:.0f} s, {LAKE_BYTES >> 30} GB: {verdict}; {found:,} findings, "
        f"{len(planted):,} planted"
    )


def spark(events: int, seed: int, cache: Path) -> None:
    if importlib.util.find_spec("session.audit.spark") is None:
        print("Spark local[2]: not measured: session.audit.spark is not on this branch yet")
        return
    lake = cached("folder", events, seed, cache)
    toml = str(lake.parent / "timeouts.toml")
    command = [
        *SESSIONS,
        str(lake),
        "--timeouts",
        toml,
        "--format",
        "summary",
        "--engine",
        "spark",
        "--master",
        "local[2]",
    ]
    seconds, peak, _, text = run(command)
    base, _, _, _ = run(baseline(LAKE_EVENTS, str(lake / "**" / "*.parquet")))
    print(
        f"Spark local[2], {json.loads(text)['events']:,} events, summary: {seconds:.1f} s "
        f"(peak {peak / (1 << 30):.2f} GB of the driver); DuckDB baseline {base:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log-events", type=int, default=1_000_000)
    parser.add_argument("--lake-events", type=int, default=100_000_000)
    parser.add_argument("--spark-events", type=int, default=10_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "snowsession-bench"
    )
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    if args.log_events:
        log_report(args.log_events, args.seed, args.cache, args.rounds)
        print(f"load average: {os.getloadavg()[0]:.2f}")
    if args.lake_events:
        lake_summary(args.lake_events, args.seed, args.cache, args.rounds)
        print(f"load average: {os.getloadavg()[0]:.2f}")
    if args.spark_events:
        spark(args.spark_events, args.seed, args.cache)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
