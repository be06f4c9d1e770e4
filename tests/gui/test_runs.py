"""The history of each run: stopping a scenario, a restart or going back to a file loses
nothing the views showed, and every view shows the same run at every moment."""

from __future__ import annotations

import json

from session.scenario import example_scenarios

from .gui_helpers import scenarios, settle


def fire(window, count: int, gap: float = 30.0) -> None:
    for _ in range(count):
        window.controls.fire_event()
        window.host.sim.skip(gap)


def shown_context(window) -> dict:
    return json.loads(window.context_view.text.toPlainText())["data"]


def assert_views_agree(window) -> None:
    """The state panel, the event log's last row and the context are of one session."""
    snapshot = window.host.snapshot
    state = snapshot.state
    panel = window.state_panel
    assert panel.index_value.text() == str(state.session_index)
    assert panel.session_id.text() == state.session_id
    rows = window.event_log.rows
    if not rows:
        assert window.context_view.valid is None
        assert panel.first_event.text() == "none yet"
        return
    last = rows[-1]
    context = shown_context(window)
    assert context["sessionId"] == last.session_id
    assert last.event_id[:8] in window.context_view.caption.text()
    if last.session_id == state.session_id:  # the latest event is in the session in force
        assert context["sessionIndex"] == state.session_index
        assert panel.first_event.text() == (state.first_event_id or "none yet")
        assert context.get("firstEventId") == state.first_event_id
    else:  # a restart since: the caption says whose context it is
        assert f"session {last.session_index}" in window.context_view.caption.text()


def test_stopping_a_scenario_shows_the_windows_own_run_as_it_was(window):
    fire(window, 3)
    settle(window)
    home_rows = list(window.event_log.rows)
    home_events = list(window.timeline.data.event_x.view())
    home_steps = list(window.timeline.data.step_y.view())
    home_context = shown_context(window)
    assert_views_agree(window)

    run = scenarios(window).play_file(example_scenarios()["restarts"])
    scenarios(window).next_step()
    assert window.event_log.rows != home_rows  # the run's own events
    assert window.timeline.data.event_x.size == len(run.events)
    assert_views_agree(window)

    scenarios(window).stop()
    settle(window)
    assert window.event_log.rows == home_rows
    assert list(window.timeline.data.event_x.view()) == home_events
    assert list(window.timeline.data.step_y.view()) == home_steps
    assert window.timeline.data.start_x.size == 1  # the first session, once: not drawn twice
    assert shown_context(window) == home_context
    assert window.context_view.valid is True
    assert_views_agree(window)


def test_a_restart_keeps_the_timeline_and_the_log(window):
    fire(window, 2)
    window.restart()
    settle(window)
    assert len(window.event_log.rows) == 2
    assert window.timeline.data.start_x.size == 2  # the new user, then the app start
    assert list(window.timeline.data.step_y.view()) == [1, 2]
    assert_views_agree(window)  # the context is the last event's, and says so
    assert "session 1" in window.context_view.caption.text()
    fire(window, 1)
    assert [row.session_index for row in window.event_log.rows] == [1, 1, 2]
    assert_views_agree(window)


def test_a_scenario_restart_step_keeps_the_runs_history(window):
    run = scenarios(window).play_file(example_scenarios()["restarts"])
    while not run.done:
        scenarios(window).next_step()
        assert_views_agree(window)
    assert len(window.event_log.rows) == len(run.events)


def test_a_file_opened_again_goes_on_where_it_was_and_a_reset_starts_afresh(window, tmp_path):
    first = window.host.save_path
    fire(window, 2)
    assert window.open_save_file(tmp_path / "other.xml")
    assert window.event_log.rows == [] and window.timeline.data.event_x.size == 0
    assert_views_agree(window)
    fire(window, 1)
    assert window.open_save_file(first)
    settle(window)
    assert len(window.event_log.rows) == 2  # the first file's own history
    assert list(window.timeline.data.step_y.view()) == [1, 2]  # opening it again: a new session
    window.reset()
    settle(window)
    assert window.event_log.rows == [] and list(window.timeline.data.step_y.view()) == [1]
    assert_views_agree(window)


def test_every_run_is_kept_and_named(window):
    host = window.host
    home = host.current_run
    assert home.home and home.name == host.save_path.name
    scenarios(window).play_file(example_scenarios()["restarts"])
    first_play = host.current_run
    assert not first_play.home and first_play.name == "scenario restarts"
    scenarios(window).stop()
    scenarios(window).play_file(example_scenarios()["restarts"])
    again = host.current_run
    assert again.name == first_play.name and again.number != first_play.number
    scenarios(window).stop()
    assert host.current_run == home
    kept = [run.number for run, _ in window.timeline.runs.earlier()]
    assert kept == [first_play.number, again.number]
