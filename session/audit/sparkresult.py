"""What a Spark run found, asked of its two checkpointed DataFrames (``timed``, a row per
session, and ``findings``) on Spark: the counts, the summary and the worst users are computed
there, so a run of a billion events sends this process a few rows. The findings cross only to
be written to one file, and the report's sessions and findings only for the users it is asked
for; both go into an embedded DuckDB, where :class:`.result.Result` writes and reports them as
for a DuckDB run, the same bytes and the same words.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

import duckdb

from .columns import FINDING_COLUMNS
from .inputs import Input
from .kinds import FINDING_KINDS, Kind
from .report import ChainReport
from .result import GROUPS, Result

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["SparkResult"]

_DAY = "date_format(timestamp_millis(at_ms), 'yyyy-MM-dd')"
_INVALID = Kind.INVALID_ENTITY.value
"""The one kind whose events are outside the chain, yet counted as events."""


class SparkResult(Result):
    """The sessions and findings of one Spark run, kept on Spark."""

    def __init__(
        self,
        spark: SparkSession,
        timed: DataFrame,
        findings: DataFrame,
        bad: dict[str, int],
        sources: tuple[Input, ...],
    ) -> None:
        super().__init__(duckdb.connect(":memory:"), bad, sources)
        self.spark = spark
        self.timed = timed
        self.findings = findings
        self._tallied: (
            list[tuple[str, str | None, str | None, str | None, str | None, int]] | None
        ) = None

    def _tally(self) -> list[tuple[str, str | None, str | None, str | None, str | None, int]]:
        """The findings counted by kind and every group at once, in one job: a row for each
        (kind, app_id, platform, v_tracker, day) there is, so a few thousand rows at most."""
        if self._tallied is None:
            rows = (
                self.findings.selectExpr(
                    "kind", "app_id", "platform", "v_tracker", f"{_DAY} AS day"
                )
                .groupBy("kind", "app_id", "platform", "v_tracker", "day")
                .count()
                .collect()
            )
            self._tallied = [(str(r[0]), r[1], r[2], r[3], r[4], int(r[5])) for r in rows]
        return self._tallied

    def counts(self) -> dict[str, int]:
        """Events (each ``event_id`` once), users, sessions, duplicates and findings."""
        row = self.timed.selectExpr(
            "coalesce(sum(events), 0)", "count(*)", "coalesce(sum(n - events), 0)"
        ).first()
        assert row is not None
        invalid = self.findings.where(f"kind = '{_INVALID}'")
        users = self.timed.select("user_id").union(invalid.select("user_id")).distinct().count()
        tally = self._tally()
        return {
            "events": int(row[0]) + sum(r[5] for r in tally if r[0] == _INVALID),
            "users": int(users),
            "sessions": int(row[1]),
            "duplicates": int(row[2]),
            "findings": sum(r[5] for r in tally),
        }

    def by_kind(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for row in self._tally():
            found[row[0]] = found.get(row[0], 0) + row[5]
        return {kind: found.get(kind, 0) for kind in FINDING_KINDS}

    def by(self, group: str) -> dict[str, dict[str, int]]:
        """Each value of ``group`` (one of :data:`.result.GROUPS`) and its findings by kind."""
        at = GROUPS.index(group) + 1
        counted: dict[tuple[str, str], int] = {}
        for row in self._tally():
            key = (str(row[at]) if row[at] is not None else "(none)", row[0])
            counted[key] = counted.get(key, 0) + row[5]
        table: dict[str, dict[str, int]] = {}
        for (value, kind), count in sorted(counted.items()):
            table.setdefault(value, {})[kind] = count
        return table

    def worst_users(self, count: int) -> list[str]:
        """The users with the most findings, most first."""
        rows = (
            self.findings.groupBy("user_id")
            .count()
            .orderBy("count", "user_id", ascending=[False, True])
            .limit(count)
            .collect()
        )
        return [str(row[0]) for row in rows]

    def _fresh(self) -> None:
        """A new embedded DuckDB for what is brought next (what the last one held goes)."""
        self.con.close()
        self.con = duckdb.connect(":memory:")

    def _bring(self, name: str, frame: DataFrame) -> None:
        """``frame`` as the DuckDB table ``name`` here."""
        table = frame.toArrow()
        self.con.register("brought", table)
        self.con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM brought").fetchall()
        self.con.unregister("brought")

    def write_findings(self, path: str | os.PathLike[str]) -> int:
        """Every finding as a row in a ``.parquet`` or ``.csv`` file, as DuckDB writes it."""
        columns = [*FINDING_COLUMNS, "at_ms"]
        self._fresh()
        self._bring("findings", self.findings.select(*(c for c in columns if c != "at")))
        return super().write_findings(path)

    def report(self, users: Sequence[str] | None = None) -> ChainReport:
        """Each user's chain (only ``users`` when given), brought here for the report."""
        timed, findings = self.timed, self.findings
        if users is not None:
            chosen = self.spark.createDataFrame([(user,) for user in users], "user_id STRING")
            timed = timed.join(chosen, "user_id", "left_semi")
            findings = findings.join(chosen, "user_id", "left_semi")
        self._fresh()
        self._bring("timed", timed)
        self._bring("findings", findings)
        return super().report(users)
