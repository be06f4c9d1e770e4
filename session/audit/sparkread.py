"""Inputs as Spark DataFrames of ``events`` (:data:`~.columns.EVENT_COLUMNS`), with the meaning
of the DuckDB readers (:mod:`.readers`) and of Python's (:mod:`.entity`, :mod:`.rows`).

Each function takes a SparkSession and returns a DataFrame whose columns are ``events``' in
order. JSON (the log's lines, TSV's ``contexts``) is parsed by Spark: an entity's ``data`` is
kept as its JSON text, read once with every key as text (a number keeps its JSON spelling,
``1.5``, ``100.0``, as Python's ``json.dumps`` writes it) and once with the integer keys as
BIGINT (a JSON string, a fraction or a number past int64 gives NULL there: not an integer),
and its keys are listed, so that a key that is missing, null, extra or of the wrong type gives
the same problem, in the same words, as :func:`.entity.entity_fields`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .columns import EVENT_COLUMNS
from .entity import ENTITY_MARK, FIELDS, versions
from .readers import COLLECTOR_MS, ENTITY_COLUMN, LINE_KIND, TSV_FIELDS, short_names
from .sql import quote

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["SPARK_TYPES", "lake_frame", "log_frame", "select_events", "tsv_frame"]

SPARK_TYPES = {"VARCHAR": "STRING", "BIGINT": "BIGINT", "INTEGER": "INT"}
"""``events``' DuckDB types as Spark's."""

_ENTITY = "STRUCT<schema: STRING, data: STRING>"
_TEXTS = ", ".join(f"`{field.key}` STRING" for field in FIELDS)
_NUMBERS = ", ".join(f"`{field.key}` BIGINT" for field in FIELDS if field.integer)


def select_events(frame: DataFrame, values: dict[str, str]) -> DataFrame:
    """``events``' columns in order from ``frame``: each the expression ``values`` gives for
    it, cast to its type, else NULL."""
    return frame.selectExpr(
        *(
            f"CAST({values.get(name, 'NULL')} AS {SPARK_TYPES[kind]}) AS {name}"
            for name, kind in EVENT_COLUMNS
        )
    )


def _found(contexts: str) -> str:
    return f"filter({contexts}, c -> contains(c.schema, {quote(ENTITY_MARK)}))"


def _with_entity(frame: DataFrame, contexts: str) -> DataFrame:
    """``frame`` with ``entity`` (the first ``client_session`` entity of ``contexts``, an array
    of ``STRUCT<schema, data>`` with data as JSON text), ``entities`` (how many), and the
    entity's data parsed: ``texts``, ``numbers`` and ``keys``."""
    found = _found(contexts)
    frame = frame.selectExpr(
        "*", f"try_element_at({found}, 1) AS entity", f"size({found}) AS entities"
    )
    return frame.selectExpr(
        "*",
        f"from_json(entity.data, '{_TEXTS}') AS texts",
        f"from_json(entity.data, '{_NUMBERS}') AS numbers",
        "json_object_keys(entity.data) AS keys",
    )


def _field(key: str, integer: bool) -> str:
    return f"numbers.`{key}`" if integer else f"texts.`{key}`"


def _problem() -> str:
    """:func:`.entity.entity_fields`' problem over ``entity``, ``texts``, ``numbers``, ``keys``
    (:func:`_with_entity`), in the same words."""
    uri = "entity.schema"
    cases = [
        "WHEN entities > 1 THEN concat('the event has ', entities, ' client_session entities')",
        f"WHEN {uri} IS NULL OR {uri} NOT IN ({', '.join(map(quote, versions()))}) THEN "
        f"concat('unknown client_session schema ', coalesce(left({uri}, 120), 'None'))",
        "WHEN keys IS NULL THEN 'the client_session entity''s data is not an object'",
    ]
    for uri_value, version in versions().items():
        allowed = ", ".join(map(quote, version.keys))
        extra = f"array_sort(filter(keys, k -> NOT k IN ({allowed})))"
        where = f"WHEN {uri} = {quote(uri_value)} AND "
        cases.append(
            f"{where}size({extra}) > 0 THEN "
            f"concat(left(try_element_at({extra}, 1), 60), ': not in this schema version')"
        )
        for field in FIELDS:
            if field.key not in version.keys:
                continue
            has = f"array_contains(keys, '{field.key}')"
            text = f"texts.`{field.key}`"
            if field.key in version.required:
                cases.append(f"{where}NOT {has} THEN '{field.key} is missing'")
            if field.key not in version.nullable:
                cases.append(f"{where}{has} AND {text} IS NULL THEN '{field.key} is null'")
            if field.integer:
                cases.append(
                    f"{where}{text} IS NOT NULL AND {_field(field.key, True)} IS NULL "
                    f"THEN '{field.key} is not an integer'"
                )
    return "CASE " + "\n".join(cases) + " END"


def _entity_values() -> dict[str, str]:
    values = {field.column: _field(field.key, field.integer) for field in FIELDS}
    values["problem"] = _problem()
    return values


_LOG_SCHEMA = (
    "received DOUBLE, fields STRUCT<e: STRING, eid: STRING, aid: STRING, p: STRING, "
    "tv: STRING, dtm: STRING, stm: STRING, ttm: STRING>, "
    f"contexts ARRAY<{_ENTITY}>, unstruct STRUCT<schema: STRING>, bad STRING, "
    "snowsession STRING"
)


def _millis_text(value: str) -> str:
    return f"CASE WHEN {value} RLIKE '^[0-9]{{1,15}}\\\\z' THEN {value} END"


def log_frame(spark: SparkSession, path: str, capture: int) -> DataFrame:
    """The collector's log (NDJSON; a gzip one named ``.gz``): a row per line Spark reads, with
    ``events``' columns, ``line_kind`` (``event``, ``bad``, ``header``, ``unreadable``,
    ``no_entity``) and ``bad``, as :func:`.readers.log_select` gives them."""
    lines = spark.read.schema(_LOG_SCHEMA).option("mode", "PERMISSIVE").json(path)
    parsed = _with_entity(lines, "contexts")
    values = {
        "event_id": "fields.eid",
        "app_id": "fields.aid",
        "platform": "fields.p",
        "v_tracker": "fields.tv",
        "event_name": "coalesce(nullif(regexp_extract(unstruct.schema, "
        "'^iglu:[^/]+/([^/]+)/', 1), ''), " + short_names("fields.e") + ")",
        "collector_ms": COLLECTOR_MS,
        "created_ms": _millis_text("fields.dtm"),
        "sent_ms": _millis_text("fields.stm"),
        "derived_ms": _millis_text("fields.ttm"),
        **_entity_values(),
        "capture": str(capture),
    }
    columns = [
        f"CAST({values.get(name, 'NULL')} AS {SPARK_TYPES[kind_]}) AS {name}"
        for name, kind_ in EVENT_COLUMNS
    ]
    return parsed.selectExpr(*columns, f"{LINE_KIND} AS line_kind", "bad")


def _tstamp(value: str) -> str:
    return f"unix_millis(try_cast(nullif({value}, '') AS TIMESTAMP))"


def tsv_frame(spark: SparkSession, paths: Sequence[str], name: str, capture: int) -> DataFrame:
    """Enriched TSV files (a gzip one named ``.gz``): every row with a ``client_session``
    entity. A line without its 131 fields stops the run with a message naming ``name``."""
    lines = spark.read.text(list(paths)).where("value <> ''")
    count = len(TSV_FIELDS)
    fields = lines.selectExpr("split(value, '\\t', -1) AS f")
    refused = quote(f"{name}: a line has ")
    # The check is in the value every row's entity is read from, so no plan can skip it.
    wrong = f"raise_error(concat({refused}, size(f), ' fields, not the {count} of enriched TSV'))"
    at = TSV_FIELDS.index("contexts")
    named = fields.selectExpr(
        *(
            f"CASE WHEN size(f) = {count} THEN nullif(f[{at}], '') ELSE {wrong} END AS {field}"
            if field == "contexts"
            else f"nullif(try_element_at(f, {at_ + 1}), '') AS {field}"
            for at_, field in enumerate(TSV_FIELDS)
        )
    )
    contexts = f"from_json(contexts, 'data ARRAY<{_ENTITY}>').data"
    parsed = _with_entity(named, contexts).where("entity IS NOT NULL")
    values = {
        "event_id": "event_id",
        "app_id": "app_id",
        "platform": "platform",
        "v_tracker": "v_tracker",
        "event_name": "coalesce(event_name, event)",
        "collector_ms": _tstamp("collector_tstamp"),
        "created_ms": _tstamp("dvce_created_tstamp"),
        "sent_ms": _tstamp("dvce_sent_tstamp"),
        "derived_ms": _tstamp("derived_tstamp"),
        **_entity_values(),
        "capture": str(capture),
    }
    return select_events(parsed, values)


def _lake_time(name: str, kind: str | None) -> str:
    if kind is None:
        return "NULL"
    if kind.startswith("timestamp"):
        return f"unix_millis(CAST({name} AS TIMESTAMP))"
    return f"unix_millis(try_cast({name} AS TIMESTAMP))"


def lake_frame(frame: DataFrame, capture: int) -> DataFrame:
    """Lake Parquet read by Spark (``frame``, checked to have :data:`.readers.ENTITY_COLUMN`),
    as :func:`.readers.parquet_select` reads it. A time a layout lacks is NULL."""
    columns = {field.name: field.dataType.simpleString() for field in frame.schema.fields}
    entity_type = frame.schema[ENTITY_COLUMN].dataType
    element = entity_type.elementType  # type: ignore[attr-defined]
    inside = {field.name: field.dataType.simpleString() for field in element.fields}
    rows = frame.selectExpr(
        "*", f"try_element_at({ENTITY_COLUMN}, 1) AS entity", f"size({ENTITY_COLUMN}) AS n"
    ).where("entity IS NOT NULL")

    def have(name: str, expression: str | None = None) -> str:
        return (expression or name) if name in columns else "NULL"

    values = {
        "event_id": have("event_id", "CAST(event_id AS STRING)"),
        "app_id": have("app_id"),
        "platform": have("platform"),
        "v_tracker": have("v_tracker"),
        "event_name": have("event_name") if "event_name" in columns else have("event"),
        "collector_ms": _lake_time("collector_tstamp", columns.get("collector_tstamp")),
        "created_ms": _lake_time("dvce_created_tstamp", columns.get("dvce_created_tstamp")),
        "sent_ms": _lake_time("dvce_sent_tstamp", columns.get("dvce_sent_tstamp")),
        "derived_ms": _lake_time("derived_tstamp", columns.get("derived_tstamp")),
        "capture": str(capture),
        "problem": "CASE WHEN n > 1 THEN concat('the event has ', n, ' client_session "
        "entities') END",
    }
    for field in FIELDS:
        kind = inside.get(field.column)
        value = f"entity.{field.column}"
        if kind is None:
            values[field.column] = "NULL"
        elif kind.startswith("timestamp"):
            values[field.column] = (
                f"date_format(CAST({value} AS TIMESTAMP), \"yyyy-MM-dd'T'HH:mm:ss.SSS'Z'\")"
            )
        else:
            values[field.column] = value
    return select_events(rows, values)
