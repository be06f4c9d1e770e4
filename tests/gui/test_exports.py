"""Exports: the timeline as PNG and CSV, the event log as CSV and JSON, from the File menu."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from PySide6.QtGui import QAction, QImage
from PySide6.QtWidgets import QMessageBox

from session.scenario import example_scenarios
from snowsession_gui.export.png_dialog import PngDialog
from snowsession_gui.model.exports import EVENT_FIELDS

from .gui_helpers import exports, scenarios, settle


def shown_error(window) -> QMessageBox:
    boxes = [d for d in window.dialogs if isinstance(d, QMessageBox) and d.isVisible()]
    assert len(boxes) == 1
    return boxes[0]


def fire_events(window, count: int) -> None:
    for _ in range(count):
        window.controls.fire_event()
        window.time_controls.skip_one_minute()


@pytest.fixture
def save_dialog(monkeypatch):
    """Answer the save dialogs with the next path given; remember what they offered."""
    offered: list[str] = []
    answers: list[Path] = []

    def answer(_parent, _title, default, _filter):
        offered.append(default)
        return (str(answers.pop(0)), "") if answers else ("", "")

    for module in ("export.feature", "window.main_window"):
        monkeypatch.setattr(f"snowsession_gui.{module}.QFileDialog.getSaveFileName", answer)
    return offered, answers


def test_event_log_as_csv_and_json_from_the_file_menu(window, tmp_path, save_dialog):
    offered, answers = save_dialog
    fire_events(window, 3)
    rows = window.event_log.log_model.rows
    assert len(rows) == 3
    answers += [tmp_path / "log.csv", tmp_path / "log.json"]
    window.findChild(QAction, "exportLogCsvAction").trigger()
    window.findChild(QAction, "exportLogJsonAction").trigger()
    folder = window.host.save_path.parent
    assert offered == [str(folder / "event-log.csv"), str(folder / "event-log.json")]

    with (tmp_path / "log.csv").open(newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        assert tuple(reader.fieldnames or ()) == EVENT_FIELDS
        table = list(reader)
    records = json.loads((tmp_path / "log.json").read_text(encoding="utf-8"))
    assert (
        [r["event_id"] for r in table]
        == [r["event_id"] for r in records]
        == [row[1] for row in rows]
    )
    assert [float(r["simulated_seconds"]) for r in table] == [row[0] for row in rows]
    assert [r["session_index"] for r in records] == [row[2] for row in rows]
    assert records[1]["simulated_time"] == "00:01:00"
    assert "exported" in window.statusBar().currentMessage()


def test_timeline_as_png_and_csv_from_the_file_menu(window, tmp_path, save_dialog):
    offered, answers = save_dialog
    fire_events(window, 2)
    window.time_controls.skip_five_minutes()
    window.time_controls.skip_five_minutes()  # a foreground timeout: session 2
    settle(window)
    answers += [tmp_path / "timeline.png", tmp_path / "timeline.csv"]
    window.findChild(QAction, "exportPngAction").trigger()
    (options,) = [d for d in window.dialogs if isinstance(d, PngDialog)]
    options.accept()  # the size and title offered: 1600 x 900 and the save file's name
    window.findChild(QAction, "exportCsvAction").trigger()
    assert [Path(o).name for o in offered] == ["timeline.png", "timeline.csv"]
    assert (tmp_path / "timeline.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert QImage(str(tmp_path / "timeline.png")).size().toTuple() == (1600, 900)
    with (tmp_path / "timeline.csv").open(newline="", encoding="utf-8") as file:
        steps = list(csv.DictReader(file))
    assert [r["session_index"] for r in steps] == ["1", "2"]
    assert "timeout" in steps[-1]["why"]


def test_a_cancelled_dialog_writes_nothing(window, tmp_path, save_dialog):
    window.findChild(QAction, "exportLogCsvAction").trigger()
    window.findChild(QAction, "exportPngAction").trigger()
    (options,) = window.dialogs
    options.accept()  # then the file dialog is cancelled
    assert not [d for d in window.dialogs if d.isVisible()]
    assert list(tmp_path.glob("*.csv")) == list(tmp_path.glob("*.png")) == []


@pytest.mark.parametrize("kind", ["csv", "json"])
def test_an_event_log_export_that_fails_is_a_clear_message(window, tmp_path, kind):
    target = tmp_path / "no such folder" / f"log.{kind}"
    export = exports(window).export_log_csv if kind == "csv" else exports(window).export_log_json
    assert export(target) is False
    text = shown_error(window).text()
    assert text.startswith(f"could not write {target}") and "No such file" in text
    assert "Traceback" not in text


def test_a_failed_export_leaves_the_old_file_whole(window, tmp_path, monkeypatch):
    target = tmp_path / "log.json"
    target.write_text("[]\n", encoding="utf-8")
    fire_events(window, 1)

    def broken(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("snowsession_gui.model.exports.os.replace", broken)
    assert exports(window).export_log_json(target) is False
    assert target.read_text(encoding="utf-8") == "[]\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "log.json"]
    assert "No space left" in shown_error(window).text()


def test_the_event_log_of_a_scenario_exports_its_events(window, tmp_path):
    run = scenarios(window).play_file(example_scenarios()["restarts"])
    while not run.done:
        scenarios(window).next_step()
    assert exports(window).export_log_csv(tmp_path / "run.csv")
    with (tmp_path / "run.csv").open(newline="", encoding="utf-8") as file:
        table = list(csv.DictReader(file))
    assert [(float(r["simulated_seconds"]), r["event_id"]) for r in table] == [
        (e.at, e.event_id) for e in run.events
    ]


def test_times_are_written_to_the_millisecond(window, tmp_path):
    window.host.sim.skip(13149.857999999982 - 0.1)
    window.host.sim.skip(0.1)  # a time with a float tail, as simulated time gets
    window.controls.fire_event()
    at = window.event_log.rows[-1][0]
    assert repr(at) != f"{at:.3f}"
    assert exports(window).export_log_csv(tmp_path / "log.csv")
    assert exports(window).export_log_json(tmp_path / "log.json")
    row = (tmp_path / "log.csv").read_text(encoding="utf-8").splitlines()[1]
    assert row.startswith(f"{at:.3f},03:39:09,")
    (record,) = json.loads((tmp_path / "log.json").read_text(encoding="utf-8"))
    assert record["simulated_seconds"] == round(at, 3)


def test_exports_carry_full_ids_the_background_flag_and_the_reason(window, tmp_path):
    window.controls.fire_event()
    window.host.set_background(True)
    window.time_controls.skip_one_minute()
    window.controls.fire_event()  # in the background, session 1
    for _ in range(6):
        window.time_controls.skip_one_minute()  # past 300 s in the background: session 2
    window.controls.fire_event()
    settle(window)
    first, second = window.timeline.data.starts
    assert second.reason.value == "timeout" and second.background
    assert exports(window).export_log_csv(tmp_path / "log.csv")
    assert exports(window).export_log_json(tmp_path / "log.json")
    assert exports(window).export_csv(tmp_path / "timeline.csv")

    with (tmp_path / "log.csv").open(newline="", encoding="utf-8") as file:
        table = list(csv.DictReader(file))
    records = json.loads((tmp_path / "log.json").read_text(encoding="utf-8"))
    assert [r["background"] for r in table] == ["false", "true", "true"]
    assert [r["background"] for r in records] == [False, True, True]
    assert [r["first_event"] for r in records] == [True, False, True]
    assert [r["session_id"] for r in records] == [
        first.new.session_id,
        first.new.session_id,
        second.new.session_id,
    ]
    assert records[2]["previous_session_id"] == first.new.session_id
    assert records[0]["previous_session_id"] is None and table[0]["previous_session_id"] == ""
    assert {r["user_id"] for r in table} == {first.new.user_id}
    assert [r["session_reason"] for r in table] == ["start", "start", "timeout"]
    assert "timeout: 300 s (background)" in records[2]["session_why"]
    assert table[2]["session"] == second.new.session_id.split("-")[0]  # the old short column

    with (tmp_path / "timeline.csv").open(newline="", encoding="utf-8") as file:
        steps = list(csv.DictReader(file))
    assert [(s["session_index"], s["reason"], s["background"]) for s in steps] == [
        ("1", "start", "false"),
        ("2", "timeout", "true"),
    ]
    assert steps[1]["session_id"] == second.new.session_id
    assert steps[1]["previous_session_id"] == first.new.session_id
    assert steps[1]["user_id"] == first.new.user_id


def test_the_columns_that_were_there_stay_first():
    assert EVENT_FIELDS[:5] == (
        "simulated_seconds",
        "simulated_time",
        "event_id",
        "session_index",
        "session",
    )
