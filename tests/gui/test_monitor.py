"""Monitor mode: a save file another program owns, shown live and never written or locked."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import weakref
from pathlib import Path

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox, QPushButton

from session import ClientSession, SaveFileBusyError, VirtualClock
from snowsession_gui.launcher import parse_args
from snowsession_gui.monitor.window import MonitorWindow
from snowsession_gui.run import run_monitor


@pytest.fixture
def make_monitor(qtbot):
    def make(path: Path, **options: object) -> MonitorWindow:
        options.setdefault("now", lambda: 0.0)
        options.setdefault("poll_ms", 0)  # the file system watcher alone, unless asked
        monitor = MonitorWindow(path, **options)  # type: ignore[arg-type]
        qtbot.addWidget(monitor)
        monitor.show()
        return monitor

    return make


def owner_session(path: Path, clock: VirtualClock) -> ClientSession:
    return ClientSession(path, 60, 30, 10, clock=clock)


def log_lines(monitor: MonitorWindow) -> list[str]:
    return [monitor.log.item(i).text() for i in range(monitor.log.count())]


def test_each_change_by_the_owner_is_shown_and_the_file_is_only_written_by_it(
    make_monitor, tmp_path, qtbot
):
    path = tmp_path / "app" / "session.xml"
    clock = VirtualClock()
    owner = owner_session(path, clock)  # holds the lock for the whole test
    owner.start_checker()
    assert owner.flush(5.0)
    monitor = make_monitor(path)
    assert "MONITORING (read-only)" in monitor.banner.text() and str(path) in monitor.banner.text()
    assert monitor.index_value.text() == "1"
    assert monitor.fields["dotnetVerdictValue"].text() == "reads it"
    for expected in range(2, 6):
        owner.get_session_context(f"event-{expected}")
        clock.advance(75)  # past the 60 s timeout and its check: a new session, saved
        assert owner.flush(5.0)
        written = path.read_bytes()
        stamp = os.stat(path).st_mtime_ns
        qtbot.waitUntil(lambda e=expected: monitor.index_value.text() == str(e), timeout=3000)
        assert monitor.fields["sessionIdValue"].text() == owner.current_session_id
        assert path.read_bytes() == written and os.stat(path).st_mtime_ns == stamp
    lines = [line.split("  ", 1)[1] for line in log_lines(monitor)]
    assert lines[0].startswith("first look: index 1, session ")
    assert [line.split(", session")[0] for line in lines[1:]] == [
        f"new session: index {i}" for i in range(2, 6)
    ]  # the words of `snowsession watch`
    assert monitor.changes == 5 and "5 changes seen" in monitor.status.text()
    owner.get_session_context("late")
    clock.advance(200)  # three timeouts before the next save is read
    assert owner.flush(5.0)
    qtbot.waitUntil(lambda: monitor.index_value.text() == "8", timeout=3000)
    assert "3 new sessions since the last look (5 to 8): index 8," in log_lines(monitor)[-1]
    assert sorted(p.name for p in path.parent.iterdir()) == ["session.xml", "session.xml.lock"]
    with pytest.raises(SaveFileBusyError):
        ClientSession(path, clock=clock).close()  # the owner still holds the lock
    owner.close()
    ClientSession(path, clock=clock).close()  # the monitor never took it


def test_no_control_drives_an_engine_in_monitor_mode(make_monitor, tmp_path):
    path = tmp_path / "session.xml"
    owner_session(path, VirtualClock()).close()
    monitor = make_monitor(path)
    for name in ("fireEventButton", "backgroundToggle", "checkerToggle", "speedSelector"):
        assert monitor.findChild(QPushButton, name) is None
        assert monitor.findChild(QAction, name.replace("Button", "Action")) is None
    texts = [a.text() for a in monitor.menuBar().actions()]
    assert texts == ["&File", "&View"]
    actions = [a.text() for menu in monitor.menuBar().actions() for a in menu.menu().actions()]
    assert [a for a in actions if a] == [
        "Export timeline as &PNG…",
        "Export timeline as &CSV…",
        "&Close",
        "&Follow the file",
        *(f"Show &{span}" for span in ("1 min", "5 min", "30 min", "2 h", "1 d")),
        "&Fit all",
        "Save file",
    ]


def test_a_monitor_nobody_holds_goes_with_its_last_reference(tmp_path, qtbot):
    """Not whenever Python's cycle collector runs next: that may be in the middle of a paint
    of its own plot, and the paint then goes on in freed memory."""
    path = tmp_path / "session.xml"
    owner_session(path, VirtualClock()).close()
    monitor = MonitorWindow(path, now=lambda: 0.0, poll_ms=0)
    qtbot.addWidget(monitor)
    monitor.show()
    monitor.findChild(QAction, "span60Action").trigger()  # a span chosen by hand
    gone = weakref.ref(monitor)
    del monitor
    assert gone() is None


def test_a_collection_in_the_paint_of_a_monitor_nobody_holds_is_no_crash(tmp_path):
    """The collector runs at whatever allocation crosses its threshold, a paint's included: a
    collection forced into every axis paint makes that happen on the first frame."""
    path = tmp_path / "session.xml"
    owner_session(path, VirtualClock()).close()
    script = textwrap.dedent(
        f"""
        import gc
        import pyqtgraph as pg
        from PySide6.QtWidgets import QApplication
        from snowsession_gui.monitor.window import MonitorWindow

        app = QApplication([])
        paint = pg.AxisItem.paint

        def collecting_paint(self, *args):
            gc.collect()
            paint(self, *args)

        pg.AxisItem.paint = collecting_paint
        monitor = MonitorWindow({str(path)!r}, poll_ms=0)
        monitor.show()
        del monitor  # shown, and nobody holds it
        app.processEvents()  # the first frame
        """
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


def test_gone_corrupt_replaced_and_back_are_reported_and_watched_on(make_monitor, tmp_path, qtbot):
    path = tmp_path / "session.xml"
    clock = VirtualClock()
    owner_session(path, clock).close()
    monitor = make_monitor(path)
    first_user = monitor.fields["userIdValue"].text()

    path.unlink()
    qtbot.waitUntil(lambda: "missing" in monitor.status.text(), timeout=3000)
    assert log_lines(monitor)[-1].endswith("the file is gone: watching for it to come back")

    path.write_bytes(b"<not a save file")
    qtbot.waitUntil(lambda: "Not a save file" in monitor.status.text(), timeout=3000)
    assert "does not look like a save file" in log_lines(monitor)[-1]
    assert monitor.index_value.text() == "—"
    assert monitor.fields["dotnetVerdictValue"].text().startswith("refuses it")

    path.write_bytes(b"<ArrayOfKeyValueOfstringanyType xmlns=")  # what a cut write leaves
    qtbot.waitUntil(lambda: "damaged" in monitor.status.text(), timeout=3000)
    assert "DAMAGED" in log_lines(monitor)[-1]
    assert monitor.index_value.text() == "—"
    assert monitor.fields["dotnetVerdictValue"].text().startswith("refuses it")

    other = tmp_path / "other" / "session.xml"
    owner_session(other, clock).close()
    os.replace(other, path)  # another user's file put in its place
    qtbot.waitUntil(lambda: monitor.index_value.text() == "1", timeout=3000)
    assert monitor.fields["userIdValue"].text() not in ("—", first_user)
    assert "the file is sound again" in log_lines(monitor)[-1]
    assert "missing" not in monitor.status.text() and "damaged" not in monitor.status.text()

    path.unlink()
    qtbot.waitUntil(lambda: "missing" in monitor.status.text(), timeout=3000)
    session = owner_session(path, clock)
    session.close()
    qtbot.waitUntil(lambda: "the file is back" in log_lines(monitor)[-1], timeout=3000)
    assert monitor.fields["sessionIdValue"].text() == session.current_session_id


def test_last_change_says_when_and_how_long_ago(make_monitor, tmp_path):
    path = tmp_path / "session.xml"
    owner_session(path, VirtualClock()).close()
    stamp = os.stat(path).st_mtime
    monitor = make_monitor(path, wall=lambda: stamp + 42)
    monitor._on_poll()
    assert monitor.last_change == stamp
    assert "(42 s ago)" in monitor.status.text() and "1 change seen" in monitor.status.text()


@pytest.mark.realtime
def test_another_process_writes_and_the_monitor_follows(make_monitor, tmp_path, qtbot):
    path = tmp_path / "session.xml"
    go = tmp_path / "go"
    script = textwrap.dedent(
        f"""
        import os, sys, time
        from session import ClientSession
        for _ in range(3):   # three app starts: sessions 1, 2, 3
            s = ClientSession({str(path)!r})
            s.get_session_context("e")
            s.close()
            while not os.path.exists({str(go)!r}):
                time.sleep(0.01)
            os.remove({str(go)!r})
        """
    )
    owner = subprocess.Popen([sys.executable, "-c", script])
    try:
        qtbot.waitUntil(path.exists, timeout=10000)
        monitor = make_monitor(path, poll_ms=200)
        for index in ("1", "2", "3"):
            qtbot.waitUntil(lambda i=index: monitor.index_value.text() == i, timeout=10000)
            go.touch()
    finally:
        assert owner.wait(timeout=20) == 0
    assert [line.split("  ", 1)[1] for line in log_lines(monitor)][-2:][0].startswith(
        "new session: index 2"
    )


def test_a_busy_file_offers_monitor_mode(window, tmp_path, qtbot):
    path = tmp_path / "busy" / "session.xml"
    owner = owner_session(path, VirtualClock())
    assert owner.flush(5.0)
    try:
        assert window.open_save_file(path) is False
        boxes = [d for d in window.dialogs if isinstance(d, QMessageBox) and d.isVisible()]
        assert len(boxes) == 1 and "monitor mode" in boxes[0].text()
        button = boxes[0].findChild(QPushButton, "monitorInsteadButton")
        button.click()
        (monitor,) = window.monitors.windows  # deletes itself on close
        assert monitor.path == path and monitor.index_value.text() == "1"
        monitor.close()
    finally:
        owner.close()


def test_file_monitor_menu_and_command_line(window, tmp_path, monkeypatch, qtbot, qapp):
    path = tmp_path / "session.xml"
    owner_session(path, VirtualClock()).close()
    monkeypatch.setattr(
        "snowsession_gui.window.main_window.QFileDialog.getOpenFileName",
        lambda *a, **k: (str(path), ""),
    )
    window.findChild(QAction, "monitorAction").trigger()
    (monitor,) = window.monitors.windows  # deletes itself on close
    assert monitor.isVisible() and monitor.index_value.text() == "1"
    window.close()  # closing the window closes its monitors
    assert not monitor.isVisible()

    assert parse_args(["--monitor", str(path)]).monitor == path
    with pytest.raises(SystemExit) as stop:
        parse_args([str(path), "--monitor", str(path)])
    assert stop.value.code == 2
    picture = tmp_path / "monitor.png"
    assert run_monitor(qapp, path, picture) == 0
    assert picture.read_bytes().startswith(b"\x89PNG")


def test_a_file_that_does_not_exist_yet_is_waited_for(make_monitor, tmp_path, qtbot):
    path = tmp_path / "later" / "session.xml"
    monitor = make_monitor(path, poll_ms=50)  # its folder is not there to be watched either
    assert log_lines(monitor)[-1].endswith("no file at this path yet: watching for it")
    assert "missing" in monitor.status.text()
    session = owner_session(path, VirtualClock())
    session.close()
    qtbot.waitUntil(lambda: monitor.index_value.text() == "1", timeout=3000)
    assert "the file is back" in log_lines(monitor)[-1]


def _bytes(index: int) -> bytes:
    from session.storage.format import encode

    return encode(
        [
            ("userId", "0f8fad5b-d9cb-469f-a165-70867728950e"),
            ("sessionId", f"00000000-0000-4000-8000-{index:012d}"),
            ("previousSessionId", None),
            ("sessionIndex", index),
            ("storageMechanism", "LOCAL_STORAGE"),
        ]
    )


def _write_index(path: Path, index: int) -> None:
    temp = path.with_name(path.name + ".tmp")
    temp.write_bytes(_bytes(index))
    temp.replace(path)


def test_a_file_changing_every_two_seconds_is_shown_at_its_pace_and_followed_after_a_zoom(
    make_monitor, tmp_path
):
    from snowsession_gui.monitor.window import pace_span

    path = tmp_path / "session.xml"
    _write_index(path, 1)
    now = [0.0]
    monitor = make_monitor(path, now=lambda: now[0])
    for index in range(2, 32):
        now[0] += 2.0
        _write_index(path, index)
        monitor.watcher.read_now()
    plot = monitor.timeline.ensure_plot()
    plot.redraw()
    x0, x1 = plot.visible_range()
    assert pace_span(monitor.change_times) == 60.0 and x1 - x0 == pytest.approx(60.0)
    steps = [x for x in monitor.timeline.data.step_x.view() if x0 <= x <= x1]
    assert len(steps) >= 25  # steps, not one vertical line
    plot.view.setXRange(0, 10, padding=0)
    plot.view.sigRangeChangedManually.emit([True, False])  # a zoom by hand
    assert not monitor.timeline.follow and not monitor.follow_button.isChecked()
    now[0] += 30
    monitor.findChild(QAction, "monitorFollowAction").trigger()  # F
    assert monitor.timeline.follow and monitor.follow_button.isChecked()
    x0, x1 = plot.visible_range()
    assert x0 < now[0] < x1 and x1 - x0 < 120


@pytest.mark.realtime
def test_a_file_written_in_place_is_never_called_damaged(make_monitor, tmp_path, qtbot):
    """The .NET tracker writes its file in place: the monitor looks again before it calls a
    file damaged, and each new index is a new session."""
    import threading
    import time as real_time

    path = tmp_path / "session.xml"
    _write_index(path, 1)
    monitor = make_monitor(path, poll_ms=0)
    done = threading.Event()

    def writer() -> None:
        for index in range(2, 12):
            real_time.sleep(0.05)
            with path.open("wb") as handle:  # truncated: an empty file, for a few ms
                handle.flush()
                real_time.sleep(0.005)
                handle.write(_bytes(index))
        done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    qtbot.waitUntil(done.is_set, timeout=10_000)
    thread.join()
    qtbot.waitUntil(lambda: monitor.index_value.text() == "11", timeout=5000)
    lines = log_lines(monitor)
    assert not [line for line in lines if "DAMAGED" in line], lines
    assert "damaged" not in monitor.status.text()
    news = [line for line in lines if "new session" in line]
    assert news and all("index" in line for line in news)


def test_the_span_box_says_what_the_view_shows_from_the_first_look_and_after_follow(
    make_monitor, tmp_path
):
    path = tmp_path / "session.xml"
    _write_index(path, 1)
    now = [0.0]
    monitor = make_monitor(path, now=lambda: now[0])
    plot = monitor.timeline.ensure_plot()
    selector = monitor.following.selector

    def agree(text: str) -> None:
        plot.redraw()
        x0, x1 = plot.visible_range()
        assert selector.currentText() == text
        shown = selector.currentData() if selector.currentIndex() >= 0 else monitor.timeline.span
        assert x1 - x0 == pytest.approx(shown)
        assert x0 < now[0] < x1

    agree("5 min")  # before the file's pace is known
    for index in range(2, 32):
        now[0] += 2.0
        _write_index(path, index)
        monitor.watcher.read_now()
    agree("1 min")  # at its pace
    plot.view.setXRange(0, 30, padding=0)
    plot.view.sigRangeChangedManually.emit([True, False])  # a zoom by hand to 30 s
    now[0] += 30
    monitor.findChild(QAction, "monitorFollowAction").trigger()  # Follow the file
    agree("")  # "custom": the 30 s of the zoom, followed
    monitor.findChild(QAction, "span300Action").trigger()
    agree("5 min")


def test_the_monitor_draws_only_what_its_watcher_sends_in_order(
    make_monitor, tmp_path, monkeypatch
):
    """The watcher is the monitor's host: the first look and each change come as its signals,
    and the monitor never reads the watcher's last look back."""
    from snowsession_gui.host.save_watcher import SaveFileWatcher

    def asked(_watcher: object) -> None:
        raise AssertionError("the monitor read the watcher's last look")

    path = tmp_path / "session.xml"
    clock = VirtualClock()
    owner = owner_session(path, clock)
    assert owner.flush(5.0)
    watcher = SaveFileWatcher(path)
    heard: list[str] = []
    watcher.watching.connect(lambda report: heard.append(f"first {report.state}"))
    watcher.changed.connect(lambda change: heard.append(change.text.split(":")[0]))
    assert watcher.watch(path).state == "ok"
    owner.get_session_context("e1")
    clock.advance(75)
    assert owner.flush(5.0)
    watcher.read_now()
    assert heard == ["first ok", "new session"]
    watcher.stop()

    monkeypatch.setattr(SaveFileWatcher, "current", property(asked))
    monitor = make_monitor(path)
    assert monitor.index_value.text() == "2"
    assert log_lines(monitor)[0].split("  ", 1)[1].startswith("first look: index 2")
    owner.get_session_context("e2")
    clock.advance(75)
    assert owner.flush(5.0)
    monitor.watcher.read_now()
    assert monitor.index_value.text() == "3" and monitor.changes == 2
    owner.close()
