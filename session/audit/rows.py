"""An event as a row of ``events`` (:data:`~.columns.EVENT_COLUMNS`), made in Python: for what
the collector takes live and for captures that are one JSON document (HAR, Micro's JSON, a
.NET save file). A collector log, Parquet and TSV are read by the engine itself
(:mod:`.readers`), with the same meaning.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from .columns import EVENT_COLUMNS
from .entity import FIELDS, entity_fields, find_entities, several

__all__ = ["EVENT_NAMES", "Row", "event_name", "event_row", "millis"]

Row = tuple[Any, ...]
"""A row of ``events``, its values in :data:`~.columns.EVENT_COLUMNS`' order."""

EVENT_NAMES = {
    "pv": "page_view",
    "pp": "page_ping",
    "se": "event",
    "tr": "transaction",
    "ti": "transaction_item",
    "ad": "ad_impression",
}
"""The tracker protocol's short event types as the warehouse names them (``event_name``)."""

_MILLIS = re.compile(r"[0-9]{1,15}")
MAX_SECONDS = 1e11
"""A collector time past this (the year 5138) is no time."""
_SCHEMA_NAME = re.compile(r"iglu:[^/]+/([^/]+)/")
_POSITION = {name: at for at, (name, _) in enumerate(EVENT_COLUMNS)}


def millis(text: Any) -> int | None:
    """A tracker's time field (decimal milliseconds) as an int, or None."""
    if type(text) is str and _MILLIS.fullmatch(text):
        return int(text)
    return None


def collector_ms(received: float | None) -> int | None:
    """When the collector took an event (Unix seconds) as milliseconds, if it is a time."""
    if received is None or not 0 <= received < MAX_SECONDS:
        return None  # NaN fails both comparisons
    return round(received * 1000)


def event_name(fields: Mapping[str, Any], unstruct: Mapping[str, Any] | None) -> str | None:
    """The event's short name: the self-describing event's schema name, else the type's."""
    schema = None if unstruct is None else unstruct.get("schema")
    if isinstance(schema, str):
        found = _SCHEMA_NAME.match(schema)
        if found:
            return found.group(1)
    kind = fields.get("e")
    if not isinstance(kind, str):
        return None
    return EVENT_NAMES.get(kind, kind)


def text(value: str) -> str:
    """Text that UTF-8 can hold: a lone surrogate (JSON allows one) becomes U+FFFD."""
    if value.isascii():
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "replace").decode("utf-8").replace("?", "\ufffd")
    return value


def _text(fields: Mapping[str, Any], key: str) -> str | None:
    value = fields.get(key)
    return text(value) if type(value) is str else None


def event_row(
    fields: Mapping[str, Any],
    contexts: Sequence[Any],
    unstruct: Mapping[str, Any] | None,
    received: float | None,
    capture: int = 0,
) -> Row | None:
    """The row of one decoded event, or None when it carries no ``client_session`` entity."""
    entities = find_entities(list(contexts))
    if not entities:
        return None
    values, problem = entity_fields(entities[0])
    if len(entities) > 1:
        problem = several(len(entities))
    row: list[Any] = [None] * len(EVENT_COLUMNS)
    row[_POSITION["event_id"]] = _text(fields, "eid")
    row[_POSITION["app_id"]] = _text(fields, "aid")
    row[_POSITION["platform"]] = _text(fields, "p")
    row[_POSITION["v_tracker"]] = _text(fields, "tv")
    row[_POSITION["event_name"]] = event_name(fields, unstruct)
    row[_POSITION["collector_ms"]] = collector_ms(received)
    row[_POSITION["created_ms"]] = millis(fields.get("dtm"))
    row[_POSITION["sent_ms"]] = millis(fields.get("stm"))
    row[_POSITION["derived_ms"]] = millis(fields.get("ttm"))
    for field in FIELDS:
        value = values.get(field.column)
        row[_POSITION[field.column]] = text(value) if type(value) is str else value
    row[_POSITION["problem"]] = None if problem is None else text(problem)
    row[_POSITION["capture"]] = capture
    return tuple(row)
