"""Edits of the timeouts and the interval: applied when committed, bad ones refused out loud."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox, QLabel

FIELDS = [
    ("foregroundTimeoutInput", "foreground_timeout", 600),
    ("backgroundTimeoutInput", "background_timeout", 300),
    ("checkIntervalInput", "check_interval", 15),
]
BAD = {
    "": "empty",
    "0": "more than 0",
    "-5": "more than 0",
    "1e12": "at most",
    "99999999999": "at most",
    "abc": "not a number",
    "12abc": "not a number",
    "nan": "more than 0 and at most",
    "inf": "more than 0 and at most",
}


def type_into(qtbot, box: QAbstractSpinBox, text: str) -> None:
    box.setFocus()
    box.lineEdit().selectAll()
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Delete)
    if text:
        qtbot.keyClicks(box.lineEdit(), text)
    qtbot.keyClick(box, Qt.Key.Key_Return)


@pytest.mark.parametrize(("name", "setting", "default"), FIELDS)
@pytest.mark.parametrize("text", list(BAD))
def test_bad_input_is_refused_beside_the_field_and_never_applied(
    window, qtbot, name, setting, default, text
):
    box = window.findChild(QAbstractSpinBox, name)
    type_into(qtbot, box, text)
    error = window.findChild(QLabel, name.replace("Input", "Error"))
    assert error.isVisible()
    assert BAD[text] in error.text()
    assert f"still {default} s" in error.text()
    assert getattr(window.host.session, setting) == default
    assert box.value() == default
    assert box.lineEdit().text() == f"{default} s"


@pytest.mark.parametrize(("name", "setting", "default"), FIELDS)
def test_good_input_applies_on_enter_and_clears_the_message(window, qtbot, name, setting, default):
    box = window.findChild(QAbstractSpinBox, name)
    error = window.findChild(QLabel, name.replace("Input", "Error"))
    type_into(qtbot, box, "-1")
    assert error.isVisible()
    type_into(qtbot, box, "42.5")
    assert getattr(window.host.session, setting) == 42.5
    assert not error.isVisible()
    assert box.value() == 42.5


def test_a_value_applies_on_leaving_the_field(window, qtbot):
    box = window.findChild(QAbstractSpinBox, "foregroundTimeoutInput")
    box.setFocus()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), "120")
    assert window.host.session.foreground_timeout == 600  # not while typing
    window.findChild(QAbstractSpinBox, "checkIntervalInput").setFocus()
    qtbot.waitUntil(lambda: window.host.session.foreground_timeout == 120, timeout=2000)


def test_typing_digits_in_a_field_does_not_trigger_speed_shortcuts(window, qtbot):
    box = window.findChild(QAbstractSpinBox, "checkIntervalInput")
    type_into(qtbot, box, "4")
    assert window.host.session.check_interval == 4
    assert window.host.sim.speed == 0  # key 4 is 600x elsewhere in the window


def test_changed_timeout_changes_the_countdown(window, qtbot):
    window.controls.fire_event()
    type_into(qtbot, window.findChild(QAbstractSpinBox, "foregroundTimeoutInput"), "60")
    assert window.host.session.expected_new_session_at() == 60
    window.host.sim.skip(60)
    assert window.host.session.session_index == 2


def test_a_refusal_goes_when_the_setting_changes_by_another_route(window, qtbot, tmp_path):
    """ "still 600 s" beside the field holds only while 600 s is in force."""
    from .gui_helpers import scenarios

    box = window.findChild(QAbstractSpinBox, "foregroundTimeoutInput")
    error = window.findChild(QLabel, "foregroundTimeoutError")
    type_into(qtbot, box, "-5")
    assert error.isVisible() and "still 600 s" in error.text()
    window.host.set_background(True)  # another change, the timeout as it was: it stays
    assert error.isVisible()
    scenario = tmp_path / "short.toml"
    scenario.write_text('[session]\nforeground_timeout = 90\n[[step]]\nat = 0\ndo = "event"\n')
    assert scenarios(window).play_file(scenario) is not None
    assert box.lineEdit().text() == "90 s"
    assert not error.isVisible() and error.text() == ""


def test_a_refusal_names_the_number_as_it_was_typed(window, qtbot):
    box = window.findChild(QAbstractSpinBox, "foregroundTimeoutInput")
    error = window.findChild(QLabel, "foregroundTimeoutError")
    type_into(qtbot, box, "-5")
    assert "got -5; still 600 s" in error.text()
    type_into(qtbot, box, "-0.25")
    assert "got -0.25; still 600 s" in error.text()


def test_enter_gives_the_keys_back_to_the_window(window, qtbot):
    """600, Enter, then S and Space: the window's keys, not "600 ss  s" in the field."""
    from PySide6.QtWidgets import QApplication

    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    box = window.findChild(QAbstractSpinBox, "foregroundTimeoutInput")
    error = window.findChild(QLabel, "foregroundTimeoutError")
    window.controls.fire_event()
    type_into(qtbot, box, "600")
    assert not box.hasFocus()
    for key in (Qt.Key.Key_S, Qt.Key.Key_Space):
        qtbot.keyClick(QApplication.focusWidget() or window, key)
    assert box.lineEdit().text() == "600 s"
    assert not error.isVisible()
    session = window.host.session
    assert session.session_index == 2  # S: skipped to the next new session
    now = window.host.sim.now()
    assert now >= 600
    assert session.last_access == now  # Space: an event fired there


def test_a_refusal_goes_once_the_field_holds_a_good_value(window, qtbot):
    box = window.findChild(QAbstractSpinBox, "foregroundTimeoutInput")
    error = window.findChild(QLabel, "foregroundTimeoutError")
    type_into(qtbot, box, "600 ss  s")
    assert error.isVisible() and "still 600 s" in error.text()
    box.setFocus()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), "12")  # a good value, not yet committed
    assert not error.isVisible() and error.text() == ""
    qtbot.keyClicks(box.lineEdit(), "x")  # not one any more: the refusal comes on Enter
    assert not error.isVisible()
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert error.isVisible() and "still 600 s" in error.text()
