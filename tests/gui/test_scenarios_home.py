"""A scenario or a recording leaves the window's own file alone, and leaves nothing behind."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction

from session import VirtualClock, read_save_file
from session.scenario import example_scenarios

from .gui_helpers import exports, scenarios, settle


def test_stopping_a_scenario_is_not_a_restart_of_your_file(window):
    home = window.host.session
    window.controls.fire_event()
    index, session_id = home.session_index, home.current_session_id
    settle(window)
    on_disk = window.host.home.path.read_bytes()
    for start in (
        lambda: scenarios(window).play_file(example_scenarios()["restarts"]),
        scenarios(window).start_recording,
    ):
        start()
        window.controls.fire_event()
        window.time_controls.skip_five_minutes()
        scenarios(window).stop()
        assert window.host.session is home and not home.closed  # the same session, going on
        assert (home.session_index, home.current_session_id) == (index, session_id)
        assert window.host.home.path.read_bytes() == on_disk
        settle(window)
        assert read_save_file(window.host.home.path).saved.session_index == index
        assert window.state_panel.index_value.text() == str(index)
        assert window.state_panel.session_id.text() == session_id


def test_the_window_comes_back_to_its_own_time(window):
    window.host.sim.skip(500)
    scenarios(window).play_file(example_scenarios()["restarts"])
    window.time_controls.skip_five_minutes()
    assert window.time_controls.clock_value.text() == "00:05:00"
    scenarios(window).stop()
    assert window.host.now() == 500
    assert window.time_controls.clock_value.text() == "00:08:20"


def test_exports_during_a_scenario_are_offered_beside_your_file(window, monkeypatch, tmp_path):
    offered: list[str] = []

    def answer(_parent, _title, default, _filter):
        offered.append(default)
        return "", ""

    monkeypatch.setattr("snowsession_gui.export.feature.QFileDialog.getSaveFileName", answer)
    run = scenarios(window).play_file(example_scenarios()["restarts"])
    scratch = Path(run.save_path).parent
    for name in ("exportLogCsvAction", "exportLogJsonAction", "exportReportAction"):
        window.findChild(QAction, name).trigger()
    exports(window).choose_timeline_png().accept()  # its size and title, then where
    home = window.host.home.path.parent
    assert [Path(o).parent for o in offered] == [home, home, home, home]
    assert all(scratch not in Path(o).parents for o in offered)


def test_after_a_recording_its_save_button_and_the_message_agree(window):
    feature = scenarios(window)
    feature.start_recording()
    window.controls.fire_event()
    feature.stop()
    assert "Save recording as" in window.statusBar().currentMessage()
    assert feature.save_action.isEnabled()
    assert feature.panel.save_button.defaultAction() is feature.save_action
    assert feature.panel.save_button.isEnabled()


def test_the_legend_lists_what_is_drawn(window, tmp_path):
    plot = window.timeline.ensure_plot()

    def legend() -> dict[str, str]:
        return {
            label.text: sample.item.opts.get("brush").color().name()
            if hasattr(sample.item, "opts") and sample.item.opts.get("brush") is not None
            else ""
            for sample, label in plot.legend.items
        }

    names = legend()
    assert names["new session"] == window.colors.start  # green: an app start
    assert names["timeout"] == window.colors.timeout  # amber: a timeout
    assert "expectation" not in names
    scenarios(window).play_file(example_scenarios()["check-interval-slack"])
    window.host.sim.skip(3600)
    settle(window)
    assert "expectation" in legend()
    scenarios(window).stop()
    settle(window)
    assert "expectation" not in legend()


def test_the_scenario_dialog_remembers_its_folder(make_window, monkeypatch, tmp_path):
    folder = tmp_path / "my scenarios"
    folder.mkdir()
    mine = folder / "mine.toml"
    mine.write_text('[[step]]\nat = 0\ndo = "event"\n', encoding="utf-8")
    asked: list[str] = []

    def choose(_parent, _title, start, _filter):
        asked.append(start)
        return str(mine), ""

    monkeypatch.setattr("snowsession_gui.scenario.feature.QFileDialog.getOpenFileName", choose)
    settings = QSettings(str(tmp_path / "kept.ini"), QSettings.Format.IniFormat)
    first = make_window(settings=settings)
    scenarios(first).choose_scenario()
    scenarios(first).choose_scenario()
    first.close()
    second = make_window(tmp_path / "other.xml", settings=settings, clock=VirtualClock())
    scenarios(second).choose_scenario()
    assert asked[0] != str(folder)  # the examples, the first time
    assert asked[1:] == [str(folder), str(folder)]  # then where the last one was


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_every_export_gets_the_permissions_a_new_file_gets(window, tmp_path, umask):
    window.controls.fire_event()
    old = os.umask(umask)
    try:
        feature = exports(window)
        for name, write in (
            ("log.csv", feature.export_log_csv),
            ("log.json", feature.export_log_json),
            ("timeline.png", feature.export_png),
            ("timeline.csv", feature.export_csv),
        ):
            assert write(tmp_path / name), name
        scenarios(window).start_recording()
        window.controls.fire_event()
        assert scenarios(window).save_recording(tmp_path / "recording.toml")
    finally:
        os.umask(old)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir() if p.is_file()}
    expected = 0o666 & ~umask
    assert modes == dict.fromkeys(
        ("log.csv", "log.json", "timeline.png", "timeline.csv", "recording.toml"), expected
    )


def test_an_export_over_a_file_keeps_its_permissions(window, tmp_path):
    target = tmp_path / "log.csv"
    target.write_text("old\n")
    target.chmod(0o640)
    assert exports(window).export_log_csv(target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640 and target.read_text() != "old\n"
