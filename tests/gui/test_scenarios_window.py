"""Scenarios in the window: playback at the window's speeds, pass/fail on the timeline and in
the Scenario dock, clear errors for bad files, and recording that replays headless the same."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import QMessageBox, QPlainTextEdit

from session.cli import main as snowsession_main
from session.scenario import example_scenarios, load_scenario
from session.scenario.run import ScenarioRun
from snowsession_gui.model.units import format_clock
from snowsession_gui.widgets.palette import LIGHT

from .gui_helpers import scenarios, settle

PASS, FAIL = QColor(LIGHT.passed), QColor(LIGHT.problem)

MIXED = """\
description = "one expectation holds, one fails"

[session]
foreground_timeout = 60
check_interval = 10

[[step]]
at = 0
do = "event"

[[step]]
at = 30
do = "expect"
session_index = 1

[[step]]
at = 200
do = "expect"
session_index = 5
"""


def write(tmp_path: Path, text: str, name: str = "scenario.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def checked(window) -> list[tuple[float, float, bool, str]]:
    """``(time, index, passed, message)`` of each expectation on the timeline."""
    return [
        (x, y, check.passed, check.message)
        for (x, y), checks in window.timeline.data.expectations.items()
        for check in checks
    ]


def shown_error(window) -> QMessageBox:
    boxes = [d for d in window.dialogs if isinstance(d, QMessageBox) and d.isVisible()]
    assert len(boxes) == 1
    return boxes[0]


@pytest.mark.parametrize("name", sorted(example_scenarios()))
def test_every_shipped_example_plays_green_from_its_menu_entry(window, name):
    action = window.findChild(QAction, f"example:{name}")
    assert action is not None, "each shipped example is listed in File > Example scenarios"
    action.trigger()
    run = scenarios(window).player.run
    assert run is not None and window.host.run is run
    while not run.done:
        window.time_controls.skip_one_minute()  # time moves the run, one minute at a time
    assert run.expectations and run.passed
    panel = scenarios(window).panel
    assert panel.results.count() == len(run.expectations)
    assert panel.summary.text() == f"✓ all {len(run.expectations)} expectations hold"
    assert checked(window) and all(passed for _, _, passed, _ in checked(window))


def test_paused_nothing_moves_and_each_speed_plays(window, tmp_path, qtbot):
    run = scenarios(window).play_file(write(tmp_path, MIXED))
    assert run is not None
    assert run.time == 0 and len(run.events) == 1  # the steps at 0 ran at once
    assert "paused" in window.statusBar().currentMessage()
    window.host.sim.skip(0)
    assert run.time == 0
    window.host.sim.set_speed(600.0)  # 200 simulated seconds in about a third of a second
    qtbot.waitUntil(lambda: run.done, timeout=5000)
    window.host.sim.set_speed(0.0)
    assert len(run.expectations) == 2


def test_expectations_show_pass_and_fail_on_the_timeline_and_in_the_list(window, tmp_path):
    window.host.sim.skip(500)  # the window's own time: the scenario starts at 0 nonetheless
    run = scenarios(window).play_file(write(tmp_path, MIXED))
    assert run is not None
    assert window.host.now() == 0 and window.time_controls.clock_value.text() == "00:00:00"
    scenarios(window).next_step()
    scenarios(window).next_step()
    assert run.done
    (x1, y1, ok1, tip1), (x2, y2, ok2, tip2) = checked(window)
    assert (x1, y1, ok1) == (30, 1, True)
    assert (x2, ok2) == (200, False)
    assert y2 == run.session.session_index
    assert "line 11" in tip1 and "holds" in tip1
    assert "expected 5, got" in tip2
    plot = window.timeline.ensure_plot()
    plot.show_range(0, 220)
    where = plot.view.mapViewToScene(QPointF(x2, y2))
    tip = plot.tip_at(where.x(), where.y())
    assert tip is not None and tip.startswith("expectation FAILS") and "expected 5" in tip
    panel = scenarios(window).panel
    items = [panel.results.item(i) for i in range(panel.results.count())]
    assert [i.foreground().color() for i in items] == [PASS, FAIL]
    assert items[1].text().startswith("✗ line 16 at 00:03:20: session_index expected 5")
    assert panel.summary.text() == "✗ 1 of 2 expectations fail"
    scatter = plot.marks.expectation_markers
    brushes = [p.brush().color().name() for p in scatter.points()]
    assert brushes == [PASS.name(), FAIL.name()]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('[[step]]\nat = 0\ndo = "evnt"\n', 3, "evnt"),
        ('[[step]]\nat = "1:99"\ndo = "event"\n', 2, "60 or more"),
        ("[[step]\nat = 0\n", 1, ""),
        ("[session]\ncolour = 3\n", 2, "colour"),
    ],
    ids=["unknown-action", "bad-time", "bad-toml", "unknown-key"],
)
def test_a_bad_scenario_is_a_clear_message_with_its_line(window, tmp_path, text, line, words):
    home = window.host.save_path
    path = write(tmp_path, text)
    assert scenarios(window).play_file(path) is None
    message = shown_error(window).text()
    assert f"{path}:{line}: " in message and words in message
    assert "Traceback" not in message
    assert scenarios(window).panel.summary.text() == message
    assert window.host.run is None and window.host.save_path == home


def test_a_missing_or_binary_scenario_file_is_a_message(window, tmp_path):
    assert scenarios(window).play_file(tmp_path / "nope.toml") is None
    assert "cannot be read" in shown_error(window).text()
    shown_error(window).close()
    binary = tmp_path / "junk.toml"
    binary.write_bytes(bytes(range(256)))
    assert scenarios(window).play_file(binary) is None
    assert "junk.toml" in shown_error(window).text()


def test_restart_steps_rebind_the_window_and_controls_act_through_the_run(window):
    run = scenarios(window).play_file(example_scenarios()["restarts"])
    assert run is not None
    sessions = []
    window.host.sessionReplaced.connect(sessions.append)
    while run.time < 60:  # events every 5 s, then a restart at 00:01:00
        assert not sessions
        scenarios(window).next_step()
    assert window.host.session is run.session and sessions == [run.session]
    while not run.done:
        scenarios(window).next_step()
    assert len(sessions) == 3
    settle(window)
    assert window.state_panel.index_value.text() == "4"
    assert len(window.event_log.log_model.rows) == len(run.events) == 13
    window.controls.fire_event()  # a person's event goes through the run
    assert run.performed[-1][1].value == "event" and len(run.events) == 14
    assert window.event_log.log_model.rows[-1][1] == run.events[-1].event_id
    assert list(window.timeline.data.event_x.view()) == [e.at for e in run.events]
    indexes = [run.sessions[e.session - 1].index for e in run.events]
    assert list(window.timeline.data.event_y.view()) == indexes
    assert [row[2] for row in window.event_log.log_model.rows] == indexes


def test_expectations_at_one_moment_share_a_marker_and_the_context_follows(window):
    run = scenarios(window).play_file(example_scenarios()["background-long"])
    while run.time < 15 * 60:
        scenarios(window).next_step()
    groups = window.timeline.data.expectations
    assert [c.key for c in groups[(900, 2)]] == ["session_index", "checking"]
    plot = window.timeline.ensure_plot()
    plot.show_range(0, 1000)
    labels = [label.toPlainText() for label in plot.marks.check_labels if label.isVisible()]
    assert "✓ session_index\n✓ checking" in labels  # a line each
    assert len(plot.marks.expectation_markers.points()) == len(groups) == 2
    context = window.context_view.findChild(QPlainTextEdit)
    assert run.sessions[0].session_id in context.toPlainText()  # the last event's session


def test_stop_goes_back_to_the_save_file_and_cleans_the_scratch_file(window, tmp_path):
    home = window.host.save_path
    user = window.host.session.user_id
    run = scenarios(window).play_file(write(tmp_path, MIXED))
    assert run.session.flush(5.0)
    scratch = Path(run.save_path)
    assert scratch.exists() and scratch.parent != home.parent
    scenarios(window).stop()
    assert window.host.run is None and window.host.scenario is None
    assert window.host.save_path == home and window.host.session.user_id == user
    assert not scratch.parent.exists()
    assert scenarios(window).panel.title.text() == "No scenario" and not checked(window)
    window.host.sim.skip(60)  # time moves the clock again, without the run
    assert window.host.session.last_access >= 0


def test_record_in_the_window_replays_headless_to_the_same_timeline(window, tmp_path, qtbot):
    qa = scenarios(window)
    qa.start_recording()
    run = qa.player.run
    assert qa.player.recording and qa.panel.save_button.isVisible()
    t, c = window.time_controls, window.controls
    qtbot.mouseClick(c.fire, Qt.MouseButton.LeftButton)
    for _ in range(3):
        t.skip_one_minute()
        c.fire_event()
    c.toggle_background()  # into the background
    t.skip_five_minutes()  # past the 300 s background timeout: a new session
    c.toggle_background()
    box = c.inputs["foreground_timeout"]
    box.setFocus()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), "120")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert window.host.setting("foreground_timeout") == 120
    t.skip_five_minutes()  # a foreground timeout at 120 s
    c.fire_event()
    window.restart()
    t.skip_one_minute()
    c.toggle_checker()  # stop it
    t.skip_five_minutes()
    c.fire_event()  # starts it again
    recorded = [(s.at, s.index, s.reason) for s in run.sessions]
    assert len(recorded) >= 4 and {"timeout", "start"} <= {r for _, _, r in recorded}
    scenario_file = tmp_path / "recorded.toml"
    assert qa.save_recording(scenario_file)
    text = scenario_file.read_text(encoding="utf-8")
    assert 'do = "restart"' in text and "foreground_timeout = 120" in text

    replay = ScenarioRun(load_scenario(scenario_file), tmp_path / "replay" / "session.xml")
    replay.run()
    assert [(s.at, s.index, s.reason) for s in replay.sessions] == recorded
    assert [(e.at, e.session) for e in replay.events] == [(e.at, e.session) for e in run.events]
    assert replay.passed and replay.expectations
    assert snowsession_main(["simulate", str(scenario_file), "--format", "json"]) == 0


def test_recording_menu_entries_follow_the_state(window, tmp_path):
    save = window.findChild(QAction, "saveRecordingAction")
    stop = window.findChild(QAction, "stopScenarioAction")
    assert not save.isEnabled() and not stop.isEnabled()
    window.findChild(QAction, "recordAction").trigger()
    assert save.isEnabled() and stop.isEnabled()
    scenarios(window).play_file(write(tmp_path, MIXED))  # playing: nothing recorded to save
    assert not save.isEnabled() and stop.isEnabled()
    stop.trigger()
    assert not stop.isEnabled() and window.host.run is None


def test_a_recording_can_still_be_saved_after_it_ended(window, tmp_path):
    scenarios(window).start_recording()
    window.controls.fire_event()
    window.time_controls.skip_one_minute()
    window.controls.fire_event()
    expected = scenarios(window).player.recorded_toml()
    window.findChild(QAction, "stopScenarioAction").trigger()
    assert "Save recording as" in window.statusBar().currentMessage()
    assert window.findChild(QAction, "saveRecordingAction").isEnabled()
    assert scenarios(window).save_recording(tmp_path / "late.toml")
    assert (tmp_path / "late.toml").read_text(encoding="utf-8") == expected
    assert load_scenario(tmp_path / "late.toml").end == 60


def test_opening_a_file_ends_the_scenario_and_reset_is_refused_while_it_runs(window, tmp_path):
    run = scenarios(window).play_file(write(tmp_path, MIXED))
    assert run.session.flush(5.0)
    scratch = Path(run.save_path)
    window.reset()
    assert "stop it first" in shown_error(window).text()
    shown_error(window).close()
    assert window.host.run is run and scratch.exists()
    other = tmp_path / "other" / "session.xml"
    assert window.open_save_file(other)
    assert not scenarios(window).player.active and window.host.run is None
    assert scenarios(window).panel.title.text() == "No scenario" and not scratch.parent.exists()
    assert window.host.save_path == other and not window.host.session.closed


def test_closing_the_window_during_a_scenario_ends_it(make_window, tmp_path, qtbot):
    window = make_window()
    window.show()
    run = scenarios(window).play_file(write(tmp_path, MIXED))
    assert run.session.flush(5.0)
    scratch = Path(run.save_path)
    window.close()
    assert run.session.closed and not scratch.parent.exists()
    assert window.host.run is None


def test_a_recording_under_the_mobile_policy_replays_the_same(make_window, tmp_path):
    window = make_window(policy="mobile")
    scenarios(window).start_recording()
    run = scenarios(window).player.run
    t, c = window.time_controls, window.controls
    c.fire_event()
    for _ in range(3):
        t.skip_five_minutes()
    c.fire_event()  # 15 min idle: the mobile policy starts a session at this event
    c.toggle_background()
    t.skip_five_minutes()
    t.skip_one_minute()
    c.toggle_background()
    c.fire_event()
    window.restart()
    t.skip_one_minute()
    c.fire_event()
    path = tmp_path / "mobile.toml"
    assert scenarios(window).save_recording(path)
    assert 'policy = "mobile"' in path.read_text(encoding="utf-8")
    replay = ScenarioRun(load_scenario(path), tmp_path / "replay.xml").run()
    assert [(s.at, s.index, s.reason) for s in replay.sessions] == [
        (s.at, s.index, s.reason) for s in run.sessions
    ]
    assert len(run.sessions) == 3 and replay.passed


def test_a_finished_scenario_fits_the_timeline(window, tmp_path):
    run = scenarios(window).play_file(write(tmp_path, MIXED))  # 200 simulated seconds
    window.host.sim.skip(run.end + 10)
    assert run.done
    settle(window)
    window.timeline.redraw()
    x0, x1 = window.timeline.visible_range()
    assert x0 <= 0 and run.end <= x1
    assert x1 - x0 < 600  # not the default quarter of an hour: the run fills the view


def test_a_finished_run_says_so_and_leaves_no_step_to_take(window, tmp_path):
    feature = scenarios(window)
    run = feature.play_file(write(tmp_path, MIXED))
    assert run is not None and feature.next_action.isEnabled()
    assert "paused" in window.statusBar().currentMessage()
    feature.next_step()
    assert not run.done and feature.next_action.isEnabled()
    feature.next_step()
    assert run.done
    assert not feature.next_action.isEnabled() and not feature.panel.next_button.isEnabled()
    message = window.statusBar().currentMessage()
    assert message.startswith("scenario finished: ✗ 1 of 2 expectations fail")
    assert feature.panel.summary.text() in message  # the dock's words, once
    assert "paused" not in message
    end = format_clock(run.end)
    assert feature.panel.progress.text() == f"finished at {end}; now {end}"
    window.time_controls.skip_one_minute()  # time goes on after the last step
    later = format_clock(run.end + 60)
    assert feature.panel.progress.text() == f"finished at {end}; now {later}"
    feature.stop()
    assert window.statusBar().currentMessage() == "scenario ended: back to your save file"


def test_a_played_scenario_is_fitted_whole_and_the_span_selector_says_so(window, tmp_path):
    import math

    from PySide6.QtWidgets import QComboBox

    selector = window.findChild(QComboBox, "spanSelector")
    assert selector.currentText() != "all"
    run = scenarios(window).play_file(write(tmp_path, MIXED))
    assert run is not None
    plot = window.timeline.ensure_plot()
    assert plot.span == math.inf and selector.currentText() == "all"
    scenarios(window).next_step()
    scenarios(window).next_step()
    settle(window)
    (left, right), _ = plot.view.viewRange()
    assert left <= 0 and right >= run.end  # every step of it in view
