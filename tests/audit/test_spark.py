"""``--engine spark``: Spark, in local mode, gives the findings DuckDB gives, on every layout,
and refuses a bad input with exit 2 and one line.

One SparkSession (``local[2]``) serves the module; each audit uses it and leaves it running.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pyarrow.parquet as pq
import pytest

from audit.planted_layouts import (
    RULES,
    json_faults,
    planted,
    write_delta,
    write_har,
    write_log,
    write_parquet,
    write_tsv,
)
from session.audit.duck import DuckAudit
from session.audit.kinds import FINDING_KINDS
from session.audit.readers import TSV_FIELDS
from session.audit.result import Result
from session.audit.spark import SparkAudit
from session.audit.sparkresult import SparkResult
from session.cli import main

from .planted import EDGE_RULES, edges

FIELDS = "kind, user_id, session_id, event_id, at_ms, message"


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from pyspark import SparkContext

    owner = SparkAudit(RULES, master="local[2]")
    # Inputs of a few dozen rows: one partition a shuffle, no re-planning between stages.
    owner.spark.conf.set("spark.sql.shuffle.partitions", "1")
    owner.spark.conf.set("spark.sql.adaptive.enabled", "false")
    gateway = SparkContext._gateway
    yield owner.spark
    owner.close()
    # The JVM goes with its gateway: none is left behind for the next module.
    assert gateway is not None
    process = gateway.proc  # type: ignore[attr-defined]
    gateway.shutdown()
    SparkContext._gateway = None
    SparkContext._jvm = None
    process.stdin.close()
    assert process.wait(timeout=30) is not None


LAYOUTS: dict[str, Callable[[Path, int], Path]] = {
    "parquet": lambda folder, at: write_parquet(planted(at), folder / "events.parquet"),
    "delta": lambda folder, at: write_delta(planted(at), folder / "delta"),
    "tsv": lambda folder, at: write_tsv(planted(at) + json_faults(at), folder / "enriched.tsv"),
    "tsv.gz": lambda folder, at: write_tsv(
        planted(at) + json_faults(at), folder / "part-0.tsv.gz", True
    ),
    "log": lambda folder, at: write_log(planted(at) + json_faults(at), folder / "events.ndjson"),
    "har": lambda folder, at: write_har(planted(at) + json_faults(at), folder / "app.har"),
}
"""Each layout, its users numbered from its own hundred, so that all are read in one run."""


class Runs(NamedTuple):
    duck: Result
    spark: SparkResult
    folder: Path


@pytest.fixture(scope="module")
def runs(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    """Every layout read together, by DuckDB and by Spark."""
    folder = tmp_path_factory.mktemp("layouts")
    paths = []
    for at, (layout, write) in enumerate(LAYOUTS.items(), 1):
        (folder / layout).mkdir()
        paths.append(write(folder / layout, at * 100))
    duck, on_spark = DuckAudit(RULES), SparkAudit(RULES, session=spark)
    for audit in (duck, on_spark):
        for path in paths:
            audit.add(path, lambda _: None)
    yield Runs(duck.run(), on_spark.run(), folder)
    duck.close()
    on_spark.close()


def _user_of(layout: str) -> str:
    return f"0000a5e2-0000-4000-8000-{list(LAYOUTS).index(layout) + 1:010d}"


@pytest.mark.parametrize("layout", LAYOUTS)
def test_spark_finds_what_duckdb_finds(runs: Runs, layout: str) -> None:
    prefix = _user_of(layout)
    duck = runs.duck.con.execute(
        f"SELECT {FIELDS} FROM findings WHERE user_id LIKE $p", {"p": prefix + "%"}
    ).fetchall()
    found = runs.spark.findings.where(f"user_id LIKE '{prefix}%'").selectExpr(*FIELDS.split(", "))
    assert sorted((tuple(row) for row in found.collect()), key=repr) == sorted(duck, key=repr)
    kinds = {row[0] for row in duck}
    assert kinds == set(FINDING_KINDS)
    if layout not in ("parquet", "delta"):  # JSON's own faults, in the same words
        messages = {row[5] for row in duck if row[0] == "invalid_entity"}
        for words in (
            "color: not in this schema version",
            "sessionIndex is not an integer",
            "sessionId is not a UUID: 12",
            "eventIndex is not an integer",
            "storageMechanism is null",
        ):
            assert any(words in message for message in messages), words


def test_the_summary_report_and_findings_file_are_duckdbs(runs: Runs) -> None:
    assert runs.spark.summary() == runs.duck.summary()
    assert runs.spark.counts() == runs.duck.counts()
    assert runs.spark.worst_users(5) == runs.duck.worst_users(5)
    chosen = runs.duck.worst_users(2)
    assert runs.spark.report(users=chosen) == runs.duck.report(users=chosen)
    assert runs.spark.report() == runs.duck.report()
    for name in ("duck.csv", "spark.csv", "duck.parquet", "spark.parquet"):
        (runs.spark if name.startswith("spark") else runs.duck).write_findings(runs.folder / name)
    assert (runs.folder / "spark.csv").read_bytes() == (runs.folder / "duck.csv").read_bytes()
    assert pq.read_table(runs.folder / "spark.parquet") == pq.read_table(
        runs.folder / "duck.parquet"
    )


def command(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(["sessions", *argv, "--engine", "spark"])
    out, err = capsys.readouterr()
    return status, out, err


def test_the_command_on_spark(
    spark: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_parquet(planted(), tmp_path / "events.parquet")
    status, out, err = command(capsys, str(path), "--foreground-timeout", "600")
    assert status == 1, err
    summary = json.loads(out)
    assert summary["findings"]["index_gap"] == 1 and summary["users"] == 14


def _truncated(folder: Path) -> Path:
    whole = write_parquet(planted(), folder / "whole.parquet").read_bytes()
    cut = folder / "cut.parquet"
    cut.write_bytes(whole[: len(whole) // 2])
    return cut


def _no_entity(folder: Path) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = folder / "plain.parquet"
    pq.write_table(pa.table({"event_id": ["a"], "app_id": ["x"]}), path)
    return path


def _short_tsv(folder: Path) -> Path:
    path = write_tsv(planted(), folder / "enriched.tsv")
    with path.open("a") as handle:
        handle.write("\t".join(["x"] * 100) + "\n")
    return path


def _empty_log(folder: Path) -> Path:
    table = folder / "table"
    (table / "_delta_log").mkdir(parents=True)
    write_parquet(planted(), table / "part-0.parquet")
    return table


BAD: dict[str, tuple[Callable[[Path], Path], str]] = {
    "no entity column": (_no_entity, "has no column contexts_com_snowplowanalytics"),
    "wrong field count": (_short_tsv, f"not the {len(TSV_FIELDS)}"),
    "truncated parquet": (_truncated, "cut.parquet"),
    "empty delta log": (_empty_log, "is not a readable Delta table"),
}


@pytest.mark.parametrize("case", BAD)
def test_a_bad_input_exits_2_with_one_line(
    spark: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    make, words = BAD[case]
    status, out, err = command(capsys, str(make(tmp_path)))
    assert status == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert words in err


def test_a_spark_connect_address_that_does_not_answer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_parquet(planted(), tmp_path / "events.parquet")
    status, out, err = command(capsys, str(path), "--remote", "sc://127.0.0.1:9")
    assert status == 2 and out == ""
    assert (
        err.strip().splitlines() == [err.strip().splitlines()[0]]
        and "cannot reach Spark Connect at 127.0.0.1:9" in err
    )


def test_spark_judges_the_edges_of_one_read_as_duckdb(spark: Any, tmp_path: Path) -> None:
    """A copy whose time drifts, a copy with a time its first lacks, one id on two events:
    Spark runs the same steps, so the same sessions and findings."""
    path = edges(tmp_path / "edges.parquet")
    duck, on_spark = DuckAudit(EDGE_RULES), SparkAudit(EDGE_RULES, session=spark)
    try:
        for audit in (duck, on_spark):
            audit.add(path, lambda _: None)
        ours, theirs = duck.run(), on_spark.run()
        assert theirs.report() == ours.report()
        assert theirs.counts() == ours.counts()
        assert ours.by_kind()["missed_expiry"] == 2
    finally:
        duck.close()
        on_spark.close()
