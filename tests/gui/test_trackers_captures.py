"""Opening tracker captures in the window: each kind shows the lanes ``snowsession sessions``
reports for the same files; a large one is read off the GUI thread; a bad or hostile one is
refused with its message beside the lanes, and nothing else changes."""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from trackers.helpers import T0, body, entity, fields, query

from session import ClientSession, VirtualClock
from session.audit.inputs import MAX_DOCUMENT_BYTES
from session.trackers import Collector
from snowsession_gui.trackers.sources import READ_SWITCH_INTERVAL

from .gui_helpers import axis_labels
from .tracker_helpers import MOBILE, cli_sessions, get_json, three_devices, trackers


def opened(qtbot, window, paths, timeout: int = 30_000):
    """Open ``paths`` as the File menu does and wait for the read to end."""
    feature = trackers(window)
    feature.open_captures([str(path) for path in paths])
    qtbot.waitUntil(lambda: not feature.reader.reading, timeout=timeout)
    return feature


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> dict[str, Path]:
    """A collector's log and Micro's /micro/good of three devices' real trackers."""
    folder = tmp_path_factory.mktemp("recorded")
    log = folder / "events.ndjson"
    with Collector(port=0, log=log) as collector:
        three_devices(collector.url, folder / "devices")
        good = get_json(collector.url + "/micro/good")
    micro = folder / "micro-good.json"
    micro.write_text(json.dumps(good))
    return {"log": log, "micro": micro}


def _same_as_the_command_line(feature, paths, *options: str) -> None:
    frame = feature.panel.frame
    assert frame.report.to_dict()["users"] == cli_sessions(paths, *options)["users"]
    assert feature.panel.problem.isHidden()
    assert feature.panel.shown_users() == [user.user_id for user in frame.report.users]


@pytest.mark.parametrize("kind", ["log", "micro"])
def test_a_collector_log_and_micro_json_show_the_same_lanes(window, qtbot, recorded, kind):
    trackers(window).set_preset("mobile")
    feature = opened(qtbot, window, [recorded[kind]])
    _same_as_the_command_line(feature, [recorded[kind]], *MOBILE)
    assert feature.panel.status.text() == f"Capture: {recorded[kind].name} ({kind})"
    frame = feature.panel.frame
    assert len(frame.report.users) == 3 and frame.counts.good == 9
    kinds = sorted(f.kind for f in frame.report.findings)
    assert kinds == ["early_new_session", "early_new_session", "index_gap", "missed_expiry"]
    lanes = feature.panel.ensure_lanes()
    for user in frame.report.users:
        assert len(frame.trail(user.user_id)) == user.events
    assert lanes.visible_users() and feature.dock.isVisible()


def test_a_har_file_shows_its_get_and_post_requests(window, qtbot, tmp_path):
    get = fields(entity(1, event_index=1), T0)
    posts = [fields(entity(1, event_index=2), T0 + 1), fields(entity(3, event_index=1), T0 + 900)]
    entries = [
        {
            "startedDateTime": "2027-01-15T08:00:00.000Z",
            "request": {"method": "GET", "url": f"https://c.example/i?{query(get)}"},
        },
        {
            "startedDateTime": "2027-01-15T08:00:02.000Z",
            "request": {
                "method": "POST",
                "url": "https://c.example/com.snowplowanalytics.snowplow/tp2",
                "postData": {"mimeType": "application/json", "text": body(*posts).decode()},
            },
        },
    ]
    path = tmp_path / "app.har"
    path.write_text(json.dumps({"log": {"version": "1.2", "entries": entries}}))
    feature = opened(qtbot, window, [path])
    _same_as_the_command_line(feature, [path])
    (user,) = feature.panel.frame.report.users
    assert [s.index for s in user.sessions] == [1, 3]
    assert [f.kind for f in user.findings] == ["index_gap"]
    assert feature.panel.status.text() == "Capture: app.har (har)"


def test_dotnet_save_files_in_order_are_a_chain(window, qtbot, tmp_path):
    clock = VirtualClock()
    saved = tmp_path / "app" / "session.xml"
    copies = []
    for start in range(3):  # every start of the .NET app is a new session
        ClientSession(saved, clock=clock).close()
        copy = tmp_path / f"look-{start}.xml"
        shutil.copy(saved, copy)
        os.utime(copy, (T0 + 60 * start, T0 + 60 * start))
        copies.append(copy)
    trackers(window).set_preset("dotnet")
    feature = opened(qtbot, window, copies)
    _same_as_the_command_line(
        feature, copies, "--foreground-timeout", "600", "--background-timeout", "300",
        "--check-interval", "15",
    )  # fmt: skip
    (user,) = feature.panel.frame.report.users
    assert [s.index for s in user.sessions] == [1, 2, 3]
    assert [f.kind for f in user.findings] == ["early_new_session", "early_new_session"]
    assert feature.panel.status.text().startswith("Capture: look-0.xml (dotnet), look-1.xml")


def test_other_timeouts_read_the_capture_again(window, qtbot, recorded):
    feature = opened(qtbot, window, [recorded["log"]])
    assert feature.preset_key == "none"
    assert sorted(f.kind for f in feature.panel.frame.report.findings) == ["index_gap"]
    feature.panel.presets.setCurrentIndex(feature.panel.presets.findData("mobile"))
    feature.panel.presets.activated.emit(feature.panel.presets.currentIndex())
    qtbot.waitUntil(
        lambda: not feature.reader.reading and len(feature.panel.frame.report.findings) == 4
    )
    assert "1800 s" in feature.panel.counts.toolTip()


def test_a_large_log_is_read_off_the_gui_thread(window, qtbot, tmp_path):
    EVENTS = 120_000  # a read of a few seconds
    log = tmp_path / "large.ndjson"
    with log.open("w") as handle:
        handle.write('{"snowsession": "collect", "format": 1, "started": "2027-01-15T08:00:00Z"}\n')
        ent = entity(1)
        line = {"fields": {"e": "pv", "p": "web"}, "contexts": [ent], "unstruct": None}
        for n in range(EVENTS):
            line["received"] = T0 + n
            line["fields"]["eid"] = f"00000000-0000-4000-8000-{n:012d}"
            line["fields"]["dtm"] = str(round((T0 + n) * 1000))
            handle.write(json.dumps(line) + "\n")
    feature = trackers(window)
    ticks: list[float] = []
    timer = QTimer(window)
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    progress: list[int] = []
    feature.reader.progress.connect(progress.append)
    interval = sys.getswitchinterval()
    started = time.monotonic()
    feature.open_captures([str(log)])
    assert time.monotonic() - started < 0.5 and feature.reader.reading  # it did not wait
    # the reader hands Python's lock to the window more often while it reads
    assert sys.getswitchinterval() == min(interval, READ_SWITCH_INTERVAL)
    assert feature.panel.status.text().startswith("Reading large.ndjson…")
    qtbot.waitUntil(lambda: not feature.reader.reading, timeout=60_000)
    timer.stop()
    assert sys.getswitchinterval() == interval  # and no longer once it is done
    assert feature.panel.frame.counts.good == EVENTS
    # the window went on meanwhile, and said how far it was
    assert len(ticks) > 1 and progress, (len(ticks), progress)
    assert progress == sorted(progress) and progress[0] >= 0 and progress[-1] <= 1
    assert len(feature.panel.frame.trail(feature.panel.frame.report.users[0].user_id)) == EVENTS


def test_a_second_capture_gives_up_the_first(window, qtbot, recorded, tmp_path):
    other = tmp_path / "one.ndjson"
    with Collector(port=0, log=other) as collector:
        from .tracker_helpers import post

        post(collector.url, body(fields(entity(1), T0)))
    feature = trackers(window)
    feature.open_captures([str(recorded["log"])])
    feature.open_captures([str(other)])
    qtbot.waitUntil(lambda: not feature.reader.reading, timeout=30_000)
    qtbot.wait(200)  # the first read's answer, had it not been given up, would be here now
    assert feature.captures == (str(other),) and len(feature.panel.frame.report.users) == 1


def test_closing_the_window_while_reading_gives_the_read_up(make_window, qtbot, tmp_path):
    log = tmp_path / "large.ndjson"
    line = json.dumps({"received": T0, "fields": {"e": "pv", "eid": "x", "dtm": "1"},
                       "contexts": [entity(1)], "unstruct": None})  # fmt: skip
    log.write_text((line + "\n") * 200_000)
    window = make_window()
    feature = trackers(window)
    interval = sys.getswitchinterval()
    feature.open_captures([str(log)])
    thread = feature.reader._thread
    assert thread is not None and thread.is_alive()
    window.close()
    thread.join(10)
    assert not thread.is_alive() and sys.getswitchinterval() == interval


def _fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


def _sparse(tmp_path: Path) -> Path:
    path = tmp_path / "huge.json"
    with path.open("wb") as handle:
        handle.write(b"[")
        handle.truncate(MAX_DOCUMENT_BYTES + 10)
    return path


def _link_to_zero(tmp_path: Path) -> Path:
    path = tmp_path / "zero.ndjson"
    path.symlink_to("/dev/zero")
    return path


def _write(name: str, data: bytes):
    def make(tmp_path: Path) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return make


HOSTILE = {
    "missing": (lambda tmp: tmp / "nothing-here.ndjson", "no file"),
    "folder": (lambda tmp: tmp, "is a folder with no Parquet files and no _delta_log"),
    "fifo": (_fifo, "is not a regular file (a device, FIFO or socket)"),
    "device": (_link_to_zero, "is not a regular file (a device, FIFO or socket)"),
    "binary": (_write("junk.bin", bytes(range(256)) * 10), "is not a capture"),
    "empty": (_write("empty.json", b""), "is not a capture"),
    "not json": (_write("broken.json", b'{"log": {"entries": [1, 2'), "is not JSON"),
    "other json": (_write("config.json", b'{"name": "x"}'), "not a HAR file"),
    "no entries": (_write("bad.har", b'{"log": {"version": "1.2"}}'), "has no log.entries"),
    "deep": (_write("deep.json", b"[" * 200_000), "is not JSON"),
    "huge": (_sparse, "byte limit"),
    "xml": (_write("big.xml", b"<" + b"x" * (2 << 20)), "not a save file"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_bad_capture_is_refused_with_its_message_beside_the_lanes(
    window, qtbot, tmp_path, recorded, case
):
    make, words = HOSTILE[case]
    feature = opened(qtbot, window, [recorded["log"]])
    before = feature.panel.frame
    path = make(tmp_path)
    feature.open_captures([str(path)])
    qtbot.waitUntil(lambda: not feature.reader.reading, timeout=30_000)
    problem = feature.panel.problem
    assert problem.isVisible() and words in problem.text(), problem.text()
    assert feature.panel.status.text().startswith(f"Cannot open {path.name}.")
    assert "Still showing events.ndjson" in feature.panel.status.text()
    assert feature.panel.frame is before  # what was shown stays, whole
    assert feature.captures == (str(recorded["log"]),)
    assert words in window.statusBar().currentMessage()


def test_a_log_cut_short_by_a_kill_is_shown_with_a_warning(window, qtbot, recorded, tmp_path):
    cut = tmp_path / "cut.ndjson"
    cut.write_bytes(recorded["log"].read_bytes() + b'{"received": 1800000000, "fiel')
    feature = opened(qtbot, window, [cut])
    assert len(feature.panel.frame.report.users) == 3
    problem = feature.panel.problem
    assert problem.isVisible() and "1 line(s) could not be read and were skipped" in problem.text()
    assert "unreadable_line 1" in feature.panel.counts.text()


def test_opening_a_capture_while_listening_asks_first(
    window, qtbot, recorded, tmp_path, monkeypatch
):
    from PySide6.QtWidgets import QFileDialog

    from .tracker_helpers import listen

    feature = listen(window, tmp_path / "events.ndjson")
    answers = iter([False, True])
    monkeypatch.setattr(window, "confirm", lambda *_: next(answers))
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *_: ([str(recorded["log"])], ""))
    feature.open_action.trigger()
    assert feature.listener.active and not feature.reader.reading  # "no": nothing changes
    feature.open_action.trigger()
    assert not feature.listener.active
    qtbot.waitUntil(lambda: not feature.reader.reading, timeout=30_000)
    assert feature.captures == (str(recorded["log"]),)


def test_the_dotnet_apps_own_save_files_are_a_capture(window, qtbot, tmp_path):
    data = Path(__file__).parents[1] / "data"
    first, later = tmp_path / "first.xml", tmp_path / "later.xml"
    shutil.copy(data / "dotnet-first-save.xml", first)
    shutil.copy(data / "dotnet-later-save.xml", later)
    os.utime(first, (T0, T0))
    os.utime(later, (T0 + 3600, T0 + 3600))
    feature = opened(qtbot, window, [first, later])
    _same_as_the_command_line(feature, [first, later])
    (user,) = feature.panel.frame.report.users
    assert user.user_id == "0f8fad5b-d9cb-469f-a165-70867728950e"
    assert [(s.index, s.previous_session_id) for s in user.sessions] == [
        (1, None),
        (2, "7c9e6679-7425-40de-944b-e07fc1f90ae7"),
    ]
    assert user.findings == ()
    assert feature.panel.status.text() == "Capture: first.xml (dotnet), later.xml (dotnet)"
    lanes = feature.panel.ensure_lanes()
    shapes = lanes.shapes(user.user_id)
    assert shapes is not None and list(shapes.sessions_y) == [1.0, 1.0, 2.0, 2.0]
    assert list(shapes.dots_x) == [T0, T0 + 3600]


def test_a_file_name_that_looks_like_markup_is_shown_as_it_is(window, qtbot, tmp_path):
    path = tmp_path / "<b>not<b> a capture.har"
    path.write_bytes(b'{"name": "x"}')
    feature = opened(qtbot, window, [path])
    for label in (feature.panel.status, feature.panel.problem):
        assert label.textFormat() == Qt.TextFormat.PlainText
    assert feature.panel.status.text().startswith("Cannot open <b>not<b> a capture.har.")
    assert "not a HAR file" in feature.panel.problem.text()


def test_an_address_typed_as_markup_is_quoted_as_it_is(window, tmp_path):
    dialog = trackers(window).open_listen_dialog()
    dialog.address.setText("<i>here<i>")
    dialog.one.setChecked(True)
    dialog.log.setText(str(tmp_path / "run.ndjson"))
    dialog.accept()
    error = dialog.errors["host"]
    assert error.textFormat() == Qt.TextFormat.PlainText
    assert error.text().startswith("“<i>here<i>” is not an address")
    dialog.reject()


def test_every_session_index_of_a_lane_has_its_tick(window, qtbot, recorded):
    trackers(window).set_preset("mobile")
    feature = opened(qtbot, window, [recorded["log"]])
    lanes = feature.panel.ensure_lanes()
    window.resize(1280, 720)
    qtbot.wait(20)  # the lanes take their height
    seen = 0
    for lane in lanes.lanes:
        if lane.shapes is None:
            continue
        low, high = int(lane.shapes.low + 0.5), int(lane.shapes.high - 0.5)
        labels = axis_labels(lane.index_axis)
        assert labels == [str(i) for i in range(low, high + 1)], lane.user_id
        seen = max(seen, high - low + 1)
    assert seen >= 3  # a lane with three sessions or more among them
