"""Large inputs in the Trackers dock: a folder of lake Parquet, a Delta table and enriched TSV
show their summary as charts whose bars are the summary's counts, list the worst users, and
draw the lanes of the users picked, each asked of the input when picked; a long read shows
its progress and can be cancelled; a bad input says why beside the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from session.audit.duck import DuckAudit
from session.audit.kinds import Kind
from session.audit.readers import ENTITY_COLUMN
from session.audit.rules import Rules
from snowsession_gui.trackers.sources import WORST

from .lake_data import lake_events, write_delta, write_lake, write_tsv
from .tracker_helpers import trackers


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    """The same events as a lake folder, a Delta table and gzip TSV."""
    folder = tmp_path_factory.mktemp("lake")
    rows = lake_events(users=40)
    return {
        "parquet": write_lake(folder / "events", rows),
        "delta": write_delta(folder / "delta", rows),
        "tsv": write_tsv(folder / "enriched.tsv.gz", rows),
    }


def truth(path: Path) -> tuple[dict[str, Any], Any]:
    """What the audit itself says of ``path``: its summary, and its result to ask more."""
    audit = DuckAudit(Rules())
    audit.add(path, lambda _: None)
    result = audit.run()
    return result.summary(), result


def opened(qtbot, window, path: Path, timeout: int = 60_000):
    feature = trackers(window)
    feature.open_captures([str(path)])
    qtbot.waitUntil(lambda: not feature.reader.reading, timeout=timeout)
    return feature


@pytest.mark.parametrize("kind", ["parquet", "delta", "tsv"])
def test_a_large_input_shows_its_summary_as_charts_and_its_worst_users(window, qtbot, inputs, kind):
    path = inputs[kind]
    summary, result = truth(path)
    feature = opened(qtbot, window, path)
    panel = feature.panel
    assert panel.problem.isHidden(), panel.problem.text()
    assert panel.status.text() == f"Capture: {path.name} ({kind})"
    assert panel.source.progress.isHidden() and panel.source.cancel.isHidden()
    charts = panel.summary
    assert charts is not None and charts.isVisible()
    # every bar is a count of the summary, and every count of the summary has its bar
    assert charts.bars("day") == summary["by"]["day"]
    assert charts.bars("version") == summary["by"]["v_tracker"]
    assert len(summary["by"]["day"]) >= 3 and len(summary["by"]["v_tracker"]) == 3
    found = {kind: n for kind, n in summary["findings"].items() if n}
    assert len(found) >= 3
    for name, count in found.items():
        assert f"{Kind(name).title} {count:,}".replace(" ", "&nbsp;") in charts.legend.text()
    # hovering the bottom of each day's bar names its first kind and count
    for spot, day in enumerate(charts.days):
        first = next(k for k in Kind if summary["by"]["day"][day].get(k.value))
        tip = charts.tip("day", spot, 0.5)
        count = summary["by"]["day"][day][first.value]
        assert tip == f"{day}: {first.title} ({first.value}) {count:,}"
    assert charts.tip("day", len(charts.days) + 1, 0.5) is None
    assert charts.heading.text().startswith(
        f"The {sum(found.values()):,} finding(s) in {summary['sessions']:,} sessions, by day"
    )
    counts = panel.frame.counts
    assert (counts.users, counts.findings) == (summary["users"], sum(found.values()))
    assert f"{summary['users']:,} user(s)" in panel.counts.text()
    # the worst users are listed, worst first, and theirs are the only lanes held
    worst = result.user_counts(WORST)
    listed = [panel.picker.users.item(row).data(256) for row in range(panel.users.count())]
    assert listed == [user.user_id for user in worst]
    assert [u.findings for u in worst] == sorted((u.findings for u in worst), reverse=True)
    held = [user.user_id for user in panel.frame.report.users]
    assert held == listed and set(panel.frame.trails) <= set(held)
    assert len(held) < summary["users"]  # never every user
    assert panel.shown_users() == held
    assert panel.selected == held[0]
    expected = result.report([held[0]]).users[0]
    assert panel.chain.user == expected
    lanes = panel.ensure_lanes()
    shapes = lanes.shapes(held[0])
    assert shapes is not None and len(shapes.dots_x) == expected.events
    assert list(shapes.marks_x) == [f.time for f in expected.findings]


def test_a_user_found_by_part_of_its_id_is_read_when_picked(window, qtbot, inputs):
    summary, result = truth(inputs["parquet"])
    feature = opened(qtbot, window, inputs["parquet"])
    panel = feature.panel
    listed = {u.user_id for u in result.user_counts(WORST)}
    everyone = result.user_counts(summary["users"])
    other = next(u for u in everyone if u.user_id not in listed)  # not drawn yet
    panel.filter.setText(other.user_id[:13])
    qtbot.waitUntil(lambda: panel.users.count() == 1 and panel.frame.lake.search != "")
    assert panel.picker.users.item(0).data(256) == other.user_id
    assert "whose id holds" in panel.picker.note.text()
    assert panel.frame.report.user(other.user_id) is None
    with qtbot.waitSignal(feature.lake.queries.loaded, timeout=30_000):
        panel.users.setCurrentRow(0)
    qtbot.waitUntil(lambda: panel.chain.user is not None)
    expected = result.report([other.user_id]).users[0]
    assert panel.selected == other.user_id and panel.chain.user == expected
    assert panel.chain.title.text().startswith(f"User {other.user_id}: ")
    assert len(panel.chain.rows()) == len(expected.sessions)
    assert panel.chain.findings.count() == len(expected.findings) == other.findings
    shapes = panel.ensure_lanes().shapes(other.user_id)
    assert shapes is not None and len(shapes.dots_x) == expected.events
    assert other.user_id in panel.shown_users()
    # the worst users' lanes are still held, and no one else's
    assert {u.user_id for u in panel.frame.report.users} == listed | {other.user_id}


def test_a_long_read_shows_its_progress_and_can_be_cancelled(window, qtbot, inputs, tmp_path):
    big = write_tsv(tmp_path / "big.tsv.gz", lake_events(users=60), copies=60)
    feature = opened(qtbot, window, inputs["parquet"])
    before = feature.panel.frame
    shares: list[float] = []
    feature.reader.progress.connect(shares.append)
    checking = feature.reader.progress
    with qtbot.waitSignal(checking, check_params_cb=lambda s: s >= 0, timeout=30_000):
        feature.open_captures([str(big)])
        source = feature.panel.source
        assert source.progress.isVisible() and source.cancel.isVisible()
        assert feature.panel.status.text().startswith("Reading big.tsv.gz…")
    thread = feature.reader._thread
    assert feature.reader.reading and thread is not None and thread.is_alive()
    source.cancel.click()
    assert not feature.reader.reading
    assert source.progress.isHidden() and source.cancel.isHidden()
    assert feature.panel.status.text() == (
        f"Cancelled reading big.tsv.gz. Still showing {inputs['parquet'].name}."
    )
    assert "cancelled reading big.tsv.gz" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: not thread.is_alive(), timeout=10_000)  # DuckDB stopped its query
    assert feature.panel.frame is before  # what was shown stays, whole, and still answers
    assert feature.captures == (str(inputs["parquet"]),) and feature.lake is not None
    assert shares and all(0 <= s <= 1 for s in shares)


def test_a_capture_with_many_users_is_shown_as_a_large_input(window, qtbot, tmp_path, monkeypatch):
    from trackers.helpers import T0, body, entity, fields, uid

    from session.trackers import Collector
    from snowsession_gui.trackers import sources as tracker_sources

    from .tracker_helpers import post

    log = tmp_path / "busy.ndjson"
    with Collector(port=0, log=log) as collector:
        post(collector.url, body(*(fields(entity(1, user=uid(n)), T0 + n) for n in range(30))))
    monkeypatch.setattr(tracker_sources, "MANY_USERS", 25)
    feature = opened(qtbot, window, log)
    frame = feature.panel.frame
    assert feature.panel.status.text() == "Capture: busy.ndjson (log)"
    assert frame.lake is not None and frame.counts.users == 30
    assert len(frame.lake.users) == len(frame.report.users) == WORST
    assert feature.panel.summary is not None and feature.panel.summary.isVisible()


def _no_entity(tmp_path: Path, inputs: dict[str, Path]) -> Path:
    path = tmp_path / "no-entity.parquet"
    table = pq.read_table(next(inputs["parquet"].glob("*.parquet")))
    pq.write_table(table.drop([ENTITY_COLUMN]), path)
    return path


def _truncated(tmp_path: Path, inputs: dict[str, Path]) -> Path:
    path = tmp_path / "truncated.parquet"
    data = next(inputs["parquet"].glob("*.parquet")).read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _no_log(tmp_path: Path, inputs: dict[str, Path]) -> Path:
    path = tmp_path / "not-delta"
    (path / "_delta_log").mkdir(parents=True)
    return path


BAD = {
    "no entity": (_no_entity, f"has no column {ENTITY_COLUMN}"),
    "truncated": (_truncated, "No magic bytes found at end of file"),
    "delta without its log": (_no_log, "is not a readable Delta table"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_large_input_says_why_beside_the_field(window, qtbot, inputs, tmp_path, case):
    make, words = BAD[case]
    path = make(tmp_path, inputs)
    feature = opened(qtbot, window, path)
    problem = feature.panel.problem
    assert problem.isVisible() and words in problem.text(), problem.text()
    assert problem.text().startswith(f"⚠ {path}") and "\n" not in problem.text()
    assert feature.panel.status.text() == f"Cannot open {path.name}."
    assert feature.panel.source.progress.isHidden() and feature.lake is None


def test_tracker_versions_past_a_chart_s_room_share_one_bar_with_their_sum():
    from snowsession_gui.trackers.summary import MAX_VERSIONS, OTHER, _versions

    by_version = {f"js-3.{n}.0": {"index_gap": n + 1, "broken_chain": 1} for n in range(15)}
    shown = _versions(by_version)
    assert len(shown) == MAX_VERSIONS
    assert next(iter(shown)) == "js-3.14.0"  # most findings first
    rest = [v for v in by_version if v not in shown]
    assert shown[f"{OTHER} ({len(rest)})"] == {
        "index_gap": sum(by_version[v]["index_gap"] for v in rest),
        "broken_chain": len(rest),
    }
    total = sum(n for counts in shown.values() for n in counts.values())
    assert total == sum(n for counts in by_version.values() for n in counts.values())
