"""What a run of the checks found, asked of the two tables it keeps (``timed``, a row per
session, and ``findings``, a row per finding) in a DuckDB connection: the summary, the findings
written out, the report of a capture, the users with most findings.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import duckdb

from .checks import CTES, SESSION_FACTS, checks
from .columns import FINDING_COLUMNS
from .event_checks import Formats, invalid_sql
from .inputs import Input
from .kinds import FINDING_KINDS, Kind
from .report import ChainReport, Finding, SessionSummary, UserReport
from .rules import Rules

__all__ = ["GROUPS", "EventMarks", "Result", "ResultError", "UserCount"]

GROUPS = ("app_id", "platform", "v_tracker", "day")
_INVALID = Kind.INVALID_ENTITY.value
"""The one kind whose events are outside the chain, yet counted as events."""
"""What the summary counts findings by."""

_DAY = "strftime(make_timestamp(at_ms * 1000), '%Y-%m-%d')"
_FORMATS = {".parquet": "(FORMAT parquet, COMPRESSION zstd)", ".csv": "(FORMAT csv, HEADER)"}


_MARKS = (
    checks(Rules(), [step for step in CTES if step[0] == "ev"])
    + "\nSELECT user_id, coalesce(t_ms, collector_ms) / 1000.0 AS time_s, "
    f"CAST(session_index AS DOUBLE) AS idx FROM ev WHERE {invalid_sql(Formats(fast=False))} "
    "IS NULL AND coalesce(t_ms, collector_ms) IS NOT NULL"
)
"""Each event of some users (valid entities only): its time, as the sessions' first and last
times are measured, and its session index."""


class EventMarks(NamedTuple):
    """One user's events, in time order: Arrow arrays of float64 (``numpy.asarray`` reads
    them without a copy)."""

    times: Any
    """Unix seconds."""
    indexes: Any
    """Session indexes."""


class UserCount(NamedTuple):
    """A user and how much its chain holds: what a list of users to pick from shows."""

    user_id: str
    findings: int
    sessions: int


class ResultError(ValueError):
    """A result that cannot be written where asked: one line for people."""


class Result:
    """The sessions and findings of one run; ``bad`` counts what the inputs held that could not
    be used, ``sources`` says what they were."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, bad: dict[str, int], sources: tuple[Input, ...]
    ) -> None:
        self.con = con
        self.bad = bad
        self.sources = sources

    @property
    def inputs(self) -> tuple[str, ...]:
        """The inputs' names, as given."""
        return tuple(source.name for source in self.sources)

    def _one(self, query: str, parameters: Any = None) -> Any:
        row = self.con.execute(query, parameters).fetchone()
        return None if row is None else row[0]

    def counts(self) -> dict[str, int]:
        """Events (each ``event_id`` once), users, sessions, duplicates and findings."""
        row = self.con.execute(
            "SELECT coalesce(sum(events), 0), count(*), coalesce(sum(n - events), 0) FROM timed"
        ).fetchone()
        assert row is not None
        invalid = self._one(f"SELECT count(*) FROM findings WHERE kind = '{_INVALID}'")
        users = self._one(
            "SELECT count(DISTINCT user_id) FROM (SELECT user_id FROM timed UNION ALL "
            f"SELECT user_id FROM findings WHERE kind = '{_INVALID}')"
        )
        return {
            "events": int(row[0]) + int(invalid),
            "users": int(users),
            "sessions": int(row[1]),
            "duplicates": int(row[2]),
            "findings": int(self._one("SELECT count(*) FROM findings")),
        }

    def by_kind(self) -> dict[str, int]:
        found = dict(self.con.execute("SELECT kind, count(*) FROM findings GROUP BY 1").fetchall())
        return {kind: int(found.get(kind, 0)) for kind in FINDING_KINDS}

    def by(self, group: str) -> dict[str, dict[str, int]]:
        """Each value of ``group`` (one of :data:`GROUPS`) and its findings by kind."""
        column = _DAY if group == "day" else group
        table: dict[str, dict[str, int]] = {}
        rows = self.con.execute(
            f"SELECT coalesce({column}, '(none)') AS value, kind, count(*) FROM findings "
            "GROUP BY 1, 2 ORDER BY 1, 2"
        ).fetchall()
        for value, kind, count in rows:
            table.setdefault(str(value), {})[str(kind)] = int(count)
        return table

    def summary(self) -> dict[str, Any]:
        """``--format summary``: the counts, findings by kind and by each group."""
        counts = self.counts()
        return {
            "events": counts["events"],
            "users": counts["users"],
            "sessions": counts["sessions"],
            "duplicates": counts["duplicates"],
            "findings": self.by_kind(),
            "by": {group: self.by(group) for group in GROUPS},
            "bad": dict(sorted(self.bad.items())),
            "inputs": list(self.inputs),
        }

    def write_findings(self, path: str | os.PathLike[str]) -> int:
        """Every finding as a row (:data:`~.columns.FINDING_COLUMNS`) in a ``.parquet`` or
        ``.csv`` file, replaced whole; how many."""
        name = os.fspath(path)
        extension = os.path.splitext(name)[1].lower()
        if extension not in _FORMATS:
            raise ResultError(f"{name}: findings are written as .parquet or .csv")
        try:
            info = os.stat(name)
        except FileNotFoundError:
            pass
        except OSError as error:
            raise ResultError(f"cannot write {name}: {error.strerror or error}") from None
        else:
            if not stat.S_ISREG(info.st_mode):
                raise ResultError(f"{name} is not a regular file: findings are not written there")
        folder = os.path.dirname(os.path.abspath(name))
        handle, temporary = tempfile.mkstemp(prefix=".findings-", suffix=extension, dir=folder)
        os.close(handle)
        columns = ", ".join(
            "make_timestamp(at_ms * 1000) AS at" if column == "at" else column
            for column in FINDING_COLUMNS
        )
        try:
            self.con.execute(
                f"COPY (SELECT {columns} FROM findings ORDER BY user_id, at_ms, kind, session_id, "
                f"event_id, message) TO "
                f"$path {_FORMATS[extension]}",
                {"path": temporary},
            )
            os.replace(temporary, name)
        except BaseException:
            os.unlink(temporary)
            raise
        return int(self._one("SELECT count(*) FROM findings"))

    def worst_users(self, count: int) -> list[str]:
        """The users with the most findings, most first."""
        rows = self.con.execute(
            "SELECT user_id FROM findings GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT $n",
            {"n": count},
        ).fetchall()
        return [str(row[0]) for row in rows]

    def user_counts(
        self, count: int, search: str = "", *, only_findings: bool = False
    ) -> list[UserCount]:
        """Up to ``count`` users whose id holds ``search`` (any case), most findings first."""
        rows = self.con.execute(
            "SELECT user_id, sum(f) AS f, sum(s) AS s FROM ("
            "SELECT user_id, 0 AS f, 1 AS s FROM timed UNION ALL "
            "SELECT user_id, 1 AS f, 0 AS s FROM findings) "
            "WHERE user_id IS NOT NULL AND contains(lower(user_id), lower($search)) "
            "GROUP BY 1 HAVING sum(f) > 0 OR NOT $only ORDER BY 2 DESC, 1 LIMIT $n",
            {"search": search, "only": only_findings, "n": count},
        ).fetchall()
        return [UserCount(str(user), int(found), int(sessions)) for user, found, sessions in rows]

    def event_marks(self, users: Sequence[str] | None = None) -> dict[str, EventMarks]:
        """Each of ``users``' events (every user's when None; those with a valid entity),
        read from the inputs for these users alone: when, as sessions' first and last times
        are measured, and in which session. One copy of the numbers, in columns; no object
        an event."""
        if users is not None and not users:
            return {}
        where, parameters = (
            ("", None)
            if users is None
            else (" AND list_contains($users, user_id)", {"users": list(users)})
        )
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE marks AS {_MARKS}{where} ORDER BY user_id, time_s",
            parameters,
        )
        try:
            runs = self.con.execute(
                "SELECT user_id, count(*) FROM marks GROUP BY 1 ORDER BY 1"
            ).fetchall()
            table = self.con.sql(
                "SELECT time_s, idx FROM marks ORDER BY user_id, time_s"
            ).to_arrow_table()
        finally:
            self.con.execute("DROP TABLE IF EXISTS marks")
        marks: dict[str, EventMarks] = {}
        start = 0
        for user, count in runs:
            part = table.slice(start, count)
            marks[str(user)] = EventMarks(part.column("time_s"), part.column("idx"))
            start += count
        return marks

    def report(self, users: Sequence[str] | None = None) -> ChainReport:
        """Each user's chain (only ``users`` when given), for the table, JSON, JUnit and lanes."""
        where, parameters = (
            ("", {})
            if users is None
            else ("WHERE list_contains($users, user_id)", {"users": list(users)})
        )
        sessions = self._sessions(where, parameters)
        findings = self._findings(where, parameters)
        reports = [
            UserReport(
                user,
                tuple(sessions.get(user, ())),
                tuple(findings.get(user, ())),
                sum(s.events for s in sessions.get(user, ()))
                + sum(f.kind == _INVALID for f in findings.get(user, ())),
                sum(s.duplicates for s in sessions.get(user, ())),
            )
            for user in sessions.keys() | findings.keys()
        ]
        reports.sort(key=lambda user: (_first(user), user.user_id))
        return ChainReport(tuple(reports), dict(self.bad), self.inputs)

    def _sessions(
        self, where: str, parameters: Mapping[str, object]
    ) -> dict[str, list[SessionSummary]]:
        """Each user's sessions, in index order."""
        sessions: dict[str, list[SessionSummary]] = {}
        for row in self.con.execute(
            "SELECT user_id, session_index, session_id, nullif(prev, ''), fid, events, "
            "first_ms, last_ms, idle_ms, exceeded, captures, n - events, expected "
            f"FROM ({SESSION_FACTS}) AS s {where} "
            "ORDER BY user_id, session_index, seen_ms, session_id",
            parameters,
        ).fetchall():
            sessions.setdefault(row[0], []).append(
                SessionSummary(
                    int(row[1]),
                    row[2],
                    row[3],
                    row[4],
                    int(row[5]),
                    row[6] / 1000,
                    row[7] / 1000,
                    None if row[8] is None else row[8] / 1000,
                    row[9],
                    tuple(row[10]),
                    int(row[11]),
                    row[12],
                )
            )
        return sessions

    def _findings(self, where: str, parameters: Mapping[str, object]) -> dict[str, list[Finding]]:
        """Each user's findings, in the order the report lists them."""
        findings: dict[str, list[Finding]] = {}
        for row in self.con.execute(
            "SELECT kind, user_id, session_id, at_ms, message, session_index, event_id, capture, "
            f"app_id, platform, v_tracker FROM findings {where} ORDER BY at_ms NULLS FIRST, "
            "session_index, list_position($kinds, kind), event_id NULLS FIRST, message",
            {**parameters, "kinds": list(FINDING_KINDS)},
        ).fetchall():
            findings.setdefault(row[1], []).append(
                Finding(
                    row[0],
                    row[1],
                    row[2],
                    (row[3] or 0) / 1000,
                    row[4],
                    row[5],
                    row[6],
                    int(row[7] or 0),
                    row[8],
                    row[9],
                    row[10],
                )
            )
        return findings


def _first(user: UserReport) -> float:
    times = [s.first_time for s in user.sessions] + [f.time for f in user.findings]
    return min(times) if times else 0.0
