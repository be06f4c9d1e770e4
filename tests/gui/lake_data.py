"""Small Snowplow-shaped inputs for the window's tests, in the three large layouts: lake
Parquet (a folder of files), a Delta table, and enriched TSV (gzip). Each user has a chain of
sessions over a few days; some users' chains hold planted faults, so the summary has several
kinds of finding on several days and tracker versions."""

from __future__ import annotations

import gzip
import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from audit.planted_layouts import LAKE_ENTITY

from session import SCHEMA_1_0_2
from session.audit.readers import ENTITY_COLUMN, TSV_FIELDS
from session.trackers.protocol import CONTEXTS_SCHEMA

DAY0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
VERSIONS = ("andr-6.1.0", "ios-6.0.2", "js-3.24.2")


def _id(*parts: object) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join(map(str, parts))))


def lake_events(users: int = 30, sessions: int = 4, events: int = 3) -> list[dict[str, Any]]:
    """Every event, a dict of the lake's columns (the entity as its snake_case fields).

    Planted: every fifth user skips a session index (``index_gap``); every seventh repeats
    an eventIndex (``event_index_repeated``); every third numbers its first session 0
    (``index_starts_at_zero``); every eleventh names a stranger as a session's previous one
    (``broken_chain``); every thirteenth keeps an earlier session's first event
    (``first_event_id_reused``)."""
    rows: list[dict[str, Any]] = []
    for u in range(users):
        user = _id("user", u)
        indexes = list(range(1, sessions + 1))
        if u % 5 == 0:
            gap = 1 + u % (sessions - 1)
            indexes[gap:] = [i + 1 for i in indexes[gap:]]
        if u % 3 == 0:
            indexes = [i - 1 for i in indexes]
        previous = None
        for s, index in enumerate(indexes):
            session = _id("session", u, s)
            start = DAY0 + timedelta(hours=20 * s + u % 7, minutes=u % 60)
            first = _id("event", u, s - 1 if u % 13 == 0 and s == 2 else s, 0)
            if u % 11 == 0 and s == 2:
                previous = _id("stranger", u)
            for e in range(events):
                at = start + timedelta(seconds=10 * e)
                repeated = u % 7 == 0 and s == 1 + u % (sessions - 1) and e == 2
                event_index = 2 if repeated else e + 1
                rows.append(
                    {
                        "event_id": _id("event", u, s, e),
                        "app_id": "shop",
                        "platform": "mob" if u % 3 else "web",
                        "v_tracker": VERSIONS[u % 3],
                        "event_name": "screen_view",
                        "collector_tstamp": at + timedelta(seconds=1),
                        "dvce_created_tstamp": at,
                        "dvce_sent_tstamp": at,
                        "derived_tstamp": at,
                        "entity": {
                            "user_id": user,
                            "session_id": session,
                            "previous_session_id": previous,
                            "session_index": index,
                            "event_index": event_index,
                            "first_event_id": first,
                            "first_event_timestamp": start.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                            "storage_mechanism": "SQLITE",
                        },
                    }
                )
            previous = session
    return rows


def lake_table(rows: list[dict[str, Any]]) -> pa.Table:
    """The rows in the lake's layout: the entity an array of one struct."""
    columns = {name: [row[name] for row in rows] for name in rows[0] if name != "entity"}
    table = pa.table(
        {
            **{
                name: pa.array(values, pa.timestamp("us", tz="UTC"))
                if name.endswith("tstamp")
                else pa.array(values, pa.string())
                for name, values in columns.items()
            },
            ENTITY_COLUMN: pa.array([[row["entity"]] for row in rows], pa.list_(LAKE_ENTITY)),
        }
    )
    return table


def write_lake(folder: Path, rows: list[dict[str, Any]], files: int = 3) -> Path:
    """A folder of lake Parquet files, the rows split among them."""
    folder.mkdir(parents=True, exist_ok=True)
    table = lake_table(rows)
    step = -(-len(rows) // files)
    for n in range(files):
        pq.write_table(table.slice(n * step, step), folder / f"part-{n:05d}.parquet")
    return folder


def write_delta(folder: Path, rows: list[dict[str, Any]]) -> Path:
    """A Delta table of the rows (delta-rs)."""
    from deltalake import write_deltalake

    write_deltalake(str(folder), lake_table(rows))
    return folder


def _tsv_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def write_tsv(path: Path, rows: list[dict[str, Any]], copies: int = 1) -> Path:
    """Enriched TSV, gzip: 131 fields a line, the entity as JSON in ``contexts``.
    ``copies`` > 1 writes the events again under other users, to make a long read."""
    keys = {
        "user_id": "userId",
        "session_id": "sessionId",
        "previous_session_id": "previousSessionId",
        "session_index": "sessionIndex",
        "event_index": "eventIndex",
        "first_event_id": "firstEventId",
        "first_event_timestamp": "firstEventTimestamp",
        "storage_mechanism": "storageMechanism",
    }
    lines = []
    for row in rows:
        values = dict.fromkeys(TSV_FIELDS, "")
        values.update(
            app_id=row["app_id"],
            platform=row["platform"],
            v_tracker=row["v_tracker"],
            event_id=row["event_id"],
            event="unstruct",
            event_name=row["event_name"],
            collector_tstamp=_tsv_time(row["collector_tstamp"]),
            dvce_created_tstamp=_tsv_time(row["dvce_created_tstamp"]),
            dvce_sent_tstamp=_tsv_time(row["dvce_sent_tstamp"]),
            derived_tstamp=_tsv_time(row["derived_tstamp"]),
            contexts=json.dumps(
                {
                    "schema": CONTEXTS_SCHEMA,
                    "data": [
                        {
                            "schema": SCHEMA_1_0_2,
                            "data": {keys[k]: v for k, v in row["entity"].items()},
                        }
                    ],
                }
            ),
        )
        lines.append("\t".join(values[name] for name in TSV_FIELDS) + "\n")
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as handle:
        handle.writelines(lines)
        for copy in range(1, copies):  # every id's first block changed: other users' chains
            handle.writelines(_UUID.sub(rf"{copy:08x}\2", line) for line in lines)
    return path


_UUID = re.compile(r"([0-9a-f]{8})(-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})")
