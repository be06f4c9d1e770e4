"""Snowplow-shaped events with session faults planted at known rates, for tests and benchmarks.

``python -m benchmarks.generate OUT --events N [--seed S] [--layout parquet|folder|log|tsv|
tsv.gz|delta]``. The data is made by DuckDB SQL from ``range()`` and ``hash()`` (no Python loop
per event), so 100M events of lake Parquet take minutes, and the same seed gives the same
events in every layout and at every run.

What is in it, as real trackers send it:

- users of several apps (:data:`APPS`): web (``js-…``), Android and iOS (``andr-…``,
  ``ios-…``) and .NET (``cs-1.3.1``), each with its timeouts (:func:`timeouts_toml`);
- sessions chained by ``sessionIndex`` and ``previousSessionId``, ``firstEventId`` and
  ``eventIndex``; some users' history starts before the data (their first session names a
  session that is not there); mobile sessions start with ``application_foreground``, often end
  with ``application_background`` and sometimes pause in the background between;
- device times with sent times and an offset of the device's clock, collector times later
  (events sent in batches), whole batches that arrive hours late and out of order, duplicated
  ``event_id``\\ s (a retried send), device clocks set back or forward by an hour while
  events wait to be sent, and .NET apps that start a new session at every start;
- per user at most one planted fault, each kind (:data:`FAULTS`, every kind of
  ``session.audit.kinds``) at ``fault_rate`` of the users.

:func:`planted_query` gives exactly the findings the checks must report (kind, user_id,
session_id, event_id, at_ms, app_id, platform, v_tracker): nothing above gives a finding
of its own but the planted faults and the restarts of the app whose rules say they are early.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from session.audit.kinds import Kind
from session.audit.readers import ENTITY_COLUMN, TSV_FIELDS

from .generator_sql import (
    APPS,
    CONTEXTS,
    FAULTS,
    SCHEMA,
    App,
    Spec,
    events_sql,
    ids_sql,
    named_sql,
    planted_sql,
    sessions_sql,
    timeouts_toml,
    users_sql,
)

__all__ = [
    "APPS",
    "FAULTS",
    "LAYOUTS",
    "VERSION",
    "App",
    "Generated",
    "Spec",
    "generate",
    "timeouts_toml",
]


LAYOUTS = ("log", "tsv", "tsv.gz", "parquet", "folder", "delta")

VERSION = 2
"""Changes whenever the same spec gives other data or other planted findings: kept data of
another version is made again."""


@dataclass
class Generated:
    """A generator's DuckDB connection with ``users``, ``sessions`` (tables) and ``events``
    (a view: computed again at every read), and what it planted."""

    spec: Spec
    con: duckdb.DuckDBPyConnection

    def planted(self) -> list[dict[str, Any]]:
        """Every finding the checks must report: kind, user_id, session_id (None for an
        invalid entity), event_id, at_ms, app_id, platform, v_tracker."""
        rows = self.con.execute(
            f"SELECT kind, user_id, CASE WHEN kind = '{Kind.INVALID_ENTITY.value}' THEN NULL "
            "ELSE sid END, "
            "event_id, at_ms, app_id, platform, v_tracker FROM planted ORDER BY ALL"
        ).fetchall()
        names = ("kind", "user_id", "session_id", "event_id", "at_ms", "app_id", "platform")
        return [dict(zip((*names, "v_tracker"), row, strict=True)) for row in rows]

    def expected_starts(self) -> int:
        """Restarts of the app whose new sessions at start are by design (no finding)."""
        row = self.con.execute(
            "SELECT count(*) FROM sessions WHERE start_expected AND (restart OR planted = 10)"
        ).fetchone()
        return int(row[0]) if row else 0

    def totals(self) -> dict[str, int]:
        """Events (each once), users and sessions, as the checks count them."""
        row = self.con.execute("SELECT sum(n), count(DISTINCT u), count(*) FROM sessions")
        values = row.fetchone()
        assert values is not None
        return {"events": int(values[0]), "users": int(values[1]), "sessions": int(values[2])}

    def duplicates(self) -> int:
        row = self.con.execute("SELECT count(*) FROM events WHERE copy = 1").fetchone()
        return int(row[0]) if row else 0

    def write(self, layout: str, path: str | os.PathLike[str]) -> Path:
        """The events in ``layout`` (:data:`LAYOUTS`) at ``path``."""
        target = Path(path)
        writer = {
            "log": self._log,
            "tsv": self._tsv,
            "tsv.gz": self._tsv,
            "parquet": self._parquet,
            "folder": self._folder,
            "delta": self._delta,
        }[layout]
        writer(target, layout)
        return target

    def write_manifest(self, path: str | os.PathLike[str]) -> None:
        """The planted findings and the totals as JSON beside the data."""
        document = {
            "spec": self.spec.__dict__,
            "totals": self.totals(),
            "planted": self.planted(),
            "expected_starts": self.expected_starts(),
        }
        Path(path).write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")

    def _lake_select(self) -> str:
        entity = (
            "[{user_id: user_id, session_id: e_session_id, session_index: e_session_index, "
            "event_index: e_event_index, previous_session_id: e_prev, first_event_id: e_fid, "
            "storage_mechanism: e_storage, first_event_timestamp: "
            "CAST(make_timestamp((start_ms + offset_ms) * 1000) AS TIMESTAMP)}]"
        )
        return (
            "SELECT app_id, platform, make_timestamp(collector_ms * 1000) AS collector_tstamp, "
            "make_timestamp(created_dev * 1000) AS dvce_created_tstamp, "
            "CASE WHEN event_name IN ('page_view', 'page_ping') THEN event_name "
            "WHEN event_name = 'event' THEN 'struct' ELSE 'unstruct' END AS event, "
            "event_id, 'snowplow' AS name_tracker, v_tracker, "
            "make_timestamp(sent_dev * 1000) AS dvce_sent_tstamp, "
            "make_timestamp(t_ms * 1000) AS derived_tstamp, event_name, "
            f"{entity} AS {ENTITY_COLUMN} FROM named"
        )

    def _parquet(self, path: Path, layout: str) -> None:
        self.con.execute(
            f"COPY ({self._lake_select()}) TO '{path}' (FORMAT parquet, COMPRESSION snappy, "
            "ROW_GROUP_SIZE 122880)"
        )

    def _folder(self, path: Path, layout: str) -> None:
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        select = self._lake_select().replace(
            "event_name, ", "event_name, strftime(collector_tstamp, '%Y-%m-%d') AS load_day, ", 1
        )
        self.con.execute(
            f"COPY ({select}) TO '{path}' (FORMAT parquet, COMPRESSION snappy, "
            "PARTITION_BY (load_day), OVERWRITE_OR_IGNORE)"
        )

    def _delta(self, path: Path, layout: str) -> None:
        from deltalake import write_deltalake

        shutil.rmtree(path, ignore_errors=True)
        table = self.con.sql(self._lake_select()).to_arrow_table()
        write_deltalake(str(path), table)

    def _log(self, path: Path, layout: str) -> None:
        entity = (
            "json_object('userId', user_id, 'sessionId', e_session_id, 'previousSessionId', "
            "e_prev, 'sessionIndex', e_session_index, 'storageMechanism', e_storage, "
            "'firstEventId', e_fid, 'firstEventTimestamp', e_first_ts, 'eventIndex', "
            "e_event_index)"
        )
        unstruct = (
            "CASE WHEN platform = 'mob' THEN json_object('schema', 'iglu:com.snowplowanalytics."
            "snowplow/' || event_name || '/jsonschema/1-0-0', 'data', json_object()) END"
        )
        fields = (
            "{e: CASE WHEN platform = 'mob' THEN 'ue' WHEN event_name = 'event' THEN 'se' "
            "WHEN event_name = 'page_ping' THEN 'pp' ELSE 'pv' END, eid: event_id, aid: app_id, "
            "p: platform, tv: v_tracker, dtm: CAST(created_dev AS VARCHAR), "
            "stm: CAST(sent_dev AS VARCHAR)}"
        )
        body = path.with_name(path.name + ".body")
        self.con.execute(
            f"COPY (SELECT round(collector_ms / 1000, 3) AS received, {fields} AS fields, "
            f"[json_object('schema', '{SCHEMA}', 'data', {entity})] AS contexts, "
            f"{unstruct} AS unstruct FROM named ORDER BY collector_ms) TO '{body}' "
            "(FORMAT json)"
        )
        header = json.dumps({"snowsession": "collect", "format": 1, "started": "2026-11-01"})
        with path.open("wb") as out, body.open("rb") as data:
            out.write(header.encode() + b"\n")
            shutil.copyfileobj(data, out, 16 << 20)
        body.unlink()

    def _tsv(self, path: Path, layout: str) -> None:
        def stamp(ms: str) -> str:
            return f"strftime(make_timestamp({ms} * 1000), '%Y-%m-%d %H:%M:%S.%g')"

        entity = (
            "json_object('userId', user_id, 'sessionId', e_session_id, 'previousSessionId', "
            "e_prev, 'sessionIndex', e_session_index, 'storageMechanism', e_storage, "
            "'firstEventId', e_fid, 'firstEventTimestamp', e_first_ts, 'eventIndex', "
            "e_event_index)"
        )
        values = {
            "app_id": "app_id",
            "platform": "platform",
            "etl_tstamp": stamp("collector_ms + 2000"),
            "collector_tstamp": stamp("collector_ms"),
            "dvce_created_tstamp": stamp("created_dev"),
            "event": "CASE WHEN platform = 'mob' THEN 'unstruct' ELSE event_name END",
            "event_id": "event_id",
            "name_tracker": "'snowplow'",
            "v_tracker": "v_tracker",
            "v_collector": "'ssc-3.2.0-kinesis'",
            "v_etl": "'snowplow-enrich-kinesis-5.0.0'",
            "contexts": f"json_object('schema', '{CONTEXTS}', 'data', "
            f"[json_object('schema', '{SCHEMA}', 'data', {entity})])",
            "dvce_sent_tstamp": stamp("sent_dev"),
            "derived_tstamp": stamp("t_ms"),
            "event_name": "event_name",
        }
        empty = "''"
        columns = [f"CAST({values.get(name, empty)} AS VARCHAR) AS {name}" for name in TSV_FIELDS]
        compression = "gzip" if layout.endswith(".gz") else "none"
        self.con.execute(
            f"COPY (SELECT {', '.join(columns)} FROM named) TO '{path}' "
            f"(FORMAT csv, HEADER false, DELIMITER '\t', QUOTE '', ESCAPE '', "
            f"COMPRESSION {compression})"
        )


def generate(spec: Spec, con: duckdb.DuckDBPyConnection | None = None) -> Generated:
    """The users and sessions of ``spec`` as tables, the events as views, in ``con`` (a new
    in-memory DuckDB by default)."""
    con = con or duckdb.connect(":memory:")
    con.execute("SET enable_progress_bar = false")
    con.execute(f"CREATE OR REPLACE TABLE users AS {users_sql(spec)}")
    con.execute(f"CREATE OR REPLACE TABLE sessions0 AS {sessions_sql(spec)}")
    con.execute(
        "CREATE OR REPLACE TABLE sessions AS "
        + ids_sql(spec).replace("FROM sessions", "FROM sessions0")
    )
    con.execute("DROP TABLE sessions0")
    con.execute(f"CREATE OR REPLACE VIEW events AS {events_sql(spec, 'SELECT * FROM sessions')}")
    con.execute(f"CREATE OR REPLACE VIEW named AS {named_sql()} FROM events")
    marked = "SELECT * FROM sessions WHERE planted IS NOT NULL OR restart"
    con.execute(
        f"CREATE OR REPLACE VIEW planted AS "
        f"{planted_sql(spec).replace('FROM events', f'FROM ({events_sql(spec, marked)})')}"
    )
    return Generated(spec, con)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="where to write the events")
    parser.add_argument("--events", type=int, default=10_000, help="about how many events")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--fault-rate", type=float, default=0.002, help="users per fault kind")
    parser.add_argument("--layout", choices=LAYOUTS, default="parquet")
    args = parser.parse_args(argv)
    spec = Spec(args.events, args.seed, args.days, args.fault_rate)
    generated = generate(spec)
    out = generated.write(args.layout, args.out)
    generated.write_manifest(f"{out}.planted.json")
    Path(f"{out}.timeouts.toml").write_text(timeouts_toml(), encoding="utf-8")
    print(f"{out}: {generated.totals()}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
