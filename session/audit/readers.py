"""Inputs as DuckDB relations of ``events`` (:data:`~.columns.EVENT_COLUMNS`): the collector's
log, enriched TSV (plain or gzip) and lake Parquet (files, folders and Delta tables) are read
by DuckDB itself, never into Python.

Each function returns a SELECT giving ``events``' columns in order. The layouts are
Snowplow's: in the lake, the entity is the column
``contexts_com_snowplowanalytics_snowplow_client_session_1``, an array of snake_case structs;
in enriched TSV it is JSON in field 53, ``contexts``; in the log it is one of ``contexts``.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..trackers.protocol import BAD_REASONS
from .columns import EVENT_COLUMNS
from .entity import ENTITY_MARK, FIELDS, entity_sql, field_column, field_sql, problem_sql
from .rows import EVENT_NAMES, MAX_SECONDS
from .sql import quote

__all__ = [
    "COLLECTOR_MS",
    "ENTITY_COLUMN",
    "LINE_KIND",
    "TSV_FIELDS",
    "log_select",
    "parquet_select",
    "quote",
    "short_names",
    "sql_list",
    "tsv_select",
]

ENTITY_COLUMN = "contexts_com_snowplowanalytics_snowplow_client_session_1"

TSV_FIELDS = tuple(
    """app_id platform etl_tstamp collector_tstamp dvce_created_tstamp event event_id txn_id
name_tracker v_tracker v_collector v_etl user_id user_ipaddress user_fingerprint domain_userid
domain_sessionidx network_userid geo_country geo_region geo_city geo_zipcode geo_latitude
geo_longitude geo_region_name ip_isp ip_organization ip_domain ip_netspeed page_url page_title
page_referrer page_urlscheme page_urlhost page_urlport page_urlpath page_urlquery
page_urlfragment refr_urlscheme refr_urlhost refr_urlport refr_urlpath refr_urlquery
refr_urlfragment refr_medium refr_source refr_term mkt_medium mkt_source mkt_term mkt_content
mkt_campaign contexts se_category se_action se_label se_property se_value unstruct_event
tr_orderid tr_affiliation tr_total tr_tax tr_shipping tr_city tr_state tr_country ti_orderid
ti_sku ti_name ti_category ti_price ti_quantity pp_xoffset_min pp_xoffset_max pp_yoffset_min
pp_yoffset_max useragent br_name br_family br_version br_type br_renderengine br_lang
br_features_pdf br_features_flash br_features_java br_features_director br_features_quicktime
br_features_realplayer br_features_windowsmedia br_features_gears br_features_silverlight
br_cookies br_colordepth br_viewwidth br_viewheight os_name os_family os_manufacturer
os_timezone dvce_type dvce_ismobile dvce_screenwidth dvce_screenheight doc_charset doc_width
doc_height tr_currency tr_total_base tr_tax_base tr_shipping_base ti_currency ti_price_base
base_currency geo_timezone mkt_clickid mkt_network etl_tags dvce_sent_tstamp
refr_domain_userid refr_device_tstamp derived_contexts domain_sessionid derived_tstamp
event_vendor event_name event_format event_version event_fingerprint true_tstamp""".split()  # noqa: SIM905
)
"""Snowplow's enriched TSV: its 131 fields, in order."""
assert len(TSV_FIELDS) == 131


def sql_list(values: Sequence[str]) -> str:
    """A list literal of strings."""
    return "[" + ", ".join(map(quote, values)) + "]"


def _select(values: dict[str, str], source: str, *extra: str) -> str:
    """``SELECT`` every column of ``events`` in order (NULL where ``values`` has none), and
    ``extra`` columns after them."""
    columns = [
        f"CAST({values.get(name, 'NULL')} AS {kind}) AS {name}" for name, kind in EVENT_COLUMNS
    ]
    return "SELECT " + ",\n  ".join([*columns, *extra]) + "\n" + source


def _json_entity() -> dict[str, str]:
    """The entity's columns and its problem (over :func:`_parsed`)."""
    values = {field.column: field_column(field) for field in FIELDS}
    values["problem"] = (
        "CASE WHEN entities > 1 THEN concat('the event has ', entities, ' client_session "
        f"entities') ELSE {problem_sql('entity')} END"
    )
    return values


def _parsed(source: str) -> str:
    """``source`` (a FROM with a column ``entity``, ``STRUCT(schema VARCHAR, data JSON)``)
    with the entity's data parsed once and its fields picked out once."""
    parsed, keys = entity_sql("entity")
    fields = ", ".join(f"{field_sql(field)} AS {field_column(field)}" for field in FIELDS)
    return (
        f"FROM (SELECT *, {fields} FROM (SELECT *, {parsed} AS parsed, {keys} AS keys\n"
        f"  {source}) AS parsed) AS typed"
    )


def _entities(contexts: str) -> str:
    """``entity``, the first ``client_session`` entity of a list of entities, and
    ``entities``, how many there are."""
    found = f"list_filter({contexts}, lambda c: contains(c.schema, {quote(ENTITY_MARK)}))"
    return f"{found}[1] AS entity, len({found}) AS entities"


_ENTITIES = "STRUCT(schema VARCHAR, data JSON)[]"
_TSV_CONTEXTS = '{"data": [{"schema": "VARCHAR", "data": "JSON"}]}'


def _millis_text(value: str) -> str:
    return f"CASE WHEN regexp_full_match({value}, '[0-9]{{1,15}}') THEN {value} END"


_SCHEMA_NAME = "nullif(regexp_extract({schema}, '^iglu:[^/]+/([^/]+)/', 1), '')"


def short_names(kind: str) -> str:
    """The tracker protocol's short event type ``kind`` as the warehouse names it
    (:data:`~.rows.EVENT_NAMES`), in SQL that DuckDB and Spark both take."""
    cases = " ".join(
        f"WHEN {quote(short)} THEN {quote(name)}" for short, name in EVENT_NAMES.items()
    )
    return f"CASE {kind} {cases} ELSE {kind} END"


COLLECTOR_MS = (
    f"CASE WHEN received >= 0 AND received < {MAX_SECONDS:.0f} THEN round(received * 1000) END"
)
"""A log line's ``received`` (Unix seconds) as milliseconds where it is a time (as
:func:`~.rows.collector_ms` does in Python)."""

LINE_KIND = (
    "CASE WHEN snowsession IS NOT NULL THEN 'header' "
    f"WHEN bad IN ({', '.join(map(quote, BAD_REASONS))}) THEN 'bad' "
    "WHEN received IS NULL OR bad IS NOT NULL OR fields IS NULL OR contexts IS NULL "
    "THEN 'unreadable' WHEN entity IS NULL THEN 'no_entity' ELSE 'event' END"
)
"""What a line of the collector's log is: ``header``, ``bad`` (a known reason), ``unreadable``,
``no_entity`` or ``event``; the same words for DuckDB and Spark."""


def log_select(path: str, capture: int) -> str:
    """The collector's log (NDJSON, plain or gzip): a row for every line DuckDB can read, with
    ``events``' columns and ``line_kind`` (``event``, ``bad``, ``header``, ``no_entity``) and
    ``bad`` (a bad line's reason). An unreadable line gives no row."""
    fields = "STRUCT(e VARCHAR, eid VARCHAR, aid VARCHAR, p VARCHAR, tv VARCHAR, dtm VARCHAR, stm VARCHAR, ttm VARCHAR)"  # noqa: E501
    source = _parsed(
        f"FROM (SELECT *, {_entities('contexts')}\n"
        f"  FROM read_ndjson({quote(path)}, columns = {{received: 'DOUBLE', fields: "
        f"'{fields}', contexts: '{_ENTITIES}', unstruct: 'STRUCT(schema VARCHAR)', bad: "
        "'VARCHAR', snowsession: 'VARCHAR'}, ignore_errors = true, "
        "maximum_object_size = 16777216)\n"
        ") AS line"
    )
    values = {
        "event_id": "fields.eid",
        "app_id": "fields.aid",
        "platform": "fields.p",
        "v_tracker": "fields.tv",
        "event_name": "coalesce("
        + _SCHEMA_NAME.format(schema="unstruct.schema")
        + ", "
        + short_names("fields.e")
        + ")",
        "collector_ms": COLLECTOR_MS,
        "created_ms": _millis_text("fields.dtm"),
        "sent_ms": _millis_text("fields.stm"),
        "derived_ms": _millis_text("fields.ttm"),
        **_json_entity(),
        "capture": str(capture),
    }
    return _select(values, source, f"{LINE_KIND} AS line_kind", "bad")


def _tstamp(value: str) -> str:
    return f"epoch_ms(TRY_CAST(nullif({value}, '') AS TIMESTAMP))"


def tsv_select(paths: Sequence[str], capture: int) -> str:
    """Enriched TSV files (plain or gzip): every row with a ``client_session`` entity."""
    columns = ", ".join(f"{quote(name)}: 'VARCHAR'" for name in TSV_FIELDS)
    source = (
        _parsed(
            "FROM (SELECT *, "
            + _entities(f"json_transform(nullif(contexts, ''), '{_TSV_CONTEXTS}').data")
            + "\n"
            f"  FROM read_csv({sql_list(list(paths))}, delim = '\\t', header = false, quote = '', "
            f"escape = '', columns = {{{columns}}}, strict_mode = true, "
            "max_line_size = 16777216)) AS line"
        )
        + "\nWHERE entity IS NOT NULL"
    )
    values = {
        "event_id": "nullif(event_id, '')",
        "app_id": "nullif(app_id, '')",
        "platform": "nullif(platform, '')",
        "v_tracker": "nullif(v_tracker, '')",
        "event_name": "coalesce(nullif(event_name, ''), nullif(event, ''))",
        "collector_ms": _tstamp("collector_tstamp"),
        "created_ms": _tstamp("dvce_created_tstamp"),
        "sent_ms": _tstamp("dvce_sent_tstamp"),
        "derived_ms": _tstamp("derived_tstamp"),
        **_json_entity(),
        "capture": str(capture),
    }
    return _select(values, source)


def _lake_field(field: str, kind: str | None) -> str:
    value = f"entity.{field}"
    if kind is None:
        return "NULL"
    if kind.startswith("TIMESTAMP"):
        return f"strftime({value}, '%Y-%m-%dT%H:%M:%S.%gZ')"
    return value


def parquet_select(paths: Sequence[str], columns: dict[str, str], capture: int) -> str:
    """Lake Parquet files of one layout: ``columns`` names the columns they have and their
    types (the entity's as ``entity.<field>``). A time a layout lacks is NULL."""
    source = (
        f"FROM (SELECT *, {ENTITY_COLUMN}[1] AS entity FROM read_parquet("
        f"{sql_list(list(paths))}, union_by_name = true, hive_partitioning = false)) AS line\n"
        "WHERE entity IS NOT NULL"
    )

    def have(name: str, expression: str | None = None) -> str:
        return (expression or name) if name in columns else "NULL"

    def tstamp(name: str) -> str:
        return have(name, f"epoch_ms({name})")

    values = {
        "event_id": have("event_id", "CAST(event_id AS VARCHAR)"),
        "app_id": have("app_id"),
        "platform": have("platform"),
        "v_tracker": have("v_tracker"),
        "event_name": have("event_name") if "event_name" in columns else have("event"),
        "collector_ms": tstamp("collector_tstamp"),
        "created_ms": tstamp("dvce_created_tstamp"),
        "sent_ms": tstamp("dvce_sent_tstamp"),
        "derived_ms": tstamp("derived_tstamp"),
        "capture": str(capture),
        "problem": f"CASE WHEN len({ENTITY_COLUMN}) > 1 THEN concat('the event has ', "
        f"len({ENTITY_COLUMN}), ' client_session entities') END",
    }
    for field in FIELDS:
        values[field.column] = _lake_field(field.column, columns.get(f"entity.{field.column}"))
    return _select(values, source)
