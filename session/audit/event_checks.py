"""Each event as the checks read it: its fields, whether the entity is valid, and its time; and
the rules (timeouts per app and platform) as a table the checks join."""

from __future__ import annotations

from .rules import Rule, Rules
from .sql import ms_literal, quote, say

__all__ = ["DUCKDB_MACROS", "Formats", "events_step", "invalid_sql", "rules_table"]

UUID = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
USER_ID = "^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16})$"
DATE_TIME = (
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?"
    "([Zz]|[+-][0-9]{2}:[0-9]{2})$"
)
STORAGE = ("SQLITE", "COOKIE_1", "COOKIE_3", "LOCAL_STORAGE", "FLASH_LSO")
MAX_INDEX = 2147483647
FUTURE_MS = 60_000
"""An event made more than a minute after it arrived has a device clock that is wrong."""
PAST_MS = 366 * 86_400_000
"""…and so has one made more than a year before it arrived."""
BACKGROUND = "application_background"
FOREGROUND = "application_foreground"


def _flag(rule: Rule, cause: str) -> str:
    if rule.new_sessions is None:
        return "CAST(NULL AS BOOLEAN)"
    return "TRUE" if cause in rule.new_sessions else "FALSE"


def _rule_row(level: str, key: str | None, rule: Rule) -> str:
    named = "CAST(NULL AS VARCHAR)" if key is None else quote(key)
    values = (
        f"{quote(level)} AS level",
        f"{named} AS key",
        f"{ms_literal(rule.foreground_timeout)} AS fg_ms",
        f"{ms_literal(rule.background_timeout)} AS bg_ms",
        f"{ms_literal(rule.check_interval)} AS interval_ms",
        f"{_flag(rule, 'start')} AS expect_start",
        f"{_flag(rule, 'on_demand')} AS expect_demand",
    )
    return "SELECT " + ", ".join(values)


def rules_table(rules: Rules) -> str:
    rows = [_rule_row("default", None, rules.default)]
    rows += [_rule_row("app", key, rule) for key, rule in sorted(rules.apps.items())]
    rows += [_rule_row("platform", key, rule) for key, rule in sorted(rules.platforms.items())]
    return "\nUNION ALL\n".join(rows)


class Formats:
    """How the checks test a value's format: portable regular expressions, or DuckDB's own
    faster tests (:data:`DUCKDB_MACROS`), which say the same of every value."""

    def __init__(self, fast: bool) -> None:
        self.fast = fast

    def uuid(self, value: str) -> str:
        return f"is_uuid({value})" if self.fast else f"regexp_matches({value}, '{UUID}')"

    def user_id(self, value: str) -> str:
        return f"is_user_id({value})" if self.fast else f"regexp_matches({value}, '{USER_ID}')"

    def date_time(self, value: str) -> str:
        return f"regexp_matches({value}, '{DATE_TIME}')"


DUCKDB_MACROS = (
    "CREATE OR REPLACE TEMP MACRO is_uuid(x) AS length(x) = 36 AND strpos(x, '-') = 9 AND "
    "substr(x, 14, 1) = '-' AND substr(x, 19, 1) = '-' AND substr(x, 24, 1) = '-' AND "
    "TRY_CAST(x AS UUID) IS NOT NULL",
    "CREATE OR REPLACE TEMP MACRO is_user_id(x) AS "
    "coalesce(CAST(TRY_CAST(x AS UUID) AS VARCHAR) = x, FALSE) OR "
    "(length(x) = 16 AND x = lower(x) AND TRY_CAST(('0x' || x) AS UBIGINT) IS NOT NULL)",
)
"""DuckDB's tests of :data:`UUID` and :data:`USER_ID`, three times faster than the patterns
(its UUID cast ignores where hyphens are: the positions are checked here; a lower-case UUID
is one that the cast writes back the same)."""


_MISSING = (
    ("user_id", "userId"),
    ("session_id", "sessionId"),
    ("session_index", "sessionIndex"),
    ("storage_mechanism", "storageMechanism"),
)


def _ranges() -> list[str]:
    """The checks of an event's own numbers and storage mechanism: (WHEN … THEN …)."""
    return [
        f"WHEN session_index < 0 OR session_index > {MAX_INDEX} THEN "
        + say("sessionIndex {session_index} is out of 0 to " + str(MAX_INDEX)),
        f"WHEN event_index < 0 OR event_index > {MAX_INDEX} THEN "
        + say("eventIndex {event_index} is out of 0 to " + str(MAX_INDEX)),
        f"WHEN storage_mechanism NOT IN ({', '.join(map(quote, STORAGE))}) THEN "
        + say("storageMechanism {storage_mechanism} is not one of " + ", ".join(STORAGE)),
    ]


def _found() -> list[str]:
    """The first checks of an event: what a reader found, then a required field missing."""
    return [
        "WHEN problem IS NOT NULL THEN problem",
        *(f"WHEN {name} IS NULL THEN '{label} is missing'" for name, label in _MISSING),
    ]


def _flaw() -> str:
    """What is wrong with an event that costs little to see (what a reader found, a field
    missing, a number out of range, an unknown storage mechanism), or NULL. An event with a
    flaw is invalid; one without may still be (:func:`invalid_sql`)."""
    return "CASE " + " ".join([*_found(), *_ranges()]) + " END"


def invalid_sql(formats: Formats) -> str:
    """Why an event's entity fails its schema, or NULL: what a reader found, else the first
    field that is missing or out of its definition. The id and time patterns cost most, so
    the checks test them once a session where they can (:mod:`.checks`), and event by event
    only for the events they read a second time."""
    uuid_fields = ("session_id", "previous_session_id", "first_event_id")
    checks = [
        *_found(),
        f"WHEN NOT {formats.user_id('user_id')} THEN "
        + say("userId is not a lower-case UUID or 16 hex digits: {user_id}"),
        *(
            f"WHEN {name} IS NOT NULL AND NOT {formats.uuid(name)} THEN "
            + say(f"{label} is not a UUID: {{{name}}}")
            for name, label in zip(
                uuid_fields, ("sessionId", "previousSessionId", "firstEventId"), strict=True
            )
        ),
        *_ranges(),
        "WHEN first_event_timestamp IS NOT NULL AND NOT "
        f"{formats.date_time('first_event_timestamp')} THEN "
        + say("firstEventTimestamp is not a date-time: {first_event_timestamp}"),
    ]
    return "CASE " + " ".join(checks) + " END"


_TIME = (
    "coalesce(derived_ms, CASE WHEN created_ms IS NOT NULL AND sent_ms IS NOT NULL AND "
    "collector_ms IS NOT NULL THEN collector_ms - (sent_ms - created_ms) END, created_ms, "
    "sent_ms)"
)


def events_step() -> str:
    """Each event with its time (``t_ms``, NULL if unknown), its order in its session
    (``ord``: the eventIndex, then arrival; never negative, since the Redshift form compares
    it as padded text) and its ``flaw`` (:func:`_flaw`)."""
    return f"""
SELECT *,
  CASE WHEN raw_ms IS NULL THEN NULL
       WHEN collector_ms IS NOT NULL AND raw_ms > collector_ms + {FUTURE_MS} THEN NULL
       WHEN collector_ms IS NOT NULL AND raw_ms < collector_ms - {PAST_MS} THEN NULL
       ELSE raw_ms END AS t_ms,
  coalesce(CASE WHEN event_index BETWEEN 0 AND {MAX_INDEX} THEN
             event_index * 4294967296 + coalesce(collector_ms, 0) % 4294967296 END,
           greatest(coalesce(collector_ms, raw_ms, 0), 0)) AS ord,
  CASE WHEN event_name IN ('{BACKGROUND}', '{FOREGROUND}') THEN event_name END AS lifecycle
FROM (SELECT *, {_TIME} AS raw_ms, {_flaw()} AS flaw FROM events) AS timed
"""
