"""Oversized requests are refused (413, 414) and counted as bad; the read API lists from a
bounded window in memory and the log, a page at a time."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from session.trackers import collector as collector_module
from session.trackers.collector import MAX_LINE_BYTES, Collector
from session.trackers.protocol import MAX_EVENTS_PER_BODY, MAX_QUERY_BYTES, POST_PATH

from .helpers import T0, body, entity, fields, query
from .test_collector import get_json, log_lines, post, send


@pytest.fixture
def collector(tmp_path: Path) -> Iterator[Collector]:
    with Collector(port=0, log=tmp_path / "events.ndjson") as running:
        yield running


def test_a_batch_of_too_many_small_events_is_413_and_counted(collector: Collector) -> None:
    item = {"e": "pv"}
    data = body(*[item] * (MAX_EVENTS_PER_BODY + 1))
    assert len(data) < 1 << 20
    assert post(collector, data) == 413
    assert collector.snapshot().bad == {"oversized": 1}
    assert log_lines(collector)[-1]["bad"] == "oversized"


@pytest.mark.parametrize("size", [MAX_QUERY_BYTES + 1, 72 << 10, 200_000])
def test_a_query_over_the_limit_is_414_and_counted(collector: Collector, size: int) -> None:
    status, _, _ = send(collector, "GET", "/i?e=pv&pad=" + "x" * size)
    assert status == 414
    assert collector.snapshot().bad == {"oversized": 1}
    assert get_json(collector, "/micro/all") == {"total": 1, "good": 0, "bad": 1}


def test_a_request_line_past_what_is_read_is_still_counted(collector: Collector) -> None:
    with socket.create_connection(("127.0.0.1", collector.port), timeout=10) as raw:
        raw.sendall(b"GET /i?e=pv&pad=" + b"x" * (MAX_LINE_BYTES + 10) + b" HTTP/1.1\r\n\r\n")
        answer = raw.recv(100)
    assert b" 400 " in answer[:20], answer
    assert collector.snapshot().bad == {"oversized": 1}
    # huge headers likewise, and no crash
    with socket.create_connection(("127.0.0.1", collector.port), timeout=10) as raw:
        raw.sendall(b"GET /i?e=pv HTTP/1.1\r\nX-Big: " + b"y" * 70_000 + b"\r\n\r\n")
        assert b" 400 " in raw.recv(100)[:20]
    assert collector.snapshot().bad == {"oversized": 2}
    assert post(collector, body(fields(entity(1), T0))) == 200


def test_the_read_api_pages_and_reads_past_its_window_from_the_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(collector_module, "WINDOW", 3)
    with Collector(port=0, log=tmp_path / "events.ndjson") as running:
        items = [fields(entity(1, event_index=n + 1), T0 + n) for n in range(10)]
        for item in items[:5]:
            send(running, "GET", f"/i?{query(item)}")
        assert post(running, body(*items[5:])) == 200
        post(running, b"{oops")
        send(running, "GET", "/i?e=pv")  # no entity
        good = get_json(running, "/micro/good")
        assert [g["event"]["event_id"] for g in good] == [i["eid"] for i in reversed(items)]
        # the oldest came back from the log, entities as plain JSON
        oldest = good[-1]
        assert (
            oldest["rawEvent"]["api"]["version"] == "i" and "co" in oldest["rawEvent"]["parameters"]
        )
        assert oldest["contexts"] == good[0]["contexts"] and oldest["event"]["contexts"]
        page = get_json(running, "/micro/good?limit=4&offset=5")
        assert [g["event"]["event_id"] for g in page] == [i["eid"] for i in reversed(items)][5:9]
        assert get_json(running, "/micro/good", {"limit": 2, "offset": 9})[0] == good[9]
        assert len(get_json(running, "/micro/events?limit=7")) == 7
        bad = get_json(running, "/micro/bad")
        assert [b["errors"][0].split(":")[0] for b in bad] == ["no_session_entity", "not_json"]
        assert send(running, "GET", "/micro/good?limit=-1")[0] == 400
        assert send(running, "GET", "/micro/good?offset=x")[0] == 400
        running.reset()
        assert get_json(running, "/micro/good") == []


def test_without_a_log_the_window_is_listed_and_everything_counted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(collector_module, "WINDOW", 3)
    with Collector(port=0) as running:
        post(running, body(*[fields(entity(1, event_index=n + 1), T0 + n) for n in range(10)]))
        assert len(get_json(running, "/micro/good")) == 3
        assert get_json(running, "/micro/all")["good"] == 10


def test_an_unknown_method_on_a_tracker_endpoint_is_405(collector: Collector) -> None:
    assert send(collector, "PUT", POST_PATH, b"{}")[0] == 405
    assert send(collector, "POST", "/i", b"{}")[0] == 405
    assert json.loads(send(collector, "GET", "/micro/all")[2])["total"] == 0


@pytest.mark.realtime
def test_a_slow_body_is_answered_408_after_the_idle_timeout(tmp_path: Path) -> None:
    with Collector(port=0, log=tmp_path / "events.ndjson", idle_timeout=1) as running:
        for path in ("/micro/good", POST_PATH):
            with socket.create_connection(("127.0.0.1", running.port), timeout=10) as slow:
                slow.sendall(
                    f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                    "application/json\r\nContent-Length: 100\r\n\r\n{".encode()
                )
                assert b" 408 " in slow.recv(100)[:20], path
        assert post(running, body(fields(entity(1), T0))) == 200


def test_a_log_changed_under_the_collector_breaks_no_listing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(collector_module, "WINDOW", 2)
    log = tmp_path / "events.ndjson"
    with Collector(port=0, log=log) as running:
        post(running, body(*[fields(entity(1, event_index=n + 1), T0 + n) for n in range(6)]))
        with open(log, "r+b") as handle:  # someone else's hand on the log
            handle.seek(200)
            handle.write(b"#" * 400)
        status, _, answer = send(running, "GET", "/micro/good")
        assert status == 200 and 2 <= len(json.loads(answer)) < 6
        assert get_json(running, "/micro/all")["good"] == 6


def test_an_analysis_given_after_construction_gets_the_events(tmp_path: Path) -> None:
    """As the window does: it gives the collector its own analysis before starting it."""
    from session.trackers.analysis import Analysis

    running = Collector(port=0, log=tmp_path / "events.ndjson")
    mine = running.analysis = Analysis()
    with running:
        assert post(running, body(fields(entity(1), T0))) == 200
        post(running, b"{oops")
    assert mine.report().events == 1 and mine.report().bad == {"not_json": 1}
