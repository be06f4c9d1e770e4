"""The timeline: drawn from the save file, every change reaches it, jumps and reasons shown."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QRectF

from gui.gui_helpers import label_rect, settle
from session import ClientSession, Reason, SessionStarted, SessionState
from session.storage.format import encode
from snowsession_gui.host.save_watcher import SaveFileWatcher
from snowsession_gui.model.timeline_data import TimelineData, describe_start

USER = "0f8fad5b-d9cb-469f-a165-70867728950e"


def write_index(path: Path, index: int) -> None:
    """Write a save file the way the engine does: a temporary file, then os.replace."""
    session_id = f"00000000-0000-4000-8000-{index:012d}"
    data = encode(
        [
            ("userId", USER),
            ("sessionId", session_id),
            ("previousSessionId", None),
            ("sessionIndex", index),
            ("storageMechanism", "LOCAL_STORAGE"),
        ]
    )
    temp = path.with_name(path.name + ".tmp")
    temp.write_bytes(data)
    temp.replace(path)


def test_every_change_of_the_file_reaches_the_watcher(qtbot, tmp_path):
    path = tmp_path / "other.xml"
    write_index(path, 1)
    watcher = SaveFileWatcher(path)
    seen: list[int | None] = []
    watcher.changed.connect(
        lambda change: seen.append(change.after.saved and change.after.saved.session_index)
    )
    seen.append(watcher.current.saved.session_index)  # the first look
    for index in range(2, 7):  # os.replace drops the inotify watch each time: it is re-armed
        with qtbot.waitSignal(watcher.changed, timeout=3000):
            write_index(path, index)
        qtbot.waitUntil(lambda i=index: seen[-1] == i, timeout=3000)
    assert seen == [1, 2, 3, 4, 5, 6]
    path.unlink()
    qtbot.waitUntil(lambda: watcher.current.state == "missing", timeout=3000)
    with qtbot.waitSignal(watcher.changed, timeout=3000):
        write_index(path, 7)  # the file comes back: the folder watch sees it
    qtbot.waitUntil(lambda: seen[-1] == 7, timeout=3000)
    assert not path.with_name(path.name + ".lock").exists()  # a monitor never locks
    watcher.stop()


def test_several_saves_in_a_row_each_reach_the_timeline(window, qtbot, clock):
    window.controls.fire_event()
    for expected in range(2, 6):
        window.host.restart()
        qtbot.waitUntil(
            lambda e=expected: max(window.timeline.data.step_y.view()) == e, timeout=3000
        )
    window.timeline.redraw()
    _, ys = window.timeline.ensure_plot().step_curve.getData()
    assert sorted(set(ys.tolist())) == [1, 2, 3, 4, 5]
    assert window.timeline.data.jumps == []  # each arrived on its own


def test_a_jump_of_several_sessions_is_drawn_with_its_count(window, qtbot, clock):
    session = window.host.session
    settle(window)
    for _ in range(3):  # three timeouts before the file is read again
        session.get_session_context("e")
        clock.advance(615)
    assert session.session_index == 4
    settle(window)
    jumps = window.timeline.data.jumps
    assert len(jumps) == 1 and jumps[0].count == 3 and jumps[0].index == 4
    window.timeline.set_follow(True)
    plot = window.timeline.ensure_plot()
    labels = [label for label in plot.marks.jump_labels if label.isVisible()]
    assert [label.textItem.toPlainText() for label in labels] == [
        "+3 sessions between two readings"
    ]
    csv = window.timeline.data.to_csv().splitlines()
    assert csv[-1].split(",")[2:4] == ["4", "3"]


def test_reasons_events_bands_and_deadline(window, clock):
    host = window.host
    clock.advance(5)
    window.controls.fire_event()  # 00:00:05, session 1
    clock.advance(60)
    host.set_background(True)  # 00:01:05
    clock.advance(100)
    host.set_background(False)  # 00:02:45: checker re-armed
    clock.advance(700)  # idle: a foreground timeout
    settle(window)
    data = window.timeline.data
    assert data.bands == [(65.0, 165.0)]
    ex, ey = window.timeline.ensure_plot().event_curve.getData()
    assert list(ex) == [5.0] and list(ey) == [1.0]
    why = data.start_text[-1]
    assert why.startswith(
        "session 2 — timeout: 600 s (foreground) since the last event at 00:00:05"
    )
    assert "seen by the check at" in why
    xs, ys = window.timeline.ensure_plot().step_curve.getData()
    assert ys[-1] == 2 and xs[-1] == clock.now()
    step_at = xs[list(ys).index(2)]
    assert step_at == data.start_x.view()[-1]  # the step sits at the engine's time for it
    deadline = host.session.expected_new_session_at()
    assert window.timeline.ensure_plot().deadline_line.isVisible()
    assert window.timeline.ensure_plot().deadline_line.value() == deadline
    _, my = window.timeline.ensure_plot().marks.timeout_markers.getData()
    assert 2.0 in list(my)  # an amber triangle: a timeout
    assert data.start_timeout == [False, True]  # green for the app start, amber for this
    window.timeline.set_follow(True)
    shown = [
        r.textItem.toPlainText()
        for r in window.timeline.ensure_plot().marks.reason_labels
        if r.isVisible()
    ]
    assert shown[-1] == "timeout 600 s"


def test_describe_start_for_an_idle_session_and_a_start():
    old = SessionState(USER, "a", None, 1, None, 0.0)
    new = SessionState(USER, "b", "a", 2, None, 620.0)
    note = SessionStarted(old, new, Reason.TIMEOUT, 615.0, 0.0, 600.0, False, by_check=True)
    assert describe_start(note) == (
        "session 2 — timeout: 600 s (foreground) since the session started at 00:00:00, "
        "seen by the check at 00:10:15"
    )
    by_event = SessionStarted(old, new, Reason.TIMEOUT, 615.0, 0.0, 600.0, True)  # mobile
    assert describe_start(by_event).endswith(
        "(background) since the session started at 00:00:00, found by the event at 00:10:15"
    )
    first = SessionStarted(None, SessionState(USER, "a", None, 1), Reason.START, 0.0)
    assert "new user" in describe_start(first)


def test_timeline_follows_the_present_until_panned(window, clock):
    window.host.sim.skip(3600)
    window.timeline.redraw()
    x0, x1 = window.timeline.visible_range()
    assert x0 < clock.now() < x1
    window.timeline.ensure_plot().view.sigRangeChangedManually.emit([True, False])
    assert not window.timeline.follow and not window.follow_button.isChecked()
    window.timeline.ensure_plot().view.setXRange(0, 100, padding=0)
    window.host.sim.skip(600)
    window.timeline.redraw()
    assert window.timeline.visible_range()[1] == pytest.approx(100)
    window.follow_button.click()
    assert window.timeline.follow
    assert window.timeline.visible_range()[0] < clock.now() < window.timeline.visible_range()[1]


def test_long_histories_use_peak_downsampling_and_clip_to_view(window):
    item = window.timeline.ensure_plot().step_curve
    assert item.opts["downsampleMethod"] == "peak" and item.opts["autoDownsample"]
    assert item.opts["clipToView"]
    data = TimelineData()
    n = 200_000
    data.add_steps(np.arange(n, dtype=float) * 10.0, np.arange(1, n + 1, dtype=float))
    xs, ys = data.step_line(n * 10.0)
    assert len(xs) == n + 1 and ys[-1] == n and xs[-1] == n * 10.0
    assert np.all(np.diff(xs) >= 0)


def test_redraws_are_coalesced(window, qtbot):
    before = window.timeline.ensure_plot().redraws
    for _ in range(200):
        window.controls.fire_event()
    plot = window.timeline.ensure_plot()
    qtbot.waitUntil(lambda: not plot._redraw_timer.isActive(), timeout=2000)
    assert window.timeline.ensure_plot().redraws - before <= 2
    assert window.timeline.ensure_plot().event_curve.getData()[0].size == 200


def test_export_png_and_csv(window, tmp_path):
    settle(window)
    png, csv = tmp_path / "t.png", tmp_path / "t.csv"
    window.timeline.export_png(png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    window.timeline.export_csv(csv)
    lines = csv.read_text().splitlines()
    assert lines[0].startswith("simulated_seconds,simulated_time,session_index,sessions,why,")
    assert lines[1].startswith("0.000,00:00:00,1,1,session 1")
    state = window.host.session.state
    assert lines[1].endswith(f",{state.user_id},{state.session_id},,start,false")


@pytest.mark.realtime
def test_at_600x_a_ten_minute_timeout_reaches_the_timeline_in_a_second(make_window, qtbot):
    window = make_window(speed=0)
    window.show()
    window.controls.fire_event()
    settle(window)
    started = time.monotonic()
    window.host.sim.set_speed(600)
    qtbot.waitUntil(lambda: window.host.session.session_index == 2, timeout=3000)
    engine_at = time.monotonic()
    curve = window.timeline.ensure_plot().step_curve
    qtbot.waitUntil(lambda: max(curve.getData()[1]) == 2, timeout=2000)
    drawn_at = time.monotonic()
    window.host.sim.set_speed(0)
    assert 0.8 < engine_at - started < 1.6  # 600 s (and up to one 15 s check) at 600x
    assert drawn_at - engine_at < 1.0


def test_a_session_from_another_engine_on_the_file_is_seen(window, tmp_path, qtbot, clock):
    """A file written by someone else (monitor case) still moves the line."""
    other = tmp_path / "elsewhere" / "s.xml"
    session = ClientSession(other, clock=clock)
    session.close()
    assert window.open_save_file(other)
    settle(window)
    assert max(window.timeline.ensure_plot().step_curve.getData()[1]) == 2


def test_an_index_going_back_is_labelled_as_such(qtbot, tmp_path):
    from snowsession_gui.timeline.axes import jump_label

    data = TimelineData()
    for at, index in ((0.0, 5), (10.0, 6), (20.0, 1)):
        data.add_reading(at, index)
    assert [(j.at, j.index, j.count) for j in data.jumps] == [(20.0, 1, -5)]
    assert jump_label(-5, 1) == "back to 1 (a new user or a reset)"
    assert jump_label(3, 9) == "+3 sessions between two readings"


def test_markers_follow_any_change_of_the_visible_times(window, clock):
    session = window.host.session
    session.start_checker()
    clock.advance(3 * 615)  # sessions 2, 3 and 4, at 615, 1230 and 1845
    settle(window)
    plot = window.timeline.ensure_plot()
    plot.view.setXRange(600, 700, padding=0)  # a program's (or a linked plot's) range change
    assert list(plot.marks.timeout_markers.getData()[1]) == [2]
    plot.view.setXRange(0, 2000, padding=0)
    assert list(plot.marks.timeout_markers.getData()[1]) == [2, 3, 4]
    assert list(plot.marks.start_markers.getData()[1]) == [1]


def test_the_first_session_reaches_the_timeline_on_a_slow_disk(make_window, clock, monkeypatch):
    import time as real_time

    from session.storage import SaveFile

    write = SaveFile.write

    def slow(self, data):
        real_time.sleep(0.1)  # the writer thread is slow; the window must not read first
        write(self, data)

    monkeypatch.setattr(SaveFile, "write", slow)
    window = make_window()
    window.host.session.get_session_context("e")
    clock.advance(615)  # a foreground timeout before the window has read anything
    settle(window)
    assert list(window.timeline.data.step_y.view()) == [1, 2]


def test_the_default_view_shows_the_deadline_and_a_shorter_span_marks_it_at_the_edge(window):
    from PySide6.QtGui import QAction

    from snowsession_gui.model.units import format_clock

    window.controls.fire_event()
    window.host.sim.skip(47)
    settle(window)
    plot = window.timeline.ensure_plot()
    deadline = window.host.session.expected_new_session_at()
    assert deadline == 600.0 and window.timeline.span == 900.0  # the defaults
    label = plot.marks.deadline_label
    x0, x1 = window.timeline.visible_range()
    assert x0 < 47 < deadline < x1 and plot.deadline_line.isVisible()
    assert label.isVisible() and label.toPlainText() == f"new session due {format_clock(600)}"
    box = plot.view.sceneBoundingRect()
    assert box.contains(label_rect(plot, label))
    window.findChild(QAction, "span300Action").trigger()  # five minutes: it lies beyond
    plot.redraw()
    x0, x1 = window.timeline.visible_range()
    assert x1 < deadline
    assert label.isVisible() and label.toPlainText() == f"new session due {format_clock(600)} →"
    rect = label_rect(plot, label)
    assert box.contains(rect) and rect.right() > box.right() - 12  # at the right edge
    window.findChild(QAction, "span900Action").trigger()  # Ctrl+2: back in view
    plot.redraw()
    assert window.timeline.visible_range()[1] > deadline
    assert not label.toPlainText().endswith("→")


def _scene_rect(plot, x: float, y: float, size: float) -> QRectF:
    centre = plot.view.mapViewToScene(QPointF(x, y))
    return QRectF(centre.x() - size / 2, centre.y() - size / 2, size, size)


def _distance(rect: QRectF, other: QRectF) -> float:
    dx = max(other.left() - rect.right(), rect.left() - other.right(), 0.0)
    dy = max(other.top() - rect.bottom(), rect.top() - other.bottom(), 0.0)
    return float(np.hypot(dx, dy))


def test_after_a_failing_scenario_each_label_is_by_its_mark_and_no_line_crosses_text(
    window, tmp_path
):
    from gui.gui_helpers import scenarios
    from session.scenario import example_scenarios

    window.resize(1280, 720)
    text = example_scenarios()["background-long"].read_text(encoding="utf-8")
    failing = tmp_path / "failing.toml"  # the expectation at 00:15:00 fails where session 2 starts
    failing.write_text(text.replace("session_index = 2\nchecking", "session_index = 3\nchecking"))
    run = scenarios(window).play_file(failing)
    while not run.done:
        window.time_controls.skip_one_minute()
    assert run.failures
    settle(window)
    plot = window.timeline.ensure_plot()
    plot.redraw()
    marks = plot.marks
    triangles = [
        (spot.pos().x(), _scene_rect(plot, spot.pos().x(), spot.pos().y(), spot.size()))
        for item in (marks.start_markers, marks.timeout_markers)
        for spot in item.points()
    ]
    squares = [
        (spot.pos().x(), _scene_rect(plot, spot.pos().x(), spot.pos().y(), spot.size()))
        for spot in marks.expectation_markers.points()
    ]
    assert any(x == 900 for x, _ in triangles) and any(x == 900 for x, _ in squares)
    for (_, triangle), (_, square) in itertools.product(triangles, squares):
        assert not triangle.intersects(square)  # each session's triangle shows
    xs, ys = plot.step_curve.getData()
    lines = [  # the step's vertical lines, and the deadline's
        QRectF(_scene_rect(plot, x, low, 0).topLeft(), _scene_rect(plot, x, high, 0).topLeft())
        .normalized()
        .adjusted(-1, 0, 1, 0)
        for x, low, high in zip(
            xs[1:], np.minimum(ys[:-1], ys[1:]), np.maximum(ys[:-1], ys[1:]), strict=True
        )
    ]
    box = plot.view.sceneBoundingRect()
    due = _scene_rect(plot, plot.deadline, 0, 0).left()
    lines.append(QRectF(due - 1, box.top(), 2, box.height()))
    labels = [
        label
        for label in (*marks.check_labels, *marks.reason_labels, marks.deadline_label)
        if label.isVisible()
    ]
    assert len(labels) >= 5
    for label in labels:
        rect = label_rect(plot, label)
        for other in (*lines, *(r for _, r in (*triangles, *squares))):
            assert not rect.intersects(other), label.toPlainText()
    height = label_rect(plot, marks.reason_labels[0]).height()  # a line
    for (x, _y), checks in window.timeline.data.expectations.items():
        words = "\n".join(("✓ " if c.passed else "✗ ") + c.key for c in checks)
        (label,) = [label for label in marks.check_labels if label.toPlainText() == words]
        if label.isVisible():
            (square,) = [r for at, r in squares if at == x]
            assert _distance(label_rect(plot, label), square) <= 2 * height, words
    reason = [label for label in marks.reason_labels if "300 s" in label.toPlainText()]
    (triangle,) = [r for at, r in triangles if at == 900]
    assert reason and _distance(label_rect(plot, reason[0]), triangle) <= height
