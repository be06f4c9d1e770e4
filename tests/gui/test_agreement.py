"""Every number and label on screen agrees with every other, at every moment."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox, QTextBrowser

from session.scenario import example_scenarios
from snowsession_gui.model.units import format_clock

from .gui_helpers import scenarios


def type_into(qtbot, box: QAbstractSpinBox, text: str) -> None:
    box.setFocus()
    box.lineEdit().selectAll()
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Delete)
    qtbot.keyClicks(box.lineEdit(), text)
    qtbot.keyClick(box, Qt.Key.Key_Return)


def deadline_shown(window, until: float | None = None) -> tuple[float | None, str | None]:
    """Where the dashed line is and what its label says (None: not shown); ``until``
    shows the times from 0 to it first."""
    plot = window.timeline.ensure_plot()
    if until is not None:
        plot.show_range(0, until)
    plot.redraw()
    line = plot.deadline_line.value() if plot.deadline_line.isVisible() else None
    label = plot.marks.deadline_label
    return line, label.toPlainText() if label.isVisible() else None


def test_a_timeout_typed_twice_is_the_same_everywhere(window, qtbot):
    """600 → 120 → 90: the engine, the status bar, the State row, the countdown and the
    deadline line and its label all say 90 s."""
    window.controls.fire_event()
    box = window.controls.inputs["foreground_timeout"]
    type_into(qtbot, box, "120")
    type_into(qtbot, box, "90")
    session = window.host.session
    assert session.foreground_timeout == 90
    assert window.statusBar().currentMessage() == "foreground timeout set to 90 s"
    assert window.state_panel.timeout.text() == "90 s (foreground)"
    due = session.expected_new_session_at()
    assert due == 90
    assert window.state_panel.countdown_value.text() == "new session in 01:30"
    assert deadline_shown(window) == (due, f"new session due {format_clock(due)}")


def test_a_setting_changed_by_a_program_shows_at_once(window, qtbot):
    """A change made on the engine directly (an embedding program) reaches the views too."""
    window.controls.fire_event()
    window.host.session.background_timeout = 42
    window.host.session.set_background(True)
    qtbot.waitUntil(lambda: window.state_panel.timeout.text() == "42 s (background)", timeout=2000)
    assert window.controls.inputs["background_timeout"].value() == 42
    assert deadline_shown(window)[1] == f"new session due {format_clock(45)}"


def test_after_a_background_expiry_the_deadline_label_moves_with_its_line(window):
    host = window.host
    window.controls.fire_event()
    host.set_background(True)
    host.sim.skip(320)  # the background timeout: a new session, and the checker stops
    assert host.session.session_index == 2 and not host.session.is_checking
    assert deadline_shown(window) == (None, None)
    assert window.state_panel.countdown_value.text() == (
        "no new session due (the checker is stopped)"
    )
    host.set_background(False)  # the checker runs again: a new deadline, a new label
    due = host.session.expected_new_session_at()
    assert due is not None and due > 320
    assert deadline_shown(window, due + 60) == (due, f"new session due {format_clock(due)}")


def test_normal_states_are_not_drawn_in_the_problem_colour(window):
    colors = window.colors
    countdown = window.state_panel.countdown_value
    for text_source in ("idle", "running"):
        if text_source == "running":
            window.controls.fire_event()
        style = countdown.styleSheet()
        assert colors.due in style and colors.problem not in style, (countdown.text(), style)
    plot = window.timeline.ensure_plot()
    assert plot.deadline_line.pen.color().name() == colors.due
    assert window.storage_label.styleSheet().count(colors.problem) == 1  # a problem: red


def test_a_scenario_has_one_time_base(window):
    """The Scenario dock, the simulated clock and the time axis all count scenario time."""
    window.host.sim.skip(2 * 3600)  # the window's own clock has run two hours
    run = scenarios(window).play_file(example_scenarios()["background-long"])
    while run.time < 15 * 60:
        scenarios(window).next_step()
    assert run.time == 900
    assert window.time_controls.clock_value.text() == "00:15:00"
    assert scenarios(window).panel.progress.text().startswith("at 00:15:00 of ")
    x0, x1 = window.timeline.visible_range()
    assert x0 <= 900 <= x1 and x1 < 3600  # the axis is in scenario time as well
    last_event = window.event_log.rows[-1][0]
    assert last_event <= 900 and format_clock(last_event) <= "00:15:00"


def test_help_says_the_settings_in_force(window, qtbot):
    type_into(qtbot, window.controls.inputs["check_interval"], "10")
    window.show_how()
    text = window.findChild(QTextBrowser, "helpText").toPlainText()
    assert "check interval (now 10 s; the tracker's default is 15 s)" in " ".join(text.split())
    assert "(15 s)" not in text
    type_into(qtbot, window.controls.inputs["check_interval"], "15")  # the page follows
    text = window.findChild(QTextBrowser, "helpText").toPlainText()
    assert "check interval (15 s, the tracker's default)" in " ".join(text.split())
    assert "Space Fire event" in " ".join(text.split())  # the keys of the window's actions


def test_a_setting_changed_by_a_scenario_shows_in_a_field_that_has_the_focus(window, qtbot):
    box = window.controls.inputs["check_interval"]
    type_into(qtbot, box, "15")  # committed; Enter gives the keys back to the window
    box.setFocus()  # back in the field, nothing typed
    assert box.hasFocus()
    scenarios(window).play_file(example_scenarios()["dotnet-timing-test"])
    interval = window.host.setting("check_interval")
    assert interval == 1
    assert box.value() == interval
    assert f"every {interval:g} s" in window.state_panel.checker.text()
