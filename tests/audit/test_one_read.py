"""Most sessions are judged from one read of their events, the odd ones from their events read
again (:mod:`session.audit.first_read`): both ways give every session and every finding alike.
The checks are run as they are and with every session made odd, on generated data with every
fault planted, copies, late batches and changed clocks, and on chains made to sit on the edges
of the one read: copies whose times drift, a gap just past the timeout, an id on two events."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from benchmarks.generate import Spec, generate
from session.audit import duck
from session.audit.duck import DuckAudit
from session.audit.rules import Rule, Rules

from .planted import EDGE_RULES, edges

ORDER = "ORDER BY ALL"


def every_session_odd() -> tuple[tuple[str, str], ...]:
    """The checks with each session read again, event by event."""
    odd = re.compile(r"CASE WHEN .* THEN FALSE ELSE TRUE END AS odd", re.S)
    steps = []
    for name, body in duck.DUCKDB_CTES:
        if name == "fast":
            body, count = odd.subn("TRUE AS odd", body)
            assert count == 1
        steps.append((name, body))
    return tuple(steps)


def run(path: Path, rules: Rules) -> tuple[list[Any], list[Any]]:
    """Every session and every finding."""
    audit = DuckAudit(rules, threads=2)
    try:
        audit.add(path, lambda _: None)
        result = audit.run()
        sessions = result.con.execute(f"SELECT * FROM timed {ORDER}").fetchall()
        findings = result.con.execute(f"SELECT * FROM findings {ORDER}").fetchall()
        return sessions, findings
    finally:
        audit.close()


def both_ways(
    path: Path, rules: Rules, monkeypatch: pytest.MonkeyPatch
) -> tuple[tuple[list[Any], list[Any]], tuple[list[Any], list[Any]]]:
    one = run(path, rules)
    with monkeypatch.context() as patched:
        patched.setattr(duck, "DUCKDB_CTES", every_session_odd())
        odd = run(path, rules)
    return one, odd


def test_generated_data_gives_the_same_sessions_and_findings_either_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generated = generate(Spec(events=15_000, seed=11, fault_rate=0.04, duplicate_rate=0.05))
    generated.write("parquet", tmp_path / "events.parquet")
    rules = Rules(
        default=Rule(foreground_timeout=1800, check_interval=0),
        platforms={"mob": Rule(background_timeout=300)},
    )
    one, odd = both_ways(tmp_path / "events.parquet", rules, monkeypatch)
    assert one == odd
    sessions, findings = one
    assert len(sessions) > 500 and len(findings) > 20
    assert sum(row[3] - row[4] for row in sessions) > 0  # copies were there (n > events)


def test_chains_on_the_edges_of_one_read_give_the_same_either_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, odd = both_ways(edges(tmp_path / "edges.parquet"), EDGE_RULES, monkeypatch)
    assert one == odd
    sessions, findings = one
    kinds = sorted(row[2] for row in findings)
    assert kinds == ["missed_expiry", "missed_expiry"]  # 600.4 s, and blurred's 700 s
    counted = sorted((row[3], row[4]) for row in sessions)  # (n, events)
    assert counted == [(2, 2), (4, 3), (4, 3)]  # the shared id: two events, no duplicate
