"""The public Qt module: QtScheduler and SessionBridge, for any Qt application."""

from __future__ import annotations

import threading
import time
import typing

import pytest
from PySide6.QtCore import QObject, QThread

from session import ClientSession, SessionStarted, StorageProblem, VirtualClock
from snowsession_gui import QtScheduler, SessionBridge


@pytest.mark.realtime
def test_scheduler_runs_calls_on_real_qt_timers(qtbot):
    parent = QObject()
    scheduler = QtScheduler(parent)
    calls: list[str] = []
    scheduler.call_later(0.02, lambda: calls.append("late"))
    scheduler.call_later(0.0, lambda: calls.append("soon"))
    cancelled = scheduler.call_later(0.01, lambda: calls.append("cancelled"))
    cancelled.cancel()
    qtbot.waitUntil(lambda: len(calls) == 2, timeout=2000)
    assert calls == ["soon", "late"]
    assert scheduler.pending == 0
    scheduler.close()
    with pytest.raises(RuntimeError):
        scheduler.call_later(1, lambda: None)


def test_call_later_from_another_thread_runs_on_the_gui_thread(qtbot):
    scheduler = QtScheduler()
    ran_on: list[QThread] = []
    worker = threading.Thread(
        target=lambda: scheduler.call_later(0, lambda: ran_on.append(QThread.currentThread()))
    )
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: bool(ran_on), timeout=2000)
    assert ran_on == [scheduler.thread()]
    scheduler.close()


def test_close_stops_pending_timers(qtbot):
    scheduler = QtScheduler()
    calls: list[int] = []
    scheduler.call_later(0.01, lambda: calls.append(1))
    assert scheduler.pending == 1
    scheduler.close()
    qtbot.wait(50)
    assert calls == []


@pytest.mark.realtime
def test_a_session_on_the_qt_scheduler_expires_on_qt_timers(qtbot, tmp_path):
    scheduler = QtScheduler()
    session = ClientSession(
        tmp_path / "s.xml", foreground_timeout=0.05, check_interval=0.02, scheduler=scheduler
    )
    bridge = SessionBridge(session)
    try:
        with qtbot.waitSignal(bridge.sessionStarted, timeout=3000) as blocker:
            session.get_session_context("e")
        note = blocker.args[0]
        assert isinstance(note, SessionStarted) and note.new.session_index == 2
    finally:
        bridge.detach()
        session.close()
        scheduler.close()


def test_bridge_reemits_every_notification_on_the_gui_thread(qtbot, tmp_path):
    clock = VirtualClock()
    path = tmp_path / "data" / "s.xml"
    session = ClientSession(path, clock=clock)
    bridge = SessionBridge(session)
    seen: list[tuple[str, bool]] = []
    gui = QThread.currentThread()
    bridge.notified.connect(
        lambda note: seen.append((type(note).__name__, QThread.currentThread() is gui))
    )
    try:
        with qtbot.waitSignal(bridge.eventTracked, timeout=1000):
            session.get_session_context("e1")
        with qtbot.waitSignal(bridge.backgroundChanged, timeout=1000):
            session.set_background(True)
        assert session.flush(5)
        # the writer thread reports storage problems: they arrive queued, on the GUI thread
        path.unlink()
        path.mkdir()
        with qtbot.waitSignal(bridge.storageProblem, timeout=3000) as blocker:
            clock.advance(315)  # a background timeout: a save that fails
        assert isinstance(blocker.args[0], StorageProblem)
        path.rmdir()
        with qtbot.waitSignal(bridge.storageRecovered, timeout=3000):
            session.start_checker()
            clock.advance(15)
    finally:
        bridge.detach()
        session.close()
    names = [name for name, _ in seen]
    assert names[:3] == ["EventTracked", "CheckerChanged", "BackgroundChanged"] or names[:3] == [
        "CheckerChanged",
        "EventTracked",
        "BackgroundChanged",
    ]
    assert "StorageProblem" in names and "StorageRecovered" in names
    assert all(on_gui for _, on_gui in seen)


def test_detached_bridge_is_silent(qtbot, tmp_path):
    session = ClientSession(tmp_path / "s.xml", clock=VirtualClock())
    bridge = SessionBridge(session)
    seen: list[object] = []
    bridge.notified.connect(seen.append)
    bridge.detach()
    session.get_session_context("e")
    qtbot.wait(20)
    session.close()
    assert seen == []


def test_delays_longer_than_a_qtimer_holds_run_in_legs(qtbot, monkeypatch):
    import snowsession_gui.host.qt_session as qt_session

    monkeypatch.setattr(qt_session, "_MAX_MS", 10)  # as if 10 ms were 24.8 days
    scheduler = QtScheduler()
    calls: list[float] = []
    start = time.monotonic()
    handle = scheduler.call_later(0.045, lambda: calls.append(time.monotonic() - start))
    qtbot.waitUntil(lambda: bool(calls), timeout=2000)
    assert calls[0] >= 0.04  # not at the first 10 ms leg
    assert handle.cancelled and scheduler.pending == 0
    scheduler.close()


def test_bridge_has_a_signal_for_every_kind_of_notification(qtbot, tmp_path):
    from session import Notification, PausedChanged, SessionRequested, SettingsChanged

    kinds = set(typing.get_args(Notification))
    session = ClientSession(tmp_path / "s.xml", clock=VirtualClock(), policy="mobile")
    bridge = SessionBridge(session)
    seen: list[type] = []
    for kind in kinds:
        name = kind.__name__[0].lower() + kind.__name__[1:]
        getattr(bridge, name).connect(lambda note: seen.append(type(note)))
    try:
        session.foreground_timeout = 120
        session.pause()
        session.start_new_session()
        qtbot.waitUntil(lambda: len(seen) >= 3, timeout=2000)
    finally:
        bridge.detach()
        session.close()
    assert {SettingsChanged, PausedChanged, SessionRequested} <= set(seen)
