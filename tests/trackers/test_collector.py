"""The collector in this process: the protocol, CORS, Micro's API, bad payloads, hostile clients."""

from __future__ import annotations

import errno
import http.client
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from session.trackers.analysis import Analysis
from session.trackers.collector import Collector
from session.trackers.protocol import MAX_BODY_BYTES, MAX_QUERY_BYTES, POST_PATH
from session.trackers.record import Record

from .helpers import T0, USER, b64, body, entity, fields, query, sid


@pytest.fixture
def collector(tmp_path: Path) -> Iterator[Collector]:
    with Collector(port=0, log=tmp_path / "events.ndjson") as running:
        yield running


def send(
    collector: Collector,
    method: str,
    path: str,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", collector.port, timeout=10)
    try:
        connection.request(method, path, body=data, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def post(
    collector: Collector, data: bytes, content_type: str = "application/json; charset=UTF-8"
) -> int:
    return send(collector, "POST", POST_PATH, data, {"Content-Type": content_type})[0]


def get_json(collector: Collector, path: str, data: dict[str, Any] | None = None) -> Any:
    if data is None:
        status, _, raw = send(collector, "GET", path)
    else:
        status, _, raw = send(
            collector, "POST", path, json.dumps(data).encode(), {"Content-Type": "application/json"}
        )
    assert status == 200, raw
    return json.loads(raw)


def log_lines(collector: Collector) -> list[dict[str, Any]]:
    assert collector.log_path is not None
    return [json.loads(line) for line in Path(collector.log_path).read_text().splitlines()]


def test_get_and_post_events_are_logged_and_reported(collector: Collector) -> None:
    status, headers, pixel = send(
        collector, "GET", f"/i?{query(fields(entity(1, event_index=1), T0))}"
    )
    assert status == 200 and headers["Content-Type"] == "image/gif" and pixel.startswith(b"GIF89a")
    items = [fields(entity(1, event_index=2), T0 + 1), fields(entity(2, event_index=1), T0 + 700)]
    assert post(collector, body(*items)) == 200
    assert get_json(collector, "/micro/all") == {"total": 3, "good": 3, "bad": 0}
    lines = log_lines(collector)
    assert lines[0]["snowsession"] == "collect" and len(lines) == 4
    assert [line["fields"]["eid"] for line in lines[2:]] == [item["eid"] for item in items]
    report = get_json(collector, "/sessions")
    assert report["findings"] == 0
    assert [s["session_id"] for s in report["users"][0]["sessions"]] == [sid(1), sid(2)]
    snapshot = collector.snapshot()
    assert snapshot.user(USER) is not None and snapshot.events == 3


def test_a_host_gives_the_collector_the_analysis_it_feeds(tmp_path: Path) -> None:
    class Counting(Analysis):
        def __init__(self) -> None:
            super().__init__()
            self.added: list[Record] = []

        def add(self, record: Record) -> bool:
            self.added.append(record)
            return super().add(record)

    mine = Counting()
    with Collector(port=0, analysis=mine) as running:
        assert running.analysis is mine
        assert post(running, body(fields(entity(1, event_index=1), T0))) == 200
        assert len(mine.added) == 1
        assert running.snapshot().events == 1  # the report is the analysis' own


def test_a_time_of_digits_that_are_not_decimal_is_no_time_and_no_crash(
    collector: Collector,
) -> None:
    item = {**fields(entity(1), T0), "dtm": "²"}
    assert send(collector, "GET", f"/i?{query(item)}")[0] == 200
    assert post(collector, body({**item, "eid": "00000000-0000-4000-8000-0000000000b2"})) == 200
    assert get_json(collector, "/micro/all") == {"total": 2, "good": 2, "bad": 0}
    assert collector.snapshot().events == 2


def test_cors_preflight_and_credentials_as_the_browser_tracker_needs(collector: Collector) -> None:
    origin = "http://127.0.0.1:8000"
    status, headers, _ = send(
        collector,
        "OPTIONS",
        POST_PATH,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == origin
    assert headers["Access-Control-Allow-Credentials"] == "true"
    assert "content-type" in headers["Access-Control-Allow-Headers"].lower()
    assert "POST" in headers["Access-Control-Allow-Methods"]
    status, headers, _ = send(
        collector, "GET", f"/i?{query(fields(entity(1), T0))}", headers={"Origin": origin}
    )
    assert (
        headers["Access-Control-Allow-Origin"] == origin
        and headers["Access-Control-Allow-Credentials"] == "true"
    )
    # the read API grants no page CORS (tests/trackers/test_access.py has the rest)
    assert "Access-Control-Allow-Origin" not in send(collector, "GET", "/micro/all")[1]


ENTITY = entity(1)


@pytest.mark.parametrize(
    ("data", "content_type", "reason"),
    [
        (b"{not json", "application/json", "not_json"),
        (b"\xff\xfe\x00", "application/json", "not_json"),
        (b"[" * 200_000, "application/json", "not_json"),
        (
            b'{"schema": "iglu:com.acme/x/jsonschema/1-0-0", "data": []}',
            "application/json",
            "malformed",
        ),
        (body({"e": "pv", "cx": "%%%%"}), "application/json", "invalid_base64"),
        (body({"e": "pv", "cx": b64("nope")}), "application/json", "not_json"),
        (body({"e": "pv"}), "application/json", "no_session_entity"),
        (body(fields(entity(1, sessionIndex=-1), T0)), "application/json", "invalid_entity"),
        (body(fields(ENTITY, T0)), "text/plain", "wrong_content_type"),
        (body(fields(ENTITY, T0)), "application/x-www-form-urlencoded", "wrong_content_type"),
    ],
)
def test_each_bad_payload_is_counted_with_its_reason(
    collector: Collector, data: bytes, content_type: str, reason: str
) -> None:
    assert post(collector, data, content_type) == 200
    assert get_json(collector, "/micro/all") == {"total": 1, "good": 0, "bad": 1}
    (bad,) = get_json(collector, "/micro/bad")
    assert bad["errors"][0].startswith(f"{reason}: ")
    assert set(bad) == {"collectorPayload", "rawEvent", "errors"}
    if reason == "invalid_entity":  # a finding of its user, and in the log as the event it is
        assert [f.kind for f in collector.snapshot().findings] == ["invalid_entity"]
        assert "fields" in log_lines(collector)[-1]
    else:
        assert collector.snapshot().bad == {reason: 1}
        assert log_lines(collector)[-1]["bad"] == reason
    # and the collector goes on
    assert post(collector, body(fields(entity(1), T0))) == 200
    assert get_json(collector, "/micro/all")["good"] == 1


def test_an_oversized_body_is_refused_and_counted(collector: Collector) -> None:
    assert post(collector, b" " * (MAX_BODY_BYTES + 1)) == 413
    # chunked, with no length to refuse it by: read up to the limit, then refused
    connection = http.client.HTTPConnection("127.0.0.1", collector.port, timeout=10)
    chunks = (b"x" * 65536 for _ in range(40))
    connection.request(
        "POST",
        POST_PATH,
        body=chunks,
        headers={"Content-Type": "application/json"},
        encode_chunked=True,
    )
    assert connection.getresponse().status == 413
    connection.close()
    status, _, _ = send(collector, "GET", "/i?e=pv&pad=" + "x" * MAX_QUERY_BYTES)
    assert status == 414
    assert collector.snapshot().bad == {"oversized": 3}
    assert get_json(collector, "/micro/all")["bad"] == 3


def test_a_get_with_its_event_in_a_huge_request_line_is_not_a_crash(collector: Collector) -> None:
    status, _, _ = send(collector, "GET", "/i?e=pv&pad=" + "x" * (2 * MAX_QUERY_BYTES))
    assert status in (200, 400, 414)
    assert post(collector, body(fields(entity(1), T0))) == 200


def test_half_a_request_and_a_slow_client_hold_up_no_one(collector: Collector) -> None:
    slow = socket.create_connection(("127.0.0.1", collector.port))
    slow.sendall(
        f"POST {POST_PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: 5000\r\n\r\n{".encode()
    )
    half = socket.create_connection(("127.0.0.1", collector.port))
    half.sendall(b"GET /i?e=pv HTTP/1.1\r\nHo")
    try:
        assert post(collector, body(fields(entity(1), T0))) == 200
        assert get_json(collector, "/micro/all") == {"total": 1, "good": 1, "bad": 0}
    finally:
        slow.close()
        half.close()
    assert post(collector, body(fields(entity(2), T0 + 700))) == 200
    assert get_json(collector, "/micro/all")["good"] == 2


def test_two_collectors_on_one_port(collector: Collector, tmp_path: Path) -> None:
    second = Collector(port=collector.port, log=tmp_path / "second.ndjson")
    with pytest.raises(OSError) as caught:
        second.start()
    assert caught.value.errno == errno.EADDRINUSE
    assert post(collector, body(fields(entity(1), T0))) == 200


@pytest.mark.parametrize("where", ["folder", "device", "missing-folder"])
def test_a_log_that_cannot_be_a_log_is_refused_before_serving(tmp_path: Path, where: str) -> None:
    path = {
        "folder": tmp_path,
        "device": Path("/dev/null"),
        "missing-folder": tmp_path / "no" / "log",
    }[where]
    with pytest.raises(OSError):
        Collector(port=0, log=path).start()


def test_micro_good_has_micros_shape_and_filters(collector: Collector) -> None:
    screen = "iglu:com.snowplowanalytics.mobile/screen_view/jsonschema/1-0-0"
    items = [fields(entity(1), T0, unstruct=screen), fields(entity(1), T0 + 1, e="pv")]
    post(collector, body(*items))
    good = get_json(collector, "/micro/good")
    assert [g["eventType"] for g in good] == ["page_view", "unstruct"]  # newest first
    first = good[1]
    assert set(first) == {"rawEvent", "eventType", "schema", "contexts", "event", "incomplete"}
    assert first["schema"] == screen and first["incomplete"] is False
    assert first["contexts"] == [ENTITY["schema"]]
    assert first["rawEvent"]["parameters"]["eid"] == items[0]["eid"]
    assert first["rawEvent"]["api"] == {
        "vendor": "com.snowplowanalytics.snowplow",
        "version": "tp2",
    }
    assert (
        first["event"]["event_id"] == items[0]["eid"]
        and first["event"]["event_name"] == "screen_view"
    )
    assert first["event"]["contexts"]["data"] == [ENTITY]
    assert len(get_json(collector, "/micro/good", {"event_type": "unstruct"})) == 1
    assert len(get_json(collector, "/micro/good", {"schema": screen})) == 1
    assert (
        len(get_json(collector, "/micro/good", {"contexts": [ENTITY["schema"]], "limit": 1})) == 1
    )
    assert get_json(collector, "/micro/good", {"contexts": ["iglu:x/y/jsonschema/1-0-0"]}) == []
    assert len(get_json(collector, "/micro/events")) == 2
    assert get_json(collector, "/micro/reset", {}) == {"total": 0, "good": 0, "bad": 0}
    assert get_json(collector, "/micro/good") == [] and collector.snapshot().users == ()
    assert (
        send(collector, "POST", "/micro/good", b"[", {"Content-Type": "application/json"})[0] == 400
    )
    assert send(collector, "GET", "/micro/nothing")[0] == 404
    assert send(collector, "GET", "/health")[2] == b"OK"


def test_on_event_hears_each_event_and_a_failing_listener_loses_nothing(tmp_path: Path) -> None:
    heard: list[Record] = []

    def listen(record: Record) -> None:
        heard.append(record)
        raise RuntimeError("a listener's bug")

    with Collector(port=0, on_event=listen) as running:
        post(running, body(fields(entity(1), T0), fields(entity(1), T0 + 1)))
        post(running, body(fields(entity(2), T0 + 700)))
        assert [r.entity.session_id for r in heard if r.entity] == [sid(1), sid(1), sid(2)]
        assert running.snapshot().events == 3


def test_many_clients_at_once_while_the_report_is_read(collector: Collector) -> None:
    errors: list[BaseException] = []

    def client(number: int) -> None:
        try:
            for n in range(20):
                ent = entity(1, event_index=n + 1, user=f"{number:08x}-d9cb-469f-a165-70867728950e")
                assert post(collector, body(fields(ent, T0 + n))) == 200
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        collector.snapshot()
    for thread in threads:
        thread.join()
    assert errors == []
    report = collector.snapshot()
    assert len(report.users) == 6 and report.events == 120 and report.findings == ()


def test_stop_twice_and_the_url(tmp_path: Path) -> None:
    running = Collector(port=0).start()
    assert running.url == f"http://127.0.0.1:{running.port}" and running.port > 0
    running.stop()
    running.stop()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", running.port), timeout=1)
