"""A first run that explains itself: the empty window's card, its demo, and a time axis that
never shows times before the start."""

from __future__ import annotations

import uuid

from PySide6.QtWidgets import QApplication, QLabel, QPlainTextEdit

from session import ClientSession, VirtualClock, read_save_file
from session.scenario.timeline import event_id as scenario_event_id
from snowsession_gui.monitor.window import MonitorWindow
from snowsession_gui.scenario.feature import ScenarioFeature
from snowsession_gui.window.demo import DEMO_END, DEMO_NAME, DEMO_STEPS
from snowsession_gui.window.first_run import FirstRun

from .gui_helpers import settle


def first_run(window) -> FirstRun:
    return window.feature(FirstRun)


def test_the_empty_window_says_what_to_do_and_the_card_goes_at_the_first_event(window, qtbot):
    hint = first_run(window).hint
    assert hint.isVisible()
    assert window.key_of("fireEventAction") == "Space"
    assert "<b>Space</b>" in hint.text.text()
    # laid over the timeline, on top of the plot built after it, and inside it
    window.timeline.ensure_plot()
    QApplication.processEvents()
    central = window.centralWidget()
    assert hint.parent() is central
    assert central.rect().contains(hint.geometry())
    inside = central.childAt(hint.geometry().center())
    assert inside is hint or hint.isAncestorOf(inside)
    window.controls.fire_event()
    assert not hint.isVisible()
    window.host.sim.skip(3600)  # time alone does not bring it back
    settle(window)
    assert not hint.isVisible()
    window.reset()  # a new user, an empty timeline: the card again
    assert hint.isVisible()


def test_the_card_follows_the_window_size(window, qtbot):
    hint = first_run(window).hint
    for size in ((1280, 720), (1600, 1000), (900, 600)):
        window.resize(*size)
        QApplication.processEvents()
        central = window.centralWidget()
        assert central.rect().contains(hint.geometry()), size
        assert hint.height() >= hint.minimumSizeHint().height()


def test_play_demo_plays_at_once_on_a_scratch_file_and_says_so(window, save_path):
    before = read_save_file(save_path).saved
    feature = first_run(window)
    note = window.findChild(QLabel, "demoNote")
    assert not note.isVisible()
    feature.hint.demo.click()
    driver = window.host.scenario
    assert driver is not None and driver.name == DEMO_NAME and driver is feature.demo_driver
    run = driver.run
    assert run.done and run.time == DEMO_END and run.passed
    assert [mark.passed for mark in run.expectations] == [True, True]
    # every view shows the demo's end: the index, the timeline, the dock, the title
    assert window.host.snapshot.state.session_index == 3
    window.timeline.redraw()
    assert max(window.timeline.data.step_y.view()) == 3
    events = sum(action == "event" for _at, action in DEMO_STEPS)
    assert window.timeline.data.event_x.size == events == window.event_log.model().rowCount()
    assert not window.timeline.data.jumps  # each new session read on its own
    assert note.isVisible() and "Demo" in note.text()
    # the title says it is the demo, and names the person's own file, left alone
    assert window.windowTitle() == f"demo (scenario; {save_path.name} left alone) — snowsession"
    scenarios = window.feature(ScenarioFeature)
    assert scenarios.dock.isVisible()
    assert scenarios.panel.title.text() == f"Scenario: {DEMO_NAME}"
    assert not feature.hint.isVisible()
    # the person's own save file is left alone
    assert read_save_file(save_path).saved == before
    scenarios.stop()
    assert window.host.scenario is None and not note.isVisible()
    assert window.windowTitle() == f"{save_path.name} — snowsession"
    assert window.host.session.state.session_id == before.session_id
    assert feature.hint.isVisible()  # the window's own timeline has no events yet


def test_hidden_it_stays_hidden_in_the_next_run(make_window, qtbot):
    window = make_window()
    window.show()
    first_run(window).hint.hide_button.click()
    assert not first_run(window).hint.isVisible()
    window.reset()
    assert not first_run(window).hint.isVisible()
    window.close()
    again = make_window()
    again.show()
    qtbot.waitExposed(again)
    assert not first_run(again).hint.isVisible()


def _ticks(plot) -> list[float]:
    (x0, x1), _ = plot.view.viewRange()
    width = plot.time_axis.width() or plot.plot.width()
    return [v for _spacing, values in plot.time_axis.tickValues(x0, x1, width) for v in values]


def test_the_time_axis_never_shows_times_before_the_start(window, tmp_path, qtbot):
    plot = window.timeline.ensure_plot()
    plot.redraw()
    assert plot.time_axis.earliest == 0.0
    plot.view.setXRange(-1800.0, 900.0, padding=0)  # as a pan or a zoom out would
    ticks = _ticks(plot)
    assert ticks and min(ticks) >= 0.0
    strings = plot.time_axis.tickStrings(ticks, 1.0, 300.0)
    assert not any(text.startswith("-") for text in strings)
    # a scenario's run starts at its own 0
    first_run(window).hint.demo.click()
    plot.redraw()
    plot.view.setXRange(-900.0, 2000.0, padding=0)
    assert min(_ticks(plot)) >= 0.0
    # and the monitor at the moment it started watching
    ClientSession(tmp_path / "watched.xml", clock=VirtualClock()).close()
    monitor = MonitorWindow(tmp_path / "watched.xml", poll_ms=0, now=lambda: 30.0)
    qtbot.addWidget(monitor)
    monitor.show()
    line = monitor.timeline.ensure_plot()
    line.redraw()
    assert line.time_axis.earliest == 30.0  # its first look at the file
    line.view.setXRange(30.0 - 3600.0, 30.0 + 1800.0, padding=0)
    ticks = _ticks(line)
    assert ticks and min(ticks) >= 30.0


def test_at_first_show_the_state_is_shown_whole_at_a_laptop_size(make_window, qtbot):
    """The first forecast ("no new session due (the checker is stopped)") takes two lines:
    the State dock is laid out tall enough for them, with no scroll bar hiding a row."""
    from PySide6.QtWidgets import QScrollArea

    window = make_window()
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    QApplication.processEvents()
    scroll = window.findChild(QScrollArea, "stateDockScroll")
    assert scroll.verticalScrollBar().maximum() == 0


def test_space_does_what_the_card_says_even_with_its_own_button_focused(window, qtbot):
    from PySide6.QtCore import Qt

    hint = first_run(window).hint
    window.activateWindow()
    hint.demo.setFocus()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.keyClick(hint.demo, Qt.Key.Key_Space)
    assert window.host.scenario is None  # no demo: an event
    assert window.host.snapshot.state.first_event_id is not None
    assert window.timeline.data.event_x.size == 1
    assert not hint.isVisible()


def test_the_demos_events_have_ids_that_differ_from_the_start_the_same_every_run(window):
    first_run(window).hint.demo.click()
    run = window.host.run
    assert run is not None and run.done
    ids = [event.event_id for event in run.events]
    assert len(ids) == sum(action == "event" for _at, action in DEMO_STEPS)
    assert len({event_id[:8] for event_id in ids}) == len(ids)  # no two read alike
    assert all(str(uuid.UUID(event_id)) == event_id for event_id in ids)
    assert ids == [scenario_event_id(position) for position in range(len(ids))]
    # the Context dock names each event by its id's first block: one name per event
    caption = window.findChild(QLabel, "contextCaption").text()
    assert caption.startswith(f"Event {ids[-1][:8]} at ")
    context = window.findChild(QPlainTextEdit, "contextView").toPlainText()
    assert f'"firstEventId": "{ids[-5]}"' in context  # session 3's first event
