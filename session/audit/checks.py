"""The session-chain checks, defined once as SQL over the ``events`` relation (:mod:`.columns`).

DuckDB runs this text as it is; Spark and the warehouses run it as sqlglot writes it in their
dialect (:mod:`.dialects`). Nothing here is per engine.

How a user's chain is read, from the tracker's own evidence:

- events are grouped into sessions by ``(user_id, session_id, session_index)``; an event
  received twice (the same ``event_id`` and eventIndex) counts once;
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

Most sessions are judged from one read of their events (``fast``); only the odd ones, and
those that can hold a long idle gap, are read again event by event (``pass``): :data:`STAGES`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .event_checks import DUCKDB_MACROS, Formats, events_step, rules_table
from .first_read import FLAGGED, SESSIONS, WALKED, fast, pass_rows, ruled
from .kinds import Kind
from .rules import Rules
from .session_checks import early, session_findings
from .sql import say, seconds

__all__ = [
    "CTES",
    "DUCKDB_CTES",
    "DUCKDB_MACROS",
    "SESSION_FACTS",
    "STAGES",
    "checks",
    "findings_query",
    "sessions_query",
    "stage_query",
]

_RULED = ruled("sess")

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

_PICKED = """
SELECT e.event_id, e.t_ms, e.ord, e.lifecycle, e.event_index, e.collector_ms, e.capture,
  e.invalid, coalesce(c.user_id, e.user_id) AS user_id, c.session_id, c.session_index,
  c.start_state, c.fg_ms, c.bg_ms, c.interval_ms, coalesce(c.app_id, e.app_id) AS app_id,
  coalesce(c.platform, e.platform) AS platform, coalesce(c.v_tracker, e.v_tracker) AS v_tracker,
  c.n_idx > c.d_idx AS repeats, c.duplicated
FROM pass AS e
LEFT JOIN candidates AS c
  ON e.user_id = c.user_id AND e.session_id = c.session_id AND e.session_index = c.session_index
  AND e.invalid IS NULL
WHERE e.invalid IS NOT NULL OR c.user_id IS NOT NULL
"""
"""The events read a second time that the event checks look at: those of the candidate
sessions (with their session's facts; a session's app, platform and tracker are its first
ones) and those whose entity is invalid."""

_DEDUPED = f"""
SELECT {_PASSED} FROM picked WHERE invalid IS NULL AND (NOT duplicated OR event_id IS NULL)
UNION ALL
SELECT {_PASSED}
FROM (
  SELECT *, row_number() OVER (PARTITION BY user_id, session_id, session_index, event_id,
    event_index ORDER BY collector_ms, ord) AS copy
  FROM picked WHERE invalid IS NULL AND duplicated AND event_id IS NOT NULL
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
    say(
        "session {session_index} ({session_id}) went on after {gap} s idle, longer than the "
        "{state} timeout ({timeout} s) plus the check interval ({interval} s): a new session "
        "should have started",
        gap=seconds("gap_ms"),
        timeout=seconds("timeout_ms"),
        interval=seconds("interval_ms"),
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
    say(
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
  {say("an event's client_session entity is invalid, so it is outside the chain: {invalid}")}
    AS message,
  app_id, platform, v_tracker, capture
FROM (
  SELECT *, row_number() OVER (PARTITION BY event_id ORDER BY collector_ms, ord) AS copy
  FROM picked WHERE invalid IS NOT NULL
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


def _steps(formats: Formats) -> tuple[tuple[str, str], ...]:
    return (
        ("ev", events_step()),
        ("walked", WALKED),
        ("fast", fast(formats)),
        ("flagged", FLAGGED),
        ("pass", pass_rows(formats)),
        ("sess", SESSIONS),
        ("ruled", _RULED),
        ("links", _LINKS),
        ("chain", _CHAIN),
        ("timed", _TIMED),
        ("session_findings", session_findings()),
        ("candidates", _CANDIDATES),
        ("picked", _PICKED),
        ("deduped", _DEDUPED),
        ("gaps", _GAPS),
        ("event_findings", _EVENT_FINDINGS),
        ("invalid_findings", _INVALID_FINDINGS),
        ("findings", _FINDINGS),
    )


CTES = _steps(Formats(fast=False))
"""The checks, step by step: every step reads ``events``, ``rules`` or a step before it."""

DUCKDB_CTES = _steps(Formats(fast=True))
"""The same steps with DuckDB's faster format tests (:data:`DUCKDB_MACROS` must be defined)."""

STAGES = (
    ("fast", ("ev", "walked", "fast")),
    ("pass", ("ev", "flagged", "pass")),
    ("timed", ("sess", "ruled", "links", "chain", "timed")),
    (
        "findings",
        (
            "session_findings",
            "candidates",
            "picked",
            "deduped",
            "gaps",
            "event_findings",
            "invalid_findings",
            "findings",
        ),
    ),
)
"""The steps in four parts, each ending in a table an engine may keep for the parts after:
every session from one read of the events (``fast``); the events read again (``pass``);
every session in its chain (``timed``); every finding (``findings``). Each part reads the
events, or the tables kept before it."""


def stage_query(rules: Rules, steps: Sequence[tuple[str, str]], stage: str) -> str:
    """The query of ``stage`` (one of :data:`STAGES`), from ``steps``: its table's rows."""
    names = dict(STAGES)[stage]
    kept = [step for step in steps if step[0] in names]
    return checks(rules, kept) + f"\nSELECT * FROM {stage}"


SESSION_FACTS = (
    """
SELECT *,
  CASE WHEN idle_ms IS NOT NULL AND before_ms IS NOT NULL AND idle_ms > before_ms
       THEN (CASE WHEN start_state = 'application_background' THEN 'background'
                  ELSE 'foreground' END) END AS exceeded,
  CASE WHEN """
    + early()
    + """ THEN (CASE WHEN expect_start THEN 'start'
       WHEN expect_demand THEN 'on_demand' END) END AS expected
FROM timed
"""
)
"""Each session with the timeout its idle gap exceeded and, for one that came early by the
app's design, why (``start``, ``on_demand``)."""


def checks(rules: Rules, steps: Iterable[tuple[str, str]] = CTES) -> str:
    """``WITH rules AS (…), ev AS (…), …``: the steps as one WITH clause, for ``rules``."""
    parts = [f"rules AS (\n{rules_table(rules)}\n)"]
    parts += [f"{name} AS (\n{body.strip()}\n)" for name, body in steps]
    return "WITH " + ",\n".join(parts)


def findings_query(rules: Rules) -> str:
    """Every finding, a row each (:data:`~.columns.FINDING_COLUMNS` and more), over ``events``."""
    return checks(rules) + "\nSELECT * FROM findings"


def sessions_query(rules: Rules) -> str:
    """Every session, a row each over ``events``."""
    steps = [step for step in CTES if step[0] not in dict(STAGES)["findings"]]
    return checks(rules, steps) + "\n" + SESSION_FACTS
