"""Who may use the collector: pages on other origins send events but read nothing, a Host that
is not the collector's is refused (DNS rebinding), a page cannot reset it, credentials are
never kept, and nothing a tracker sends breaks a read endpoint."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from session.trackers.access import Access, check_origin
from session.trackers.collector import Collector
from session.trackers.protocol import POST_PATH

from .helpers import T0, body, entity, fields, query
from .test_collector import get_json, log_lines, post, send

READS = ["/micro/all", "/micro/good", "/micro/bad", "/micro/events", "/sessions", "/health"]
EVIL = "https://evil.example"


@pytest.fixture
def collector(tmp_path: Path) -> Iterator[Collector]:
    with Collector(
        port=0, log=tmp_path / "events.ndjson", allow_origins=["http://localhost:3000"]
    ) as running:
        post(running, body(fields(entity(1), T0)))
        yield running


@pytest.mark.parametrize("path", READS)
@pytest.mark.parametrize("origin", [EVIL, "null", "http://127.0.0.1:1", "http://localhost"])
def test_a_page_on_another_origin_reads_nothing(
    collector: Collector, path: str, origin: str
) -> None:
    status, headers, answer = send(collector, "GET", path, headers={"Origin": origin})
    assert status == 403 and b"--allow-origin" in answer
    assert "Access-Control-Allow-Origin" not in headers
    preflight = send(
        collector,
        "OPTIONS",
        path,
        headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
    )
    assert preflight[0] == 403 and "Access-Control-Allow-Origin" not in preflight[1]


def test_an_origin_the_person_allowed_reads_and_its_own_origin_too(collector: Collector) -> None:
    allowed = "http://localhost:3000"
    status, headers, answer = send(collector, "GET", "/micro/all", headers={"Origin": allowed})
    assert status == 200 and headers["Access-Control-Allow-Origin"] == allowed
    assert headers["Access-Control-Allow-Credentials"] == "true"  # none is ever kept
    assert json.loads(answer)["good"] == 1
    preflight = send(
        collector,
        "OPTIONS",
        "/micro/reset",
        headers={"Origin": allowed, "Access-Control-Request-Method": "POST"},
    )
    assert preflight[0] == 204 and preflight[1]["Access-Control-Allow-Origin"] == allowed
    own = f"http://127.0.0.1:{collector.port}"
    assert send(collector, "GET", "/micro/all", headers={"Origin": own})[0] == 200


@pytest.mark.parametrize("origin", [EVIL, "null", None])
def test_tracker_endpoints_take_events_from_any_page(
    collector: Collector, origin: str | None
) -> None:
    headers = {"Origin": origin} if origin else {}
    status, answer, _ = send(
        collector, "GET", f"/i?{query(fields(entity(1), T0 + 1))}", headers=headers
    )
    assert status == 200
    if origin:
        assert answer["Access-Control-Allow-Origin"] == origin
        assert answer["Access-Control-Allow-Credentials"] == "true"
    assert get_json(collector, "/micro/all")["good"] == 2


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:{port}",
        "localhost.evil.example:{port}",
        "127.0.0.1.evil.example",
        "localhost:1",
        "[::1]:1",
        "10.0.2.2:{port}",
        "",
        "a:b:c",
        "[::1",
    ],
)
def test_a_host_that_is_not_the_collector_is_refused_but_trackers_may_send(
    collector: Collector, host: str
) -> None:
    value = host.format(port=collector.port)
    for path in READS:
        status, _, _ = send(collector, "GET", path, headers={"Host": value})
        assert status == 403, (path, value)
    reset = send(
        collector,
        "POST",
        "/micro/reset",
        b"{}",
        {"Host": value, "Content-Type": "application/json"},
    )
    assert reset[0] == 403
    assert get_json(collector, "/micro/all")["good"] == 1  # not reset
    # an Android emulator's 10.0.2.2:9090, a phone's LAN address: events go in
    item = fields(entity(1), T0 + 2)
    status, _, _ = send(
        collector,
        "POST",
        POST_PATH,
        body(item),
        {"Host": value or "x", "Content-Type": "application/json"},
    )
    assert status == 200 and get_json(collector, "/micro/all")["good"] == 2


@pytest.mark.parametrize(
    "host",
    ["localhost", "LOCALHOST:{port}", "127.0.0.1:{port}", "[::1]:{port}", "localhost.:{port}"],
)
def test_the_collectors_own_names_are_answered(collector: Collector, host: str) -> None:
    status, _, _ = send(
        collector, "GET", "/micro/all", headers={"Host": host.format(port=collector.port)}
    )
    assert status == 200


def test_listening_on_every_interface_takes_any_address_but_no_name() -> None:
    access = Access("0.0.0.0")
    access.port = 9090
    assert access.host_allowed("192.168.1.20:9090") and access.host_allowed("[fe80::1]:9090")
    assert not access.host_allowed("evil.example:9090")
    named = Access("laptop.local")
    named.port = 9090
    assert named.host_allowed("laptop.local:9090") and not named.host_allowed("192.168.1.20")


def test_reset_is_a_post_of_json_that_a_page_cannot_send_without_a_preflight(
    collector: Collector,
) -> None:
    assert send(collector, "GET", "/micro/reset")[0] == 405
    # what a page may send without a preflight: a form or text/plain POST
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
        status, _, _ = send(
            collector, "POST", "/micro/reset", b"{}", {"Content-Type": content_type}
        )
        assert status == 415
    assert get_json(collector, "/micro/all")["good"] == 1
    status, _, _ = send(
        collector,
        "POST",
        "/micro/reset",
        b"{}",
        {"Content-Type": "application/json", "Origin": EVIL},
    )
    assert status == 403 and get_json(collector, "/micro/all")["good"] == 1
    assert get_json(collector, "/micro/reset", {}) == {"total": 0, "good": 0, "bad": 0}


def test_credentials_are_never_kept_or_served(collector: Collector) -> None:
    secret = "s3cr3t-token-1234"
    credentials = {
        "Cookie": f"session={secret}",
        "Authorization": f"Bearer {secret}",
        "Proxy-Authorization": f"Basic {secret}",
        "Set-Cookie": f"x={secret}",
        "Content-Type": "application/json",
    }
    send(collector, "POST", POST_PATH, body(fields(entity(1), T0 + 1)), credentials)
    send(collector, "POST", POST_PATH, b"{not json", credentials)  # a bad one too
    send(collector, "GET", f"/i?{query(fields(entity(1), T0 + 2))}", headers=credentials)
    for path in ("/micro/good", "/micro/bad", "/micro/events", "/sessions"):
        status, _, answer = send(collector, "GET", path)
        assert status == 200 and secret.encode() not in answer, path
    good = get_json(collector, "/micro/good")
    assert any("User-Agent" in h or "Host" in h for h in good[0]["rawEvent"]["context"]["headers"])
    assert collector.log_path is not None
    assert secret not in Path(collector.log_path).read_text()


def test_a_lone_surrogate_breaks_no_read_endpoint(collector: Collector) -> None:
    item = fields(entity(1), T0 + 1)
    item["page"] = "\ud800 half a pair"
    data = json.dumps({"schema": json.loads(body())["schema"], "data": [item]}).encode()
    assert post(collector, data) == 200
    send(collector, "GET", "/i?e=pv&page=%ED%A0%80")  # the same, URL-encoded
    for path in ("/micro/good", "/micro/events", "/micro/bad", "/micro/all", "/sessions"):
        status, _, answer = send(collector, "GET", path)
        assert status == 200, path
        json.loads(answer)
    good = get_json(collector, "/micro/good")
    assert any(g["event"]["page_title"] == "\ud800 half a pair" for g in good)
    assert log_lines(collector)[-1]


def test_an_origin_to_allow_is_an_origin() -> None:
    assert check_origin("HTTP://LocalHost:3000/") == "http://localhost:3000"
    for wrong in ("*", "null", "localhost:3000", "http://x/path", "ftp://x", "http://x:99999"):
        with pytest.raises(ValueError):
            check_origin(wrong)


def raw(collector: Collector, data: bytes) -> bytes:
    import socket

    with socket.create_connection(("127.0.0.1", collector.port), timeout=10) as connection:
        connection.sendall(data)
        return connection.recv(200).split(b"\r\n")[0]


def test_hostile_requests_get_refused_and_say_nothing(tmp_path: Path) -> None:
    said: list[str] = []
    with Collector(port=0, log=tmp_path / "events.ndjson", on_problem=said.append) as running:
        for target in (b"/micro/../micro/all", b"//micro/all", b"/i/../sessions", b"/micro/all/"):
            answer = raw(running, b"GET " + target + b" HTTP/1.1\r\nHost: evil.example\r\n\r\n")
            assert b" 403 " in answer, target
        for hosts in (b"Host: localhost\r\nHost: evil.example", b"Host: \xff\xfe"):
            answer = raw(running, b"GET /micro/all HTTP/1.1\r\n" + hosts + b"\r\n\r\n")
            assert b" 400 " in answer or b" 403 " in answer
        odd_origin = b"GET /i?e=pv HTTP/1.1\r\nHost: x\r\nOrigin: http://\xff\xfe.example\r\n\r\n"
        assert b" 200 " in raw(running, odd_origin)
        assert post(running, body(fields(entity(1), T0))) == 200
    assert said == []
