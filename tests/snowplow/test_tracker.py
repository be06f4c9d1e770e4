"""End to end: the Snowplow Python tracker sends real requests to a collector on loopback, and
every event carries the engine's ``client_session`` entity, across a session timeout."""

from __future__ import annotations

import subprocess
import sys

import jsonschema
import pytest
from conftest import Recorder
from mobile_helpers import check_context
from snowplow_tracker.events import StructuredEvent
from snowplow_tracker.self_describing_json import SelfDescribingJson
from snowplow_tracker.tracker import Tracker

from session import SCHEMA_1_0_1, EventTracked, Reason, SessionStarted, load_schema
from session.snowplow import BACKGROUND_SCHEMA, FOREGROUND_SCHEMA, SessionTracker
from session.util.install import install_hint

from .helpers import emitter, entities, self_describing, session_entity


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


def test_the_dotnet_policy_gives_1_0_1_entities_and_a_plain_tracker_none(
    collector, http, make_session, clock
):
    session = make_session(foreground_timeout=2, background_timeout=2, check_interval=1)
    sending = emitter(collector, http, "get")
    tracker = SessionTracker("app", sending, session=session)
    tracker.track(StructuredEvent("nav", "open"))
    clock.advance(3)  # the .NET checker starts session 2 without an event
    tracker.track(StructuredEvent("nav", "open"))
    assert tracker.set_background(True) is None  # no lifecycle events under dotnet
    Tracker("app", sending).track(StructuredEvent("nav", "open"))  # a plain one, beside it
    with_session, after_timeout, plain = collector.events
    validator = jsonschema.Draft4Validator(
        load_schema(SCHEMA_1_0_1), format_checker=jsonschema.FormatChecker()
    )
    for received, index in ((with_session, 1), (after_timeout, 2)):
        entity = session_entity(received)
        assert entity["schema"] == SCHEMA_1_0_1
        validator.validate(entity["data"])
        assert entity["data"]["sessionIndex"] == index
        assert entity["data"]["firstEventId"] == received["eid"]
    assert "cx" not in plain
    assert session.session_index == 2 and session.background


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
    assert install_hint("snowplow") in result.stdout


def test_lifecycle_events_can_be_asked_for_under_dotnet(collector, http, make_session, clock):
    session = make_session(foreground_timeout=600, background_timeout=300)
    sending = emitter(collector, http, "post")
    tracker = SessionTracker("app", sending, session=session, lifecycle_events=True)
    assert tracker.set_background(True) is not None
    assert tracker.set_background(True) is None  # no change, nothing tracked
    assert tracker.set_background(False) is not None
    assert tracker.set_background(True) is not None
    assert [self_describing(e) for e in collector.events] == [
        {"schema": BACKGROUND_SCHEMA, "data": {"backgroundIndex": 1}},
        {"schema": FOREGROUND_SCHEMA, "data": {"foregroundIndex": 1}},
        {"schema": BACKGROUND_SCHEMA, "data": {"backgroundIndex": 2}},
    ]
    assert all(session_entity(e)["schema"] == SCHEMA_1_0_1 for e in collector.events)
    assert session.background


def test_lifecycle_events_can_be_turned_off_under_mobile(collector, http, make_session, clock):
    session = make_session(policy="mobile")
    sending = emitter(collector, http, "post")
    tracker = SessionTracker("app", sending, session=session, lifecycle_events=False)
    assert tracker.set_background(True) is None
    assert session.background and session.background_index == 1
    assert collector.events == []
