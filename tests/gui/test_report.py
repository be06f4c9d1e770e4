"""File > Export report (HTML): one self-contained page of a run, its strings escaped, written
as other exports are, and rendered by headless Chromium with its picture and its rows."""

from __future__ import annotations

import base64
import os
import re
import stat
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PySide6.QtGui import QAction, QImage

from snowsession_gui.export.feature import REPORT_SIZE

from .gui_helpers import exports, scenarios, settle

HOSTILE = '<script>alert("x")</script> 🎉 &amp; "quoted"'
NAME = "<img src=x onerror=alert(1)> sign-off 🎉"
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "dotnet-first-save.xml"


class Page(HTMLParser):
    """What a browser would find in the page: tags, attributes, the text of each cell."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.urls: list[str] = []
        self.rows: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = dict(attrs)
        self.urls += [v or "" for k, v in attrs if k in ("src", "href", "srcset", "action")]
        if tag == "table":
            self._table = values.get("id") or "?"
            self.rows[self._table] = []
        elif tag == "tr" and self._table and values.get("class"):
            self._row = []
        elif tag == "td" and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table:
            self.rows[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def hostile_save_file(folder: Path) -> Path:
    """A .NET save file whose user id is markup and emoji (a save file is outside input)."""
    escaped = HOSTILE.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    path = folder / "session.xml"
    path.write_text(
        SAMPLE.read_text().replace("0f8fad5b-d9cb-469f-a165-70867728950e", escaped),
        encoding="utf-8",
    )
    return path


def hostile_scenario(folder: Path) -> Path:
    """A scenario whose text is markup, with one expectation that holds and one that fails."""
    path = folder / f"{NAME}.toml"
    path.write_text(
        'description = "Two sessions <script>alert(1)</script> 🎉"\n'
        "[session]\nforeground_timeout = 120\ncheck_interval = 10\n"
        '[[step]]\nat = 0\ndo = "event"\n'
        '[[step]]\nat = 200\ndo = "event"\n'
        '[[step]]\nat = 200\ndo = "expect"\nsession_index = 2\n'
        '[[step]]\nat = 210\ndo = "expect"\nsession_index = 3\n',
        encoding="utf-8",
    )
    return path


@pytest.fixture
def hostile_window(make_window, tmp_path):
    return make_window(hostile_save_file(tmp_path))


def run_home_session(window) -> None:
    window.controls.fire_event()
    window.host.set_background(True)
    for _ in range(6):
        window.time_controls.skip_one_minute()  # a background timeout: a new session
        settle(window)
    window.host.set_background(False)
    window.controls.fire_event()
    settle(window)


def test_the_report_holds_the_sessions_with_their_full_ids_escaped(hostile_window, tmp_path):
    window = hostile_window
    assert window.host.session.state.user_id == HOSTILE
    run_home_session(window)
    starts = window.timeline.data.starts
    made = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    html = exports(window).report_page(made)
    page = Page(html)

    assert "script" not in page.tags  # the hostile text is text, not markup
    assert HOSTILE in "".join(page.text)  # ... and is shown as it is
    assert [url[:22] for url in page.urls] == ["data:image/png;base64,"]
    sessions = page.rows["sessions"]
    assert [row[0] for row in sessions] == [str(n.new.session_index) for n in starts]
    assert [row[1] for row in sessions] == [n.new.session_id for n in starts]
    assert [row[2] for row in sessions] == ["7c9e6679-7425-40de-944b-e07fc1f90ae7"] + [
        n.new.session_id for n in starts[:-1]
    ]
    assert [row[3] for row in sessions] == ["00:00:00", "00:05:00"]
    assert sessions[0][4].startswith("start") and sessions[1][4].startswith("timeout")
    assert "300 s (background)" in sessions[1][4]
    assert [row[5] for row in sessions] == ["1", "1"]
    assert [row[6] for row in sessions] == ["no", "yes"]
    assert "expectations" not in page.rows  # no scenario ran
    assert "2026-12-01 12:00:00 UTC" in html and "dotnet" in html and "300 s" in html

    (data,) = page.urls
    image = QImage.fromData(base64.b64decode(data.split(",", 1)[1]))
    assert (image.width(), image.height()) == REPORT_SIZE


def test_a_scenario_report_has_its_expectations_pass_and_fail(window, tmp_path):
    run = scenarios(window).play_file(hostile_scenario(tmp_path))
    assert run is not None
    while not run.done:
        scenarios(window).next_step()
        settle(window)
    page = Page(exports(window).report_page())
    assert "script" not in page.tags and page.tags.count("img") == 1
    assert [url[:22] for url in page.urls] == ["data:image/png;base64,"]
    text = "".join(page.text)
    assert NAME in text  # the name, from the file name, shown as it is
    assert "Two sessions <script>alert(1)</script> 🎉" in text
    assert "1 of 2 failed" in text
    checks = page.rows["expectations"]
    assert [(row[2], row[3], row[4], row[5]) for row in checks] == [
        ("session_index", "2", "2", "✓ pass"),
        ("session_index", "3", "2", "✗ fail"),
    ]
    assert [row[0] for row in checks] == ["00:03:20", "00:03:30"]
    assert [row[5] for row in page.rows["sessions"]] == ["1", "1"]
    assert "120 s" in text and "10 s" in text  # the scenario's own settings


def test_a_report_made_mid_scenario_says_what_is_left(window):
    run = scenarios(window).play_file(hostile_scenario(Path(window.host.home.path.parent)))
    assert run is not None and not run.done
    text = "".join(Page(exports(window).report_page()).text)
    assert "3 step(s) had not run" in text


def test_the_report_is_written_whole_with_the_permissions_of_other_exports(
    window, tmp_path, monkeypatch
):
    answers = [tmp_path / "report.html"]
    monkeypatch.setattr(
        "snowsession_gui.export.feature.QFileDialog.getSaveFileName",
        lambda *_: (str(answers.pop(0)), ""),
    )
    old = os.umask(0o027)
    try:
        window.findChild(QAction, "exportReportAction").trigger()
        assert exports(window).export_log_csv(tmp_path / "log.csv")
    finally:
        os.umask(old)
    report = tmp_path / "report.html"
    assert stat.S_IMODE(report.stat().st_mode) == 0o640
    csv_mode = stat.S_IMODE((tmp_path / "log.csv").stat().st_mode)
    assert stat.S_IMODE(report.stat().st_mode) == csv_mode
    assert report.read_text(encoding="utf-8").rstrip().endswith("</html>")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []

    target = tmp_path / "no such folder" / "report.html"
    assert exports(window).export_report(target) is False
    assert any("No such file" in getattr(d, "text", lambda: "")() for d in window.dialogs)


def test_the_page_needs_nothing_from_outside(window):
    html = exports(window).report_page()
    assert not re.search(r"(?i)(https?:|//[a-z]|@import|url\()", html.split("base64,")[0])
    assert "<script" not in html.lower()


def test_the_report_ends_where_the_run_ends(window):
    """A run stopped at 01:03:00, its next session due at 01:05:45: the report says the run
    went to 01:03:00, not to the picture's margin past its own deadline."""
    window.controls.fire_event()
    window.host.sim.skip(3339)  # 00:55:39, idle less than the timeout by checks
    window.controls.fire_event()  # due at the first check 600 s on: 01:05:45
    window.host.sim.skip(441)  # stopped at 01:03:00
    settle(window)
    assert window.host.session.expected_new_session_at() == 3945
    text = " ".join("".join(Page(exports(window).report_page()).text).split())
    assert "simulated time 00:00:00 to 01:03:00" in text
    simulated = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", "", text)  # not "Made" on a date
    times = re.findall(r"\b\d\d:\d\d:\d\d\b", simulated)
    assert times and max(times) == "01:03:00"
