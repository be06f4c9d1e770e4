"""Sending the window's events to a collector: a loopback one, an unreachable one, settings."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PySide6.QtCore import Qt

from session import SCHEMA_1_0_1, VirtualClock
from session.util.install import install_hint
from snowsession_gui.sending import feature as collector_feature
from snowsession_gui.sending.sender import check_url
from snowsession_gui.widgets.event_log import COLUMNS

from .gui_helpers import collector as collector_of

STATUS = len(COLUMNS)
"""The Status column's place in the model: after the log's own."""

PATH = "/com.snowplowanalytics.snowplow/tp2"


class Collector:
    """A collector on 127.0.0.1 that keeps what it receives; ``hold`` delays every answer."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []
        self.hold = threading.Event()
        self.hold.set()
        received = self.bodies
        hold = self.hold

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                hold.wait(10)
                received.append({"path": self.path, "body": json.loads(body)})
                self.send_response(200 if self.path == PATH else 404)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.timeout = 5
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def payloads(self) -> list[dict]:
        return [p for b in self.bodies for p in b["body"]["data"]]

    def stop(self) -> None:
        self.hold.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)


@pytest.fixture
def collector() -> Iterator[Collector]:
    server = Collector()
    yield server
    server.stop()


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once it is closed


def statuses(window) -> list[str]:
    model, column = window.event_log.log_model, collector_of(window).handle.position
    return [model.index(row, column).data() for row in range(model.rowCount())]


def test_off_by_default_and_the_status_column_is_hidden(window):
    feature = collector_of(window)
    assert not feature.enabled
    assert window.event_log.isColumnHidden(feature.handle.position)
    window.controls.fire_event()
    assert statuses(window) == [""]


def test_events_reach_a_local_collector_with_their_session_entity(window, collector, qtbot):
    feature = collector_of(window)
    feature.set_enabled(True, collector.url)
    header = window.event_log.log_model.headerData(STATUS, Qt.Orientation.Horizontal)
    assert header == "Status" and not window.event_log.isColumnHidden(STATUS)
    assert window.event_log.horizontalHeader().visualIndex(STATUS) == 1  # beside the time
    for _ in range(3):
        window.controls.fire_event()
    qtbot.waitUntil(lambda: statuses(window) == ["sent"] * 3, timeout=10_000)
    session = window.host.session
    ids = [row[1] for row in window.event_log.log_model.rows]
    payloads = collector.payloads()
    assert [p["eid"] for p in payloads] == ids
    for payload in payloads:
        contexts = json.loads(payload["co"])["data"]
        (entity,) = [c for c in contexts if c["schema"] == SCHEMA_1_0_1]
        assert entity["data"]["sessionId"] == session.current_session_id
        assert entity["data"]["userId"] == session.user_id
        assert entity["data"]["firstEventId"] == ids[0]
    assert "events → " + collector.url in feature.label.text()


def test_sending_never_blocks_the_window(window, collector, qtbot):
    collector.hold.clear()  # the collector does not answer until told to
    collector_of(window).set_enabled(True, collector.url)
    started = time.perf_counter()
    for _ in range(5):
        window.controls.fire_event()
    assert time.perf_counter() - started < 0.5
    assert statuses(window) == ["sending"] * 5
    collector.hold.set()
    qtbot.waitUntil(lambda: statuses(window) == ["sent"] * 5, timeout=10_000)


def test_an_unreachable_collector_fails_each_event_and_says_so(window, closed_port, qtbot):
    feature = collector_of(window)
    url = f"http://127.0.0.1:{closed_port}"
    feature.set_enabled(True, url)
    window.controls.fire_event()
    qtbot.waitUntil(lambda: statuses(window) == ["failed"], timeout=10_000)
    assert "cannot be reached" in feature.label.text() and url in feature.label.text()
    assert "cannot be reached" in window.statusBar().currentMessage()
    model = window.event_log.log_model
    assert model.index(0, STATUS).data(Qt.ItemDataRole.ToolTipRole)  # the reason
    window.controls.fire_event()  # the window goes on tracking
    assert window.host.session.state.first_event_id is not None
    qtbot.waitUntil(lambda: statuses(window) == ["failed", "failed"], timeout=10_000)


def test_the_setting_and_address_are_kept(make_window, collector):
    first = make_window()
    collector_of(first).set_enabled(True, collector.url)
    first.close()
    second = make_window(clock=VirtualClock())
    assert collector_of(second).enabled and collector_of(second).url == collector.url
    collector_of(second).set_enabled(False)
    second.close()
    third = make_window(clock=VirtualClock())
    assert not collector_of(third).enabled and collector_of(third).url == collector.url


def test_the_dialog_refuses_a_bad_address_and_applies_a_good_one(window, collector):
    feature = collector_of(window)
    dialog = feature.open_dialog()
    assert dialog.objectName() == "collectorDialog" and not dialog.enabled.isChecked()
    dialog.enabled.setChecked(True)
    dialog.url.setText("localhost:9090")
    dialog.accept()
    assert dialog.isVisible() and "http://" in dialog.error.text()
    assert not feature.enabled
    dialog.url.setText(collector.url)
    dialog.accept()
    assert feature.enabled and feature.url == collector.url


def test_without_the_tracker_the_dialog_says_how_to_install_it(window, monkeypatch):
    monkeypatch.setattr(collector_feature, "snowplow_available", lambda: False)
    dialog = collector_of(window).open_dialog()
    assert not dialog.install_hint.isHidden()
    assert install_hint("snowplow") in dialog.install_hint.text()
    assert not dialog.enabled.isEnabled()
    dialog.reject()


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("http://localhost:9090", True),
        ("https://collector.example.com", True),
        ("localhost:9090", False),
        ("ftp://x", False),
        ("http://", False),
        ("http://host:port", False),
        ("http://host/com.snowplowanalytics.snowplow/tp2", False),
    ],
)
def test_check_url(url, ok):
    assert (check_url(url) is None) == ok
