"""Listening for trackers from the window: the collector started and stopped (no thread or
port left behind), real events from the Snowplow Python tracker in the right lanes with the
right findings, the same chain as ``snowsession sessions``, counts as Micro's, and closing
the window while listening."""

from __future__ import annotations

import json
import socket

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QLabel, QPushButton
from trackers.helpers import T0, body, entity, fields, uid

from session.audit.report import Finding, iso_time
from snowsession_gui.model.tracker_setup import network_address
from snowsession_gui.model.tracker_words import counts_tip, duration, finding_text
from snowsession_gui.trackers.listen_dialog import StartProblem
from snowsession_gui.widgets.menus import Section

from .tracker_helpers import (
    DEVICE_START,
    MOBILE,
    cli_sessions,
    collector_threads,
    frame_when,
    get_json,
    listen,
    post,
    three_devices,
    trackers,
)


def _port_is_free(port: int) -> bool:
    """Nothing listens on ``port`` any more: a connection is refused, and a server can take
    it (as servers do, past connections waiting out their TIME_WAIT)."""
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            return False
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
            probe.listen()
        except OSError:
            return False
    return True


def test_the_dialog_starts_the_collector_and_stop_leaves_no_thread_or_port(window, tmp_path):
    feature = trackers(window)
    assert not feature.dock.isVisible() and not feature.stop_action.isEnabled()
    before = len(collector_threads())
    dialog = feature.open_listen_dialog()
    assert dialog.loopback.isChecked() and not dialog.warning.isVisible()
    dialog.port.setValue(0)
    dialog.log.setText(str(tmp_path / "run.ndjson"))
    dialog.findChild(QPushButton, "listenStart").click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    listening = feature.listener.listening
    assert listening is not None and listening.host == "127.0.0.1" and listening.port > 0
    assert len(collector_threads()) == before + 1 and not _port_is_free(listening.port)
    assert feature.dock.isVisible() and feature.label.isVisible()
    assert feature.panel.address.address.text() == listening.url
    assert not feature.listen_action.isEnabled() and feature.stop_action.isEnabled()
    assert get_json(listening.url + "/micro/all") == {"total": 0, "good": 0, "bad": 0}
    feature.stop_action.trigger()
    assert len(collector_threads()) == before and _port_is_free(listening.port)
    assert not feature.label.isVisible() and feature.listen_action.isEnabled()
    assert "Stopped listening" in feature.panel.status.text()
    assert json.loads((tmp_path / "run.ndjson").read_text().splitlines()[0])["snowsession"]


def test_real_tracker_events_land_in_their_lanes_with_their_findings(window, tmp_path, qtbot):
    feature = trackers(window)
    feature.set_preset("mobile")
    log = tmp_path / "events.ndjson"
    url = listen(window, log).listener.listening.url  # type: ignore[union-attr]
    users = three_devices(url, tmp_path / "devices")
    frame = frame_when(qtbot, feature, 9)
    panel = feature.panel
    lanes = panel.ensure_lanes()
    kinds = {
        name: sorted(f.kind for f in frame.report.user(user).findings)  # type: ignore[union-attr]
        for name, user in users.items()
    }
    assert kinds == {
        "clean": [],
        "restarts": ["early_new_session", "early_new_session", "index_gap"],
        "stays": ["missed_expiry"],
    }
    indexes = {
        name: [s.index for s in frame.report.user(user).sessions]  # type: ignore[union-attr]
        for name, user in users.items()
    }
    assert indexes == {"clean": [1, 2], "restarts": [1, 2, 4], "stays": [1]}
    # Each lane draws its user's sessions, its events as dots, and a mark per finding.
    for name, user in users.items():
        shapes = lanes.shapes(user)
        assert shapes is not None
        report = frame.report.user(user)
        assert report is not None
        assert len(shapes.dots_x) == report.events == {"clean": 4, "restarts": 3, "stays": 2}[name]
        assert sorted(shapes.dots_y) == sorted(
            float(s.index) for s in report.sessions for _ in range(s.events)
        )
        assert list(shapes.marks_x) == [f.time for f in report.findings]
        assert list(shapes.sessions_y) == [float(s.index) for s in report.sessions for _ in "ab"]
    # The idle gap over the timeout is drawn as one (clean's second session), the others not.
    clean = lanes.shapes(users["clean"])
    assert clean is not None and len(clean.late_x) == 4 and len(clean.idle_x) == 0
    shown = feature.panel.shown_users()
    assert set(shown) == set(users.values())
    start = lanes.scroller.value()
    assert lanes.visible_users() == shown[start : start + lanes.capacity()]
    assert feature.panel.selected in lanes.visible_users()  # the first with findings, picked
    assert panel.counts.text().startswith("9 good · 0 bad · 3 user(s)")
    assert get_json(url + "/micro/all") == {"total": 9, "good": 9, "bad": 0}


def test_the_chain_is_the_one_snowsession_sessions_prints(window, tmp_path, qtbot):
    feature = trackers(window)
    feature.set_preset("mobile")
    log = tmp_path / "events.ndjson"
    url = listen(window, log).listener.listening.url  # type: ignore[union-attr]
    users = three_devices(url, tmp_path / "devices")
    frame_when(qtbot, feature, 9)
    feature.stop_listening()
    printed = {user["user_id"]: user for user in cli_sessions([log], *MOBILE)["users"]}
    assert set(printed) == set(users.values())
    chain = feature.panel.chain
    for user_id, user in printed.items():
        feature.panel.pick(user_id)
        rows = chain.rows()
        assert rows == [
            [
                str(s["index"]),
                s["session_id"],
                s["previous_session_id"] or "-",
                s["first_event_id"] or "-",
                str(s["events"]),
                s["first_event_time"],
                s["last_event_time"],
                "" if s["idle_before"] is None else duration(s["idle_before"]),
                s["exceeded"] or "",
            ]
            for s in user["sessions"]
        ]
        shown = [chain.findings.item(i).text() for i in range(chain.findings.count())]
        assert shown == [f"⚠ {f['kind']} at {f['time']}: {f['message']}" for f in user["findings"]]
        assert chain.tabs.tabText(1) == f"Findings ({len(user['findings'])})"
        # the lane says the same: its title counts, its marks are the findings
        lane = next(lane for lane in feature.panel.ensure_lanes().lanes if lane.user_id == user_id)
        assert f"{len(user['sessions'])} session(s)" in lane.plot.titleLabel.text
        assert lane.selected


def test_findings_and_sessions_are_explained_on_hover(window, tmp_path, qtbot):
    feature = trackers(window)
    feature.set_preset("mobile")
    url = listen(window, tmp_path / "events.ndjson").listener.listening.url  # type: ignore[union-attr]
    users = three_devices(url, tmp_path / "devices")
    frame = frame_when(qtbot, feature, 9)
    lanes = feature.panel.ensure_lanes()
    qtbot.waitUntil(lambda: all(lane.view.size().width() > 50 for lane in lanes.lanes))
    feature.panel.pick(users["stays"])
    lane = next(lane for lane in lanes.lanes if lane.user_id == users["stays"])
    (finding,) = frame.report.user(users["stays"]).findings  # type: ignore[union-attr]
    tip = lanes.tip_at(lane.view.mapViewToScene(QPointF(finding.time, 1.0)))
    assert tip is not None
    assert "The session went on past the timeout (missed_expiry)" in tip
    assert f"at {iso_time(finding.time)}, session 1" in tip
    assert "Expected: a session expires after the timeout in force." in tip
    assert finding.message in tip
    session = frame.report.user(users["clean"]).sessions[0]  # type: ignore[union-attr]
    feature.panel.pick(users["clean"])
    clean = next(lane for lane in lanes.lanes if lane.user_id == users["clean"])
    tip = lanes.tip_at(clean.view.mapViewToScene(QPointF(session.first_time, 1.0)))
    assert tip is not None and tip.startswith(f"Session 1: {session.session_id}")
    first, last = iso_time(DEVICE_START), iso_time(DEVICE_START + 20)
    assert f"3 event(s), {first} to {last} (20 s)" in tip
    # the idle gap of clean: longer than the timeout, so a new session was right
    middle = (session.last_time + frame.report.user(users["clean"]).sessions[1].first_time) / 2  # type: ignore[union-attr]
    tip = lanes.tip_at(clean.view.mapViewToScene(QPointF(middle, 1.0)))
    assert tip is not None and "longer than the foreground timeout (1800 s)" in tip
    assert lanes.tip_at(clean.view.mapViewToScene(QPointF(middle, 5.0))) is None


def test_events_are_drawn_at_the_screens_rate_not_once_each(window, tmp_path, qtbot):
    feature = trackers(window)
    url = listen(window, tmp_path / "events.ndjson").listener.listening.url  # type: ignore[union-attr]
    frames: list[object] = []
    feature.listener.frameChanged.connect(frames.append)
    requests = 200
    for n in range(requests):
        post(url, body(fields(entity(1, event_index=n + 1), T0 + n)))
    frame = frame_when(qtbot, feature, requests)
    qtbot.wait(100)
    assert frame.counts.good == requests and len(frame.trail(frame.report.users[0].user_id)) == 200
    assert len(frames) < requests / 4, len(frames)  # a frame per refresh, not per event


def test_bad_events_are_counted_with_their_reasons_as_micro_counts_them(window, tmp_path, qtbot):
    feature = trackers(window)
    url = listen(window, tmp_path / "events.ndjson").listener.listening.url  # type: ignore[union-attr]
    post(url, b"{not json")
    post(url, body({"e": "pv", "eid": "00000000-0000-4000-8000-00000000000a"}))
    bad = entity(1, sessionIndex="one")  # fails the schema: a finding of its user
    post(url, body(fields(bad, T0), fields(entity(1), T0 + 1)))
    qtbot.waitUntil(lambda: feature.panel.frame.counts.bad == 3)
    text = feature.panel.counts.text()
    assert "1 good" in text
    assert "3 bad (invalid_entity 1, no_session_entity 1, not_json 1)" in text
    assert get_json(url + "/micro/all") == {"total": 4, "good": 1, "bad": 3}
    assert "no client_session entity" in feature.panel.counts.toolTip()


def test_a_port_in_use_is_refused_beside_the_port_and_nothing_starts(window, tmp_path):
    feature = trackers(window)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        dialog = feature.open_listen_dialog()
        dialog.port.setValue(taken.getsockname()[1])
        dialog.log.setText(str(tmp_path / "run.ndjson"))
        dialog.accept()
        assert dialog.isVisible()
        problem = dialog.problem()
        assert problem is not None and problem.field == "port"
        assert "is in use" in problem.message and "0 for any free one" in problem.message
        assert dialog.errors["port"].isVisible() and not dialog.errors["log"].isVisible()
        label = dialog.errors["port"]  # its two lines have room: the dialog grew for them
        assert label.height() >= label.heightForWidth(label.width()) > label.fontMetrics().height()
        assert not feature.listener.active and not feature.dock.isVisible()
        dialog.log.setText(str(tmp_path))  # a folder: no log can be written there
        dialog.port.setValue(0)
        dialog.accept()
        problem = dialog.problem()
        assert problem is not None and problem.field == "log"
        assert "Cannot write the log" in problem.message and not feature.listener.active
        assert not dialog.errors["port"].isVisible()  # the port's message went with its fault
        dialog.log.setText("")
        dialog.accept()
        assert dialog.problem() == StartProblem(
            "log", "Choose a log file: every event is kept there as it arrives."
        )
        dialog.reject()


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("", "Type an address of this computer"),
        ("not an address!", "is not an address: type one of this computer's"),
        ("999.1.1.1", "is not an address: type one of this computer's"),
        ("192.0.2.77", "192.0.2.77 is not an address of this computer"),  # TEST-NET-1
    ],
)
def test_a_bad_address_is_refused_beside_it_and_nothing_starts(window, tmp_path, typed, words):
    feature = trackers(window)
    before = len(collector_threads())
    dialog = feature.open_listen_dialog()
    dialog.address.setText(typed)
    dialog.one.setChecked(True)
    dialog.port.setValue(0)
    dialog.log.setText(str(tmp_path / "run.ndjson"))
    dialog.accept()
    problem = dialog.problem()
    assert dialog.isVisible() and problem is not None and problem.field == "host"
    assert words in problem.message, problem.message
    assert dialog.errors["host"].isVisible()
    assert not feature.listener.active and len(collector_threads()) == before
    dialog.loopback.setChecked(True)  # the way out the message names
    dialog.accept()
    assert dialog.problem() is None and feature.listener.active
    feature.stop_listening()


def test_one_address_of_this_computer_is_listened_on_and_given_to_devices(window, tmp_path):
    feature = trackers(window)
    dialog = feature.open_listen_dialog()
    dialog.address.setText("127.0.0.2")  # a loopback address, but not the default one
    dialog.address.textEdited.emit("127.0.0.2")  # as typing does: the choice follows
    assert dialog.one.isChecked() and not dialog.warning.isVisible()
    dialog.port.setValue(0)
    dialog.log.setText(str(tmp_path / "run.ndjson"))
    dialog.accept()
    listening = feature.listener.listening
    assert listening is not None and listening.host == "127.0.0.2"
    assert feature.panel.address.address.text() == listening.url == feature.url
    assert feature.label.text() == f"● trackers → {listening.url}"
    assert get_json(listening.url + "/micro/all")["total"] == 0
    feature.stop_listening()
    dialog = feature.open_listen_dialog()
    assert dialog.one.isChecked() and dialog.address.text() == "127.0.0.2"  # kept
    dialog.address.setText("192.0.2.1")
    dialog.address.textEdited.emit("192.0.2.1")
    assert dialog.warning.isVisible()  # not loopback: others could reach it
    dialog.reject()


def test_all_interfaces_is_a_clear_choice_with_its_warning(window, tmp_path):
    feature = trackers(window)
    dialog = feature.open_listen_dialog()
    dialog.everywhere.setChecked(True)
    assert dialog.warning.isVisible() and "network you trust" in dialog.warning.text()
    dialog.port.setValue(0)
    dialog.log.setText(str(tmp_path / "run.ndjson"))
    dialog.accept()
    listening = feature.listener.listening
    assert listening is not None and listening.host == "0.0.0.0"
    address = feature.panel.address
    assert address.warning.isVisible() and "every network interface" in address.warning.text()
    here = network_address()
    if here is not None:  # devices are given this machine's address, and so is the status bar
        assert address.address.text() == f"http://{here}:{listening.port}" == feature.url
        assert feature.label.text() == f"● trackers → {feature.url}"
    assert get_json(f"http://127.0.0.1:{listening.port}/micro/all")["total"] == 0
    feature.stop_listening()
    dialog = feature.open_listen_dialog()
    assert dialog.everywhere.isChecked()  # kept for next time
    dialog.reject()


def test_the_address_and_each_trackers_settings_are_ready_to_copy(window, tmp_path, qtbot):
    feature = trackers(window)
    listening = listen(window, tmp_path / "events.ndjson").listener.listening
    assert listening is not None
    address = feature.panel.address
    assert address.toggle.isChecked() and address.tabs.isVisible()  # shown until events come
    address.copy.click()
    assert QGuiApplication.clipboard().text() == listening.url
    port = listening.port
    expected = {
        "Android": f"http://10.0.2.2:{port}",
        "iOS": f"http://localhost:{port}",
        "JavaScript": listening.url,
        ".NET": f"port: {port}",
    }
    assert [address.tabs.tabText(i) for i in range(address.tabs.count())] == list(expected)
    for tracker, text in expected.items():
        address.findChild(QPushButton, f"copySetup:{tracker}").click()
        assert text in QGuiApplication.clipboard().text()
        note = address.findChild(QLabel, f"setupNote:{tracker}")
        assert note is not None and note.text()
    post(listening.url, body(fields(entity(1), T0)))
    frame_when(qtbot, feature, 1)
    assert not address.toggle.isChecked()  # an app is sending: the settings fold away


def test_the_timeouts_are_fixed_while_listening_and_kept(make_window, tmp_path):
    window = make_window()
    feature = trackers(window)
    feature.set_preset("web")
    listen(window, tmp_path / "events.ndjson")
    assert not feature.panel.presets.isEnabled()
    feature.set_preset("none")  # refused while listening
    assert feature.preset_key == "web" and feature.listener.tap is not None
    assert feature.listener.tap.rules.default.foreground_timeout == 1800
    window.close()
    again = trackers(make_window())
    assert again.preset_key == "web"
    assert again.panel.presets.currentData() == "web"


def test_closing_the_window_while_listening_stops_the_collector_and_keeps_every_event(
    make_window, tmp_path, qtbot
):
    window = make_window()
    log = tmp_path / "events.ndjson"
    feature = listen(window, log)
    listening = feature.listener.listening
    assert listening is not None
    before = len(collector_threads()) - 1
    post(listening.url, body(fields(entity(1), T0), fields(entity(1), T0 + 1)))
    window.close()
    assert len(collector_threads()) == before and _port_is_free(listening.port)
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert len([line for line in lines if "fields" in line]) == 2


def test_the_keys_and_menu_entries(window):
    feature = trackers(window)
    keys = dict(window.menu_bar.keys())
    assert keys["Ctrl+L"] == "Listen for trackers"
    assert keys["Ctrl+Shift+L"] == "Open a tracker capture"
    assert feature.listen_action in window.actions() and feature.open_action in window.actions()
    assert feature.dock.toggleViewAction() in window.menu_bar.actions(Section.VIEW_DOCKS)


@pytest.mark.parametrize("users", [1, 30])
def test_one_user_fills_the_lanes_and_thirty_scroll_a_page_at_a_time(
    window, tmp_path, qtbot, users
):
    feature = trackers(window)
    url = listen(window, tmp_path / "events.ndjson").listener.listening.url  # type: ignore[union-attr]
    window.resize(1600, 1000)
    ids = [f"00000000-0000-4000-8000-{n:012d}" for n in range(users)]
    for n, user in enumerate(ids):
        post(url, body(*(fields(entity(1, user=user), T0 + n * 3600 + k) for k in range(2))))
    frame_when(qtbot, feature, 2 * users)
    lanes = feature.panel.ensure_lanes()
    qtbot.waitUntil(lambda: lanes.plot.height() > 100)
    capacity = lanes.capacity()
    shown = lanes.visible_users()
    assert len(shown) == min(users, capacity) and len(lanes.lanes) == min(users, capacity)
    assert lanes.scroller.isVisible() == (users > capacity)
    if users == 1:
        assert lanes.lanes[0].plot.size().height() > 250  # one lane has the whole height
        return
    assert lanes.scroller.maximum() == users - capacity
    feature.panel.pick(ids[-1])  # picking a user brings its lane on screen
    assert ids[-1] in lanes.visible_users()
    feature.panel.filter.setText(ids[7][-6:])
    assert feature.panel.users.count() == 1 and lanes.visible_users() == [ids[7]]
    feature.panel.filter.clear()
    feature.panel.only_findings.setChecked(True)
    assert feature.panel.users.count() == 0
    # the time axis spans everyone: thirty hours, not the lanes on screen
    first, last = lanes.visible_range()
    assert first <= T0 and last >= T0 + (users - 1) * 3600 + 1


def test_frames_come_less_often_when_drawing_them_is_costly(window, tmp_path, qtbot):
    feature = trackers(window)
    clock = feature.listener.clock
    spent: list[float] = []
    pace = clock.pace
    clock.pace = lambda seconds: (spent.append(seconds), pace(seconds))  # type: ignore[method-assign]
    url = listen(window, tmp_path / "events.ndjson").listener.listening.url  # type: ignore[union-attr]
    post(url, body(*(fields(entity(1, user=uid(n)), T0 + n) for n in range(200))))
    frame_when(qtbot, feature, 200)
    assert spent and all(s > 0 for s in spent)  # each frame's making and drawing, measured
    base = clock.base_ms
    for seconds, interval in ((0.0, base), (0.001, base), (0.1, 400), (0.5, 1000), (9, 1000)):
        pace(seconds)
        assert clock.timer.interval() == interval, seconds


def test_listening_again_on_the_same_port_after_stop_starts_afresh(window, tmp_path, qtbot):
    feature = trackers(window)
    listening = listen(window, tmp_path / "first.ndjson").listener.listening
    assert listening is not None
    post(listening.url, body(fields(entity(1), T0)))
    frame_when(qtbot, feature, 1)
    feature.stop_listening()
    assert (
        feature.start_listening("127.0.0.1", listening.port, str(tmp_path / "again.ndjson")) is None
    )
    again = feature.listener.listening
    assert again is not None and again.port == listening.port
    qtbot.waitUntil(lambda: feature.panel.frame.counts.good == 0)  # a new log, new lanes
    assert not feature.panel.frame.report.users
    post(again.url, body(fields(entity(2), T0 + 60)))
    frame = frame_when(qtbot, feature, 1)
    assert [s.index for s in frame.report.users[0].sessions] == [2]
    assert get_json(again.url + "/micro/all") == {"total": 1, "good": 1, "bad": 0}


def test_after_stop_the_panel_no_longer_says_it_waits(window, tmp_path):
    feature = listen(window, tmp_path / "run.ndjson")
    panel, url = feature.panel, feature.url

    def shown() -> str:
        labels = panel.findChildren(QLabel)
        return " ".join(label.text() for label in labels if label.isVisibleTo(panel))

    assert f"Waiting for events at {url}" in shown()
    feature.stop_listening()
    assert "Waiting" not in shown() and "Listening" not in shown()
    assert f"No events came while listening on {url}." in shown()


@pytest.mark.parametrize(
    ("key", "judged"),
    [("none", "not judged (no timeouts given)"), ("mobile", "judged by foreground 1800 s")],
)
def test_idle_gaps_are_named_once_where_their_timeouts_are_said(window, key, judged):
    """The dialog said "Idle gaps: idle gaps not judged": the name twice."""
    feature = trackers(window)
    feature.set_preset(key)
    dialog = feature.open_listen_dialog()
    text = dialog.findChild(QLabel, "listenJudged").text()
    assert text.startswith(f"Idle gaps: {judged}")
    tip = counts_tip(feature.panel.frame.counts, feature.rules)  # the counts' hover
    assert f"idle gaps {judged}" in tip
    for words in (text, tip):
        assert words.lower().count("idle gaps") == 1, words
    dialog.reject()


def test_a_finding_on_hover_says_each_thing_once():
    """The early_new_session hover ended by saying again what it began with."""
    finding = Finding(
        "early_new_session", "u", "s2", 60.0, "a new session started after only 60 s idle", 2
    )
    lines = finding_text(finding).splitlines()
    sentences = [s.strip(" .") for line in lines for s in line.split(". ") if s.strip(" .")]
    assert len(sentences) == len(set(sentences))
    assert "early" not in lines[-1] and "before the timeout" not in lines[-1]
    assert lines[-1].startswith("A restart, or a new session asked for")
