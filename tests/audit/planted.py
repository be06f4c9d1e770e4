"""A small lake table of Snowplow events with a fault of every finding kind planted, written as
Parquet in the lake loader's layout: ``contexts_com_snowplowanalytics_snowplow_client_session_1``
an array of snake_case structs, times as UTC timestamps, ids as strings (Spark refuses a
Parquet UUID column).

Each user's chain holds one fault (or none), so a test can tell which finding comes from
where. :data:`OPTIONS` are the timeouts the timed faults are planted for.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from session.audit.rules import Rule, Rules

T0_MS = 1_800_000_000_000
OPTIONS = ("--foreground-timeout", "600", "--background-timeout", "300", "--check-interval", "15")
"""The timeouts the timed faults (early_new_session, missed_expiry) are planted for."""

ENTITY_COLUMN = "contexts_com_snowplowanalytics_snowplow_client_session_1"

_ENTITY = pa.struct(
    [
        ("user_id", pa.string()),
        ("session_id", pa.string()),
        ("previous_session_id", pa.string()),
        ("session_index", pa.int32()),
        ("storage_mechanism", pa.string()),
        ("first_event_id", pa.string()),
        ("first_event_timestamp", pa.timestamp("ms", tz="UTC")),
        ("event_index", pa.int32()),
    ]
)
_TIME = pa.timestamp("ms", tz="UTC")
SCHEMA = pa.schema(
    [
        ("app_id", pa.string()),
        ("platform", pa.string()),
        ("event_id", pa.string()),
        ("v_tracker", pa.string()),
        ("event_name", pa.string()),
        ("collector_tstamp", _TIME),
        ("dvce_created_tstamp", _TIME),
        ("dvce_sent_tstamp", _TIME),
        ("derived_tstamp", _TIME),
        (ENTITY_COLUMN, pa.list_(_ENTITY)),
    ]
)


def _time(ms: int | None) -> datetime | None:
    return None if ms is None else datetime.fromtimestamp(ms / 1000, UTC)


class Chain:
    """One user's events, session by session; times in seconds after :data:`T0_MS`."""

    def __init__(self, lake: Lake, n: int, app: str, platform: str, tracker: str) -> None:
        self.lake = lake
        self.user = f"{n:08x}-0000-4000-8000-00000000000a"
        self.n = n
        self.app, self.platform, self.tracker = app, platform, tracker

    def sid(self, session: int) -> str:
        return f"{self.n:08x}-{session:04x}-4000-8000-00000000005e"

    def event(
        self,
        session: int,
        index: int,
        at: float,
        *,
        prev: int | str | None = None,
        event_index: int | None = None,
        first: str | None = None,
        name: str = "screen_view",
        event_id: str | None = None,
        derived: bool = True,
        **entity: Any,
    ) -> str:
        """An event of session ``session`` (its number in this chain) with ``sessionIndex``
        ``index``; ``prev`` is the number of the session it follows (or an id as text)."""
        ms = T0_MS + round(at * 1000)
        eid = event_id or self.lake.next_id()
        previous = self.sid(prev) if isinstance(prev, int) else prev
        fields = {
            "user_id": self.user,
            "session_id": self.sid(session),
            "previous_session_id": previous,
            "session_index": index,
            "storage_mechanism": "SQLITE",
            "first_event_id": first or f"{self.n:08x}-{session:04x}-4000-8000-0000000000f1",
            "first_event_timestamp": _time(T0_MS),
            "event_index": event_index,
            **entity,
        }
        self.lake.rows.append(
            {
                "app_id": self.app,
                "platform": self.platform,
                "event_id": eid,
                "v_tracker": self.tracker,
                "event_name": name,
                "collector_tstamp": _time(ms + 400),
                "dvce_created_tstamp": _time(ms),
                "dvce_sent_tstamp": _time(ms + 100),
                "derived_tstamp": _time(ms + 300) if derived else None,
                ENTITY_COLUMN: [fields],
            }
        )
        return eid


class Lake:
    """Events of many users, written as one Parquet file."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self._users = itertools.count(1)

    def next_id(self) -> str:
        return f"e0000000-0000-4000-8000-{next(self._ids):012d}"

    def chain(
        self, app: str = "shop-android", platform: str = "mob", tracker: str = "andr-6.0.0"
    ) -> Chain:
        return Chain(self, next(self._users), app, platform, tracker)

    def write(self, path: Path) -> Path:
        pq.write_table(pa.Table.from_pylist(self.rows, schema=SCHEMA), path)
        return path


def _chain_faults(lake: Lake) -> None:
    clean = lake.chain()
    clean.event(1, 1, 0, event_index=1)
    clean.event(1, 1, 30, event_index=2, derived=False)
    clean.event(2, 2, 2000, prev=1, event_index=1)
    gap = lake.chain()
    gap.event(1, 1, 0)
    gap.event(2, 2, 1000, prev=1)
    gap.event(5, 5, 2000, prev=2)
    gap.event(6, 3, 3000, prev=5)  # index_went_back: it follows session 5
    reused = lake.chain()
    reused.event(1, 1, 0)
    reused.event(2, 2, 1000, prev=1)
    reused.event(3, 2, 2000, prev=1)  # index_reused
    same = lake.chain()
    same.event(1, 1, 0)
    same.event(2, 1, 1000, prev=1)  # id_changed_without_index
    broken = lake.chain()
    broken.event(1, 1, 0)
    broken.event(2, 2, 1000, prev="0000beef-0000-4000-8000-000000000000")  # broken_chain
    zero = lake.chain(app="shop-web", platform="web", tracker="js-4.10.1")
    zero.event(1, 0, 0)  # index_starts_at_zero
    zero.event(2, 1, 2000, prev=1)


def _first_event_faults(lake: Lake) -> None:
    reused = lake.chain()
    reused.event(1, 1, 0, event_index=1, first_event_id=None)  # the first names none: 1-0-1
    reused.event(1, 1, 5, event_index=2)
    reused.event(2, 2, 1000, prev=1, first=f"{reused.n:08x}-0001-4000-8000-0000000000f1")
    changed = lake.chain()
    changed.event(1, 1, 0, first="00000000-aaaa-4000-8000-0000000000f1")
    changed.event(1, 1, 10, first="00000000-bbbb-4000-8000-0000000000f1")


def _event_faults(lake: Lake) -> None:
    repeated = lake.chain()
    repeated.event(1, 1, 0, event_index=1)
    repeated.event(1, 1, 5, event_index=2)
    repeated.event(1, 1, 9, event_index=2)  # event_index_repeated
    twice = lake.chain()
    copied = twice.event(1, 1, 0, event_index=1)
    twice.event(1, 1, 0, event_index=1, event_id=copied)  # a duplicate counts once
    twice.event(1, 1, 20, event_index=2)
    early = lake.chain()
    early.event(1, 1, 0)
    early.event(2, 2, 60, prev=1)  # early_new_session (foreground 600 s)
    late = lake.chain()
    late.event(1, 1, 0, event_index=1)
    late.event(1, 1, 700, event_index=2)  # missed_expiry (foreground 600 s + 15 s)
    background = lake.chain()
    background.event(1, 1, 0, event_index=1, name="application_background")
    background.event(1, 1, 400, event_index=2)  # missed_expiry (background 300 s + 15 s)
    dotnet = lake.chain(app="kiosk", platform="pc", tracker="cs-1.3.1")
    dotnet.event(1, 1, 0)
    dotnet.event(2, 2, 30, prev=1)  # a .NET app starts a session at every start: expected


def _invalid_entities(lake: Lake) -> None:
    bad = lake.chain()
    bad.event(1, 1, 0)
    bad.event(1, 1, 10, session_id="not-a-uuid")
    bad.event(1, 1, 20, storage_mechanism="FLOPPY")
    bad.event(1, 1, 30, session_index=-1)
    bad.event(1, 1, 40, user_id="0000000A-0000-4000-8000-00000000000A")
    bad.event(1, 1, 50, first_event_id=None)
    bad.event(1, 1, 60, session_id=None)


def planted_lake(path: Path) -> Path:
    """A lake Parquet file at ``path`` with a fault of every finding kind, for :data:`OPTIONS`."""
    lake = Lake()
    _chain_faults(lake)
    _first_event_faults(lake)
    _event_faults(lake)
    _invalid_entities(lake)
    return lake.write(path)


def edges(path: Path) -> Path:
    """Chains at the one read's edges, as lake Parquet at ``path``: a copy whose time drifts
    later before a gap just past 600 s; a copy with a time where its first has none, which
    would hide a gap; one id on two events."""
    lake = Lake()
    drifting = lake.chain()  # a copy's time later than its first's, then a gap at the edge
    first = drifting.event(1, 1, 0, event_index=1)
    drifting.event(1, 1, 0.5, event_index=1, event_id=first)  # copy, half a second later
    drifting.event(1, 1, 600.4, event_index=2)  # 600.4 s after the first: past 600 s
    drifting.event(1, 1, 1200.0, event_index=3)  # 599.6 s: not past
    blurred = lake.chain()  # a copy with a time where its first has none
    blurred.event(1, 1, 0, event_index=1)
    kept = blurred.event(1, 1, 1, event_index=2)
    for time in ("derived_tstamp", "dvce_created_tstamp", "dvce_sent_tstamp"):
        lake.rows[-1][time] = None
    blurred.event(1, 1, 400, event_index=2, event_id=kept)  # would hide the gap before 700
    blurred.event(1, 1, 700, event_index=3)
    shared = lake.chain()  # one id on two events: two events, no duplicate
    one_id = shared.event(1, 1, 0, event_index=1)
    shared.event(1, 1, 10, event_index=2, event_id=one_id)
    return lake.write(path)


EDGE_RULES = Rules(default=Rule(foreground_timeout=600, check_interval=0))
