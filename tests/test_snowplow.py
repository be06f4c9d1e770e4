"""End to end: the Snowplow Python tracker sends real requests to a collector on loopback, and
every event carries the engine's ``client_session`` entity, across a session timeout."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jsonschema
import pytest
import requests
from conftest import Recorder
from mobile_helpers import check_context
from snowplow_tracker import Emitter
from snowplow_tracker.events import StructuredEvent
from snowplow_tracker.self_describing_json import SelfDescribingJson
from snowplow_tracker.tracker import Tracker

from session import SCHEMA_1_0_1, EventTracked, Reason, SessionStarted, load_schema
from session.snowplow import BACKGROUND_SCHEMA, FOREGROUND_SCHEMA, SessionTracker, attach

CLIENT_SESSION = "iglu:com.snowplowanalytics.snowplow/client_session/jsonschema/"


class Collector:
    """A Snowplow collector on 127.0.0.1 that keeps every event it is sent (GET or POST)."""

    def __init__(self) -> None:
        self.events: list[dict[str, str]] = []
        self.requests: list[tuple[str, str]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlsplit(self.path)
                owner.requests.append(("GET", url.path))
                query = parse_qs(url.query, keep_blank_values=True)
                owner.events.append({key: values[0] for key, values in query.items()})
                self._ok()

            def do_POST(self) -> None:
                owner.requests.append(("POST", self.path))
                length = int(self.headers["Content-Length"])
                body = json.loads(self.rfile.read(length))
                owner.events.extend(body["data"])
                self._ok()

            def _ok(self) -> None:
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def collector() -> Iterator[Collector]:
    server = Collector()
    yield server
    server.close()


@pytest.fixture
def http() -> Iterator[requests.Session]:
    session = requests.Session()
    session.trust_env = False  # loopback only: no proxy from the environment
    yield session
    session.close()


def emitter(collector: Collector, http: requests.Session, method: str) -> Emitter:
    """Sends each event at once, on the tracking thread: tracking returns after the request."""
    return Emitter(collector.url, method=method, batch_size=1, request_timeout=5, session=http)  # type: ignore[arg-type]


def entities(event: dict[str, str]) -> list[dict[str, Any]]:
    """The context entities of a received event, from ``cx`` (base64url) or ``co``."""
    if "cx" in event:
        raw = event["cx"]
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode("utf-8")
    else:
        text = event["co"]
    envelope = json.loads(text)
    assert envelope["schema"].startswith("iglu:com.snowplowanalytics.snowplow/contexts/")
    data: list[dict[str, Any]] = envelope["data"]
    return data


def session_entity(event: dict[str, str]) -> dict[str, Any]:
    (entity,) = [e for e in entities(event) if e["schema"].startswith(CLIENT_SESSION)]
    return entity


def self_describing(event: dict[str, str]) -> dict[str, Any]:
    raw = event["ue_px"]
    text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode("utf-8")
    data: dict[str, Any] = json.loads(text)["data"]
    return data


@pytest.mark.parametrize(("method", "encode"), [("post", True), ("get", True), ("post", False)])
def test_every_event_carries_the_mobile_session_across_a_timeout(
    collector, http, make_session, clock, method, encode
):
    session = make_session(policy="mobile", foreground_timeout=600, background_timeout=300)
    notes = Recorder()
    session.subscribe(notes)
    tracker = SessionTracker(
        "app", emitter(collector, http, method), session=session, encode_base64=encode
    )
    own = SelfDescribingJson("iglu:com.example/screen/jsonschema/1-0-0", {"name": "home"})
    states = []
    for step in (0, 10, 601, 5):
        clock.advance(step)
        event = StructuredEvent("nav", "open", context=[own])
        event_id = tracker.track(event)
        assert event.context == [own]  # the caller's event is not changed
        states.append((event_id, session.state))
    assert len(collector.events) == 4
    assert {path for _, path in collector.requests} == {
        "/i" if method == "get" else "/com.snowplowanalytics.snowplow/tp2"
    }
    first_ids: dict[str, str] = {}
    for received, (event_id, state) in zip(collector.events, states, strict=True):
        assert received["eid"] == event_id
        assert ("cx" in received) is encode
        assert entities(received)[0] == {"schema": own.schema, "data": own.data}
        entity = session_entity(received)
        data = check_context(entity)
        first_ids.setdefault(data["sessionId"], event_id)
        assert data == {
            "userId": state.user_id,
            "sessionId": state.session_id,
            "previousSessionId": state.previous_session_id,
            "sessionIndex": state.session_index,
            "storageMechanism": "LOCAL_STORAGE",
            "firstEventId": first_ids[data["sessionId"]],
            "firstEventTimestamp": state.first_event_timestamp,
            "eventIndex": state.event_index,
        }
    indexes = [(session_entity(e)["data"]["sessionIndex"]) for e in collector.events]
    event_indexes = [session_entity(e)["data"]["eventIndex"] for e in collector.events]
    assert (indexes, event_indexes) == ([1, 1, 2, 2], [1, 2, 1, 2])
    (started,) = notes.of(SessionStarted)
    assert started.reason is Reason.TIMEOUT and started.new.session_index == 2
    assert [n.event_id for n in notes.of(EventTracked)] == [e["eid"] for e in collector.events]


def test_lifecycle_events_are_tracked_before_the_switch(collector, http, make_session, clock):
    session = make_session(policy="mobile", foreground_timeout=600, background_timeout=300)
    tracker = SessionTracker("app", emitter(collector, http, "post"), session=session)
    tracker.track(StructuredEvent("nav", "open"))
    clock.advance(400)  # over the background timeout, under the foreground one
    assert tracker.set_background(True) is not None
    assert tracker.set_background(True) is None  # no change, nothing tracked
    clock.advance(301)
    tracker.set_background(False)  # judged by the background timeout: a new session
    assert (session.background_index, session.foreground_index) == (1, 1)
    assert not session.background
    _first, background, foreground = collector.events
    assert self_describing(background) == {
        "schema": BACKGROUND_SCHEMA,
        "data": {"backgroundIndex": 1},
    }
    assert self_describing(foreground) == {
        "schema": FOREGROUND_SCHEMA,
        "data": {"foregroundIndex": 1},
    }
    ids = [session_entity(e)["data"]["sessionIndex"] for e in collector.events]
    assert ids == [1, 1, 2]
    assert session_entity(foreground)["data"]["firstEventId"] == foreground["eid"]


def test_attach_to_a_plain_tracker_with_the_dotnet_policy(collector, http, make_session, clock):
    session = make_session(foreground_timeout=2, background_timeout=2, check_interval=1)
    tracker = Tracker("app", emitter(collector, http, "get"))
    detach = attach(tracker, session)
    tracker.track(StructuredEvent("nav", "open"))
    clock.advance(3)  # the .NET checker starts session 2 without an event
    tracker.track(StructuredEvent("nav", "open"))
    detach()
    tracker.track(StructuredEvent("nav", "open"))
    with_session, after_timeout, detached = collector.events
    validator = jsonschema.Draft4Validator(
        load_schema(SCHEMA_1_0_1), format_checker=jsonschema.FormatChecker()
    )
    for received, index in ((with_session, 1), (after_timeout, 2)):
        entity = session_entity(received)
        assert entity["schema"] == SCHEMA_1_0_1
        validator.validate(entity["data"])
        assert entity["data"]["sessionIndex"] == index
        assert entity["data"]["firstEventId"] == received["eid"]
    assert "cx" not in detached
    assert session.session_index == 2


def test_session_never_imports_the_tracker_and_the_adapter_says_what_to_install():
    code = (
        "import sys\n"
        "import session, session.policy.mobile\n"
        "assert 'snowplow_tracker' not in sys.modules\n"
        "sys.modules['snowplow_tracker'] = None\n"
        "try:\n"
        "    import session.snowplow\n"
        "except ImportError as error:\n"
        "    print(error)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert "pip install 'snowsession[snowplow]'" in result.stdout
