"""The one relation every source is read into, and the checks read from: ``events``.

Each reader (a capture, lake Parquet, a Delta table, enriched TSV, a warehouse's own table)
gives one row per event with these columns; the checks (:mod:`.checks`) need nothing else.
Times are Unix milliseconds. The entity's fields are as the tracker sent them, unchecked:
the checks judge them, and a reader sets ``problem`` only for what its format alone can tell
(a value of the wrong JSON type, an unknown schema, a key the schema does not have).
"""

from __future__ import annotations

__all__ = ["EVENT_COLUMNS", "FINDING_COLUMNS", "column_list"]

EVENT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("event_id", "VARCHAR"),
    ("app_id", "VARCHAR"),
    ("platform", "VARCHAR"),
    ("v_tracker", "VARCHAR"),
    ("event_name", "VARCHAR"),
    ("collector_ms", "BIGINT"),
    ("created_ms", "BIGINT"),
    ("sent_ms", "BIGINT"),
    ("derived_ms", "BIGINT"),
    ("user_id", "VARCHAR"),
    ("session_id", "VARCHAR"),
    ("previous_session_id", "VARCHAR"),
    ("session_index", "BIGINT"),
    ("event_index", "BIGINT"),
    ("first_event_id", "VARCHAR"),
    ("storage_mechanism", "VARCHAR"),
    ("first_event_timestamp", "VARCHAR"),
    ("problem", "VARCHAR"),
    ("capture", "INTEGER"),
)
"""``events``: the columns every reader gives, with their DuckDB types.

``event_name`` is the event's short name (``application_background``, ``page_view``, …);
``derived_ms`` is Snowplow's ``derived_tstamp`` where the source has it; ``capture`` says
which of the inputs the row came from."""

FINDING_COLUMNS: tuple[str, ...] = (
    "user_id",
    "session_id",
    "kind",
    "event_id",
    "at",
    "message",
    "app_id",
    "platform",
    "v_tracker",
)
"""A finding as a row: what ``--findings-out`` writes and ``--sql`` returns."""


def column_list(columns: tuple[tuple[str, str], ...] = EVENT_COLUMNS) -> str:
    """``name TYPE, …`` for a CREATE TABLE."""
    return ", ".join(f"{name} {kind}" for name, kind in columns)
