"""The adapter under attack: events reused and shared between threads, emitters that fail,
a closed session, and every tracker setting kept as the tracker would apply it."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from conftest import Recorder
from snowplow_tracker import AsyncEmitter, Snowplow, Subject
from snowplow_tracker.events import StructuredEvent
from snowplow_tracker.self_describing_json import SelfDescribingJson
from snowplow_tracker.tracker import Tracker

from session import EventTracked, SessionClosedError
from session.snowplow import SessionTracker, event_payload

from .helpers import emitter, entities, session_entity

OWN = SelfDescribingJson("iglu:com.example/screen/jsonschema/1-0-0", {"name": "home"})


class BrokenEmitter:
    """An emitter whose every input fails, as a full disk or a bug in a custom one would."""

    def __init__(self) -> None:
        self.calls = 0

    def input(self, payload: dict[str, Any]) -> None:
        self.calls += 1
        raise OSError(28, "No space left on device")


def test_the_callers_event_is_never_changed_and_may_be_tracked_again(collector, http, make_session):
    session = make_session(policy="mobile")
    # GET with a batch of 2: the emitter keeps each payload until both are sent, so two
    # payloads built in the one event would arrive as one event twice.
    tracker = SessionTracker("app", emitter(collector, http, "get", batch_size=2), session=session)
    event = StructuredEvent("nav", "open", context=[OWN])
    before = dict(event.payload.get())
    ids = [tracker.track(event), tracker.track(event)]
    assert event.context == [OWN] and event.payload.get() == before
    assert [e["eid"] for e in collector.events] == ids and len(set(ids)) == 2
    data = [session_entity(e)["data"] for e in collector.events]
    assert [(d["eventIndex"], d["firstEventId"]) for d in data] == [(1, ids[0]), (2, ids[0])]


def test_threads_tracking_at_once_each_get_their_own_count(collector, http, make_session):
    session = make_session(policy="mobile")
    notes = Recorder()
    session.subscribe(notes)
    tracker = SessionTracker("app", emitter(collector, http, "post"), session=session)
    shared = StructuredEvent("nav", "open", context=[OWN])  # one event object for everyone
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def work() -> None:
        start.wait()
        try:
            for _ in range(25):
                tracker.track(shared)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors and len(collector.events) == 100
    counted = {n.event_id: n.state.event_index for n in notes.of(EventTracked)}
    received = {e["eid"]: session_entity(e)["data"]["eventIndex"] for e in collector.events}
    assert received == counted  # each event carries the count of its own id
    assert sorted(received.values()) == list(range(1, 101))
    assert all(entities(e)[0] == OWN.to_json() for e in collector.events)
    assert shared.context == [OWN]


def test_an_emitter_that_raises_reaches_the_caller_and_the_event_stays_counted(
    collector, http, make_session
):
    session = make_session(policy="mobile")
    notes = Recorder()
    session.subscribe(notes)
    broken = BrokenEmitter()
    with pytest.raises(OSError, match="No space left"):
        SessionTracker("app", broken, session=session).track(StructuredEvent("nav", "open"))
    (failed,) = notes.of(EventTracked)
    assert broken.calls == 1 and session.state.event_index == 1
    working = SessionTracker("app", emitter(collector, http, "post"), session=session)
    working.track(StructuredEvent("nav", "open"))
    data = session_entity(collector.events[0])["data"]
    assert (data["eventIndex"], data["firstEventId"]) == (2, failed.event_id)


def test_a_collector_that_refuses_is_reported_to_on_failure_with_the_session(
    collector, http, make_session
):
    collector.status = 400  # a bad request: the emitter gives up at once, no retry timer
    session = make_session(policy="mobile")
    failures: list[tuple[int, list[dict[str, Any]]]] = []
    refused = emitter(
        collector, http, "post", on_failure=lambda n, unsent: failures.append((n, unsent))
    )
    event_id = SessionTracker("app", refused, session=session).track(StructuredEvent("nav", "open"))
    ((sent, (unsent,)),) = failures
    assert sent == 0 and unsent["eid"] == event_id
    assert session_entity(unsent)["data"]["firstEventId"] == event_id
    assert session.state.event_index == 1


def test_a_closed_session_sends_nothing(collector, http, make_session):
    session = make_session(policy="mobile")
    tracker = SessionTracker("app", emitter(collector, http, "post"), session=session)
    session.close()
    with pytest.raises(SessionClosedError):
        tracker.track(StructuredEvent("nav", "open"))
    with pytest.raises(SessionClosedError):
        tracker.set_background(True)
    assert collector.events == []


def test_a_context_that_is_not_json_is_refused_before_anything_is_sent(
    collector, http, make_session
):
    session = make_session(policy="mobile")
    tracker = SessionTracker("app", emitter(collector, http, "post"), session=session)
    odd = SelfDescribingJson("iglu:com.example/odd/jsonschema/1-0-0", {"at": object()})
    with pytest.raises(TypeError):
        tracker.track(StructuredEvent("nav", "open", context=[odd]))
    assert collector.events == [] and session.state.event_index == 1  # counted, as documented


def test_the_trackers_own_settings_are_applied_as_the_tracker_applies_them(
    collector, http, make_session
):
    session = make_session(policy="mobile")
    subject = Subject().set_user_id("u-tracker").set_lang("fr")
    tracker = SessionTracker(
        "my-namespace",
        emitter(collector, http, "post"),
        subject=subject,
        app_id="my-app",
        encode_base64=False,
        json_encoder=lambda value: f"<{type(value).__name__}>",
        session=session,
    )
    odd = SelfDescribingJson("iglu:com.example/odd/jsonschema/1-0-0", {"at": object()})
    tracker.track(StructuredEvent("nav", "open", context=[odd], true_timestamp=1_700_000_000_000))
    tracker.track(StructuredEvent("nav", "open", event_subject=Subject().set_user_id("u-event")))
    first, second = collector.events
    assert (first["tna"], first["aid"], first["uid"], first["lang"]) == (
        "my-namespace",
        "my-app",
        "u-tracker",
        "fr",
    )
    assert first["ttm"] == "1700000000000" and "dtm" in first
    assert json.loads(first["co"])["data"][0] == {"schema": odd.schema, "data": {"at": "<object>"}}
    assert (second["uid"], second["lang"]) == ("u-event", "fr")  # the event's subject wins
    assert [session_entity(e)["data"]["eventIndex"] for e in (first, second)] == [1, 2]


def test_a_session_tracker_registered_with_snowplow_is_found_by_its_namespace(
    collector, http, make_session
):
    session = make_session(policy="mobile")
    tracker = SessionTracker("registered", emitter(collector, http, "post"), session=session)
    assert Snowplow.add_tracker(tracker) is tracker
    try:
        found = Snowplow.get_tracker("registered")
        assert found is not None
        event_id = found.track(StructuredEvent("nav", "open"))
    finally:
        Snowplow.remove_tracker(tracker)
    assert session_entity(collector.events[0])["data"]["firstEventId"] == event_id


@pytest.mark.parametrize("kind", [Tracker, SessionTracker])
def test_event_payload_sends_an_event_counted_before_without_counting_it_again(
    collector, http, make_session, kind
):
    session = make_session(policy="mobile")
    sending = emitter(collector, http, "post")
    tracker = (
        kind("app", sending, session=session) if kind is SessionTracker else kind("app", sending)
    )
    event_id = "6f8e2c1a-3b4d-4e5f-9a6b-7c8d9e0f1a2b"
    entity = session.get_session_context(event_id)
    event = StructuredEvent("nav", "open", context=[OWN])
    payload = event_payload(tracker, event, event_id, entity)
    assert session.state.event_index == 1 and event.context == [OWN]
    sending.input(payload.nv_pairs)
    (received,) = collector.events
    assert received["eid"] == event_id
    assert session_entity(received) == entity.to_dict()
    assert entities(received)[0] == OWN.to_json()


def test_an_async_emitter_sends_each_event_as_it_was_tracked(collector, http, make_session):
    session = make_session(policy="mobile")
    sending = AsyncEmitter(collector.url, method="get", batch_size=4, session=http)
    tracker = SessionTracker("app", sending, session=session)
    event = StructuredEvent("nav", "open")  # one object, its payloads sent later on a worker
    ids = [tracker.track(event) for _ in range(10)]
    tracker.flush()  # blocks until the worker has sent every batch
    assert sorted(e["eid"] for e in collector.events) == sorted(ids)
    by_id = {e["eid"]: session_entity(e)["data"]["eventIndex"] for e in collector.events}
    assert [by_id[event_id] for event_id in ids] == list(range(1, 11))
