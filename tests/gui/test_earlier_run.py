"""An earlier run drawn under the one in force: the window's own run during a scenario, the
scenario's run after Stop, each whole and as it was."""

from __future__ import annotations

from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QComboBox

from session.scenario import example_scenarios
from snowsession_gui.earlier_run.feature import EarlierRunFeature
from snowsession_gui.earlier_run.view import NONE_YET
from snowsession_gui.model.units import format_clock

from .gui_helpers import axis_labels, scenarios, settle


def earlier(window):
    return window.feature(EarlierRunFeature).view


def test_before_any_other_run_the_view_says_how_to_get_one(window):
    view = earlier(window)
    assert view.caption.text() == NONE_YET
    assert view.shown is None and view.plot is None  # nothing drawn, pyqtgraph not needed


def test_a_scenario_and_the_windows_own_run_are_shown_one_under_the_other(window):
    for _ in range(3):
        window.controls.fire_event()
        window.host.sim.skip(30)
    settle(window)
    home_steps = list(window.timeline.data.step_y.view())
    home_events = window.timeline.data.event_x.size
    left_at = window.host.now()

    run = scenarios(window).play_file(example_scenarios()["restarts"])
    view = earlier(window)
    shown = view.shown
    assert shown is not None and shown.run.home  # the window's own, during the scenario
    assert list(shown.data.step_y.view()) == home_steps
    assert shown.ended == left_at
    assert view.caption.text() == (
        f"Left at {format_clock(left_at)} · 1 session start (index 1) · {home_events} events"
    )
    assert not view.plot.legend.isVisible()  # the timeline above has the same one
    plot = view.plot
    assert plot is not None and plot.data is shown.data
    _xs, ys = plot.step_curve.getData()
    assert list(ys)[-1] == home_steps[-1]
    x0, x1 = plot.visible_range()
    assert x0 <= 0.0 and x1 >= left_at  # the whole run

    while not run.done:
        scenarios(window).next_step()
    scenario_steps = list(window.timeline.data.step_y.view())
    scenarios(window).stop()
    settle(window)
    selector = window.findChild(QComboBox, "earlierRunSelector")
    assert selector.count() == 1
    shown = view.shown
    assert shown is not None and not shown.run.home  # the scenario's run, after Stop
    assert list(shown.data.step_y.view()) == scenario_steps
    assert selector.currentText() == shown.run.title
    assert list(window.timeline.data.step_y.view()) == home_steps  # the one in force


def test_after_each_stop_the_run_just_left_is_shown_with_its_axis_whole(window, qtbot):
    feature = window.feature(EarlierRunFeature)
    window.resize(1280, 720)
    feature.dock.show()
    feature.dock.raise_()
    window.controls.fire_event()
    window.host.sim.skip(100)
    view = earlier(window)
    for name in ("restarts", "background-short"):
        run = scenarios(window).play_file(example_scenarios()[name])
        assert view.shown is not None and view.shown.run.home  # left for the scenario
        while not run.done:
            scenarios(window).next_step()
        scenarios(window).stop()
        shown = view.shown
        assert shown is not None and not shown.run.home and shown.run.name.endswith(name)
    qtbot.waitUntil(lambda: view.plot.isVisible() and view.plot.view.size().height() > 0)
    plot = view.plot
    plot.redraw()
    axis = plot.index_axis
    height = plot.view.size().height()
    assert height < QFontMetricsF(axis.label.font()).horizontalAdvance("session index")
    title = axis.labelText
    assert title and QFontMetricsF(axis.label.font()).horizontalAdvance(title) <= height
    assert axis_labels(axis) == ["1"]  # the index it stayed at has its number
