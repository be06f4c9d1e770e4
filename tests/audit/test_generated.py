"""``snowsession sessions`` on generated Snowplow data, in every layout: it finds exactly the
faults the generator planted, no more and no fewer, counts them in the summary and writes each
as a row; changed clocks, late and out-of-order arrival and duplicates give no finding."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from benchmarks.generate import FAULTS, LAYOUTS, Generated, Spec, generate, timeouts_toml
from session.audit.columns import FINDING_COLUMNS
from session.cli.commands import main

SPEC = Spec(events=12_000, seed=7, fault_rate=0.03)
NAMES = {
    "log": "events.ndjson",
    "tsv": "events.tsv",
    "tsv.gz": "events.tsv.gz",
    "parquet": "events.parquet",
    "folder": "lake",
    "delta": "delta",
}


def sessions(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(["sessions", *argv])
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def generated() -> Generated:
    return generate(SPEC)


@pytest.fixture(scope="module")
def data(generated: Generated, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("generated")
    for layout in LAYOUTS:
        generated.write(layout, folder / NAMES[layout])
    (folder / "timeouts.toml").write_text(timeouts_toml(), encoding="utf-8")
    return folder


def keys(rows: list[dict[str, Any]]) -> Counter[tuple[Any, ...]]:
    return Counter((r["kind"], r["user_id"], r["session_id"], r["event_id"]) for r in rows)


def day(at_ms: int) -> str:
    return datetime.fromtimestamp(at_ms / 1000, UTC).strftime("%Y-%m-%d")


def test_every_kind_is_planted(generated: Generated) -> None:
    planted = Counter(row["kind"] for row in generated.planted())
    assert set(planted) == set(FAULTS)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_exactly_the_planted_findings(generated: Generated, data: Path, layout: str) -> None:
    out = data / f"findings-{layout}.parquet"
    status, text, err = sessions(
        str(data / NAMES[layout]),
        "--timeouts",
        str(data / "timeouts.toml"),
        "--format",
        "summary",
        "--findings-out",
        str(out),
    )
    assert status == 1, err
    planted = generated.planted()
    table = duckdb.connect().execute(f"SELECT * FROM read_parquet('{out}')")
    columns = tuple(column[0] for column in table.description or ())
    assert columns == FINDING_COLUMNS
    found = [dict(zip(columns, row, strict=True)) for row in table.fetchall()]
    assert keys(found) == keys(planted)
    by_key = {(r["kind"], r["event_id"]): r for r in planted}
    for row in found:
        want = by_key[row["kind"], row["event_id"]]
        assert (row["app_id"], row["platform"], row["v_tracker"]) == (
            want["app_id"],
            want["platform"],
            want["v_tracker"],
        )
        assert row["message"]

    summary = json.loads(text)
    totals = generated.totals()
    assert {k: summary[k] for k in ("events", "users", "sessions")} == totals
    assert summary["duplicates"] == generated.duplicates()
    kinds = Counter(r["kind"] for r in planted)
    assert summary["findings"] == {kind: kinds.get(kind, 0) for kind in FAULTS}
    for group in ("app_id", "platform", "v_tracker"):
        want_group: dict[str, Counter[str]] = {}
        for r in planted:
            want_group.setdefault(r[group], Counter())[r["kind"]] += 1
        assert summary["by"][group] == {k: dict(v) for k, v in want_group.items()}
    days: dict[str, Counter[str]] = {}
    for r in planted:
        days.setdefault(day(r["at_ms"]), Counter())[r["kind"]] += 1
    assert summary["by"]["day"] == {k: dict(v) for k, v in days.items()}


def test_findings_as_csv(generated: Generated, data: Path) -> None:
    out = data / "findings.csv"
    status, _, err = sessions(
        str(data / NAMES["parquet"]),
        "--timeouts",
        str(data / "timeouts.toml"),
        "--format",
        "summary",
        "--findings-out",
        str(out),
    )
    assert status == 1, err
    with out.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == FINDING_COLUMNS
        found = [{k: (v or None) for k, v in row.items()} for row in reader]
    assert keys(found) == keys(generated.planted())
    assert all(row["at"] and row["message"] for row in found)


def test_the_full_report_of_a_log(generated: Generated, data: Path) -> None:
    status, text, err = sessions(
        str(data / NAMES["log"]), "--timeouts", str(data / "timeouts.toml")
    )
    assert status == 1, err
    for kind in FAULTS:
        assert kind in text


def test_clocks_late_and_duplicated_events_give_no_finding(tmp_path: Path) -> None:
    spec = Spec(
        events=6_000,
        seed=11,
        fault_rate=0.0,
        clock_rate=0.5,
        late_rate=0.2,
        duplicate_rate=0.05,
        restart_rate=0.0,
    )
    quiet = generate(spec)
    assert quiet.planted() == []
    changed = quiet.con.execute("SELECT count(DISTINCT u) FROM sessions WHERE c > 0").fetchone()
    assert changed is not None and changed[0] > 20
    (tmp_path / "timeouts.toml").write_text(timeouts_toml(), encoding="utf-8")
    for layout in ("log", "parquet"):
        path = quiet.write(layout, tmp_path / NAMES[layout])
        status, text, err = sessions(
            str(path), "--timeouts", str(tmp_path / "timeouts.toml"), "--format", "summary"
        )
        assert status == 0, err
        summary = json.loads(text)
        assert set(summary["findings"].values()) == {0}
        assert summary["events"] == quiet.totals()["events"]
        assert summary["duplicates"] == quiet.duplicates() > 0


def test_restarts_of_dotnet_apps_follow_their_rules(generated: Generated, data: Path) -> None:
    """The kiosk's restarts are new sessions by design; the till's rules say otherwise. Either
    app's entry decides, with ``new_sessions``."""
    planted = Counter(r["kind"] for r in generated.planted())
    expected = generated.expected_starts()
    assert expected > 0
    lake = str(data / NAMES["parquet"])

    def early(toml: str) -> int:
        path = data / "rules.toml"
        path.write_text(toml, encoding="utf-8")
        status, text, err = sessions(lake, "--timeouts", str(path), "--format", "summary")
        assert status == 1, err
        return int(json.loads(text)["findings"]["early_new_session"])

    given = timeouts_toml()
    assert early(given) == planted["early_new_session"]
    strict = given.replace('new_sessions = ["start"]', "new_sessions = []")
    assert early(strict) == planted["early_new_session"] + expected
    till = sum(
        1
        for r in generated.planted()
        if r["kind"] == "early_new_session" and r["app_id"] == "till-dotnet"
    )
    assert till > 0
    lenient = given.replace("new_sessions = []", 'new_sessions = ["start"]')
    assert early(lenient) == planted["early_new_session"] - till


def test_an_invalid_entity_is_a_finding_and_counted(generated: Generated, data: Path) -> None:
    status, text, _ = sessions(
        str(data / NAMES["tsv"]), "--timeouts", str(data / "timeouts.toml"), "--format", "summary"
    )
    invalid = [r for r in generated.planted() if r["kind"] == "invalid_entity"]
    assert status == 1
    summary = json.loads(text)
    assert summary["findings"]["invalid_entity"] == len(invalid) > 0
    assert summary["events"] == generated.totals()["events"]


def one_line_refusal(path: Path) -> str:
    status, text, err = sessions(str(path), "--format", "summary")
    assert status == 2, (text, err)
    assert text == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_bad_inputs_get_exit_2_and_one_line(data: Path, tmp_path: Path) -> None:
    plain = tmp_path / "plain.parquet"
    duckdb.connect().execute(f"COPY (SELECT 'a' AS event_id, 1 AS x) TO '{plain}' (FORMAT parquet)")
    assert "contexts_com_snowplowanalytics_snowplow_client_session_1" in one_line_refusal(plain)

    lines = (data / NAMES["tsv"]).read_text(encoding="utf-8").splitlines()
    short = tmp_path / "short.tsv"
    cut = lines[3].split("\t")[:100]
    short.write_text("\n".join([*lines[:3], "\t".join(cut), *lines[4:10]]) + "\n")
    assert "short.tsv" in one_line_refusal(short)

    whole = (data / NAMES["parquet"]).read_bytes()
    truncated = tmp_path / "truncated.parquet"
    truncated.write_bytes(whole[: len(whole) // 2])
    assert "truncated.parquet" in one_line_refusal(truncated)

    delta = tmp_path / "broken-delta"
    (delta / "_delta_log").mkdir(parents=True)
    (delta / "_delta_log" / "00000000000000000000.json").write_text("{not json\n")
    assert "broken-delta" in one_line_refusal(delta)

    empty = tmp_path / "no-log"
    (empty / "_delta_log").mkdir(parents=True)
    assert "no-log" in one_line_refusal(empty)
