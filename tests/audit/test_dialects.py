"""``snowsession sessions --sql DIALECT``: the audit as one query for a warehouse.

The ``duckdb`` form is run by DuckDB over a schema ``atomic`` with a view ``events`` on lake
Parquet, and the ``databricks`` form by Spark over a table ``atomic.events`` on the same
Parquet: each gives exactly the findings the command writes with ``--findings-out``. The
BigQuery, Snowflake and Redshift forms are parsed in their dialect, not run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
import sqlglot
from pyspark.sql import SparkSession

from session.audit.columns import FINDING_COLUMNS
from session.audit.dialects import (
    DIALECTS,
    LAYOUTS,
    DialectError,
    layout_query,
    warehouse_query,
)
from session.audit.kinds import FINDING_KINDS
from session.audit.rules import Rules
from session.cli import main

from .planted import OPTIONS, planted_lake

Finding = tuple[Any, ...]
_COLUMNS = [name if name != "at" else "at_ms" for name in FINDING_COLUMNS]


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding one lake Parquet file with every finding kind planted."""
    folder = tmp_path_factory.mktemp("lake") / "events"
    folder.mkdir()
    planted_lake(folder / "part-0.parquet")
    return folder


def sql(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """The query ``snowsession sessions --sql …`` prints."""
    assert main(["sessions", "--sql", *argv]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    return out


def command_findings(
    lake: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], *options: str
) -> list[Finding]:
    """What ``snowsession sessions LAKE --findings-out f.parquet`` writes, ``at`` as ms."""
    out = tmp_path / "findings.parquet"
    assert main(["sessions", str(lake), "--findings-out", str(out), *options]) == 1
    capsys.readouterr()
    columns = ", ".join('epoch_ms("at") AS at_ms' if c == "at" else c for c in FINDING_COLUMNS)
    return sorted(
        duckdb.connect().execute(f"SELECT {columns} FROM read_parquet('{out}')").fetchall(),
        key=repr,
    )


def duckdb_findings(lake: Path, query: str) -> list[Finding]:
    """The rows of ``query`` run by DuckDB over ``atomic.events``, a view on the lake."""
    con = duckdb.connect()
    con.execute("CREATE SCHEMA atomic")
    con.execute(f"CREATE VIEW atomic.events AS SELECT * FROM read_parquet('{lake}/*.parquet')")
    relation = con.sql(query)
    assert relation.columns == list(FINDING_COLUMNS)
    assert str(relation.types[FINDING_COLUMNS.index("at")]) == "TIMESTAMP"
    rows = relation.select(", ".join(c if c != "at" else 'epoch_ms("at")' for c in FINDING_COLUMNS))
    return sorted(rows.fetchall(), key=repr)


def test_the_duckdb_form_gives_the_commands_findings(
    lake: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = command_findings(lake, tmp_path, capsys, *OPTIONS)
    assert {row[2] for row in expected} == set(FINDING_KINDS)
    assert duckdb_findings(lake, sql(capsys, "duckdb", *OPTIONS)) == expected


def test_what_redshift_lacks_is_rewritten_without_changing_the_findings(
    lake: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Redshift has no arg_min, arg_max or lists: its form takes them from padded orders.
    The same rewrite, written for DuckDB and run there, gives the command's findings."""
    redshift = warehouse_query("redshift", Rules.of(600, 300, 15))
    for missing in ("ARG_MIN", "ARG_MAX", "MIN_BY", "MAX_BY", "ARRAY", "FILTER("):
        assert missing not in redshift.upper()
    rewritten = LAYOUTS["duckdb"]._replace(rewrite=LAYOUTS["redshift"].rewrite)
    query = layout_query(rewritten, Rules.of(600, 300, 15), "atomic.events")
    assert "arg_min" not in query.lower()
    expected = command_findings(lake, tmp_path, capsys, *OPTIONS)
    assert duckdb_findings(lake, query) == expected


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory, lake: Path) -> Iterator[SparkSession]:
    """Spark in local mode with a database ``atomic`` whose table ``events`` is the lake."""
    warehouse = tmp_path_factory.mktemp("spark-warehouse")
    session = (
        SparkSession.builder.master("local[2]")
        .appName("snowsession-dialects")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.warehouse.dir", str(warehouse))
        .getOrCreate()
    )
    session.sql("CREATE DATABASE IF NOT EXISTS atomic")
    session.sql(f"CREATE TABLE atomic.events USING parquet LOCATION '{lake}'")
    yield session
    session.sql("DROP DATABASE atomic CASCADE")
    session.stop()


def test_the_databricks_form_run_by_spark_gives_the_commands_findings(
    lake: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], spark: SparkSession
) -> None:
    expected = command_findings(lake, tmp_path, capsys, *OPTIONS)
    frame = spark.sql(sql(capsys, "databricks", *OPTIONS))
    assert frame.columns == list(FINDING_COLUMNS)
    assert frame.schema["at"].dataType.typeName() == "timestamp"
    rows = frame.selectExpr(*(c if c != "at" else "unix_millis(at)" for c in FINDING_COLUMNS))
    assert sorted((tuple(row) for row in rows.collect()), key=repr) == expected


def test_spark_is_another_name_for_the_databricks_form(capsys: pytest.CaptureFixture[str]) -> None:
    assert sql(capsys, "spark") == sql(capsys, "databricks")


def test_each_form_parses_in_its_dialect() -> None:
    for dialect in DIALECTS:
        query = warehouse_query(dialect, Rules.of(1800, 300, 0))
        read = "databricks" if dialect == "spark" else dialect
        tree = sqlglot.parse_one(query, read=read, error_level=sqlglot.ErrorLevel.RAISE)
        assert tree.named_selects == list(FINDING_COLUMNS), dialect


def test_each_warehouse_is_read_in_its_own_layout() -> None:
    rules = Rules()
    bigquery = warehouse_query("bigquery", rules)
    assert "contexts_com_snowplowanalytics_snowplow_client_session_1[SAFE_OFFSET(0)]" in bigquery
    assert "client_session.session_index" in bigquery
    assert "UNIX_MILLIS(e.collector_tstamp)" in bigquery
    snowflake = warehouse_query("snowflake", rules)
    for key in ("userId", "sessionId", "previousSessionId", "sessionIndex", "eventIndex"):
        assert f"CAST(client_session:{key} AS " in snowflake
    assert "firstEventId" in snowflake and "storageMechanism" in snowflake
    redshift = warehouse_query("redshift", rules, "analytics.events")
    assert "FROM analytics.events AS e" in redshift
    assert "JOIN analytics.com_snowplowanalytics_snowplow_client_session_1 AS client_session" in (
        redshift
    )
    assert (
        "client_session.root_id = e.event_id AND client_session.root_tstamp = e.collector_tstamp"
        in redshift
    )
    databricks = warehouse_query("databricks", rules)
    assert "try_element_at(e.contexts_com_snowplowanalytics_snowplow_client_session_1, 1)" in (
        databricks
    )


def test_the_timeouts_are_written_into_the_query(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = sql(capsys, "snowflake")
    given = sql(capsys, "snowflake", "--foreground-timeout", "1234", "--background-timeout", "56")
    assert plain != given
    assert "1234000 AS fg_ms" in given and "56000 AS bg_ms" in given
    assert "1234000" not in plain
    timeouts = tmp_path / "timeouts.toml"
    timeouts.write_text('[app."kiosk-two"]\nforeground_timeout = 777\nnew_sessions = ["start"]\n')
    filed = sql(capsys, "redshift", "--timeouts", str(timeouts))
    assert "'kiosk-two' AS key" in filed and "777000 AS fg_ms" in filed


def test_the_timeouts_change_the_findings_on_duckdb(
    lake: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    untimed = duckdb_findings(lake, sql(capsys, "duckdb"))
    assert {"early_new_session", "missed_expiry"}.isdisjoint(row[2] for row in untimed)
    timed = duckdb_findings(lake, sql(capsys, "duckdb", *OPTIONS))
    assert {row[2] for row in timed} - {row[2] for row in untimed} == {
        "early_new_session",
        "missed_expiry",
    }
    # The .NET kiosk's new session 30 s after the last is by design until its entry says not.
    timeouts = tmp_path / "timeouts.toml"
    timeouts.write_text(
        "foreground_timeout = 600\nbackground_timeout = 300\ncheck_interval = 15\n"
        "[app.kiosk]\nnew_sessions = []\n"
    )
    filed = duckdb_findings(lake, sql(capsys, "duckdb", "--timeouts", str(timeouts)))
    assert filed == command_findings(lake, tmp_path, capsys, "--timeouts", str(timeouts))
    assert [row for row in filed if row not in timed] == [
        row for row in filed if row[2] == "early_new_session" and row[6] == "kiosk"
    ]
    assert len(filed) == len(timed) + 1


@pytest.mark.parametrize(
    "table",
    [
        "atomic.events; DROP TABLE atomic.events",
        "atomic.events --",
        'atomic."events"',
        "atomic.`events`",
        "a.b.c.d",
        "atomic..events",
        "",
        "events\nx",
        "(SELECT 1)",
    ],
)
def test_a_table_that_is_not_a_name_is_refused_in_one_line(
    table: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sessions", "--sql", "duckdb", "--table", table]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and "--table" in err


def test_a_table_name_is_quoted_where_its_warehouse_needs_it() -> None:
    rules = Rules()
    assert "FROM `my-project.atomic`.events" not in warehouse_query(
        "bigquery", rules, "my-project.atomic.events"
    )
    assert "FROM `my-project`.atomic.events AS e" in warehouse_query(
        "bigquery", rules, "my-project.atomic.events"
    )
    assert 'FROM "raw-data".events AS e' in warehouse_query("snowflake", rules, "raw-data.events")
    assert "FROM lake.events AS e" in warehouse_query("duckdb", rules, "lake.events")
    with pytest.raises(DialectError, match="unknown SQL dialect"):
        warehouse_query("oracle", rules)
    assert 'FROM analytics."select" AS e' in warehouse_query("redshift", rules, "analytics.select")


def test_a_table_without_a_dialect_is_refused(
    lake: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sessions", str(lake), "--table", "atomic.events"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "--sql" in err
