"""Jumping in time: to a time typed, to the next new session; and what the timeline shows
(span presets, *Fit all*) in the main window and the monitor."""

from __future__ import annotations

import math

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QToolButton

from snowsession_gui.model.units import MAX_JUMP, parse_clock
from snowsession_gui.monitor.window import MonitorWindow

from .gui_helpers import policies, settle
from .test_monitor import _write_index as write_index


def go_to(window, text: str):
    dialog = window.time_controls.open_go_to()
    dialog.input.setText(text)
    return dialog, dialog.apply()


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("01:30:00", 5400.0),
        ("30:00", 1800.0),
        ("1d 02:00:00", 93600.0),
        ("5400", 5400.0),
        ("90 s", 90.0),
        ("+5:00", 1300.0),
        (" 00:00:07.5 ", 7.5),
    ],
)
def test_times_are_read_as_people_type_them(text, seconds):
    assert parse_clock(text, now=1000.0) == seconds


@pytest.mark.parametrize("text", ["", "+", "soon", "12:61", "1:60:00", "-5", "nan", "inf", "1e400"])
def test_what_is_not_a_time_is_refused_in_words(text):
    with pytest.raises(ValueError, match=r"time|60"):
        parse_clock(text, now=0.0)


def test_go_to_moves_time_on_running_every_check_on_the_way(window, qtbot):
    window.controls.fire_event()
    dialog, ok = go_to(window, "00:20:00")
    assert ok and not dialog.isVisible()
    assert window.host.now() == 1200.0
    assert window.time_controls.clock_value.text().endswith("00:20:00")
    settle(window)
    # the 600 s timeout passed twice on the way: the checker started two new sessions
    assert window.host.snapshot.state.session_index == 3
    assert window.state_panel.index_value.text() == "3"
    # both starts are marked where they happened, though the file was read once at the end
    assert list(window.timeline.data.start_x.view()) == [0.0, 600.0, 1200.0]


def test_a_time_before_now_or_garbage_is_explained_beside_the_field(window):
    window.host.sim.skip(600)
    dialog, ok = go_to(window, "00:05:00")
    assert not ok and dialog.isVisible()
    assert dialog.error.isVisible()
    assert "before now (00:10:00)" in dialog.error.text()
    assert window.host.now() == 600.0  # nothing moved
    dialog, ok = go_to(window, "tomorrow")
    assert not ok and "not a time" in dialog.error.text()
    dialog, ok = go_to(window, f"+{MAX_JUMP + 60:g}")
    assert not ok and "a week at a time" in dialog.error.text()
    assert window.host.now() == 600.0
    dialog, ok = go_to(window, "+60")  # a good time clears the message
    assert ok and not dialog.error.isVisible() and window.host.now() == 660.0
    dialog.close()


def test_skip_to_the_next_session_stops_right_after_it_starts(window):
    window.controls.fire_event()
    messages: list[str] = []
    window.time_controls.message.connect(messages.append)
    window.findChild(QAction, "skipToSessionAction").trigger()
    settle(window)
    state = window.host.snapshot.state
    assert state.session_index == 2
    at = window.host.now()
    assert 600 <= at <= 600 + window.host.setting("check_interval")  # the first check past it
    assert (
        messages[-1]
        == f"skipped to the new session at {window.time_controls.clock_value.text()[-8:]}"
    )


def test_skip_to_the_next_session_says_when_none_will_come(window):
    window.host.set_checking(False)
    messages: list[str] = []
    window.time_controls.message.connect(messages.append)
    window.time_controls.skip_to_next_session()
    assert "checker is stopped" in messages[-1]
    assert window.host.now() == 0.0  # time left where it was
    window.host.set_checking(True)
    assert policies(window).set_policy("mobile")
    window.time_controls.skip_to_next_session()
    assert "mobile policy only an event starts a session" in messages[-1]
    assert window.host.now() == 0.0


def visible_width(timeline) -> float:
    x0, x1 = timeline.visible_range()
    return x1 - x0


def test_span_presets_and_fit_all_in_the_main_window(window):
    window.controls.fire_event()
    window.host.sim.skip(3 * 3600)
    settle(window)
    selector = window.findChild(QComboBox, "spanSelector")
    window.findChild(QAction, "span300Action").trigger()  # Ctrl+1
    window.timeline.redraw()
    assert visible_width(window.timeline) == pytest.approx(300.0)
    assert selector.currentText() == "5 min" and window.timeline.follow
    window.findChild(QAction, "fitAllAction").trigger()  # Ctrl+0
    window.timeline.redraw()
    x0, x1 = window.timeline.visible_range()
    assert x0 <= 0.0 and x1 >= 3 * 3600  # everything from the start
    assert selector.currentText() == "all"
    window.timeline.show_range(100, 200)  # a zoom by hand
    assert not window.timeline.follow and selector.currentIndex() == -1  # "custom"
    selector.activated.emit(selector.findText("2 h"))
    window.timeline.redraw()
    assert window.timeline.follow and visible_width(window.timeline) == pytest.approx(7200.0)


def test_the_monitor_has_the_presets_and_keeps_the_span_chosen(qtbot, tmp_path):
    path = tmp_path / "session.xml"
    write_index(path, 1)
    now = [0.0]
    monitor = MonitorWindow(path, now=lambda: now[0], poll_ms=0)
    qtbot.addWidget(monitor)
    monitor.show()
    plot = monitor.timeline.ensure_plot()
    names = {a.objectName() for a in monitor.findChildren(QAction)}
    assert {"span60Action", "span86400Action", "fitAllAction", "monitorFollowAction"} <= names
    monitor.findChild(QAction, "span1800Action").trigger()
    for index in range(2, 12):
        now[0] += 2.0
        write_index(path, index)
        monitor.watcher.read_now()
    plot.redraw()
    assert monitor.timeline.span == 1800.0  # the file's pace no longer chooses it
    assert monitor.findChild(QComboBox, "monitorSpanSelector").currentText() == "30 min"
    monitor.findChild(QAction, "fitAllAction").trigger()
    plot.redraw()
    x0, x1 = plot.visible_range()
    assert math.isinf(monitor.timeline.span) and x0 <= 0.0 and x1 >= now[0]
    assert monitor.findChild(QToolButton, "monitorFollowButton").isChecked()
    # the save file tab shows what each change of the file changed
    entries = monitor.save_view.history.entries
    assert entries[-1].changed_text().startswith("index 10 → 11 · session 00000000-")
    monitor.close()


def test_go_to_says_one_now_the_current_one_as_time_runs(window):
    """Time runs while the dialog is open: its caption and a refusal that names now say the
    same now, the current one, and a refusal goes once the time typed can be gone to."""
    host = window.host
    host.sim.skip(386)  # 00:06:26
    dialog = window.time_controls.open_go_to()
    assert "Now 00:06:26." in dialog.caption.text()
    host.sim.skip(29)  # time runs on while the dialog is open
    assert "Now 00:06:55." in dialog.caption.text()
    dialog.input.setText("00:05:00")
    assert not dialog.apply()
    assert "Now 00:06:55." in dialog.caption.text()
    assert "before now (00:06:55)" in dialog.error.text()
    host.sim.skip(5)
    assert "Now 00:07:00." in dialog.caption.text()
    assert "before now (00:07:00)" in dialog.error.text()
    far = MAX_JUMP + 420 + 30  # half a minute too far: fine once time has run a minute on
    dialog.input.setText(f"{far:g}")
    assert not dialog.apply() and "a week at a time" in dialog.error.text()
    assert "ahead of now (00:07:00)" in dialog.error.text()
    host.sim.skip(60)
    assert "Now 00:08:00." in dialog.caption.text()
    assert not dialog.error.isVisible() and dialog.error.text() == ""
    assert dialog.apply() and host.now() == far
