"""Hand-made tracker payloads: entities, events, GET queries and POST bodies, as trackers send."""

from __future__ import annotations

import base64
import itertools
import json
from typing import Any
from urllib.parse import urlencode

from session import SCHEMA_1_0_2
from session.audit.report import ChainReport
from session.audit.rules import Rules
from session.trackers.analysis import Analysis
from session.trackers.protocol import (
    BACKGROUND_SCHEMA,
    CONTEXTS_SCHEMA,
    FOREGROUND_SCHEMA,
    PAYLOAD_DATA_SCHEMA,
    decode_fields,
)
from session.trackers.record import make_record

USER = "0f8fad5b-d9cb-469f-a165-70867728950e"
T0 = 1_800_000_000.0
_ids = itertools.count(1)


def uid(n: int | None = None) -> str:
    """A UUID-shaped id: 00000000-0000-4000-8000-000000000001, …"""
    return f"00000000-0000-4000-8000-{next(_ids) if n is None else n:012d}"


def sid(n: int) -> str:
    """Session id number ``n``."""
    return f"5e55105e-0000-4000-8000-{n:012d}"


def entity(
    session: int,
    index: int | None = None,
    previous: int | str | None = "auto",
    event_index: int | None = None,
    first: str | None = None,
    user: str = USER,
    schema: str = SCHEMA_1_0_2,
    **extra: Any,
) -> dict[str, Any]:
    """A ``client_session`` entity for session number ``session`` (index = number unless
    given; previous = the session before unless given)."""
    index = session if index is None else index
    if previous == "auto":
        previous = session - 1 if session > 1 else None
    data: dict[str, Any] = {
        "userId": user,
        "sessionId": sid(session),
        "previousSessionId": None if previous is None else sid(int(previous)),
        "sessionIndex": index,
        "storageMechanism": "SQLITE",
        "firstEventId": first or f"f1257000-0000-4000-8000-{session:012d}",
    }
    if event_index is not None:
        data["eventIndex"] = event_index
    data.update(extra)
    return {"schema": schema, "data": data}


def contexts(*entities: dict[str, Any]) -> str:
    return json.dumps({"schema": CONTEXTS_SCHEMA, "data": list(entities)})


def b64(text: str, padding: bool = False) -> str:
    encoded = base64.urlsafe_b64encode(text.encode()).decode()
    return encoded if padding else encoded.rstrip("=")


def fields(
    ent: dict[str, Any] | None,
    at: float,
    *,
    e: str = "ue",
    unstruct: str | None = None,
    encode: bool = True,
    event_id: str | None = None,
) -> dict[str, str]:
    """An event's fields as a tracker sends them, at ``at`` Unix seconds."""
    out = {"e": e, "eid": event_id or uid(), "dtm": str(round(at * 1000)), "p": "mob"}
    if ent is not None:
        out["cx" if encode else "co"] = b64(contexts(ent)) if encode else contexts(ent)
    if unstruct is not None:
        wrapped = json.dumps(
            {
                "schema": "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0",
                "data": {"schema": unstruct, "data": {}},
            }
        )
        out["ue_px" if encode else "ue_pr"] = b64(wrapped) if encode else wrapped
        out["e"] = "ue"
    return out


def query(item: dict[str, str]) -> str:
    return urlencode(item)


def body(*items: dict[str, str]) -> bytes:
    return json.dumps({"schema": PAYLOAD_DATA_SCHEMA, "data": list(items)}).encode()


def background(ent: dict[str, Any], at: float) -> dict[str, str]:
    return fields(ent, at, unstruct=BACKGROUND_SCHEMA)


def foreground(ent: dict[str, Any], at: float) -> dict[str, str]:
    return fields(ent, at, unstruct=FOREGROUND_SCHEMA)


SENT_AFTER = 0.05
"""How long after it was made a live tracker's event reaches the collector (seconds)."""


def received(item: dict[str, str]) -> float:
    """When an event sent at once reaches the collector: just after it was made (at ``T0``
    for one whose time is not a number)."""
    made = item.get("dtm", "")
    return (int(made) / 1000 if made.isdigit() and made.isascii() else T0) + SENT_AFTER


def analyse(events: list[dict[str, str]], rules: Rules | None = None) -> ChainReport:
    """The report of these events' fields, each arriving just after it was made, in the order
    given."""
    analysis = Analysis(rules)
    for item in events:
        analysis.add(make_record(decode_fields(item), received(item)))
    return analysis.report()


def kinds(report: ChainReport) -> list[str]:
    return [finding.kind for finding in report.findings]
