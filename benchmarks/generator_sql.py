"""The SQL that makes the generated events (:mod:`benchmarks.generate`): users, their
sessions and each session's events, every random draw a ``hash()`` of the seed and the row,
so DuckDB makes any number of events without a Python loop, and one seed always gives the
same data."""

from __future__ import annotations

import json
from dataclasses import dataclass

from session import SCHEMA_1_0_2
from session.audit.kinds import FINDING_KINDS, Kind

__all__ = [
    "APPS",
    "CONTEXTS",
    "FAULTS",
    "SCHEMA",
    "App",
    "Spec",
    "events_sql",
    "ids_sql",
    "named_sql",
    "planted_sql",
    "sessions_sql",
    "timeouts_toml",
    "users_sql",
]


@dataclass(frozen=True)
class App:
    """An app: its platform, its trackers' versions, its share of users and its timeouts
    (seconds; ``background`` None: not judged), and whether its restarts are expected."""

    app_id: str
    platform: str
    trackers: tuple[str, ...]
    weight: int
    foreground: int
    background: int | None
    interval: int
    restarts: bool = False
    start_expected: bool = False


APPS = (
    App("shop-web", "web", ("js-4.10.1", "js-3.24.0"), 30, 1800, None, 0),
    App("news-web", "web", ("js-4.6.0",), 14, 1800, None, 0),
    App("shop-android", "mob", ("andr-6.0.0", "andr-5.4.1"), 20, 1800, 300, 0),
    App("shop-ios", "mob", ("ios-6.1.0", "ios-5.6.0"), 16, 900, 300, 10),
    App("kiosk-dotnet", "pc", ("cs-1.3.1",), 10, 600, None, 0, True, True),
    App("till-dotnet", "pc", ("cs-1.3.1",), 10, 600, None, 0, True, False),
)
"""The apps; ``kiosk-dotnet``'s restarts are new sessions by design, ``till-dotnet``'s rules
say a session lasts its timeout whatever the app does, so its restarts are early."""

FAULTS = FINDING_KINDS
"""The fault planted in a user, by its number (1-based, in the kinds' table order; 0: none)."""


START_MS = 1_793_491_200_000
"""2026-11-01 00:00 UTC: the first day of the data."""
SCHEMA = SCHEMA_1_0_2
CONTEXTS = "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0"
HOUR = 3_600_000


@dataclass(frozen=True)
class Spec:
    """What to generate: about ``events`` events (the count is approximate) over ``days``."""

    events: int = 10_000
    seed: int = 1
    days: int = 7
    fault_rate: float = 0.002
    clock_rate: float = 0.03
    late_rate: float = 0.02
    duplicate_rate: float = 0.005
    restart_rate: float = 0.3

    @property
    def users(self) -> int:
        return max(1, self.events // 118)


def timeouts_toml(apps: tuple[App, ...] = APPS) -> str:
    """The timeouts file (``--timeouts``) for :data:`APPS`."""
    lines = ["foreground_timeout = 1800", "check_interval = 0", ""]
    lines += ["[platform.mob]", "background_timeout = 300", ""]
    for app in apps:
        lines.append(f'[app."{app.app_id}"]')
        lines.append(f"foreground_timeout = {app.foreground}")
        if app.interval:
            lines.append(f"check_interval = {app.interval}")
        if app.restarts:
            lines.append(f"new_sessions = {json.dumps(['start'] if app.start_expected else [])}")
        lines.append("")
    return "\n".join(lines)


def _r(spec: Spec, *parts: str) -> str:
    """A pseudo-random BIGINT (0 to 2**63 - 1) from the seed and ``parts`` (SQL expressions)."""
    return f"CAST(hash({spec.seed}, {', '.join(parts)}) >> 1 AS BIGINT)"


def _uuid(spec: Spec, tag: str, *parts: str) -> str:
    a = _r(spec, f"'{tag}'", *parts)
    b = _r(spec, f"'{tag}2'", *parts)
    return (
        f"printf('%08x-%04x-4%03x-8%03x-%012x', ({a} >> 32), ({a} >> 16) & 65535, {a} & 4095, "
        f"({b} >> 48) & 4095, {b} & 281474976710655)"
    )


def _pick(weights: list[int], value: str) -> str:
    """The index of a weighted choice of ``value`` (0 to sum - 1)."""
    total = 0
    whens = []
    for index, weight in enumerate(weights):
        total += weight
        whens.append(f"WHEN {value} < {total} THEN {index}")
    return "CASE " + " ".join(whens) + f" ELSE {len(weights) - 1} END"


def _apps_sql() -> str:
    rows = []
    for index, app in enumerate(APPS):
        trackers = "[" + ", ".join(f"'{t}'" for t in app.trackers) + "]"
        background = "NULL" if app.background is None else str(app.background * 1000)
        rows.append(
            f"({index}, '{app.app_id}', '{app.platform}', {trackers}, {app.foreground * 1000}, "
            f"{background}, {app.interval * 1000}, {str(app.restarts).upper()}, "
            f"{str(app.start_expected).upper()})"
        )
    return (
        "SELECT * FROM (VALUES " + ", ".join(rows) + ") AS a(a, app_id, platform, trackers, "
        "fg_ms, bg_ms, interval_ms, restarts, start_expected)"
    )


def users_sql(spec: Spec) -> str:
    fault_units = round(spec.fault_rate * 1_000_000)
    weights = [app.weight for app in APPS]
    pick = _pick(weights, _r(spec, "'app'", "u.u") + f" % {sum(weights)}")
    return f"""
SELECT u.*, a.app_id, a.platform, a.fg_ms, a.bg_ms, a.interval_ms, a.restarts,
  a.start_expected,
  a.trackers[1 + ({_r(spec, "'tv'", "u.u")} % len(a.trackers))] AS v_tracker,
  greatest(a.fg_ms, coalesce(a.bg_ms, 0)) AS max_ms
FROM (
  SELECT u, {_uuid(spec, "user", "u")} AS user_id, f,
    CASE WHEN f = 0 THEN clock ELSE 0 END AS clock,
    CASE WHEN f > 0 THEN greatest(s, 3) ELSE s END AS s,
    CASE WHEN f = 2 THEN 3 + {_r(spec, "'b'", "u")} % 20
         WHEN f = 6 THEN 0
         WHEN {_r(spec, "'b'", "u")} % 10 < 3 THEN 2 + {_r(spec, "'b2'", "u")} % 200
         ELSE 1 END AS b,
    {START_MS} + {_r(spec, "'start'", "u")} % {spec.days * 43_200_000} AS user_start,
    CAST({_r(spec, "'off'", "u")} % 600000 AS BIGINT) - 300000 AS offset_ms,
    {_r(spec, "'sort'", "u")} % 6 AS sort
  FROM (
    SELECT u, 1 + {_r(spec, "'s'", "u")} % 10 AS s,
      CASE WHEN {_r(spec, "'f'", "u")} % 1000000 < {fault_units * len(FAULTS)}
           THEN 1 + {_r(spec, "'f'", "u")} % 1000000 // {max(fault_units, 1)} ELSE 0 END AS f,
      CASE WHEN {_r(spec, "'clock'", "u")} % 10000 < {round(spec.clock_rate * 10000)}
           THEN (CASE WHEN {_r(spec, "'cdir'", "u")} % 2 = 0 THEN 1 ELSE -1 END) ELSE 0 END
        AS clock
    FROM range({spec.users}) AS t(u)
  ) AS drawn
) AS u
JOIN ({_apps_sql()}) AS a
  ON a.a = {pick}
"""


def sessions_sql(spec: Spec) -> str:
    """A row per session: its index, ids, events, timing and what is planted in it."""

    def h(tag: str) -> str:
        return _r(spec, f"'{tag}'", "u", "k")

    return f"""
SELECT *,
  max(CASE WHEN c > 0 THEN start_ms + (c - 1) * step_ms - 1 END) OVER (PARTITION BY u)
    AS change_ms
FROM (
  SELECT *,
    CAST(user_start + sum(gap_ms) OVER w + coalesce(sum(dur_ms) OVER (w ROWS BETWEEN UNBOUNDED
      PRECEDING AND 1 PRECEDING), 0) AS BIGINT) AS start_ms
  FROM (
    SELECT *,
      (n - 1) * step_ms + step_ms // 2 + pause_ms + expiry_ms AS dur_ms
    FROM (
      SELECT *,
        CASE WHEN pause_at > 0 THEN 20000 + {h("pl")} % (coalesce(bg_ms, 300000) // 2)
             ELSE 0 END AS pause_ms,
        CASE WHEN planted = 11 THEN fg_ms + interval_ms + 60000 + {h("xl")} % 600000
             ELSE 0 END AS expiry_ms
      FROM (
        SELECT *,
          CASE WHEN platform = 'mob' AND n >= 5 AND NOT marked AND {h("p")} % 5 = 0
               THEN 2 + {h("pa")} % (n - 3) ELSE 0 END AS pause_at,
          CASE WHEN planted IN (3, 4, 8, 9, 11) THEN 2 + {h("m")} % (n - 3)
               WHEN planted = 12 THEN 2 + {h("m")} % (n - 2) ELSE 0 END AS m,
          CASE WHEN clock <> 0 AND k = j THEN 3 + {h("c")} % (n - 3) ELSE 0 END AS c,
          CASE WHEN k = 1 THEN 0
               WHEN planted = 10 OR restart THEN 20000 + {h("early")} % 100000
               ELSE max_ms + 120000 + {h("gap")} % 86400000 END AS gap_ms,
          platform = 'mob' AND {h("endbg")} % 10 < 7 AS end_bg
        FROM (
          SELECT *,
            CASE WHEN marked THEN greatest(n0, 6) ELSE n0 END AS n,
            CASE WHEN f = 6 AND k = 1 THEN 6 WHEN f > 0 AND f <> 6 AND k = j THEN f END
              AS planted,
            restarts AND f = 0 AND k > 1 AND {h("restart")} % 1000 <
              {round(spec.restart_rate * 1000)} AS restart
          FROM (
            SELECT users.*, k, 2 + {h("n")} % 40 AS n0, 5000 + {h("step")} % 55000 AS step_ms,
              CASE WHEN f = 2 THEN s WHEN f = 3 THEN 3 + {_r(spec, "'j'", "u")} % (s - 2)
                   WHEN s > 1 THEN 2 + {_r(spec, "'j'", "u")} % (s - 1) END
                AS j,
              coalesce((f > 0 OR clock <> 0) AND k = (CASE WHEN f = 2 THEN s
                WHEN f = 3 THEN 3 + {_r(spec, "'j'", "u")} % (s - 2)
                WHEN s > 1 THEN 2 + {_r(spec, "'j'", "u")} % (s - 1) END), FALSE) AS marked
            FROM users, unnest(range(1, s + 1)) AS r(k)
          ) AS drawn
        ) AS planned
      ) AS placed
    ) AS timed
  ) AS sized
  WINDOW w AS (PARTITION BY u ORDER BY k)
) AS started
ORDER BY start_ms, u
"""


def ids_sql(spec: Spec) -> str:
    """Each session's index, id, previous id and firstEventId (before faults within it)."""

    def sid(k: str) -> str:
        return _uuid(spec, "sid", "u", k)

    return f"""
SELECT *,
  CASE WHEN f = 1 AND k >= j THEN b + k
       WHEN f = 2 AND k = s THEN b - 1
       WHEN f IN (3, 4) AND k >= j THEN b + k - 2
       ELSE b + k - 1 END AS idx,
  {sid("k")} AS sid,
  CASE WHEN f = 3 AND k = j THEN (CASE WHEN k = 2 AND b = 1 THEN NULL
                                       ELSE {sid("k - 2")} END)
       WHEN f = 5 AND k = j AND sort % 3 = 0 THEN {_uuid(spec, "lost", "u")}
       WHEN f = 5 AND k = j AND sort % 3 = 1 AND k >= 3 THEN {sid("k - 2")}
       WHEN f = 5 AND k = j AND sort % 3 = 1 THEN {_uuid(spec, "lost", "u")}
       WHEN k = 1 AND b <= 1 THEN NULL
       ELSE {sid("k - 1")} END AS prev,
  {_uuid(spec, "eid", "u", "CASE WHEN f = 7 AND k = j THEN k - 1 ELSE k END", "1")} AS fid
FROM sessions
"""


def events_sql(spec: Spec, source: str) -> str:
    """A row per event (and per copy of a duplicated one) of the sessions in ``source``.

    Two hashes an event make its id (:func:`_uuid` of ``eid``), and the second one's bits its
    jitter, send delay, latency and duplication: one hash is cheaper than one per draw."""
    late = round(spec.late_rate * 1000)
    dup = round(spec.duplicate_rate * 100000)
    ids = (
        "printf('%08x-%04x-4%03x-8%03x-%012x', ha >> 32, (ha >> 16) & 65535, ha & 4095, "
        "(hv >> 48) & 4095, hv & 281474976710655)"
    )
    return f"""
SELECT *,
  collector_ms - (sent_dev - created_dev) AS t_ms
FROM (
  SELECT *,
    true_ms + offset_ms + CASE WHEN true_ms >= change_ms THEN clock * {HOUR} ELSE 0 END
      AS created_dev,
    sent_ms + offset_ms + CASE WHEN sent_ms >= change_ms THEN clock * {HOUR} ELSE 0 END
      AS sent_dev,
    sent_ms + 100 + ((hv >> 32) & 1023) AS collector_ms
  FROM (
    SELECT *,
      CASE WHEN clock <> 0 AND k = j AND i = c - 1 THEN change_ms + 500
           ELSE true_ms + CASE WHEN platform = 'web' THEN 20 + ((hv >> 16) & 127)
                               ELSE ((hv >> 16) & 65535) % (step_ms // 2) END
             + CASE WHEN f = 0 AND clock = 0 AND hb % 1000 < {late}
                    THEN {HOUR} + (hb >> 20) % {48 * HOUR} ELSE 0 END
       END + copy * (5000 + ((hv >> 16) & 1048575) % 600000) AS sent_ms
    FROM (
      SELECT *,
        start_ms + (i - 1) * step_ms + CASE WHEN i > 1 THEN (hv & 65535) % (step_ms // 2)
          ELSE 0 END
          + CASE WHEN pause_at > 0 AND i > pause_at THEN pause_ms ELSE 0 END
          + CASE WHEN planted = 11 AND i > m THEN expiry_ms ELSE 0 END AS true_ms,
        {ids} AS event_id,
        CASE WHEN planted = 12 AND i = m THEN sort END AS invalid
      FROM (
        SELECT *, unnest(CASE WHEN clock = 0 AND NOT coalesce(planted = 12 AND i = m, FALSE)
          AND ((hv >> 42) & 131071) % 100000 < {dup} THEN [0, 1] ELSE [0] END) AS copy
        FROM (
          SELECT s.*, i, {_r(spec, "'eid'", "u", "k", "i")} AS ha,
            {_r(spec, "'eid2'", "u", "k", "i")} AS hv,
            {_r(spec, "'batch'", "u", "k", "i // 10")} AS hb
          FROM ({source}) AS s, unnest(range(1, n + 1)) AS r(i)
        ) AS drawn
      ) AS copies
    ) AS placed
  ) AS sent
) AS timed
"""


def named_sql() -> str:
    """The event's name and the entity's fields as sent, faults in place."""
    return """
SELECT *,
  CASE WHEN platform = 'mob' AND (i = 1 OR i = pause_at + 1) THEN 'application_foreground'
       WHEN platform = 'mob' AND (i = pause_at OR (i = n AND end_bg))
         THEN 'application_background'
       WHEN platform = 'mob' THEN 'screen_view'
       WHEN platform = 'web' AND i % 4 = 0 THEN 'page_ping'
       WHEN platform = 'web' THEN 'page_view'
       ELSE 'event' END AS event_name,
  CASE WHEN invalid = 0 THEN 'not-a-uuid' ELSE sid END AS e_session_id,
  CASE WHEN invalid = 4 THEN 'previous' WHEN planted = 5 AND sort % 3 = 2 AND i > 1
       THEN fid ELSE prev END AS e_prev,
  CASE WHEN invalid = 3 THEN NULL ELSE idx END AS e_session_index,
  CASE WHEN invalid = 2 THEN -1 WHEN planted = 9 AND i = m + 1 THEN m ELSE i END AS e_event_index,
  CASE WHEN invalid = 5 THEN 'first' WHEN planted = 8 AND i >= m THEN 'ffffffff' || fid[9:]
       ELSE fid END AS e_fid,
  CASE WHEN invalid = 1 THEN 'DISK' WHEN platform = 'web' THEN 'COOKIE_1' ELSE 'SQLITE' END
    AS e_storage,
  strftime(make_timestamp((start_ms + offset_ms) * 1000), '%Y-%m-%dT%H:%M:%S.%gZ')
    AS e_first_ts
"""


def planted_sql(spec: Spec) -> str:
    """The events that carry a planted finding, with its kind."""
    kinds = ", ".join(f"'{kind}'" for kind in FAULTS)
    other = _uuid(spec, "eid", "u", "k", "CASE WHEN i = m THEN m + 1 ELSE m END")
    return f"""
SELECT * FROM (
  SELECT *, CASE
    WHEN planted IN (1, 2, 3, 4, 5, 6, 7, 8) AND i = 1 THEN [{kinds}][planted]
    WHEN (planted = 10 OR (restart AND NOT start_expected)) AND i = 1 AND NOT
      (start_expected AND planted = 10) THEN '{Kind.EARLY_NEW_SESSION.value}'
    WHEN planted = 11 AND i = m + 1 THEN '{Kind.MISSED_EXPIRY.value}'
    WHEN planted = 12 AND i = m THEN '{Kind.INVALID_ENTITY.value}'
    WHEN planted = 9 AND i IN (m, m + 1) AND event_id > {other}
      THEN '{Kind.EVENT_INDEX_REPEATED.value}'
    END AS kind,
  CASE WHEN planted = 9 THEN max(t_ms) OVER (PARTITION BY u, k, i IN (m, m + 1))
       ELSE t_ms END AS at_ms
  FROM events WHERE copy = 0
) WHERE kind IS NOT NULL
"""
