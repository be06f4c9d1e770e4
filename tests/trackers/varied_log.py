"""A collector log with something of everything: every finding kind, every bad reason, lines
that cannot be read, hostile entities, events out of order and repeated, several users
interleaved. Written line by line as JSON here (format 1, as the collector has always written
it), not through the log writer, so it stays the same input whatever the writer does.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from session.context import SCHEMA_1_0_0, SCHEMA_1_0_1, SCHEMA_1_0_2
from session.trackers.protocol import BACKGROUND_SCHEMA, BAD_REASONS, FOREGROUND_SCHEMA

T0 = 1_800_000_000.0
UNSTRUCT = "iglu:com.snowplowanalytics.snowplow/screen_view/jsonschema/1-0-0"
OPTIONS = ("--foreground-timeout", "600", "--background-timeout", "300", "--check-interval", "15")
"""The timeouts the varied log's findings are meant for."""


def user(n: int) -> str:
    return f"{n:08x}-0000-4000-8000-00000000000a"


def sid(n: int, session: int) -> str:
    return f"{n:08x}-{session:04x}-4000-8000-00000000005e"


def first(n: int, session: int) -> str:
    return f"{n:08x}-{session:04x}-4000-8000-0000000000f1"


class _Log:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.count = 0
        self.crowd: dict[int, tuple[int, int, float]] = {}

    def raw(self, text: str) -> None:
        self.lines.append(text)

    def line(self, value: Any, ascii_only: bool = False) -> None:
        self.lines.append(json.dumps(value, separators=(",", ":"), ensure_ascii=ascii_only))

    def event(
        self,
        data: Any,
        at: float,
        *,
        schema: Any = SCHEMA_1_0_2,
        e: Any = "ue",
        unstruct: str | None = None,
        eid: Any = "auto",
        received: Any = "soon",
        time: str = "dtm",
        more: tuple[Any, ...] = (),
        ascii_only: bool = False,
        **extra: Any,
    ) -> None:
        self.count += 1
        if received == "soon":  # sent at once: it arrives just after it was made
            received = round(at + 0.05, 3)
        fields: dict[str, Any] = {"e": e, "p": "mob", "tv": "andr-6.0.0"}
        if eid is not None:
            fields["eid"] = f"e0000000-0000-4000-8000-{self.count:012d}" if eid == "auto" else eid
        if time:
            fields[time] = str(round(at * 1000))
        fields.update(extra)
        entity = {"schema": schema, "data": data}
        self.line(
            {
                "received": received,
                "fields": fields,
                "contexts": [*more, entity],
                "unstruct": None if unstruct is None else {"schema": unstruct, "data": {}},
            },
            ascii_only,
        )


def entity(
    n: int,
    session: int,
    index: int | None = None,
    previous: int | str | None = "auto",
    event_index: Any = None,
    first_id: str | bool | None = True,
    **extra: Any,
) -> dict[str, Any]:
    if previous == "auto":
        previous = session - 1 if session > 1 else None
    data: dict[str, Any] = {
        "userId": user(n),
        "sessionId": sid(n, session),
        "previousSessionId": None if previous is None else sid(n, int(previous)),
        "sessionIndex": session if index is None else index,
        "storageMechanism": "SQLITE",
    }
    if first_id is True:
        data["firstEventId"] = first(n, session)
    elif first_id is not False:
        data["firstEventId"] = first_id
    if event_index is not None:
        data["eventIndex"] = event_index
    data.update(extra)
    return data


def _faults(log: _Log) -> None:
    """One user per group of findings, at known times."""
    # 1: clean, with the background timeout in force after a background event.
    log.event(entity(1, 1, event_index=1), T0)
    log.event(entity(1, 1, event_index=2), T0 + 10)
    log.event(entity(1, 1, event_index=3), T0 + 20, unstruct=BACKGROUND_SCHEMA)
    log.event(entity(1, 2, event_index=1), T0 + 420)
    log.event(entity(1, 2, event_index=2), T0 + 430, unstruct=FOREGROUND_SCHEMA)
    log.event(entity(1, 3, event_index=1), T0 + 1100, unstruct=UNSTRUCT)
    # 2: index_gap, index_went_back, index_reused, id_changed_without_index.
    log.event(entity(2, 1), T0)
    log.event(entity(2, 3, previous=1), T0 + 700)
    log.event(entity(2, 4, index=2, previous=3), T0 + 1400)
    log.event(entity(2, 5, index=3, previous=4), T0 + 2100)
    log.event(entity(2, 6, index=3, previous=5), T0 + 2800)
    # 3: broken_chain, each way, and the browser tracker's cookies cleared mid-session.
    log.event(entity(3, 1, event_index=1), T0)
    log.event(entity(3, 2, previous=None, event_index=1), T0 + 700)
    log.event(entity(3, 2, index=3, previous=1), T0 + 1400)
    log.event(entity(3, 4, index=4, previous=2, event_index=1), T0 + 2100)
    log.event(entity(3, 4, index=4, previous=None, event_index=1, first_id=first(3, 9)), T0 + 2110)
    log.event(entity(3, 4, index=4, previous=1, event_index=2), T0 + 2120)
    # 4: index_starts_at_zero, first_event_id_reused, first_event_id_changed both ways.
    log.event(entity(4, 1, index=0), T0)
    log.event(entity(4, 2, index=1, previous=1, first_id=first(4, 1)), T0 + 700)
    log.event(entity(4, 2, index=1, previous=1, first_id=first(4, 7)), T0 + 710)
    log.event(entity(4, 3, index=2, previous=2), T0 + 1400)
    log.event(entity(4, 2, index=1, previous=1, first_id=first(4, 8)), T0 + 2100)
    log.event(entity(4, 3, index=2, previous=2, first_id=None), T0 + 2110)
    # 5: event_index_went_back, early_new_session, missed_expiry (600 s + 15 s interval).
    log.event(entity(5, 1, event_index=1), T0)
    log.event(entity(5, 1, event_index=3), T0 + 5)
    log.event(entity(5, 1, event_index=2), T0 + 6)
    log.event(entity(5, 1, event_index=2), T0 + 7)
    log.event(entity(5, 2, event_index=1), T0 + 100)
    log.event(entity(5, 2, event_index=2), T0 + 720)
    log.event(entity(5, 2, event_index=3), T0 + 1335)
    log.event(entity(5, 2, event_index=4), T0 + 1951)
    log.event(entity(5, 2, event_index=5), T0 + 1952, unstruct=BACKGROUND_SCHEMA)
    log.event(entity(5, 3, event_index=1), T0 + 2100)
    log.event(entity(5, 3, event_index=2), T0 + 2500)


def _invalid(log: _Log) -> None:
    """Entities the schemas refuse, and values a cache keyed carelessly would confuse."""
    good = entity(6, 1, event_index=1)
    log.event(good, T0)
    for n, (name, value) in enumerate(
        [
            ("sessionIndex", True),
            ("sessionIndex", 1.0),
            ("sessionIndex", "1"),
            ("sessionIndex", -1),
            ("sessionIndex", 2**31),
            ("eventIndex", True),
            ("eventIndex", 2.0),
            ("eventIndex", "3"),
            ("eventIndex", -1),
            ("eventIndex", 2**31),
            ("eventIndex", None),
            ("previousSessionId", "not-a-uuid"),
            ("storageMechanism", "FLOPPY"),
            ("firstEventId", 5),
            ("firstEventTimestamp", "yesterday"),
            ("firstEventTimestamp", "2027-01-15T08:00:00.000Z"),
            ("userId", user(6).upper()),
            ("sessionId", [sid(6, 1)]),
            ("sessionId", {"id": sid(6, 1)}),
            ("extra", 1),
        ],
        start=1,
    ):
        log.event({**good, name: value}, T0 + n)
    log.event(good, T0 + 30)  # the same entity again, after all of those: still valid
    log.event({**good, "eventIndex": 2}, T0 + 31)
    missing = dict(good)
    del missing["sessionId"]
    log.event(missing, T0 + 32)
    log.event(good, T0 + 33, schema=SCHEMA_1_0_0)  # firstEventId is not in 1-0-0
    old = entity(6, 1, first_id=False)
    log.event(old, T0 + 34, schema=SCHEMA_1_0_0)
    log.event({**old, "firstEventId": first(6, 1)}, T0 + 35, schema=SCHEMA_1_0_1)
    log.event({**old, "eventIndex": 9}, T0 + 36, schema=SCHEMA_1_0_1)
    log.event(
        good, T0 + 37, schema="iglu:com.snowplowanalytics.snowplow/client_session/jsonschema/9-9-9"
    )
    log.event(good, T0 + 38, schema="iglu:com.evil/client_session/jsonschema/1-0-1")
    log.event([good], T0 + 39)
    log.event({**good, "userId": 6}, T0 + 40)
    log.event({**good, "userId": ""}, T0 + 41)
    log.event({**good, "userId": "a\tb\x1b[31m\u2028" + "x" * 100}, T0 + 42)
    deep: Any = sid(6, 1)
    for _ in range(300):
        deep = [deep]
    log.event({**good, "sessionId": deep}, T0 + 43)
    # Only the standard library reads these: a lone surrogate, NaN, a 40-digit number.
    log.event({**good, "userId": "\udcff" + user(6)}, T0 + 44, ascii_only=True)
    log.event({**good, "sessionIndex": float("nan")}, T0 + 45)
    log.event({**good, "previousSessionId": float("nan")}, T0 + 46)
    log.event({**good, "previousSessionId": None}, T0 + 47)
    log.event({**good, "sessionIndex": 10**40}, T0 + 48)
    log.event({**good, "eventIndex": float("inf")}, T0 + 49)
    log.event({**good, "eventIndex": 3}, T0 + 50, received=float("nan"))
    log.event({**good, "eventIndex": 4}, T0 + 51, received=10**40, time="")


def _order_and_times(log: _Log) -> None:
    """Late events, repeated events, every time field, and events whose time is unreadable."""
    a = [entity(7, 1, event_index=i) for i in range(1, 6)]
    log.event(a[0], T0 + 0, eid="d0000000-0000-4000-8000-000000000001")
    log.event(a[2], T0 + 20)
    log.event(a[1], T0 + 10)  # late: the chain is folded again
    log.event(a[0], T0 + 0, eid="d0000000-0000-4000-8000-000000000001")  # a repeat
    log.event(a[3], T0 + 30, time="ttm")
    log.event(a[4], T0 + 40, time="stm")
    log.event(entity(7, 1, event_index=6), T0 + 41, time="", received=T0 + 41.5)
    log.event(entity(7, 1, event_index=7), T0 + 42, eid=None)
    log.event(entity(7, 1, event_index=8), T0 + 42, eid=None)
    log.event(entity(7, 1, event_index=9), T0 + 43, eid=17)
    log.event(entity(7, 1, event_index=10), T0 + 44, e=5)
    log.event(entity(7, 1, event_index=11), T0 + 45, dtm="1²", stm=str(round(T0 * 1000 + 45500)))
    log.event(entity(7, 2, event_index=1), 10**13, received=T0 + 50)  # 16 digits: not a time
    log.event(entity(7, 2, event_index=2), T0 + 700)
    log.event(entity(7, 2, event_index=1), T0 + 699)  # the same time order, index first
    log.event(entity(7, 2, event_index=3), T0 + 700)


def _lines(log: _Log) -> None:
    """Lines that are not events: headers, bad payloads, and what cannot be read."""
    log.line({"snowsession": "collect", "format": 1, "started": "2027-01-15T08:00:00.000Z"})
    for reason in BAD_REASONS:
        payload = '{"cx": "' + sid(6, 1) + '", "userId": "' + user(8) + '"}'
        log.line({"received": T0, "bad": reason, "error": f"it is {reason}", "payload": payload})
    for text in [
        '{"received": 1, "bad": "made_up", "error": "", "payload": ""}',
        "[1, 2]",
        '"a string"',
        "42",
        "null",
        "{}",
        '{"received": true, "fields": {}, "contexts": [], "unstruct": null}',
        '{"received": "soon", "fields": {}, "contexts": [], "unstruct": null}',
        '{"received": 1}',
        '{"received": 1, "fields": [], "contexts": [], "unstruct": null}',
        '{"received": 1, "fields": {}, "contexts": {}, "unstruct": null}',
        '{"received": 1, "fields": {}, "contexts": [1], "unstruct": null}',
        '{"received": 1, "fields": {}, "contexts": [], "unstruct": []}',
        '{"received": 1, "fields": {"e": "pv"}, "contexts": [], "unstruct": null}',
        '{"received": 1, "fields": {"e": "pv"}, "contexts": [{"schema": 5}], "unstruct": null}',
        '{"received": 1, "fields": {"e": "pv"}, "contexts": [{"data": {}}], "unstruct": null}',
        '{"received": 1, "fields": {"e": "pv"}, "contexts": [], "unstruct": {"schema": 5}}',
        '{"received": 1, "fields": {"e": "pv", "cx"',
        '{"received": 1, "fields": {"e": "pv"}, "contexts": [], "unstruct": null} trailing',
        "\ufeff{}",
        "",
        "   \t",
    ]:
        log.raw(text)
    two = [{"schema": SCHEMA_1_0_2, "data": entity(8, 1)}]
    log.event(entity(8, 1), T0, more=tuple(two))  # two entities: a bad event, not a finding
    other = {"schema": "iglu:com.acme/user/jsonschema/1-0-0", "data": {"userId": user(9)}}
    log.event(entity(8, 1, event_index=1), T0, more=(other,))


def _crowd(log: _Log, rng: random.Random, users: range, events: int) -> None:
    """Clean chains of many users, interleaved, with a few events late."""
    held: list[tuple[dict[str, Any], float]] = []
    for _ in range(events):
        n = rng.choice(users)
        session, index, clock = log.crowd.get(n, (1, 0, T0))
        if index and rng.random() < 0.1:
            session, index, clock = session + 1, 0, clock + 601 + rng.random() * 100
        index += 1
        clock += rng.random() * 50
        log.crowd[n] = (session, index, clock)
        held.append((entity(n, session, event_index=index), round(clock, 3)))
        if rng.random() < 0.97:  # else it arrives late, after the next ones
            for data, at in held:
                log.event(data, at)
            held.clear()
    for data, at in held:
        log.event(data, at)


def lines(seed: int = 0, crowd: int = 400) -> list[str]:
    """The varied log's lines, without newlines; ``seed`` and ``crowd`` vary the many clean
    users' part."""
    log = _Log()
    log.count = seed * 1_000_000  # event ids of their own
    log.line({"snowsession": "collect", "format": 1, "started": "2027-01-15T07:59:59.000Z"})
    rng = random.Random(seed)
    base = 100 + 20 * seed  # the many clean users, their own in each seed
    _crowd(log, rng, range(base, base + 6), crowd // 2)
    _faults(log)
    _invalid(log)
    _crowd(log, rng, range(base + 3, base + 10), crowd // 4)
    _lines(log)
    _order_and_times(log)
    _crowd(log, rng, range(base, base + 12), crowd // 4)
    return log.lines


def write(path: Path, seed: int = 0, crowd: int = 400) -> Path:
    """The varied log at ``path``, its last line cut short as a kill leaves it."""
    text = "\n".join(lines(seed, crowd)) + "\n"
    path.write_text(
        text + '{"received": 1800000000.0, "fields": {"e":',
        encoding="utf-8",
        errors="surrogatepass",
    )
    return path
