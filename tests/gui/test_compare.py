"""The compare view: two engines on the same input, linked timelines, and the summary line."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QPointF
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QWidget

from session import Settings, VirtualClock, read_save_file
from snowsession_gui.model.compare_engines import PolicyPair
from snowsession_gui.model.units import format_clock
from snowsession_gui.policy.compare_view import CompareView

from .gui_helpers import axis_labels, label_rect, policies


@pytest.fixture
def compare_clock() -> VirtualClock:
    return VirtualClock(wall_start=1_800_000_000.0)


@pytest.fixture
def view(qtbot, compare_clock) -> CompareView:
    view = CompareView(clock=compare_clock, speed=0)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    return view


def tick(view: CompareView, seconds: float) -> None:
    view.sim.skip(seconds)


def test_the_simulate_menu_opens_it_and_closing_the_window_closes_it(window, qtbot):
    feature = policies(window)
    feature.compare_clock = VirtualClock()
    feature.compare_speed = 0
    window.findChild(type(feature.compare_action), "compareAction").trigger()
    view = window.findChild(QWidget, "compareView")
    assert view is feature.compare and view.isVisible() and view.isWindow()
    assert view.pair.sessions["dotnet"].foreground_timeout == window.host.setting(
        "foreground_timeout"
    )
    folder = Path(view._folder.name)
    assert sorted(p.name for p in folder.glob("*.xml")) == ["dotnet.xml", "mobile.xml"]
    # its own time controls do not take the window's names
    assert window.findChild(QComboBox, "speedSelector") is window.time_controls.speed
    assert view.findChild(QComboBox, "compareSpeedSelector") is view.time_controls.speed
    window.findChild(QPushButton, "openCompareButton").click()
    assert window.findChildren(CompareView) == [view]  # shown again, not made twice
    # its own time: skipping there leaves the window's clock alone
    before = window.host.now()
    view.findChild(QPushButton, "compareSkipFiveMinutesButton").click()
    assert view.sim.now() == 300 and window.host.now() == before
    window.close()
    qtbot.waitUntil(lambda: feature.compare is None)
    assert not folder.exists()


def test_timelines_share_the_time_axis(view):
    top, bottom = view.plots["dotnet"], view.plots["mobile"]
    assert bottom.plot.getViewBox().linkedView(0) is top.plot.getViewBox()
    top.view.setXRange(100.0, 700.0, padding=0)
    (x0, x1), _ = bottom.view.viewRange()
    assert (x0, x1) == pytest.approx((100.0, 700.0))
    top.set_follow(False)
    assert not bottom.follow


def test_same_events_and_time_in_both_and_the_summary_says_where_they_differ(view):
    summary = view.findChild(QLabel, "compareSummary")
    assert summary.text() == "Same so far: 1 session under both policies"
    view.fire.click()
    tick(view, 1300)  # idle: dotnet's checks start two sessions, mobile waits for an event
    assert summary.text() == "dotnet: 3 sessions, 1 without events; mobile: 1 session"
    view.fire.click()
    assert summary.text() == "dotnet: 3 sessions, 1 without events; mobile: 2 sessions"
    dotnet, mobile = view.pair.sessions["dotnet"], view.pair.sessions["mobile"]
    assert (dotnet.session_index, mobile.session_index) == (3, 2)
    for name, session in view.pair.sessions.items():
        assert session.flush(5.0)
        saved = read_save_file(session.save_path).saved
        assert saved is not None and saved.session_index == session.session_index, name
        view.plots[name].redraw()
        assert max(view.plots[name].step_curve.getData()[1]) == session.session_index
    assert dotnet.save_path != mobile.save_path and dotnet.user_id != mobile.user_id
    assert "every 15 s" in view.captions["dotnet"].text()
    assert "(3 sessions, 1 without events)" in view.captions["dotnet"].text()
    assert "(2 sessions)" in view.captions["mobile"].text()


def test_background_switches_reach_both_and_mobile_tracks_lifecycle_events(view):
    view.background.click()
    pair = view.pair
    assert pair.sessions["dotnet"].background and pair.sessions["mobile"].background
    assert pair.sessions["mobile"].state.event_index == 1  # application_background
    assert pair.sessions["dotnet"].first_event_id is None
    view.lifecycle.setChecked(False)
    view.background.click()
    assert not pair.sessions["mobile"].background
    assert pair.sessions["mobile"].state.event_index == 1
    assert len(view.data["mobile"].bands) == 1 and view.data["mobile"].bands[0][1] is not None


def test_the_demo_shows_the_difference_at_once(view):
    view.demo.click()
    assert view.summary.text() == "dotnet: 5 sessions, 2 without events; mobile: 3 sessions"
    (x0, x1), _ = view.plots["mobile"].view.viewRange()
    assert x0 < 10 and x1 > 3500  # the whole run in view, in both
    assert not view.plots["dotnet"].follow
    view.restart.click()
    assert view.summary.text() == "Same so far: 1 session under both policies"
    assert view.data["dotnet"].event_x.size == 0


def test_the_pair_without_qt(tmp_path):
    clock = VirtualClock()
    pair = PolicyPair(tmp_path, clock, settings=Settings(foreground_timeout=60, check_interval=5))
    try:
        pair.fire_event()
        clock.advance(200)
        assert pair.summary() == "dotnet: 4 sessions, 2 without events; mobile: 1 session"
    finally:
        pair.close()
    assert all(session.closed for session in pair.sessions.values())


@pytest.mark.realtime
def test_at_3600x_a_timeout_reaches_the_dotnet_timeline_within_seconds(qtbot):
    view = CompareView(clock=VirtualClock(), speed=0)
    qtbot.addWidget(view)
    view.fire.click()
    view.sim.set_speed(3600)  # a 600 s timeout in about 0.2 s of real time
    qtbot.waitUntil(lambda: view.pair.tallies["dotnet"].sessions >= 2, timeout=5_000)
    assert view.pair.tallies["mobile"].sessions == 1
    qtbot.waitUntil(lambda: max(view.plots["dotnet"].step_curve.getData()[1]) >= 2, timeout=5_000)
    view.close()
    assert not view.sim.running


@pytest.mark.parametrize("key", ["Esc", "Ctrl+W"])
def test_esc_and_ctrl_w_close_it(qtbot, key):
    from PySide6.QtGui import QKeySequence

    view = CompareView(clock=VirtualClock(), speed=0)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    view.activateWindow()
    view.fire.setFocus()
    qtbot.waitUntil(view.isActiveWindow, timeout=2000)
    combination = QKeySequence(key)[0]
    qtbot.keyClick(view.fire, combination.key(), combination.keyboardModifiers())
    qtbot.waitUntil(lambda: not view.isVisible(), timeout=2000)
    assert view.pair is None  # its engines closed with it


def fields(view: CompareView) -> dict[str, float]:
    return {name: box.value() for name, box in view.timeouts.inputs.items()}


def open_compare(window):
    feature = policies(window)
    feature.compare_clock = VirtualClock()
    feature.compare_speed = 0
    return feature.open_compare()


def test_it_shows_the_timeouts_it_uses_and_the_demos_own_as_such(window, qtbot):
    window.controls.inputs["foreground_timeout"].committed.emit("120")
    view = open_compare(window)
    assert view.pair.sessions["dotnet"].foreground_timeout == 120
    assert fields(view) == {
        "foreground_timeout": 120,
        "background_timeout": 300,
        "check_interval": 15,
    }
    assert view.timeouts.whose.text() == "(the main window's)"
    assert view.timeouts.reset.isHidden()
    view.demo.click()
    assert view.pair.sessions["dotnet"].foreground_timeout == 600
    assert fields(view)["foreground_timeout"] == 600
    assert view.timeouts.whose.text() == "(the demo's own, the tracker's defaults)"
    assert view.summary.text() == "dotnet: 5 sessions, 2 without events; mobile: 3 sessions"
    assert view.timeouts.reset.isVisibleTo(view)  # the main window's (120 s) are offered
    view.restart.click()  # start over: new files with the timeouts shown
    assert view.pair.sessions["mobile"].foreground_timeout == 600
    view.timeouts.reset.click()
    assert view.pair.sessions["dotnet"].foreground_timeout == 120
    assert view.pair.sessions["mobile"].foreground_timeout == 120
    assert fields(view)["foreground_timeout"] == 120
    assert view.timeouts.whose.text() == "(the main window's)"
    # the main window changes its own: the view says its engines no longer have them
    window.controls.inputs["foreground_timeout"].committed.emit("90")
    assert view.pair.sessions["dotnet"].foreground_timeout == 120
    assert view.timeouts.whose.text() == "(the main window's before they changed)"
    assert "90 s" in view.timeouts.reset.toolTip()
    view.timeouts.reset.click()
    assert view.pair.sessions["dotnet"].foreground_timeout == 90


def test_a_timeout_typed_there_reaches_both_engines_the_deadline_and_the_captions(view):
    view.fire.click()
    dotnet = view.pair.sessions["dotnet"]
    plot = view.plots["dotnet"]
    box = view.findChild(QWidget, "compareForegroundTimeoutInput")
    box.lineEdit().setText("90")
    box._edited = True
    box.committed.emit("90")
    assert dotnet.foreground_timeout == 90 and view.pair.sessions["mobile"].foreground_timeout == 90
    assert fields(view)["foreground_timeout"] == 90
    assert view.timeouts.whose.text() == "(set here)"
    due = dotnet.expected_new_session_at()
    plot.redraw()
    assert plot.deadline == due and plot.marks.deadline_label.toPlainText() == (
        f"new session due {format_clock(due)}"
    )
    view.findChild(QWidget, "compareCheckIntervalInput").committed.emit("5")
    assert "every 5 s" in view.captions["dotnet"].text()
    assert dotnet.check_interval == 5
    tick(view, 100)  # 90 s idle, seen by a check every 5 s: a new session in dotnet only
    assert view.summary.text() == "dotnet: 2 sessions; mobile: 1 session"
    view.restart.click()  # start over keeps the timeouts shown
    assert view.pair.sessions["dotnet"].foreground_timeout == 90
    assert view.timeouts.whose.text() == "(set here)"


@pytest.mark.parametrize("text", ["0", "-5", "abc", "", "1e12"])
def test_a_bad_timeout_is_refused_beside_the_fields_and_nothing_changes(view, text):
    dotnet, mobile = view.pair.sessions["dotnet"], view.pair.sessions["mobile"]
    error = view.findChild(QLabel, "compareTimeoutsError")
    view.findChild(QWidget, "compareBackgroundTimeoutInput").committed.emit(text)
    assert error.isVisible()
    assert (
        "background timeout" in error.text()
        or "number" in error.text()
        or "empty" in (error.text())
    )
    assert error.text().endswith("still 300 s")
    assert dotnet.background_timeout == mobile.background_timeout == 300
    assert fields(view)["background_timeout"] == 300
    assert view.timeouts.whose.text() == "(the main window's)"
    view.findChild(QWidget, "compareBackgroundTimeoutInput").committed.emit("200")
    assert not error.isVisible() and dotnet.background_timeout == 200


def test_after_the_demo_the_deadline_is_labelled_above_the_steps(view):
    view.demo.click()
    plot = view.plots["dotnet"]
    label = plot.marks.deadline_label
    assert label.isVisible()
    due = view.pair.sessions["dotnet"].expected_new_session_at()
    assert label.toPlainText() == f"new session due {format_clock(due)}"
    top = max(view.data["dotnet"].step_y.view())
    line_top = plot.view.mapViewToScene(QPointF(due, top)).y()
    rect = label_rect(plot, label)
    assert rect.bottom() < line_top  # clear of the highest step
    assert plot.view.sceneBoundingRect().contains(rect)


def test_every_session_index_has_its_tick(view):
    view.demo.click()  # dotnet: sessions 1 to 5
    plot = view.plots["dotnet"]
    plot.redraw()
    assert axis_labels(plot.index_axis) == ["1", "2", "3", "4", "5"]


def test_both_plots_map_a_time_to_the_same_column_while_running(view):
    top, bottom = view.plots["dotnet"], view.plots["mobile"]

    def column(plot, at: float) -> int:
        scene = plot.view.mapViewToScene(QPointF(at, 1.0))
        return plot.plot.mapToGlobal(plot.plot.mapFromScene(scene)).x()

    view.fire.click()
    for seconds in [20.0] * 60 + [10 * 615.0] + [20.0] * 10:  # 60x: a third of a second each
        tick(view, seconds)
        for plot in (top, bottom):  # each follows the present on its own timer
            plot.redraw()
        QCoreApplication.processEvents()
        x0, x1 = top.visible_range()
        for at in (x0 + (x1 - x0) * share for share in (0.1, 0.5, 0.9)):
            assert abs(column(top, at) - column(bottom, at)) <= 1, view.sim.now()
    assert view.pair.sessions["dotnet"].session_index >= 10  # two digits above, one below


def test_the_view_draws_only_what_its_routes_send(view, monkeypatch):
    """No look back at the engines: each route's notifications and snapshots are all it has."""
    from session import ClientSession

    def asked(*_args: object) -> None:
        raise AssertionError("the view asked an engine")

    monkeypatch.setattr(ClientSession, "expected_new_session_at", asked)
    monkeypatch.setattr(PolicyPair, "summary", asked)
    sent = []
    view.host.routes["dotnet"].stateChanged.connect(sent.append)
    view.fire.click()
    view.background.click()
    tick(view, 1300)
    view.findChild(QWidget, "compareCheckIntervalInput").committed.emit("5")
    assert sent and view.snapshots["dotnet"] is sent[-1]
    assert sent[-1].background and sent[-1].settings.check_interval == 5
    assert view.plots["dotnet"].deadline == sent[-1].due
    assert "every 5 s" in view.captions["dotnet"].text()
    assert view.summary.text().startswith("dotnet: ")
    view.restart.click()
    assert view.summary.text() == "Same so far: 1 session under both policies"
    view.demo.click()
    assert view.summary.text() == "dotnet: 5 sessions, 2 without events; mobile: 3 sessions"


def test_the_refusal_goes_once_the_field_holds_a_good_value_or_the_setting_changes(view):
    error = view.findChild(QLabel, "compareTimeoutsError")
    box = view.findChild(QWidget, "compareForegroundTimeoutInput")
    box.committed.emit("abc")
    assert error.isVisible() and error.text().endswith("still 600 s")
    box.lineEdit().textEdited.emit("12")  # typing, not yet committed: a value they take
    assert not error.isVisible()
    assert view.pair.sessions["dotnet"].foreground_timeout == 600
    box.committed.emit("-1")
    assert error.isVisible()
    view.findChild(QWidget, "compareBackgroundTimeoutInput").lineEdit().textEdited.emit("9")
    assert error.isVisible()  # another field's text says nothing of this one
    view.set_window_settings(Settings(foreground_timeout=120))
    view.timeouts.reset.click()  # the setting changes by another way: "still 600 s" is not so
    assert not error.isVisible() and fields(view)["foreground_timeout"] == 120
