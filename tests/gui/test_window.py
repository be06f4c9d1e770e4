"""The window: state, log, context and controls stay true to the engine."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QTextBrowser,
)

from gui.gui_helpers import settle
from session import VirtualClock, read_save_file

NAMES = {
    "fireEventButton": QPushButton,
    "backgroundToggle": QPushButton,
    "checkerToggle": QPushButton,
    "foregroundTimeoutInput": QAbstractSpinBox,
    "backgroundTimeoutInput": QAbstractSpinBox,
    "checkIntervalInput": QAbstractSpinBox,
    "speedSelector": QComboBox,
    "sessionIndexValue": QLabel,
    "sessionIdValue": QLabel,
    "previousSessionIdValue": QLabel,
    "userIdValue": QLabel,
    "eventLog": QTableView,
    "contextView": QPlainTextEdit,
}


def test_stable_object_names_tooltips_and_accessible_names(window):
    for name, kind in NAMES.items():
        widget = window.findChild(kind, name)
        assert widget is not None, name
        assert widget.accessibleName(), name
    assert window.timeline.ensure_plot().plot.objectName() == "timelinePlot"
    for control in window.findChildren(QAbstractButton) + window.findChildren(QAbstractSpinBox):
        if control.objectName().startswith("qt_") or not control.isVisibleTo(window):
            continue
        if control.parent() is window.timeline.ensure_plot().plot or not control.objectName():
            continue
        assert control.toolTip(), control.objectName()
        assert control.accessibleName(), control.objectName()
    assert window.findChild(QComboBox, "speedSelector").toolTip()


def test_first_frame_shows_the_session_at_once(window):
    session = window.host.session
    assert window.findChild(QLabel, "sessionIndexValue").text() == "1"
    assert window.findChild(QLabel, "userIdValue").text() == session.user_id
    assert window.findChild(QLabel, "sessionIdValue").text() == session.current_session_id
    settle(window)
    _, ys = window.timeline.ensure_plot().step_curve.getData()
    assert list(ys) == [1.0, 1.0]


def test_firing_an_event_updates_state_log_and_context(window, qtbot, clock):
    session = window.host.session
    clock.advance(12)
    qtbot.mouseClick(window.findChild(QPushButton, "fireEventButton"), Qt.MouseButton.LeftButton)
    first = session.first_event_id
    assert first is not None
    assert window.state_panel.first_event.text() == first
    assert window.state_panel.last_access.text() == "00:00:12"
    log = window.findChild(QTableView, "eventLog")
    assert log.model().rowCount() == 1
    assert log.model().index(0, 0).data() == "00:00:12"
    assert log.model().index(0, 1).data() == first
    assert log.model().index(0, 2).data() == "1"
    assert log.model().index(0, 3).data() == session.state.short_session_id
    text = window.findChild(QPlainTextEdit, "contextView").toPlainText()
    assert f'"firstEventId": "{first}"' in text
    assert f'"sessionId": "{session.current_session_id}"' in text
    assert window.context_view.valid is True
    assert "valid" in window.context_view.badge.text()
    assert window.state_panel.checker.text().startswith("running")


def test_space_fires_and_b_toggles_background(window, qtbot):
    window.activateWindow()
    window.timeline.ensure_plot().plot.setFocus()
    qtbot.keyClick(window.timeline.ensure_plot().plot, Qt.Key.Key_Space)
    assert window.event_log.log_model.rowCount() == 1
    qtbot.keyClick(window.timeline.ensure_plot().plot, Qt.Key.Key_B)
    assert window.host.session.background is True
    assert window.findChild(QPushButton, "backgroundToggle").isChecked()


def test_background_toggle_changes_the_timeout_in_force(window, qtbot):
    session = window.host.session
    toggle = window.findChild(QPushButton, "backgroundToggle")
    assert session.timeout_in_force == 600
    assert window.state_panel.timeout.text() == "600 s (foreground)"
    qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    assert session.background is True
    assert session.timeout_in_force == 300
    assert window.state_panel.timeout.text() == "300 s (background)"
    assert window.state_panel.mode.text() == "background"
    qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    assert session.timeout_in_force == 600


def test_countdown_matches_the_engine(window, clock):
    window.controls.fire_event()  # at 0: a new session is due at the first check >= 600
    session = window.host.session
    assert session.expected_new_session_at() == 600
    window.host.sim.skip(60)
    assert window.state_panel.countdown_value.text() == "new session in 09:00"
    window.host.sim.skip(540)
    assert session.session_index == 2
    assert window.findChild(QLabel, "sessionIndexValue").text() == "2"


def test_checker_toggle_and_skip_to_next_check(window, qtbot, clock):
    checker = window.findChild(QPushButton, "checkerToggle")
    session = window.host.session
    assert not session.is_checking
    qtbot.mouseClick(checker, Qt.MouseButton.LeftButton)
    assert session.is_checking and checker.isChecked()
    qtbot.mouseClick(window.time_controls.skip_check, Qt.MouseButton.LeftButton)
    assert clock.now() == 15
    assert window.time_controls.clock_value.text() == "00:00:15"
    qtbot.mouseClick(window.time_controls.skip_five, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.time_controls.skip_minute, Qt.MouseButton.LeftButton)
    assert clock.now() == 375
    qtbot.mouseClick(checker, Qt.MouseButton.LeftButton)
    assert not session.is_checking
    window.time_controls.skip_to_check()
    assert clock.now() == 375  # nothing pending: time stays


def test_speed_selector_drives_the_simulated_clock(window):
    selector = window.findChild(QComboBox, "speedSelector")
    assert [selector.itemText(i) for i in range(selector.count())] == [
        "Pause",
        "1x",
        "10x",
        "60x",
        "600x",
    ]
    selector.setCurrentIndex(4)
    assert window.host.sim.speed == 600 and window.host.sim.running
    selector.setCurrentIndex(0)
    assert window.host.sim.speed == 0 and not window.host.sim.running


def test_restart_makes_a_new_session_on_the_same_file(window, qtbot):
    session = window.host.session
    user, old_id = session.user_id, session.current_session_id
    window.restart()
    new = window.host.session
    assert session.closed and new is not session
    assert new.user_id == user
    assert new.previous_session_id == old_id
    assert window.findChild(QLabel, "sessionIndexValue").text() == "2"
    assert window.findChild(QLabel, "previousSessionIdValue").text() == old_id
    settle(window)
    assert read_save_file(new.save_path).saved.session_index == 2
    assert max(window.timeline.ensure_plot().step_curve.getData()[1]) == 2
    assert "app start" in window.timeline.data.start_text[-1]


def test_reset_asks_then_deletes_the_file_and_starts_a_new_user(window, monkeypatch):
    session = window.host.session
    window.controls.fire_event()
    monkeypatch.setattr(window, "confirm", lambda *_: False)
    window.request_reset()
    assert window.host.session is session  # refused: nothing happened
    monkeypatch.setattr(window, "confirm", lambda *_: True)
    window.request_reset()
    new = window.host.session
    assert new.user_id != session.user_id and new.session_index == 1
    assert window.event_log.log_model.rowCount() == 0
    assert window.context_view.valid is None
    settle(window)
    assert read_save_file(new.save_path).saved.user_id == new.user_id


def test_help_and_about_open_and_close(window, qtbot):
    window.show_how()
    window.show_about()
    dialogs = [d for d in window.dialogs if d.isVisible()]
    assert len(dialogs) == 2
    assert "timeout" in dialogs[0].findChild(QTextBrowser, "helpText").toPlainText()
    # closing the window closes its dialogs (the leak check would fail otherwise)


def test_settings_are_kept_between_runs(make_window, save_path: Path, qtbot):
    first = make_window()
    first.controls.inputs["foreground_timeout"].committed.emit("120")
    first.host.sim.set_speed(60)
    first.close()
    second = make_window(clock=VirtualClock(), speed=None)
    assert second.host.session.foreground_timeout == 120
    assert second.host.sim.speed == 60
    second.host.sim.set_speed(0)


def test_view_menu_hides_and_shows_the_docks(window):
    dock = window.docks["eventLogDock"]
    action = dock.toggleViewAction()
    assert action in window.menuBar().actions()[2].menu().actions()
    action.trigger()
    assert not dock.isVisible()
    action.trigger()
    assert dock.isVisible()


def test_follows_a_dark_palette(window, qapp):
    from PySide6.QtGui import QColor, QPalette

    plot = window.timeline.ensure_plot()
    assert plot.colors.background == "#ffffff"
    light = qapp.palette()
    dark = QPalette(light)
    dark.setColor(QPalette.ColorRole.Window, QColor("#202124"))
    dark.setColor(QPalette.ColorRole.WindowText, QColor("#e8eaed"))
    qapp.setPalette(dark)
    qapp.processEvents()
    try:
        assert window.is_dark()
        assert plot.colors.background == "#1e1f22"
    finally:
        qapp.setPalette(light)
        qapp.processEvents()
    assert plot.colors.background == "#ffffff"


def test_a_failed_restart_leaves_a_clear_message_not_an_exception(window, monkeypatch):
    import snowsession_gui.model.drivers as drivers
    from snowsession_gui.host.session_host import CannotOpen

    def refuse(*_args):
        raise CannotOpen("the file is in use by another program")

    real = drivers._open
    monkeypatch.setattr(drivers, "_open", refuse)
    window.restart()
    box = next(d for d in window.dialogs if d.isVisible())
    assert "in use by another program" in box.text()
    box.close()
    window.controls.fire_event()
    assert "no session is open" in window.statusBar().currentMessage()
    window.controls.background.click()
    assert not window.controls.background.isChecked()
    monkeypatch.setattr(drivers, "_open", real)
    window.restart()
    assert window.host.session.session_index == 2 and not window.host.session.closed


def test_enter_presses_the_focused_button(window, qtbot):
    restart = window.findChild(QPushButton, "restartButton")
    restart.setFocus()
    qtbot.keyClick(restart, Qt.Key.Key_Return)
    assert window.host.session.session_index == 2


def test_toggles_say_what_pressing_them_does(window, qtbot):
    background = window.findChild(QPushButton, "backgroundToggle")
    checker = window.findChild(QPushButton, "checkerToggle")
    assert (background.text(), checker.text()) == ("Go to background", "Start checker")
    qtbot.mouseClick(background, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(checker, Qt.MouseButton.LeftButton)
    assert (background.text(), checker.text()) == ("Back to foreground", "Stop checker")
    window.host.session.stop_checker()  # changed by the engine, not the button
    qtbot.waitUntil(lambda: checker.text() == "Start checker", timeout=2000)


def test_the_title_names_the_file_and_the_app_once_each(window, save_path: Path):
    """The app's name ends the title, so the platform (which adds the display name to a
    title not ending with it) does not write it twice."""
    assert window.windowTitle() == f"{save_path.name} — snowsession"
    assert window.windowTitle().count("snowsession") == 1
