"""A handful of users with a fault of every finding kind planted by hand, written in each
layout the audit reads: lake Parquet, a Delta table, enriched TSV (plain and gzip), the
collector's log and a HAR. What one engine finds in them, the other must find too."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from session.audit.entity import FIELDS
from session.audit.readers import ENTITY_COLUMN, TSV_FIELDS
from session.audit.rules import Rules
from session.trackers.protocol import CONTEXTS_SCHEMA, PAYLOAD_DATA_SCHEMA

RULES = Rules.of(foreground=600, background=300, check_interval=15)
T0 = 1_800_000_000_000
"""Unix ms of the first event."""
SCHEMA = "iglu:com.snowplowanalytics.snowplow/client_session/jsonschema/1-0-2"
KEYS = {key.column: key.key for key in FIELDS}
LAKE_ENTITY = pa.struct(
    [(key.column, pa.int64() if key.integer else pa.string()) for key in FIELDS]
)
"""The entity's struct in the lake layout: snake_case names, integers and strings."""


def uuid(kind: int, n: int) -> str:
    return f"{kind:08x}-0000-4000-8000-{n:012d}"


@dataclass
class Event:
    user: int
    index: int
    session: int
    at_s: float
    previous: int | None = None
    event_index: int | None = None
    first: int | None = None
    name: str = "screen_view"
    event: int = 0
    json_only: dict[str, Any] = field(default_factory=dict)
    entity: dict[str, Any] = field(default_factory=dict)

    def values(self) -> dict[str, Any]:
        """The entity's fields by column (as the lake holds them)."""
        found = {
            "user_id": uuid(0xA5E2, self.user),
            "session_id": uuid(0x5E55, self.session),
            "previous_session_id": None if self.previous is None else uuid(0x5E55, self.previous),
            "session_index": self.index,
            "event_index": self.event_index,
            "first_event_id": None if self.first is None else uuid(0xF1, self.first),
            "storage_mechanism": "SQLITE",
            "first_event_timestamp": None,
        }
        found.update(self.entity)
        return found

    def event_id(self) -> str:
        return uuid(0xE7, self.event)

    def ms(self) -> int:
        return T0 + round(self.at_s * 1000)


def planted(offset: int = 0) -> list[Event]:
    """Every finding kind, a user each (times in seconds from the first event); users and
    events numbered from ``offset``, so that layouts read together stay apart."""
    chains: list[list[Event]] = [
        [Event(1, 1, 1, 0, event_index=1), Event(1, 3, 3, 700, previous=1)],  # index_gap
        [Event(2, 5, 5, 0), Event(2, 6, 6, 700, 5), Event(2, 4, 4, 1400, 6)],  # went back
        [Event(3, 1, 1, 0), Event(3, 2, 2, 700, 1), Event(3, 2, 3, 1400, 1)],  # index_reused
        [Event(4, 1, 1, 0), Event(4, 1, 2, 700, previous=1)],  # id_changed_without_index
        [Event(5, 1, 1, 0), Event(5, 2, 2, 700, previous=9)],  # broken_chain
        [Event(6, 0, 1, 0)],  # index_starts_at_zero
        [Event(7, 1, 1, 0, first=1), Event(7, 2, 2, 700, 1, first=1)],  # first_event_id_reused
        [Event(8, 1, 1, 0, first=1), Event(8, 1, 1, 5, first=2)],  # first_event_id_changed
        [  # event_index_repeated
            Event(9, 1, 1, 0, event_index=1),
            Event(9, 1, 1, 5, event_index=2),
            Event(9, 1, 1, 9, event_index=2),
        ],
        [Event(10, 1, 1, 0), Event(10, 2, 2, 100, previous=1)],  # early_new_session
        [Event(11, 1, 1, 0, event_index=1), Event(11, 1, 1, 1000, event_index=2)],  # expiry
        [  # missed_expiry in the background
            Event(12, 1, 1, 0, event_index=1),
            Event(12, 1, 1, 10, event_index=2, name="application_background"),
            Event(12, 1, 1, 420, event_index=3),
        ],
        [  # invalid_entity: a pattern, a range, the storage mechanism
            Event(13, 1, 1, 0, entity={"session_id": "not-a-uuid"}),
            Event(13, 1, 1, 5, entity={"session_index": -1}),
            Event(13, 1, 1, 6, entity={"storage_mechanism": "DISK"}),
        ],
        [  # a clean chain, with a duplicated event and a first event time
            Event(14, 1, 1, 0, event_index=1, first=14),
            Event(14, 1, 1, 5, event_index=2, first=14),
            Event(14, 1, 1, 5, event_index=2, first=14),
            Event(14, 2, 2, 800, 1, event_index=1, entity={"first_event_timestamp": "x"}),
        ],
    ]
    events = [event for chain in chains for event in chain]
    for number, event in enumerate(events, 1):
        event.event = offset * 1000 + number
        event.user += offset
    events[-2].event = events[-3].event  # the duplicate
    return events


def json_faults(offset: int = 0) -> list[Event]:
    """Faults only JSON can hold: a key of no schema, a string where an integer belongs, a
    number where a string belongs, a fraction, null where none may be."""
    wrong: list[dict[str, Any]] = [
        {"color": "red"},
        {"sessionIndex": "2"},
        {"sessionId": 12},
        {"eventIndex": 1.5},
        {"storageMechanism": None},
        {"sessionIndex": 18446744073709551615},
    ]
    events = [Event(offset + 15, 1, 1, at, json_only=change) for at, change in enumerate(wrong)]
    for number, event in enumerate(events, 100):
        event.event = offset * 1000 + number
    return events


def _entity_json(event: Event) -> dict[str, Any]:
    values = event.values()
    data = {KEYS[column]: value for column, value in values.items() if value is not None}
    data.update(event.json_only)
    return {"schema": SCHEMA, "data": data}


def _stamp(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def lake_table(events: list[Event]) -> pa.Table:
    """The lake layout: snake_case structs in an array column, times as timestamps."""
    stamp = pa.timestamp("us", tz="UTC")
    return pa.table(
        {
            "app_id": pa.array([f"app-{e.user % 3}" for e in events]),
            "platform": pa.array(["mob"] * len(events)),
            "v_tracker": pa.array([f"andr-6.{e.user % 2}.0" for e in events]),
            "event_name": pa.array([e.name for e in events]),
            "event_id": pa.array([e.event_id() for e in events]),
            "collector_tstamp": pa.array([e.ms() * 1000 + 50_000 for e in events], stamp),
            "dvce_created_tstamp": pa.array([e.ms() * 1000 for e in events], stamp),
            ENTITY_COLUMN: pa.array([[e.values()] for e in events], pa.list_(LAKE_ENTITY)),
        }
    )


def write_parquet(events: list[Event], path: Path) -> Path:
    pq.write_table(lake_table(events), path)
    return path


def write_delta(events: list[Event], path: Path) -> Path:
    from deltalake import write_deltalake

    table = lake_table(events)
    write_deltalake(str(path), table.slice(0, len(events) // 2))
    write_deltalake(str(path), table.slice(len(events) // 2), mode="append")
    return path


def tsv_lines(events: list[Event]) -> list[str]:
    lines = []
    for e in events:
        row = dict.fromkeys(TSV_FIELDS, "")
        row.update(
            app_id=f"app-{e.user % 3}",
            platform="mob",
            v_tracker=f"andr-6.{e.user % 2}.0",
            event="unstruct",
            event_name=e.name,
            event_id=e.event_id(),
            collector_tstamp=_stamp(e.ms() + 50),
            dvce_created_tstamp=_stamp(e.ms()),
            dvce_sent_tstamp=_stamp(e.ms() + 20),
            contexts=json.dumps({"schema": CONTEXTS_SCHEMA, "data": [_entity_json(e)]}),
        )
        lines.append("\t".join(row[name] for name in TSV_FIELDS))
    return lines


def write_tsv(events: list[Event], path: Path, compressed: bool = False) -> Path:
    text = "\n".join(tsv_lines(events)) + "\n"
    if compressed:
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    return path


def _fields(e: Event) -> dict[str, str]:
    return {
        "e": "ue",
        "eid": e.event_id(),
        "aid": f"app-{e.user % 3}",
        "p": "mob",
        "tv": f"andr-6.{e.user % 2}.0",
        "dtm": str(e.ms()),
        "stm": str(e.ms() + 20),
    }


def _unstruct(e: Event) -> dict[str, Any]:
    return {"schema": f"iglu:com.snowplowanalytics.mobile/{e.name}/jsonschema/1-0-0", "data": {}}


def write_log(events: list[Event], path: Path) -> Path:
    lines = [json.dumps({"snowsession": "log", "version": 1})]
    for e in events:
        line = {
            "received": (e.ms() + 50) / 1000,
            "fields": _fields(e),
            "contexts": [_entity_json(e)],
            "unstruct": _unstruct(e),
        }
        lines.append(json.dumps(line))
    lines.append('{"received": 1800000000.5, "fields": {"e": "pv"')  # cut mid-write
    path.write_text("\n".join(lines) + "\n")
    return path


def write_har(events: list[Event], path: Path) -> Path:
    entries = []
    for e in events:
        item = _fields(e)
        item["co"] = json.dumps({"schema": CONTEXTS_SCHEMA, "data": [_entity_json(e)]})
        item["ue_pr"] = json.dumps(
            {
                "schema": "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0",
                "data": _unstruct(e),
            }
        )
        body = {"schema": PAYLOAD_DATA_SCHEMA, "data": [item]}
        entries.append(
            {
                "startedDateTime": datetime.fromtimestamp((e.ms() + 50) / 1000, UTC).isoformat(),
                "request": {
                    "method": "POST",
                    "url": "https://collector.example/com.snowplowanalytics.snowplow/tp2",
                    "postData": {"mimeType": "application/json", "text": json.dumps(body)},
                },
            }
        )
    path.write_text(json.dumps({"log": {"version": "1.2", "entries": entries}}))
    return path
