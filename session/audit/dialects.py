"""The audit as one query for a warehouse to run itself (``snowsession sessions --sql``).

The query has three parts. First an ``events`` step that reads the warehouse's atomic events
table in that warehouse's layout and gives the relation :data:`~.columns.EVENT_COLUMNS` (times
as Unix milliseconds, ids as text); it is the one part written per warehouse, because where
the ``client_session`` entity lives is a fact of each loader (the lake loader's array of
structs, BigQuery's repeated record, Snowflake's array of objects, Redshift's table of its
own). Then the checks (:mod:`.checks`), the same text DuckDB runs, written in the dialect by
sqlglot, with what a warehouse lacks written with what it has (Redshift's ``arg_min``).
Last, a SELECT of every finding with the columns of ``--findings-out``
(:data:`~.columns.FINDING_COLUMNS`).

The warehouse's loader has already checked the entity's JSON types, so ``problem`` is NULL;
the checks' own patterns, ranges and required fields still apply.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect

from .checks import checks
from .columns import EVENT_COLUMNS, FINDING_COLUMNS
from .entity import FIELDS
from .readers import ENTITY_COLUMN
from .rules import Rules

__all__ = [
    "DIALECTS",
    "LAYOUTS",
    "DialectError",
    "Layout",
    "events_select",
    "layout_query",
    "warehouse_query",
]

DEFAULT_TABLE = "atomic.events"
REDSHIFT_ENTITY_TABLE = "com_snowplowanalytics_snowplow_client_session_1"
"""Redshift's table of ``client_session`` entities, in the schema of the events table."""


class DialectError(ValueError):
    """A query that cannot be written as asked: one line for people."""


class Layout(NamedTuple):
    """How one warehouse holds an event: sqlglot's name for its dialect, how an identifier
    is quoted there, and the expressions (in its SQL) of each column of ``events``."""

    dialect: str
    quote: str
    columns: dict[str, str]
    source: str
    """The FROM clause: ``{table}`` is the events table, ``{entities}`` Redshift's entity
    table; it gives the row's entity as ``client_session``."""
    rewrite: Callable[[exp.Expr], exp.Expr] | None = None
    """What the checks use that this warehouse lacks, written with what it has."""


def _atomic(ms: str) -> dict[str, str]:
    """The columns every layout takes from ``events`` itself; ``ms`` makes a TIMESTAMP Unix
    milliseconds."""
    return {
        "event_id": "e.event_id",
        "app_id": "e.app_id",
        "platform": "e.platform",
        "v_tracker": "e.v_tracker",
        "event_name": "e.event_name",
        "collector_ms": ms.format("e.collector_tstamp"),
        "created_ms": ms.format("e.dvce_created_tstamp"),
        "sent_ms": ms.format("e.dvce_sent_tstamp"),
        "derived_ms": ms.format("e.derived_tstamp"),
        "problem": "NULL",
        "capture": "0",
    }


def _snake(first_event_timestamp: str) -> dict[str, str]:
    """The entity's fields where they are snake_case columns or struct fields of
    ``client_session``; its ``first_event_timestamp`` is a TIMESTAMP, given as text."""
    names = (
        "user_id",
        "session_id",
        "previous_session_id",
        "session_index",
        "event_index",
        "first_event_id",
        "storage_mechanism",
    )
    fields = {name: f"client_session.{name}" for name in names}
    fields["first_event_timestamp"] = first_event_timestamp.format(
        "client_session.first_event_timestamp"
    )
    return fields


def _lake_source(first: str) -> str:
    """An events table with the entity as the lake's array of structs; ``first`` takes an
    array's first element (NULL if there is none)."""
    return (
        f"FROM (SELECT e.*, {first.format('e.' + ENTITY_COLUMN)} AS client_session "
        "FROM {table} AS e) AS e\nWHERE client_session IS NOT NULL"
    )


_DUCKDB = Layout(
    "duckdb",
    '"',
    {**_atomic("epoch_ms({})"), **_snake("strftime({}, '%Y-%m-%dT%H:%M:%S.%gZ')")},
    _lake_source("{}[1]"),
)
_DATABRICKS = Layout(
    "databricks",
    "`",
    {
        **_atomic("unix_millis({})"),
        **_snake("date_format({}, \"yyyy-MM-dd'T'HH:mm:ss.SSSXXX\")"),
    },
    _lake_source("try_element_at({}, 1)"),
)
_BIGQUERY = Layout(
    "bigquery",
    "`",
    {**_atomic("UNIX_MILLIS({})"), **_snake("FORMAT_TIMESTAMP('%Y-%m-%dT%H:%M:%E3SZ', {})")},
    _lake_source("{}[SAFE_OFFSET(0)]"),
)
_SNOWFLAKE_KEYS = {field.column: field.key for field in FIELDS}
"""Snowflake keeps the entity as the tracker sent it: camelCase keys, VARIANT values (cast by
the ``events`` step to the column's type)."""
_SNOWFLAKE = Layout(
    "snowflake",
    '"',
    {
        **_atomic("DATE_PART(epoch_millisecond, {})"),
        **{column: f"client_session:{key}" for column, key in _SNOWFLAKE_KEYS.items()},
    },
    _lake_source("{}[0]"),
)
_PAD = 40
"""Digits an order is padded to: more than an ``ord`` of the checks can have (38)."""


def _by_padded_order(tree: exp.Expr) -> exp.Expr:
    """The checks without ``arg_min``, ``arg_max`` or lists, for a warehouse that has none
    (Redshift).

    ``arg_min(value, ord)`` becomes the smallest of ``ord`` zero-padded and joined to the text
    ``value``, with the padding cut off again: the value at the smallest order, a row whose
    order or value is NULL left out, as DuckDB does. The checks' orders are whole numbers
    that are not negative for any event with a time. The list of captures a session came
    from is DuckDB's own (a warehouse has one input) and is left out.
    """

    def rewrite(node: exp.Expr) -> exp.Expr | None:
        if isinstance(node, exp.Alias) and node.alias == "captures":
            return None
        if isinstance(node, exp.Column) and node.name == "captures":
            return None  # named again where the sessions are brought together
        if not isinstance(node, exp.ArgMin | exp.ArgMax):
            return node
        value, order = node.this.sql("duckdb"), node.expression.sql("duckdb")
        function = "min" if isinstance(node, exp.ArgMin) else "max"
        return sqlglot.parse_one(
            f"substring({function}(lpad(CAST({order} AS VARCHAR), {_PAD}, '0') || "
            f"CAST({value} AS VARCHAR)), {_PAD + 1})",
            read="duckdb",
        )

    rewritten = tree.transform(rewrite)
    assert rewritten is not None
    return rewritten


_REDSHIFT = Layout(
    "redshift",
    '"',
    {
        **_atomic("DATEDIFF(millisecond, TIMESTAMP '1970-01-01 00:00:00', {})"),
        **_snake('TO_CHAR({}, \'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"\')'),
    },
    "FROM {table} AS e\nJOIN {entities} AS client_session\n"
    "  ON client_session.root_id = e.event_id AND client_session.root_tstamp = "
    "e.collector_tstamp",
    _by_padded_order,
)

LAYOUTS = {
    "duckdb": _DUCKDB,
    "databricks": _DATABRICKS,
    "spark": _DATABRICKS,
    "bigquery": _BIGQUERY,
    "snowflake": _SNOWFLAKE,
    "redshift": _REDSHIFT,
}
DIALECTS = tuple(LAYOUTS)

_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_QUOTABLE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_$-]{0,127}")


def _table_parts(table: str) -> list[str]:
    """A table's name, a part a dot: refused unless each part is an identifier (letters,
    digits, ``_``, and ``$`` or ``-`` as some warehouses allow in quoted names)."""
    parts = table.split(".")
    if not 1 <= len(parts) <= 3 or not all(_QUOTABLE.fullmatch(part) for part in parts):
        shown = table if len(table) <= 80 and table.isprintable() else repr(table[:80])
        raise DialectError(
            f"--table {shown}: not a table name (one to three identifiers joined by '.', "
            "each of letters, digits, '_', '$' or '-')"
        )
    return parts


def _quoted(parts: list[str], dialect: str, quote: str) -> str:
    """A table's name as ``dialect`` reads it: a part quoted only where it is not a plain
    identifier there (quoting makes a Snowflake name case-sensitive)."""
    keywords = Dialect.get_or_raise(dialect).tokenizer_class.KEYWORDS

    def plain(part: str) -> bool:
        return _PLAIN.fullmatch(part) is not None and part.upper() not in keywords

    return ".".join(part if plain(part) else quote + part + quote for part in parts)


def _type(kind: str, dialect: str) -> str:
    return exp.DataType.build(kind, dialect="duckdb").sql(dialect=dialect)


def events_select(layout: Layout | str, table: str = DEFAULT_TABLE) -> str:
    """The ``events`` relation read from the atomic events table ``table`` in the warehouse
    ``layout`` (or the one of a dialect's name), in that warehouse's SQL."""
    if isinstance(layout, str):
        layout = _layout(layout)
    parts = _table_parts(table)
    entities = [*parts[:-1], REDSHIFT_ENTITY_TABLE]
    columns = ",\n  ".join(
        f"CAST({layout.columns[name]} AS {_type(kind, layout.dialect)}) AS {name}"
        for name, kind in EVENT_COLUMNS
    )
    source = layout.source.format(
        table=_quoted(parts, layout.dialect, layout.quote),
        entities=_quoted(entities, layout.dialect, layout.quote),
    )
    return f"SELECT\n  {columns}\n{source}"


def _layout(dialect: str) -> Layout:
    try:
        return LAYOUTS[dialect]
    except KeyError:
        raise DialectError(
            f"unknown SQL dialect {dialect!r}: one of {', '.join(DIALECTS)}"
        ) from None


_FINAL = (
    "SELECT "
    + ", ".join("epoch_ms(at_ms) AS at" if name == "at" else name for name in FINDING_COLUMNS)
    + " FROM findings ORDER BY user_id, at_ms, kind, session_id, event_id, message"
)


def warehouse_query(dialect: str, rules: Rules, table: str | None = None) -> str:
    """The audit of ``table`` (default ``atomic.events``) as one query in ``dialect``, for
    ``rules``: a row per finding (:data:`~.columns.FINDING_COLUMNS`)."""
    return layout_query(_layout(dialect), rules, DEFAULT_TABLE if table is None else table)


def layout_query(layout: Layout, rules: Rules, table: str) -> str:
    """The audit of ``table`` as one query for the warehouse ``layout`` describes."""
    events = events_select(layout, table)
    tree = sqlglot.parse_one(checks(rules) + "\n" + _FINAL, read="duckdb")
    if layout.rewrite is not None:
        tree = layout.rewrite(tree)
    written = tree.sql(
        dialect=layout.dialect, pretty=True, unsupported_level=sqlglot.ErrorLevel.RAISE
    )
    if not written.startswith("WITH "):
        raise AssertionError("the checks are a WITH query")
    indented = "\n".join("  " + line for line in events.splitlines())
    return f"WITH events AS (\n{indented}\n),\n{written.removeprefix('WITH ')}"
