"""The audit on Spark ``local[2]`` over lake-layout Parquet, with its baselines in the same run.

``python -m benchmarks.spark_audit EVENTS.parquet [--rounds N]``, the Parquet made by
``python -m benchmarks.generate EVENTS.parquet --events 10000000``. Each round runs, one after
the other: the hand-written chain query (sessions grouped, ``lag`` over each user) on DuckDB,
the same query on Spark, and the whole audit on Spark (``--format summary``: the checks, then
the counts). Spark's start is timed once, apart. Medians are printed; no target is checked.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import duckdb

from session.audit.readers import ENTITY_COLUMN
from session.audit.rules import Rules
from session.audit.spark import SparkAudit

CHAIN = """
WITH e AS (
  SELECT {first}.user_id AS user_id, {first}.session_id AS session_id,
    {first}.session_index AS session_index, collector_tstamp
  FROM {source}
), s AS (
  SELECT user_id, session_id, session_index, min(collector_tstamp) AS seen, count(*) AS n
  FROM e GROUP BY user_id, session_id, session_index
)
SELECT count(*) AS sessions,
  sum(CASE WHEN session_index - b_index > 1 THEN 1 ELSE 0 END) AS gaps
FROM (SELECT *, lag(session_index) OVER (PARTITION BY user_id ORDER BY session_index, seen)
  AS b_index FROM s) AS chained
"""


def _timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.spark_audit")
    parser.add_argument("parquet", help="lake-layout Parquet (benchmarks.generate)")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    rules = Rules.of(1800, 1800, 0)
    start = time.perf_counter()
    owner = SparkAudit(rules, master="local[2]")
    started = time.perf_counter() - start
    spark = owner.spark
    spark.read.parquet(args.parquet).createOrReplaceTempView("lake")
    duck_query = CHAIN.format(first=f"{ENTITY_COLUMN}[1]", source=f"read_parquet('{args.parquet}')")
    spark_query = CHAIN.format(first=f"element_at({ENTITY_COLUMN}, 1)", source="lake")

    def audit() -> None:
        run = SparkAudit(rules, session=spark)
        run.add(args.parquet, lambda _: None)
        run.run().summary()
        run.close()

    figures: dict[str, list[float]] = {"duckdb chain": [], "spark chain": [], "spark audit": []}
    print(f"spark local[2] start: {started:.1f} s", flush=True)
    con = duckdb.connect(config={"enable_progress_bar": False})
    works = {
        "duckdb chain": lambda: con.execute(duck_query).fetchall(),
        "spark chain": lambda: spark.sql(spark_query).collect(),
        "spark audit": audit,
    }
    for round_ in range(1, args.rounds + 1):
        for name, work in works.items():
            figures[name].append(_timed(work))
            print(f"round {round_}, {name}: {figures[name][-1]:.1f} s", flush=True)
    owner.close()
    for name, times in figures.items():
        runs = ", ".join(f"{t:.1f}" for t in times)
        print(f"{name}: {statistics.median(times):.1f} s (runs: {runs})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
