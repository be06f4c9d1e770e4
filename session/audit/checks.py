"""The session-chain checks, defined once as SQL over the ``events`` relation (:mod:`.columns`).

DuckDB runs this text as it is; Spark and the warehouses run it as sqlglot writes it in their
dialect (:mod:`.dialects`). Nothing here is per engine.

How a user's chain is read, from the tracker's own evidence:

- events are grouped into sessions by ``(user_id, session_id, session_index)``; duplicated
  ``event_id``\\ s count once;
- within a session, events are in ``eventIndex`` order (where the tracker sends none, in the
  collector's order of arrival); sessions are in ``sessionIndex`` order, and a session's
  ``previousSessionId`` names the session it follows;
- device times only measure idle gaps. An event's time is Snowplow's ``derived_tstamp`` (the
  device's time corrected by how long the event waited to be sent), else the device's own
  time; a time after its arrival, or a year before it, comes from a clock that was wrong and
  is unknown. A gap from or to an unknown time, or one that runs backwards (a clock set back),
  is unknown and not judged. A gap is measured from the latest time before it, and a session
  starts at its first event's time: an event made just before its device's clock went forward
  and sent just after has a time an hour early, and must not open an hour's gap after it nor
  move its session's start;
- the timeout in force after an event is the background timeout once an
  ``application_background`` event has come (until an ``application_foreground`` one), else
  the foreground timeout; a timeout given nowhere is not judged (:mod:`.rules`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .kinds import Kind
from .rules import Rule, Rules

__all__ = [
    "CTES",
    "DUCKDB_CTES",
    "DUCKDB_MACROS",
    "PASS_STEPS",
    "SESSION_FACTS",
    "SESSION_STEPS",
    "checks",
    "findings_query",
    "sessions_query",
]

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

_PLACE = re.compile(r"\{(\w+)\}")


def _text(value: str) -> str:
    return "CAST(" + value + " AS VARCHAR)"


def _say(template: str, **values: str) -> str:
    """A message as SQL: ``{name}`` is the column ``name`` (or the expression given for it),
    written as text, ``null`` where it is NULL."""
    parts: list[str] = []
    at = 0
    for match in _PLACE.finditer(template):
        if match.start() > at:
            parts.append(_quote(template[at : match.start()]))
        expression = values.get(match.group(1), match.group(1))
        parts.append(f"coalesce({_text(expression)}, 'null')")
        at = match.end()
    if at < len(template):
        parts.append(_quote(template[at:]))
    return "concat(" + ", ".join(parts) + ")"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _seconds(ms: str) -> str:
    """Milliseconds as seconds to a tenth, cut not rounded (``1800.0``), the same in every
    dialect."""
    return (
        f"concat({_text(f'CAST(floor({ms} / 1000) AS BIGINT)')}, '.', "
        f"{_text(f'CAST(floor(({ms} % 1000) / 100) AS BIGINT)')})"
    )


def _ms(value: float | None) -> str:
    return "CAST(NULL AS BIGINT)" if value is None else str(round(value * 1000))


def _flag(rule: Rule, cause: str) -> str:
    if rule.new_sessions is None:
        return "CAST(NULL AS BOOLEAN)"
    return "TRUE" if cause in rule.new_sessions else "FALSE"


def _rule_row(level: str, key: str | None, rule: Rule) -> str:
    named = "CAST(NULL AS VARCHAR)" if key is None else _quote(key)
    values = (
        f"{_quote(level)} AS level",
        f"{named} AS key",
        f"{_ms(rule.foreground_timeout)} AS fg_ms",
        f"{_ms(rule.background_timeout)} AS bg_ms",
        f"{_ms(rule.check_interval)} AS interval_ms",
        f"{_flag(rule, 'start')} AS expect_start",
        f"{_flag(rule, 'on_demand')} AS expect_demand",
    )
    return "SELECT " + ", ".join(values)


def _rules(rules: Rules) -> str:
    rows = [_rule_row("default", None, rules.default)]
    rows += [_rule_row("app", key, rule) for key, rule in sorted(rules.apps.items())]
    rows += [_rule_row("platform", key, rule) for key, rule in sorted(rules.platforms.items())]
    return "\nUNION ALL\n".join(rows)


class _Formats:
    """How the checks test a value's format: portable regular expressions, or DuckDB's own
    faster tests (:data:`DUCKDB_MACROS`), which say the same of every value."""

    def __init__(self, fast: bool) -> None:
        self.fast = fast

    def uuid(self, value: str) -> str:
        return f"is_uuid({value})" if self.fast else f"regexp_matches({value}, '{UUID}')"

    def user_id(self, value: str) -> str:
        return f"is_user_id({value})" if self.fast else f"regexp_matches({value}, '{USER_ID}')"


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


def _invalid(formats: _Formats) -> str:
    """Why an event's entity fails its schema, or NULL: what a reader found, else the first
    field that is missing or out of its definition."""
    uuid_fields = ("session_id", "previous_session_id", "first_event_id")
    checks = [
        "WHEN problem IS NOT NULL THEN problem",
        *(
            f"WHEN {name} IS NULL THEN '{label} is missing'"
            for name, label in (
                ("user_id", "userId"),
                ("session_id", "sessionId"),
                ("session_index", "sessionIndex"),
                ("storage_mechanism", "storageMechanism"),
            )
        ),
        f"WHEN NOT {formats.user_id('user_id')} THEN "
        + _say("userId is not a lower-case UUID or 16 hex digits: {user_id}"),
        *(
            f"WHEN {name} IS NOT NULL AND NOT {formats.uuid(name)} THEN "
            + _say(f"{label} is not a UUID: {{{name}}}")
            for name, label in zip(
                uuid_fields, ("sessionId", "previousSessionId", "firstEventId"), strict=True
            )
        ),
        f"WHEN session_index < 0 OR session_index > {MAX_INDEX} THEN "
        + _say("sessionIndex {session_index} is out of 0 to " + str(MAX_INDEX)),
        f"WHEN event_index < 0 OR event_index > {MAX_INDEX} THEN "
        + _say("eventIndex {event_index} is out of 0 to " + str(MAX_INDEX)),
        f"WHEN storage_mechanism NOT IN ({', '.join(map(_quote, STORAGE))}) THEN "
        + _say("storageMechanism {storage_mechanism} is not one of " + ", ".join(STORAGE)),
        "WHEN first_event_timestamp IS NOT NULL AND NOT regexp_matches(first_event_timestamp, "
        f"'{DATE_TIME}') THEN "
        + _say("firstEventTimestamp is not a date-time: {first_event_timestamp}"),
    ]
    return "CASE " + " ".join(checks) + " END"


_TIME = (
    "coalesce(derived_ms, CASE WHEN created_ms IS NOT NULL AND sent_ms IS NOT NULL AND "
    "collector_ms IS NOT NULL THEN collector_ms - (sent_ms - created_ms) END, created_ms, "
    "sent_ms)"
)


def _ev(formats: _Formats) -> str:
    """Each event with its time (``t_ms``, NULL if unknown), its order in its session
    (``ord``: the eventIndex, then arrival; never negative, since the Redshift form compares
    it as padded text) and what is invalid in it."""
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
FROM (SELECT *, {_TIME} AS raw_ms, {_invalid(formats)} AS invalid FROM events) AS timed
"""


_SESS = """
SELECT user_id, session_id, session_index,
  count(*) AS n,
  count(DISTINCT event_id) + count(*) - count(event_id) AS events,
  count(event_index) AS n_idx,
  count(lifecycle) AS lifecycles,
  count(DISTINCT event_index) AS d_idx,
  min(collector_ms) AS seen_ms,
  min(coalesce(t_ms, collector_ms)) AS first_ms,
  max(coalesce(t_ms, collector_ms)) AS last_ms,
  CAST(arg_min(t_ms, CASE WHEN t_ms IS NOT NULL THEN ord END) AS BIGINT) AS first_t,
  max(t_ms) AS last_t,
  min(coalesce(previous_session_id, '')) AS prev_min,
  max(coalesce(previous_session_id, '')) AS prev_max,
  arg_min(coalesce(previous_session_id, ''), ord) AS prev,
  min(first_event_id) AS fid_min,
  max(first_event_id) AS fid_max,
  arg_min(first_event_id, CASE WHEN first_event_id IS NOT NULL THEN ord END) AS fid,
  arg_min(coalesce(event_id, ''), ord) AS first_event,
  arg_max(lifecycle, CASE WHEN lifecycle IS NOT NULL THEN ord END) AS end_state,
  min(app_id) AS app_id,
  min(platform) AS platform,
  min(v_tracker) AS v_tracker,
  min(capture) AS capture,
  list_sort(list_distinct(list(capture))) AS captures
FROM ev WHERE invalid IS NULL
GROUP BY user_id, session_id, session_index
"""

_RULED = """
SELECT s.*,
  coalesce(a.fg_ms, p.fg_ms, d.fg_ms) AS fg_ms,
  coalesce(a.bg_ms, p.bg_ms, d.bg_ms) AS bg_ms,
  coalesce(a.interval_ms, p.interval_ms, d.interval_ms, 0) AS interval_ms,
  coalesce(a.expect_start, p.expect_start, d.expect_start, s.v_tracker LIKE 'cs-%', FALSE)
    AS expect_start,
  coalesce(a.expect_demand, p.expect_demand, d.expect_demand, FALSE) AS expect_demand
FROM sess AS s
CROSS JOIN (SELECT * FROM rules WHERE level = 'default') AS d
LEFT JOIN (SELECT * FROM rules WHERE level = 'app') AS a ON a.key = s.app_id
LEFT JOIN (SELECT * FROM rules WHERE level = 'platform') AS p ON p.key = s.platform
"""

_LINKS = """
SELECT user_id, session_id AS link_id, max(session_index) AS link_index
FROM sess GROUP BY user_id, session_id
"""

_BEFORE = "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING"
"""A window's frame of the rows before this one (spelled out in each window: Spark, Snowflake
and Redshift take no frame added to a named window)."""

_USER = "PARTITION BY r.user_id ORDER BY r.session_index, r.seen_ms, r.session_id"

_CHAIN = f"""
SELECT r.*,
  l.link_index,
  lag(r.session_id) OVER w AS b_id,
  lag(r.session_index) OVER w AS b_index,
  lag(r.last_t) OVER w AS b_last_t,
  lag(r.seen_ms) OVER w AS b_seen,
  max(r.session_index) OVER (PARTITION BY r.user_id ORDER BY r.seen_ms NULLS FIRST,
    r.session_index NULLS FIRST, r.session_id NULLS FIRST {_BEFORE}) AS high,
  coalesce(last_value(r.end_state IGNORE NULLS) OVER ({_USER} {_BEFORE}),
    'application_foreground') AS start_state,
  first_value(r.session_id) OVER (PARTITION BY r.user_id, r.fid ORDER BY r.session_index,
    r.seen_ms, r.session_id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS fid_owner
FROM ruled AS r
LEFT JOIN links AS l ON l.user_id = r.user_id AND l.link_id = r.prev AND r.prev <> ''
WINDOW w AS ({_USER})
"""

_TIMED = """
SELECT *,
  CASE WHEN first_t IS NULL OR b_last_t IS NULL OR first_t < b_last_t THEN NULL
       ELSE first_t - b_last_t END AS idle_ms,
  CASE WHEN start_state = 'application_background' THEN bg_ms ELSE fg_ms END AS before_ms
FROM chain
"""

_STATE = "CASE WHEN start_state = 'application_background' THEN 'background' ELSE 'foreground' END"


def _linked() -> list[tuple[str, str, str]]:
    """Each session's place in its chain: (kind, condition, message), at most one a session.

    ``b`` is the session before in index order; ``link`` the session its previousSessionId
    names, where seen. Two sessions with one index: the later one took a new id without
    counting (it links to the other, or nothing says otherwise), or reused an index (it links
    to the session before that index, or a higher index came before it: a state behind, or
    storage lost). A session that links to nothing seen is judged against ``b`` only if ``b``
    arrived first: otherwise ``b`` is the one out of place."""
    same = "coalesce(b_index = session_index, FALSE)"
    behind = (
        "(coalesce(link_index = session_index - 1, FALSE) OR coalesce(high > session_index, FALSE))"
    )
    rose = f"NOT {same} AND coalesce(b_id = session_id, FALSE)"
    linked = f"NOT {same} AND NOT coalesce(b_id = session_id, FALSE) AND link_index IS NOT NULL"
    unlinked = (
        f"NOT {same} AND NOT coalesce(b_id = session_id, FALSE) AND link_index IS NULL AND "
        "b_index IS NOT NULL AND b_seen <= seen_ms"
    )
    before = "b_index = session_index - 1 AND b_seen <= seen_ms"
    return [
        (
            Kind.ID_CHANGED_WITHOUT_INDEX.value,
            f"{same} AND (prev = b_id OR NOT {behind})",
            _say(
                "the session id changed ({b_id} to {session_id}) but the index stayed "
                "{session_index}"
            ),
        ),
        (
            Kind.INDEX_REUSED.value,
            f"{same} AND prev <> b_id AND {behind}",
            _say("index {session_index} is used by two sessions: {b_id} and {session_id}"),
        ),
        (
            Kind.INDEX_WENT_BACK.value,
            f"{linked} AND link_index > session_index",
            _say(
                "session {session_index} ({session_id}) follows session {link_index} ({prev}),"
                " its previousSessionId: the index went back"
            ),
        ),
        (
            Kind.ID_CHANGED_WITHOUT_INDEX.value,
            f"{linked} AND link_index = session_index AND prev <> session_id",
            _say(
                "the session id changed ({prev} to {session_id}) but the index stayed "
                "{session_index}"
            ),
        ),
        (
            Kind.BROKEN_CHAIN.value,
            f"{linked} AND link_index < session_index - 1 AND {before}",
            _say(
                "session {session_index} ({session_id}) has previousSessionId {prev}, not the "
                "session before it ({b_id})"
            ),
        ),
        (
            Kind.INDEX_GAP.value,
            f"{linked} AND link_index < session_index - 1 AND NOT coalesce({before}, FALSE)",
            _say(
                "the index jumped from session {link_index} ({prev}) to {session_index} "
                "({session_id}): {missing} session(s) missing",
                missing="session_index - link_index - 1",
            ),
        ),
        (
            Kind.BROKEN_CHAIN.value,
            f"{linked} AND prev = session_id",
            _say("session {session_index} ({session_id}) names itself as its previous session"),
        ),
        (
            Kind.INDEX_GAP.value,
            f"{unlinked} AND b_index < session_index - 1",
            _say(
                "the index jumped from session {b_index} ({b_id}) to {session_index} "
                "({session_id}): {missing} session(s) missing",
                missing="session_index - b_index - 1",
            ),
        ),
        (
            Kind.BROKEN_CHAIN.value,
            f"{rose}",
            _say(
                "the index rose from {b_index} to {session_index} but the session id "
                "({session_id}) did not change"
            ),
        ),
        (
            Kind.BROKEN_CHAIN.value,
            f"{unlinked} AND b_index = session_index - 1",
            _say(
                "session {session_index} ({session_id}) has previousSessionId {shown}, not "
                "the session before it ({b_id})",
                shown="nullif(prev, '')",
            ),
        ),
    ]


def _early() -> str:
    return (
        "b_id IS NOT NULL AND b_id <> session_id AND idle_ms IS NOT NULL AND before_ms IS NOT "
        "NULL AND idle_ms < before_ms"
    )


_OTHER_PREV = "nullif(CASE WHEN prev = prev_min THEN prev_max ELSE prev_min END, '')"


def _session_checks() -> list[tuple[str, str, str]]:
    """The checks of a session but its place in the chain: (kind, condition, message)."""
    checks = []
    checks.append(
        (
            Kind.INDEX_STARTS_AT_ZERO.value,
            "session_index = 0",
            _say("session {session_id} has index 0: the first session's index is 1"),
        )
    )
    checks.append(
        (
            Kind.BROKEN_CHAIN.value,
            "prev_min <> prev_max",
            "concat("
            + _say(
                "session {session_index} ({session_id}) changed its previousSessionId mid-session "
                "from {first} to {other}",
                first="nullif(prev, '')",
                other=_OTHER_PREV,
            )
            + f", CASE WHEN {_OTHER_PREV} IS NULL THEN ': the tracker lost its stored state "
            "(cookies or storage cleared) but kept the session in memory' ELSE '' END)",
        )
    )
    checks.append(
        (
            Kind.FIRST_EVENT_ID_CHANGED.value,
            "fid_min <> fid_max",
            _say(
                "session {session_index} ({session_id}) has more than one firstEventId: {fid} "
                "and {other}",
                other="CASE WHEN fid = fid_min THEN fid_max ELSE fid_min END",
            ),
        )
    )
    checks.append(
        (
            Kind.FIRST_EVENT_ID_REUSED.value,
            "fid IS NOT NULL AND fid_owner <> session_id",
            _say(
                "session {session_index} ({session_id}) has the firstEventId {fid} of an earlier "
                "session ({fid_owner})"
            ),
        )
    )
    checks.append(
        (
            Kind.EARLY_NEW_SESSION.value,
            f"{_early()} AND NOT expect_start AND NOT expect_demand",
            _say(
                "a new session (from session {b_index} ({b_id}) to {session_index} ({session_id}))"
                " started after only {idle} s idle, less than the {state} timeout ({timeout} s)",
                idle=_seconds("idle_ms"),
                state=_STATE,
                timeout=_seconds("before_ms"),
            ),
        )
    )
    return checks


def _session_findings() -> str:
    """A row per session finding: its place in the chain (one CASE, since at most one of
    those holds), then each other check."""
    columns = (
        "user_id, session_id, session_index, kind, nullif(first_event, '') AS event_id, "
        "coalesce(first_t, seen_ms) AS at_ms, message, app_id, platform, v_tracker, capture"
    )
    linked = _linked()
    kind = " ".join(f"WHEN {condition} THEN '{name}'" for name, condition, _ in linked)
    message = " ".join(f"WHEN {condition} THEN {text}" for _, condition, text in linked)
    selects = [
        f"SELECT {columns} FROM (SELECT *, CASE {kind} END AS kind, CASE {message} END AS "
        "message FROM timed) AS placed WHERE kind IS NOT NULL"
    ]
    for name, condition, text in _session_checks():
        selects.append(
            f"SELECT {columns} FROM (SELECT *, '{name}' AS kind, {text} AS message FROM timed "
            f"WHERE {condition}) AS {name}"
        )
    return "\nUNION ALL\n".join(selects)


_CANDIDATES = """
SELECT user_id, session_id, session_index, start_state, fg_ms, bg_ms, interval_ms, n_idx, d_idx,
  n > events AS duplicated, app_id, platform, v_tracker, capture
FROM timed
WHERE n_idx > d_idx
   OR last_t - first_t > interval_ms + CASE
        WHEN start_state = 'application_background' OR lifecycles > 0
        THEN least(coalesce(fg_ms, bg_ms), coalesce(bg_ms, fg_ms))
        ELSE fg_ms END
"""
"""Sessions worth a look event by event: a repeated eventIndex, or a span long enough to hold
an idle gap past a timeout that can be in force in it (the background one only where the app
went to the background)."""

_PASSED = (
    "event_id, t_ms, ord, lifecycle, event_index, collector_ms, user_id, session_id, "
    "session_index, start_state, fg_ms, bg_ms, interval_ms, app_id, platform, v_tracker, "
    "capture, repeats"
)

_PASS = """
SELECT e.event_id, e.t_ms, e.ord, e.lifecycle, e.event_index, e.collector_ms, e.capture,
  e.invalid, coalesce(c.user_id, e.user_id) AS user_id, c.session_id, c.session_index,
  c.start_state, c.fg_ms, c.bg_ms, c.interval_ms, coalesce(c.app_id, e.app_id) AS app_id,
  coalesce(c.platform, e.platform) AS platform, coalesce(c.v_tracker, e.v_tracker) AS v_tracker,
  c.n_idx > c.d_idx AS repeats, c.duplicated
FROM ev AS e
LEFT JOIN candidates AS c
  ON e.user_id = c.user_id AND e.session_id = c.session_id AND e.session_index = c.session_index
  AND e.invalid IS NULL
WHERE e.invalid IS NOT NULL OR c.user_id IS NOT NULL
"""
"""The events the second pass reads, in one read of ``ev``: those of the candidate sessions
(with their session's facts; a session's app, platform and tracker are its first ones) and
those whose entity is invalid."""

_DEDUPED = f"""
SELECT {_PASSED} FROM pass WHERE invalid IS NULL AND (NOT duplicated OR event_id IS NULL)
UNION ALL
SELECT {_PASSED}
FROM (
  SELECT *, row_number() OVER (PARTITION BY user_id, session_id, session_index, event_id
    ORDER BY collector_ms, ord) AS copy
  FROM pass WHERE invalid IS NULL AND duplicated AND event_id IS NOT NULL
) AS copies
WHERE copy = 1
"""
"""The candidates' events, each once: a duplicated ``event_id`` by its first copy to arrive,
looked for only in the sessions that hold one."""

_SESSION = (
    "PARTITION BY user_id, session_id, session_index ORDER BY ord NULLS FIRST, "
    "coalesce(event_id, '') NULLS FIRST"
)
"""An event's place in its session. Nothing in the order is NULL; NULLS FIRST says so in the
words BigQuery needs for a running ``max``, whose NULL order sqlglot cannot otherwise write."""

_GAPS = f"""
SELECT *,
  CASE WHEN t_ms IS NULL OR latest_ms IS NULL OR t_ms < latest_ms THEN NULL
       ELSE t_ms - latest_ms END AS gap_ms
FROM (
  SELECT *,
    max(t_ms) OVER ({_SESSION} {_BEFORE}) AS latest_ms,
    coalesce(last_value(lifecycle IGNORE NULLS) OVER ({_SESSION} {_BEFORE}), start_state)
      AS state
  FROM deduped
) AS ordered
"""

_EVENT_FINDINGS = f"""
SELECT user_id, session_id, session_index, '{
    Kind.MISSED_EXPIRY.value
}' AS kind, event_id, t_ms AS at_ms,
  {
    _say(
        "session {session_index} ({session_id}) went on after {gap} s idle, longer than the "
        "{state} timeout ({timeout} s) plus the check interval ({interval} s): a new session "
        "should have started",
        gap=_seconds("gap_ms"),
        timeout=_seconds("timeout_ms"),
        interval=_seconds("interval_ms"),
        state="CASE WHEN state = 'application_background' THEN 'background' ELSE 'foreground' END",
    )
} AS message,
  app_id, platform, v_tracker, capture
FROM (SELECT *, CASE WHEN state = 'application_background' THEN bg_ms ELSE fg_ms END
        AS timeout_ms FROM gaps) AS judged
WHERE gap_ms IS NOT NULL AND timeout_ms IS NOT NULL AND gap_ms > timeout_ms + interval_ms
UNION ALL
SELECT user_id, session_id, session_index, '{
    Kind.EVENT_INDEX_REPEATED.value
}' AS kind, event_id, at_ms,
  {
    _say(
        "in session {session_index} ({session_id}) the eventIndex {event_index} is used by "
        "{count} events: it did not rise"
    )
} AS message,
  app_id, platform, v_tracker, capture
FROM (
  SELECT user_id, session_id, session_index, event_index, count(*) AS count,
    max(event_id) AS event_id, max(coalesce(t_ms, collector_ms)) AS at_ms,
    min(app_id) AS app_id, min(platform) AS platform, min(v_tracker) AS v_tracker,
    min(capture) AS capture
  FROM gaps WHERE repeats AND event_index IS NOT NULL
  GROUP BY user_id, session_id, session_index, event_index
  HAVING count(*) > 1
) AS repeated
"""

_INVALID_FINDINGS = f"""
SELECT user_id, NULL AS session_id, NULL AS session_index, '{Kind.INVALID_ENTITY.value}' AS kind,
  event_id,
  coalesce(t_ms, collector_ms) AS at_ms,
  {_say("an event's client_session entity is invalid, so it is outside the chain: {invalid}")}
    AS message,
  app_id, platform, v_tracker, capture
FROM (
  SELECT *, row_number() OVER (PARTITION BY event_id ORDER BY collector_ms, ord) AS copy
  FROM pass WHERE invalid IS NOT NULL
) AS bad
WHERE copy = 1 OR event_id IS NULL
"""

_FINDINGS = """
SELECT coalesce(user_id, '(unknown user)') AS user_id, session_id, kind, event_id,
  at_ms, message, app_id, platform, v_tracker, session_index, capture
FROM (
  SELECT * FROM session_findings
  UNION ALL SELECT * FROM event_findings
  UNION ALL SELECT * FROM invalid_findings
) AS every
"""

CTES: tuple[tuple[str, str], ...] = (
    ("ev", _ev(_Formats(fast=False))),
    ("sess", _SESS),
    ("ruled", _RULED),
    ("links", _LINKS),
    ("chain", _CHAIN),
    ("timed", _TIMED),
    ("session_findings", _session_findings()),
    ("candidates", _CANDIDATES),
    ("pass", _PASS),
    ("deduped", _DEDUPED),
    ("gaps", _GAPS),
    ("event_findings", _EVENT_FINDINGS),
    ("invalid_findings", _INVALID_FINDINGS),
    ("findings", _FINDINGS),
)
"""The checks, step by step: every step reads ``events``, ``rules`` or a step before it."""

DUCKDB_CTES = (("ev", _ev(_Formats(fast=True))), *CTES[1:])
"""The same steps with DuckDB's faster format tests (:data:`DUCKDB_MACROS` must be defined)."""

SESSION_STEPS = ("ev", "sess", "ruled", "links", "chain", "timed")
"""The steps to ``timed``, a row per session: an engine may keep it and run the rest on it."""

PASS_STEPS = ("ev", "candidates", "pass")
"""The steps to ``pass`` over a kept ``timed``: the events read a second time. An engine may
keep it too, so that the steps after it, which read it more than once, read no event again."""

SESSION_FACTS = (
    """
SELECT *,
  CASE WHEN idle_ms IS NOT NULL AND before_ms IS NOT NULL AND idle_ms > before_ms
       THEN (CASE WHEN start_state = 'application_background' THEN 'background'
                  ELSE 'foreground' END) END AS exceeded,
  CASE WHEN """
    + _early()
    + """ THEN (CASE WHEN expect_start THEN 'start'
       WHEN expect_demand THEN 'on_demand' END) END AS expected
FROM timed
"""
)
"""Each session with the timeout its idle gap exceeded and, for one that came early by the
app's design, why (``start``, ``on_demand``)."""


def checks(rules: Rules, steps: Iterable[tuple[str, str]] = CTES) -> str:
    """``WITH rules AS (…), ev AS (…), …``: the steps as one WITH clause, for ``rules``."""
    parts = [f"rules AS (\n{_rules(rules)}\n)"]
    parts += [f"{name} AS (\n{body.strip()}\n)" for name, body in steps]
    return "WITH " + ",\n".join(parts)


def findings_query(rules: Rules) -> str:
    """Every finding, a row each (:data:`~.columns.FINDING_COLUMNS` and more), over ``events``."""
    return checks(rules) + "\nSELECT * FROM findings"


def sessions_query(rules: Rules) -> str:
    """Every session, a row each over ``events``."""
    steps = [step for step in CTES if step[0] in SESSION_STEPS]
    return checks(rules, steps) + "\n" + SESSION_FACTS
