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

from .event_checks import DUCKDB_MACROS, Formats, events_step, invalid_sql, rules_table
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
    "staged",
]

_KEY = "user_id, session_id, session_index"


_RECEIVED = (
    "CASE WHEN event_id IS NOT NULL THEN "
    "concat(event_id, ' ', coalesce(CAST(event_index AS VARCHAR), '-')) END"
)
"""What makes two rows one event received twice: its ``event_id`` and its eventIndex (an id a
tracker gave two events, a synthetic duplicate, stays two events, as Snowplow's own
deduplication gives one of them a new id). The text is one of a kind: an index has no space."""


def _session_columns(exact: bool) -> str:
    """A session's facts from its events (valid ones only). ``exact`` counts each event
    received (:data:`_RECEIVED`) and each eventIndex once; a session read once counts rows,
    and its copies apart (:data:`_WALKED`)."""
    events = f"count(DISTINCT {_RECEIVED}) + count(*) - count(event_id)" if exact else "count(*)"
    indexes = "count(DISTINCT event_index)" if exact else "count(event_index)"
    return f"""{_KEY},
  count(*) AS n,
  {events} AS events,
  count(event_index) AS n_idx,
  count(lifecycle) AS lifecycles,
  {indexes} AS d_idx,
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
  list_sort(list_distinct(list(capture))) AS captures"""


_SESSION_NAMES = (
    "user_id, session_id, session_index, n, events, n_idx, lifecycles, d_idx, seen_ms, "
    "first_ms, last_ms, first_t, last_t, prev_min, prev_max, prev, fid_min, fid_max, fid, "
    "first_event, end_state, app_id, platform, v_tracker, capture, captures"
)

_IN_SESSION = f"PARTITION BY {_KEY} ORDER BY event_index NULLS FIRST, collector_ms NULLS FIRST"
"""An event's place in its session, as far as one read needs it: by eventIndex, then arrival
(as ``ord`` orders where every event has an eventIndex, which a session that is not odd has)."""

_WALKED = f"""
SELECT {_KEY},
  sum(copy) AS copies,
  sum(CASE WHEN copy = 0 AND event_index = b_idx THEN 1 ELSE 0 END) AS repeats,
  sum(CASE WHEN copy = 1 AND t_ms > b_t THEN t_ms - b_t ELSE 0 END) AS drift_ms,
  sum(CASE WHEN copy = 1 AND ((t_ms IS NULL AND b_t IS NOT NULL)
    OR (t_ms IS NOT NULL AND b_t IS NULL)) THEN 1 ELSE 0 END) AS blurred,
  max(CASE WHEN t_ms >= latest_ms THEN t_ms - latest_ms END) AS gap_ms
FROM (
  SELECT *, CASE WHEN event_index = b_idx AND event_id = b_id THEN 1 ELSE 0 END AS copy
  FROM (
    SELECT {_KEY}, event_id, event_index, t_ms,
      lag(event_index) OVER ({_IN_SESSION}) AS b_idx,
      lag(event_id) OVER ({_IN_SESSION}) AS b_id,
      lag(t_ms) OVER ({_IN_SESSION}) AS b_t,
      max(t_ms) OVER ({_IN_SESSION} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
        AS latest_ms
    FROM ev WHERE flaw IS NULL
  ) AS ordered
) AS marked
GROUP BY {_KEY}
"""
"""Each session's events in order, as few columns as that needs: its copies (an event received
again, right after the one before: :data:`_RECEIVED`), how often an eventIndex comes again in
another event, and the longest idle gap from the latest time before. A copy's time is its
first's, or later by at most ``drift_ms`` in all, so the longest gap without the copies is at
most ``gap_ms + drift_ms``; a copy with a time where its first has none (``blurred``) bounds
nothing."""


def _fast(formats: Formats) -> str:
    """Every session from one read of its events, and whether it is ``odd``: one whose events
    this read cannot judge alone (an id or eventIndex twice, an event without an eventIndex,
    ids or times that differ within it, or one not of its format), which the checks read again
    event by event (``pass``). ``gap_ms`` is its longest idle gap."""
    fine = " AND ".join(
        (
            "n_idx = n AND w.repeats = 0 AND w.blurred = 0",
            "prev_min = prev_max AND coalesce(fid_min = fid_max, fid_min IS NULL)",
            "coalesce(fets_min = fets_max, fets_min IS NULL)",
            formats.user_id("s.user_id"),
            formats.uuid("s.session_id"),
            f"(prev_min = '' OR {formats.uuid('prev_min')})",
            f"(fid_min IS NULL OR {formats.uuid('fid_min')})",
            f"(fets_min IS NULL OR {formats.date_time('fets_min')})",
        )
    )
    counted = {"events": "s.n - w.copies AS events", "d_idx": "s.n_idx - w.copies AS d_idx"}
    names = [counted.get(name, f"s.{name}") for name in _SESSION_NAMES.split(", ")]
    return f"""
SELECT {", ".join(names)}, w.gap_ms, w.drift_ms,
  CASE WHEN {fine} THEN FALSE ELSE TRUE END AS odd
FROM (
  SELECT {_session_columns(exact=False)},
    min(first_event_timestamp) AS fets_min,
    max(first_event_timestamp) AS fets_max
  FROM ev WHERE flaw IS NULL
  GROUP BY {_KEY}
) AS s
JOIN walked AS w
  ON w.user_id = s.user_id AND w.session_id = s.session_id AND w.session_index = s.session_index
"""


def _ruled(source: str) -> str:
    """``source``'s rows, each with the rules of its app and platform."""
    return f"""
SELECT s.*,
  coalesce(a.fg_ms, p.fg_ms, d.fg_ms) AS fg_ms,
  coalesce(a.bg_ms, p.bg_ms, d.bg_ms) AS bg_ms,
  coalesce(a.interval_ms, p.interval_ms, d.interval_ms, 0) AS interval_ms,
  coalesce(a.expect_start, p.expect_start, d.expect_start, s.v_tracker LIKE 'cs-%', FALSE)
    AS expect_start,
  coalesce(a.expect_demand, p.expect_demand, d.expect_demand, FALSE) AS expect_demand
FROM {source} AS s
CROSS JOIN (SELECT * FROM rules WHERE level = 'default') AS d
LEFT JOIN (SELECT * FROM rules WHERE level = 'app') AS a ON a.key = s.app_id
LEFT JOIN (SELECT * FROM rules WHERE level = 'platform') AS p ON p.key = s.platform
"""


_SHORTEST = "least(coalesce(fg_ms, bg_ms), coalesce(bg_ms, fg_ms))"
"""The shortest timeout that can be in force in a session (NULL: none is given)."""

_FLAGGED = f"""
SELECT {_KEY}, odd FROM ({_ruled("fast")}) AS ruled_fast
WHERE odd OR coalesce(gap_ms, 0) + drift_ms > interval_ms + {_SHORTEST}
"""
"""The sessions read again event by event: the odd ones, and those that can hold an idle gap
past the shortest timeout that can be in force in them."""


def _pass_rows(formats: Formats) -> str:
    """The events read a second time, each judged in full (:func:`~.event_checks.invalid_sql`):
    those of the flagged sessions, and those with a flaw."""
    return f"""
SELECT *, {invalid_sql(formats)} AS invalid
FROM (
  SELECT e.*, f.odd
  FROM ev AS e
  LEFT JOIN flagged AS f
    ON e.user_id = f.user_id AND e.session_id = f.session_id
    AND e.session_index = f.session_index
  WHERE e.flaw IS NOT NULL OR f.user_id IS NOT NULL
) AS again
"""


_SESS = f"""
SELECT {_SESSION_NAMES} FROM fast WHERE NOT odd
UNION ALL
SELECT {_session_columns(exact=True)}
FROM pass WHERE odd AND invalid IS NULL
GROUP BY {_KEY}
"""
"""Every session: as its one read saw it, or, for an odd one, from its events read again."""

_RULED = _ruled("sess")

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
        ("walked", _WALKED),
        ("fast", _fast(formats)),
        ("flagged", _FLAGGED),
        ("pass", _pass_rows(formats)),
        ("sess", _SESS),
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


def staged(steps: Sequence[tuple[str, str]], stage: str) -> list[tuple[str, str]]:
    """The steps of ``stage`` (one of :data:`STAGES`), from ``steps``."""
    names = dict(STAGES)[stage]
    return [step for step in steps if step[0] in names]


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
