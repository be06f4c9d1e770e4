"""The ``client_session`` entity as the checks take it: its fields by name, and what its JSON
alone says is wrong (an unknown schema, a key its version does not have, a value of the wrong
JSON type, a required key missing). Patterns, ranges and the storage mechanism are the checks'
own (:mod:`.checks`).

The versions' keys come from the bundled schemas; Python (:func:`entity_fields`) and SQL
(:func:`problem_sql`, for DuckDB's JSON) read the same table, so a capture read either way
gives the same findings.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import Any, NamedTuple

from ..context import SCHEMA_URIS, load_schema
from .sql import quote

__all__ = [
    "ENTITY_MARK",
    "ENTITY_PREFIX",
    "FIELDS",
    "Field",
    "entity_fields",
    "entity_sql",
    "field_column",
    "field_sql",
    "find_entities",
    "problem_sql",
    "several",
]

ENTITY_PREFIX = "iglu:com.snowplowanalytics.snowplow/client_session/jsonschema/"
ENTITY_MARK = "/client_session/jsonschema/"
"""What marks an entity as a ``client_session`` one, of any vendor (a foreign vendor's is an
unknown schema, as the collector counts it)."""


class Field(NamedTuple):
    """A key of the entity: its JSON name, its column, and whether it is a string or an
    integer."""

    key: str
    column: str
    integer: bool


FIELDS = (
    Field("userId", "user_id", False),
    Field("sessionId", "session_id", False),
    Field("previousSessionId", "previous_session_id", False),
    Field("sessionIndex", "session_index", True),
    Field("eventIndex", "event_index", True),
    Field("firstEventId", "first_event_id", False),
    Field("storageMechanism", "storage_mechanism", False),
    Field("firstEventTimestamp", "first_event_timestamp", False),
)


class Version(NamedTuple):
    keys: tuple[str, ...]
    required: frozenset[str]
    nullable: frozenset[str]


@cache
def versions() -> dict[str, Version]:
    """Each schema URI's keys, required keys and keys that may be null."""
    table = {}
    for uri in SCHEMA_URIS:
        schema = load_schema(uri)
        properties = schema["properties"]
        nullable = {
            key
            for key, part in properties.items()
            if isinstance(part.get("type"), list) and "null" in part["type"]
        }
        table[uri] = Version(
            tuple(key for key in properties if key in {f.key for f in FIELDS}),
            frozenset(schema.get("required", ())),
            frozenset(nullable),
        )
    return table


def find_entities(contexts: Any) -> list[Mapping[str, Any]]:
    """The ``client_session`` entities among an event's entities (one, if all is well)."""
    if not isinstance(contexts, list):
        return []
    return [
        item
        for item in contexts
        if isinstance(item, dict)
        and isinstance(item.get("schema"), str)
        and ENTITY_MARK in item["schema"]
    ]


def several(count: int) -> str:
    """The problem of an event with ``count`` (more than one) entities."""
    return f"the event has {count} client_session entities"


_INT64 = 1 << 63


def _value(value: Any, integer: bool) -> Any:
    """A field's value as the checks take it: an integer field's only if it is a JSON integer
    (int64); a string field's as its text, or the compact JSON of whatever else it is."""
    if integer:
        return value if type(value) is int and -_INT64 <= value < _INT64 else None
    if value is None or type(value) is str:
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def entity_fields(entity: Mapping[str, Any]) -> tuple[dict[str, Any], str | None]:
    """An entity's fields by column (None where absent or null) and what its JSON says is
    wrong (None: nothing). A string field of another JSON type keeps its JSON text, which the
    checks' own patterns then refuse."""
    uri = entity.get("schema")
    version = versions().get(uri) if isinstance(uri, str) else None
    data = entity.get("data")
    fields: dict[str, Any] = {}
    if isinstance(data, dict):
        for field in FIELDS:
            fields[field.column] = _value(data.get(field.key), field.integer)
    if version is None:
        return fields, f"unknown client_session schema {str(uri)[:120]}"
    if not isinstance(data, dict):
        return fields, "the client_session entity's data is not an object"
    extra = sorted(key for key in data if key not in version.keys)
    if extra:
        return fields, f"{extra[0][:60]}: not in this schema version"
    for field in FIELDS:
        if field.key not in version.keys:
            continue
        if field.key not in data:
            if field.key in version.required:
                return fields, f"{field.key} is missing"
            continue
        value = data[field.key]
        if value is None:
            if field.key not in version.nullable:
                return fields, f"{field.key} is null"
        elif field.integer and fields[field.column] is None:
            return fields, f"{field.key} is not an integer"
    return fields, None


def _transform_type() -> str:
    types = ", ".join(
        f'"{field.key}": "{"JSON" if field.integer else "VARCHAR"}"' for field in FIELDS
    )
    return "{" + types + "}"


def entity_sql(entity: str) -> tuple[str, str]:
    """DuckDB expressions over ``entity`` (``STRUCT(schema VARCHAR, data JSON)``), its data
    parsed once: ``(parsed, keys)``, its fields (integers as JSON; SQL NULL where absent or
    JSON null) and its keys."""
    return (
        f"json_transform({entity}.data, '{_transform_type()}')",
        f"json_keys({entity}.data)",
    )


def field_column(field: Field) -> str:
    """The column that holds a field's value (:func:`field_sql`) where :func:`problem_sql` is
    computed."""
    return f"entity_{field.column}"


def field_sql(field: Field) -> str:
    """A field's value over ``parsed`` (:func:`entity_sql`), as :func:`entity_fields` gives it:
    an integer only if its JSON is one (written back as text, it is the same digits: a
    fraction or an exponent is not, nor a number past 64 bits)."""
    value = f"parsed.{field.key}"
    if not field.integer:
        return value
    text = f"CAST({value} AS VARCHAR)"
    number = f"TRY_CAST({text} AS BIGINT)"
    return f"CASE WHEN CAST({number} AS VARCHAR) = {text} THEN {number} END"


def _plainly_fine(entity: str) -> str:
    """What most entities are, cheap to see: a known schema, every key one of its version's
    with a value (as many keys as fields with values), the required ones there, and each
    integer an integer. Such an entity has no problem; any other is asked in full."""
    present = " + ".join(
        f"CASE WHEN parsed.{field.key} IS NULL THEN 0 ELSE 1 END" for field in FIELDS
    )
    cases = []
    for uri_value, version in versions().items():
        holds = [
            *(f"parsed.{field.key} IS NULL" for field in FIELDS if field.key not in version.keys),
            *(f"parsed.{key} IS NOT NULL" for key in sorted(version.required)),
            *(
                f"(parsed.{field.key} IS NULL OR {field_column(field)} IS NOT NULL)"
                for field in FIELDS
                if field.integer and field.key in version.keys
            ),
        ]
        cases.append(f"WHEN {quote(uri_value)} THEN {' AND '.join(holds)}")
    return (
        f"coalesce(len(keys) > 0 AND len(keys) = {present} AND "
        f"CASE {entity}.schema {' '.join(cases)} ELSE FALSE END, FALSE)"
    )


def problem_sql(entity: str) -> str:
    """:func:`entity_fields`' problem as a DuckDB expression over ``entity``, ``parsed``,
    ``keys`` (:func:`entity_sql`) and the fields' columns (:func:`field_column`), in the same
    words: the checks of the entity's schema version alone, in order."""
    uri = f"{entity}.schema"
    cases = [
        f"WHEN {uri} IS NULL OR {uri} NOT IN ({', '.join(map(quote, versions()))}) THEN "
        f"concat('unknown client_session schema ', coalesce(left({uri}, 120), 'None'))",
        "WHEN parsed IS NULL OR json_type({entity}.data) <> 'OBJECT' THEN "
        "'the client_session entity''s data is not an object'".replace("{entity}", entity),
    ]
    for uri_value, version in versions().items():
        allowed = ", ".join(map(quote, version.keys))
        extra = f"list_sort(list_filter(keys, lambda k: k NOT IN ({allowed})))"
        checks = [
            f"WHEN NOT list_has_all([{allowed}], keys) THEN "
            f"concat(left({extra}[1], 60), ': not in this schema version')"
        ]
        for field in FIELDS:
            if field.key not in version.keys:
                continue
            has = f"list_contains(keys, '{field.key}')"
            null = f"parsed.{field.key} IS NULL"
            if field.key in version.required:
                checks.append(f"WHEN NOT {has} THEN '{field.key} is missing'")
            if field.key not in version.nullable:
                checks.append(f"WHEN {has} AND {null} THEN '{field.key} is null'")
            if field.integer:
                checks.append(
                    f"WHEN {has} AND NOT {null} AND {field_column(field)} IS NULL "
                    f"THEN '{field.key} is not an integer'"
                )
        cases.append(f"WHEN {uri} = {quote(uri_value)} THEN CASE {' '.join(checks)} END")
    return f"CASE WHEN {_plainly_fine(entity)} THEN NULL " + "\n".join(cases) + " END"
