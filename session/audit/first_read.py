"""Every session from one read of its events, and the events read a second time: the first
steps of the checks (:mod:`.checks`).

One read groups each session's facts and puts its events in order on a few columns, which finds
an event received twice, an eventIndex used twice and the longest idle gap; the ids' formats
are tested once a session. A session that one read cannot judge alone is *odd*; its events, and
those of sessions that can hold a long idle gap, are read again, each judged in full.
"""

from __future__ import annotations

from .event_checks import Formats, invalid_sql

__all__ = ["FLAGGED", "KEY", "SESSIONS", "WALKED", "fast", "pass_rows", "ruled"]

KEY = "user_id, session_id, session_index"


_RECEIVED = (
    "CASE WHEN event_id IS NOT NULL THEN "
    "concat(event_id, ' ', coalesce(CAST(event_index AS VARCHAR), '-')) END"
)
"""What makes two rows one event received twice: its ``event_id`` and its eventIndex (an id a
tracker gave two events, a synthetic duplicate, stays two events, as Snowplow's own
deduplication gives one of them a new id). The text is one of a kind: an index has no space."""


_FACTS = (
    ("n", "count(*)"),
    ("events", "count(*)"),
    ("n_idx", "count(event_index)"),
    ("lifecycles", "count(lifecycle)"),
    ("d_idx", "count(event_index)"),
    ("seen_ms", "min(collector_ms)"),
    ("first_ms", "min(coalesce(t_ms, collector_ms))"),
    ("last_ms", "max(coalesce(t_ms, collector_ms))"),
    ("first_t", "CAST(arg_min(t_ms, CASE WHEN t_ms IS NOT NULL THEN ord END) AS BIGINT)"),
    ("last_t", "max(t_ms)"),
    ("prev_min", "min(coalesce(previous_session_id, ''))"),
    ("prev_max", "max(coalesce(previous_session_id, ''))"),
    ("prev", "arg_min(coalesce(previous_session_id, ''), ord)"),
    ("fid_min", "min(first_event_id)"),
    ("fid_max", "max(first_event_id)"),
    ("fid", "arg_min(first_event_id, CASE WHEN first_event_id IS NOT NULL THEN ord END)"),
    ("first_event", "arg_min(coalesce(event_id, ''), ord)"),
    ("end_state", "arg_max(lifecycle, CASE WHEN lifecycle IS NOT NULL THEN ord END)"),
    ("app_id", "min(app_id)"),
    ("platform", "min(platform)"),
    ("v_tracker", "min(v_tracker)"),
    ("capture", "min(capture)"),
    ("captures", "list_sort(list_distinct(list(capture)))"),
)
"""A session's facts from its events (valid ones only), by name. A session read once counts
rows for ``events`` and ``d_idx``, and its copies apart (:data:`WALKED`)."""

_EXACT = {
    "events": f"count(DISTINCT {_RECEIVED}) + count(*) - count(event_id)",
    "d_idx": "count(DISTINCT event_index)",
}
"""What a session read again counts: each event received (:data:`_RECEIVED`) and each
eventIndex once."""

_SESSION_NAMES = ", ".join([KEY, *(name for name, _ in _FACTS)])


def _session_columns(exact: bool) -> str:
    """The session's key and its facts (:data:`_FACTS`; ``exact``: :data:`_EXACT`)."""
    chosen = _EXACT if exact else {}
    facts = (f"{chosen.get(name, value)} AS {name}" for name, value in _FACTS)
    return ",\n  ".join([KEY, *facts])


_IN_SESSION = f"PARTITION BY {KEY} ORDER BY event_index NULLS FIRST, collector_ms NULLS FIRST"
"""An event's place in its session, as far as one read needs it: by eventIndex, then arrival
(as ``ord`` orders where every event has an eventIndex, which a session that is not odd has)."""

WALKED = f"""
SELECT {KEY},
  sum(copy) AS copies,
  sum(CASE WHEN copy = 0 AND event_index = b_idx THEN 1 ELSE 0 END) AS repeats,
  sum(CASE WHEN copy = 1 THEN abs(t_ms - b_t) ELSE 0 END) AS drift_ms,
  sum(CASE WHEN copy = 1 AND ((t_ms IS NULL AND b_t IS NOT NULL)
    OR (t_ms IS NOT NULL AND b_t IS NULL)) THEN 1 ELSE 0 END) AS blurred,
  max(CASE WHEN t_ms >= latest_ms THEN t_ms - latest_ms END) AS gap_ms
FROM (
  SELECT *, CASE WHEN event_index = b_idx AND event_id = b_id THEN 1 ELSE 0 END AS copy
  FROM (
    SELECT {KEY}, event_id, event_index, t_ms,
      lag(event_index) OVER ({_IN_SESSION}) AS b_idx,
      lag(event_id) OVER ({_IN_SESSION}) AS b_id,
      lag(t_ms) OVER ({_IN_SESSION}) AS b_t,
      max(t_ms) OVER ({_IN_SESSION} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
        AS latest_ms
    FROM ev WHERE flaw IS NULL
  ) AS ordered
) AS marked
GROUP BY {KEY}
"""
"""Each session's events in order, as few columns as that needs: its copies (an event received
again, right after the one before: :data:`_RECEIVED`), how often an eventIndex comes again in
another event, and the longest idle gap from the latest time before. The copies of an event
differ in time by at most ``drift_ms`` (whichever of them is kept, and in whatever order copies
that arrived together come), so the longest gap without the copies is at most ``gap_ms +
drift_ms``; a copy with a time where another has none (``blurred``) bounds nothing."""


def fast(formats: Formats) -> str:
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
  GROUP BY {KEY}
) AS s
JOIN walked AS w
  ON w.user_id = s.user_id AND w.session_id = s.session_id AND w.session_index = s.session_index
"""


def ruled(source: str) -> str:
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

FLAGGED = f"""
SELECT {KEY}, odd FROM ({ruled("fast")}) AS ruled_fast
WHERE odd OR coalesce(gap_ms, 0) + drift_ms > interval_ms + {_SHORTEST}
"""
"""The sessions read again event by event: the odd ones, and those that can hold an idle gap
past the shortest timeout that can be in force in them."""


def pass_rows(formats: Formats) -> str:
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


SESSIONS = f"""
SELECT {_SESSION_NAMES} FROM fast WHERE NOT odd
UNION ALL
SELECT {_session_columns(exact=True)}
FROM pass WHERE odd AND invalid IS NULL
GROUP BY {KEY}
"""
"""Every session: as its one read saw it, or, for an odd one, from its events read again."""
