"""The one route from the host to the views: one map of notifications to signals, a look at
the file in its place among them, and a refusal sent like any other change."""

from __future__ import annotations

from typing import get_args

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from session import ClientSession, EventTracked, Notification, VirtualClock
from session.storage.report import Change
from snowsession_gui import follow_application_state
from snowsession_gui.host.qt_session import (
    NOTIFICATION_SIGNALS,
    NotificationSignals,
    SessionBridge,
)
from snowsession_gui.host.route import Refused, Route, RouteSignal
from snowsession_gui.host.session_host import SessionHost
from snowsession_gui.model.units import format_seconds


def _fail_restarts(window, monkeypatch) -> None:
    import snowsession_gui.model.drivers as drivers
    from snowsession_gui.host.session_host import CannotOpen

    def refuse(*_args):
        raise CannotOpen("the file is in use by another program")

    monkeypatch.setattr(drivers, "_open", refuse)
    window.restart()
    for dialog in window.dialogs:
        dialog.close()


def test_every_notification_has_one_signal_shared_by_the_bridge_and_the_route():
    kinds = set(get_args(Notification)) - {EventTracked}  # events go their own way
    assert set(NOTIFICATION_SIGNALS) == kinds
    assert issubclass(SessionBridge, NotificationSignals)
    assert issubclass(Route, NotificationSignals)
    for name in NOTIFICATION_SIGNALS.values():
        assert name in vars(NotificationSignals)
        assert name not in vars(SessionBridge) and name not in vars(Route)  # no second copy


def test_the_host_has_a_route_whose_signals_it_offers(window):
    host = window.host
    assert isinstance(host.route, Route) and not isinstance(host, Route)
    assert isinstance(SessionHost.stateChanged, RouteSignal)  # the class can be looked at
    seen: list[object] = []
    host.stateChanged.connect(seen.append)
    window.controls.fire_event()
    assert seen and seen[-1] is host.route.snapshot is host.snapshot


def test_a_look_at_the_file_is_sent_in_its_place_not_at_once(window, qtbot):
    host = window.host
    order: list[str] = []
    host.fileRead.connect(lambda _report: order.append("fileRead"))
    host.eventsTracked.connect(lambda _events: order.append("eventsTracked"))
    report = host.watcher.current
    with host.route.operation():
        host.fire_event()
        host.watcher.changed.emit(Change(report, report, "the same"))
        assert order == []  # nothing leaves before the operation has returned
    assert order == ["eventsTracked", "fileRead"]


def test_a_refusal_arrives_as_a_notification_whoever_asked(window, monkeypatch, qtbot):
    _fail_restarts(window, monkeypatch)
    host = window.host
    refusals: list[Refused] = []
    host.refused.connect(refusals.append)
    with qtbot.waitSignal(host.refused, timeout=0) as blocker:
        assert host.set_background(True) is False  # a program asking: no exception
    assert blocker.args[0] == refusals[0]
    assert refusals[0].what == "set_background"
    assert "no session is open" in refusals[0].why
    # The controls learn of it from the notification: the message, the toggle unchanged.
    assert "no session is open" in window.statusBar().currentMessage()
    assert not window.controls.background.isChecked()
    window.statusBar().clearMessage()
    window.findChild(type(window.actions()[0]), "checkerAction").trigger()
    assert refusals[-1].what == "set_checking"
    assert "no session is open" in window.statusBar().currentMessage()
    assert host.fire_event() is None and refusals[-1].what == "fire_event"


def test_a_setting_refused_from_a_program_shows_beside_the_field(window):
    refusals: list[Refused] = []
    window.host.refused.connect(refusals.append)
    before = window.host.snapshot.settings.foreground_timeout
    problem = window.host.apply_setting("foreground_timeout", "soon")
    assert problem is not None
    assert refusals == [Refused("foreground_timeout", problem)]
    error = window.controls.errors["foreground_timeout"]
    assert error.isVisibleTo(window)
    assert error.text() == f"{problem}; still {format_seconds(before)}"


def test_the_controls_never_ask_the_host_for_its_state_after_acting(window, monkeypatch):
    def no_pulling(*_args):
        raise AssertionError("a view pulled state back from the host")

    monkeypatch.setattr(SessionHost, "setting", no_pulling)
    for text in ("30", "soon"):
        window.controls.inputs["check_interval"].committed.emit(text)
    assert window.host.snapshot.settings.check_interval == 30
    assert window.controls.errors["check_interval"].text().endswith("still 30 s")


def test_follow_application_state_sends_the_session_to_the_background_and_back(
    qtbot, tmp_path, qapp
):
    session = ClientSession(tmp_path / "s.xml", clock=VirtualClock())
    try:
        stop = follow_application_state(session)
        signal = QGuiApplication.instance().applicationStateChanged
        signal.emit(Qt.ApplicationState.ApplicationSuspended)
        assert session.background
        signal.emit(Qt.ApplicationState.ApplicationActive)
        assert not session.background
        signal.emit(Qt.ApplicationState.ApplicationInactive)  # a desktop window lost focus
        assert not session.background
        signal.emit(Qt.ApplicationState.ApplicationHidden)
        assert session.background
        stop()
        stop()  # a second stop does nothing
        signal.emit(Qt.ApplicationState.ApplicationActive)
        assert session.background  # no longer followed
    finally:
        session.close()


def test_follow_application_state_can_count_a_window_out_of_focus_as_the_background(
    qtbot, tmp_path, qapp
):
    session = ClientSession(tmp_path / "s.xml", clock=VirtualClock())
    inactive = Qt.ApplicationState.ApplicationInactive
    try:
        stop = follow_application_state(
            session, qapp, background_states=(inactive, Qt.ApplicationState.ApplicationHidden)
        )
        qapp.applicationStateChanged.emit(inactive)
        assert session.background
        qapp.applicationStateChanged.emit(Qt.ApplicationState.ApplicationActive)
        assert not session.background
        stop()
    finally:
        session.close()


def test_a_request_against_the_policy_is_refused_in_words_not_raised(window):
    refusals: list[Refused] = []
    window.host.refused.connect(refusals.append)
    assert window.host.snapshot.policy == "dotnet"  # no pausing under it
    assert window.host.set_paused(True) is False
    assert window.host.request_new_session() is False
    assert [r.what for r in refusals] == ["set_paused", "request_new_session"]
    assert window.statusBar().currentMessage() == refusals[-1].why
