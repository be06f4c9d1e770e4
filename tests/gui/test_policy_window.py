"""Policy selection in the window: switching, what mobile shows, its controls, and persistence."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QComboBox

from session import VirtualClock
from snowsession_gui.host.session_host import CannotOpen
from snowsession_gui.launcher import parse_args

from .gui_helpers import policies


def feature(window):
    return policies(window)


def test_the_selector_is_named_explained_and_starts_on_dotnet(window):
    selector = window.findChild(QComboBox, "policySelector")
    assert selector is feature(window).selector
    assert selector.toolTip() and selector.accessibleName() == "Session policy"
    assert selector.currentData() == "dotnet"
    panel = feature(window).panel
    assert "timer checks every 15 s" in panel.description.text()
    assert not panel.mobile_group.isVisible()
    assert window.controls.checker.isEnabled()


def test_switching_to_mobile_opens_a_new_session_on_the_same_file_with_the_settings(window):
    window.controls.inputs["foreground_timeout"].committed.emit("120")
    old = window.host.session
    window.controls.fire_event()
    window.findChild(QComboBox, "policySelector").setCurrentIndex(1)
    new = window.host.session
    assert new is not old and old.closed and not new.closed
    assert new.policy.name == "mobile" and window.host.policy == "mobile"
    assert new.save_path == old.save_path and new.user_id == old.user_id
    assert new.session_index == old.session_index + 1
    assert new.foreground_timeout == 120
    assert feature(window).panel.mobile_group.isVisible()
    assert not window.controls.checker.isEnabled()
    assert "each event decides" in window.state_panel.checker.text()
    assert "policy mobile" in window.statusBar().currentMessage()


def test_under_mobile_the_countdown_says_what_the_next_event_will_do(window, clock):
    feature(window).set_policy("mobile")
    countdown = window.state_panel.countdown_value
    assert countdown.text() == "the next event is this session's first"
    window.controls.fire_event()
    clock.advance(100)
    window.host.sim.timeChanged.emit(clock.now())
    assert countdown.text() == "new session at the next event after 08:20"
    clock.advance(501)
    window.host.sim.timeChanged.emit(clock.now())
    assert countdown.text() == "new session at the next event (idle past the timeout)"
    index = window.host.session.session_index
    window.controls.fire_event()
    assert window.host.session.session_index == index + 1
    assert window.state_panel.index_value.text() == str(index + 1)


def test_mobile_state_and_controls(window, clock, qtbot):
    feature(window).set_policy("mobile")
    panel = feature(window).panel
    session = window.host.session
    for _ in range(3):
        window.controls.fire_event()
    assert panel.event_index.text() == "3"
    window.controls.background.click()
    window.controls.background.click()
    qtbot.waitUntil(lambda: panel.lifecycle.text() == "1 / 1")

    panel.pause.click()
    assert session.paused and panel.paused.text() == "yes"
    assert panel.pause.text() == "Resume session"
    assert window.state_panel.countdown_value.text() == "paused: no new session until resumed"
    clock.advance(5000)
    window.controls.fire_event()
    assert session.session_index == 2 and panel.event_index.text() == "4"  # paused: no expiry
    panel.pause.click()
    assert not session.paused and panel.paused.text() == "no"

    panel.new_session.click()
    assert window.state_panel.countdown_value.text() == "new session at the next event (requested)"
    window.controls.fire_event()
    assert session.session_index == 3 and panel.event_index.text() == "1"
    assert window.state_panel.countdown_value.text().startswith("new session at the next event")
    assert "requested" not in window.state_panel.countdown_value.text()


def test_the_simulate_menu_switches_and_the_selector_follows(window):
    action = window.findChild(type(window.menuBar().actions()[0]), "policyMobileAction")
    assert action is not None and action.isCheckable()
    action.trigger()
    assert window.host.session.policy.name == "mobile"
    assert feature(window).selector.currentData() == "mobile"
    back = window.findChild(type(action), "policyDotnetAction")
    back.trigger()
    assert window.host.session.policy.name == "dotnet" and back.isChecked()
    assert not action.isChecked() and window.controls.checker.isEnabled()


def test_the_choice_is_kept_and_the_command_line_wins(make_window, qtbot):
    first = make_window()
    feature(first).set_policy("mobile")
    first.close()
    second = make_window(clock=VirtualClock())
    assert second.host.session.policy.name == "mobile"
    assert feature(second).selector.currentData() == "mobile"
    second.close()
    third = make_window(clock=VirtualClock(), policy="dotnet")
    assert third.host.session.policy.name == "dotnet"


def test_a_failed_switch_says_why_and_keeps_the_old_choice(window, monkeypatch):
    import snowsession_gui.model.drivers as drivers

    def refuse(*_args):
        raise CannotOpen("the file is in use by another program")

    monkeypatch.setattr(drivers, "_open", refuse)
    assert not feature(window).set_policy("mobile")
    box = next(d for d in window.dialogs if d.isVisible())
    assert "in use by another program" in box.text()
    box.close()
    assert window.host.policy == "dotnet"
    assert feature(window).selector.currentData() == "dotnet"


def test_policy_on_the_command_line():
    assert parse_args(["--policy", "mobile"]).policy == "mobile"
    assert parse_args([]).policy is None
    with pytest.raises(SystemExit):
        parse_args(["--policy", "web"])
