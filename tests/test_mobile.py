"""The mobile policy on the virtual clock: the Android/iOS trackers' session cases."""

from __future__ import annotations

import logging
import random
import threading
import uuid

import pytest
from conftest import Recorder
from mobile_helpers import check_chain, check_context, event

from session import (
    SCHEMA_1_0_1,
    ClientSession,
    DotNetPolicy,
    EventTracked,
    MobilePolicy,
    PausedChanged,
    PolicyError,
    Reason,
    SessionRequested,
    SessionStarted,
    SessionState,
    VirtualClock,
)
from session.policy import make_policy
from session.policy.mobile import iso_millis


@pytest.fixture
def mobile(make_session, ids):
    def make(**options: object) -> ClientSession:
        options.setdefault("policy", "mobile")
        options.setdefault("foreground_timeout", 600)
        options.setdefault("background_timeout", 300)
        options.setdefault("id_factory", ids)
        return make_session(**options)

    return make


# ------------------------------------------------------------------ contexts


def test_contexts_are_1_0_2_with_event_index_and_first_event_timestamp(mobile, clock):
    s = mobile()
    assert s.state.event_index == 0 and s.first_event_id is None
    clock.advance(1.2345)
    first_id = str(uuid.uuid4())
    context = s.get_session_context(first_id)
    data = check_context(context)
    assert data == {
        "userId": s.user_id,
        "sessionId": s.current_session_id,
        "previousSessionId": None,
        "sessionIndex": 1,
        "storageMechanism": "LOCAL_STORAGE",
        "firstEventId": first_id,
        "firstEventTimestamp": "2027-01-15T08:00:01.234Z",
        "eventIndex": 1,
    }
    clock.advance(5)
    second = event(s)
    assert second["eventIndex"] == 2
    assert second["firstEventId"] == first_id
    assert second["firstEventTimestamp"] == "2027-01-15T08:00:01.234Z"
    assert s.state.event_index == 2 and s.state.first_event_id == first_id
    assert '"previousSessionId":null' in context.to_json()


def test_iso_millis_truncates_to_the_millisecond():
    assert iso_millis(1_800_000_000.9999) == "2027-01-15T08:00:00.999Z"
    assert iso_millis(0) == "1970-01-01T00:00:00.000Z"


def test_unset_optional_fields_are_left_out(mobile):
    s = mobile()
    data = s.policy.context(s.state).to_dict()["data"]
    assert not {"firstEventId", "firstEventTimestamp", "eventIndex"} & data.keys()
    assert data["previousSessionId"] is None


# ------------------------------------------------------------------ expiry at events


def test_events_within_the_timeout_stay_in_one_session(mobile, clock):
    s = mobile()
    first = event(s)
    for _ in range(20):
        clock.advance(599.5)
        data = event(s)
    assert data["sessionId"] == first["sessionId"] and data["eventIndex"] == 21
    clock.advance(600)  # exactly the timeout: not more than it
    assert event(s)["sessionId"] == first["sessionId"]
    assert s.session_index == 1


def test_an_event_after_the_timeout_is_the_first_of_a_new_session(mobile, clock):
    s = mobile()
    notes = Recorder()
    s.subscribe(notes)
    old = event(s)
    clock.advance(600.001)
    trigger = str(uuid.uuid4())
    data = check_context(s.get_session_context(trigger))
    assert data["sessionIndex"] == 2
    assert data["previousSessionId"] == old["sessionId"]
    assert (data["firstEventId"], data["eventIndex"]) == (trigger, 1)
    assert data["firstEventTimestamp"] == iso_millis(clock.wall_time())
    (started,) = notes.of(SessionStarted)
    assert started.reason is Reason.TIMEOUT
    assert (started.at, started.last_access, started.timeout) == (600.001, 0.0, 600)
    assert started.new.first_event_id is None  # announced before its first event is counted
    tracked = notes.of(EventTracked)
    assert tracked[-1].state.first_event_id == trigger and tracked[-1].state.event_index == 1


def test_a_long_idle_period_adds_at_most_one_session(mobile, clock):
    s = mobile()
    event(s)
    s.start_checker()  # nothing to arm under this policy
    assert not s.is_checking and s.next_check_at is None
    assert clock.pending == 0  # no timer at all
    assert s.expected_new_session_at() is None
    clock.advance(30 * 24 * 3600)
    assert s.session_index == 1
    s.set_background(True)
    clock.advance(7 * 24 * 3600)
    s.set_background(False)
    assert s.session_index == 1 and not s.is_checking
    event(s)
    assert s.session_index == 2
    event(s)
    assert s.session_index == 2


def test_the_session_of_an_app_start_is_never_left_without_events(mobile, clock):
    s = mobile()
    start_id = s.current_session_id
    clock.advance(5000)  # longer than the timeout, but nothing was tracked yet
    data = event(s)
    assert (data["sessionId"], data["sessionIndex"], data["eventIndex"]) == (start_id, 1, 1)


def test_event_index_restarts_at_one_in_each_new_session(mobile, clock):
    s = mobile()
    for session in range(1, 4):
        for n in range(1, 6):
            data = event(s)
            assert (data["sessionIndex"], data["eventIndex"]) == (session, n)
            clock.advance(1)
        clock.advance(601)


# ------------------------------------------------------------------ background and lifecycle


def _lifecycle(s: ClientSession, background: bool) -> dict[str, object]:
    """What the mobile trackers do: track the lifecycle event, then flip the state."""
    data = event(s)
    s.set_background(background)
    return data


def test_a_background_trip_shorter_than_the_background_timeout_keeps_the_session(mobile, clock):
    s = mobile()
    first = event(s)
    clock.advance(100)
    _lifecycle(s, True)
    assert s.timeout_in_force == 300
    clock.advance(299)
    back = _lifecycle(s, False)
    assert back["sessionId"] == first["sessionId"] and back["eventIndex"] == 3
    assert (s.background_index, s.foreground_index) == (1, 1)


def test_a_background_trip_longer_than_the_background_timeout_starts_a_session(mobile, clock):
    s = mobile()
    notes = Recorder()
    s.subscribe(notes)
    first = event(s)
    clock.advance(100)
    _lifecycle(s, True)
    clock.advance(301)
    back = _lifecycle(s, False)  # judged by the background timeout: the state had not flipped
    assert back["sessionIndex"] == 2 and back["previousSessionId"] == first["sessionId"]
    assert back["eventIndex"] == 1
    (started,) = notes.of(SessionStarted)
    assert (started.reason, started.timeout, started.background) == (Reason.TIMEOUT, 300, True)


def test_the_background_event_is_judged_by_the_foreground_timeout(mobile, clock):
    s = mobile()
    first = event(s)
    clock.advance(400)  # over the background timeout, under the foreground one
    data = _lifecycle(s, True)
    assert data["sessionId"] == first["sessionId"]
    assert s.timeout_in_force == 300


def test_flipping_before_the_event_judges_it_by_the_new_state(mobile, clock, tmp_path):
    s = mobile(path=tmp_path / "flip.xml")
    event(s)
    clock.advance(400)
    s.set_background(True)
    assert event(s)["sessionIndex"] == 2


def test_indices_count_switches_not_calls(mobile):
    s = mobile()
    assert (s.foreground_index, s.background_index) == (0, 0)
    s.set_background(False)  # already in the foreground
    s.set_background(True)
    s.set_background(True)
    s.set_background(False)
    s.set_background(True)
    assert (s.foreground_index, s.background_index) == (1, 2)
    assert s.background


# ------------------------------------------------------------------ pause, resume, new session


def test_while_paused_the_session_cannot_expire_nor_is_its_last_access_refreshed(mobile, clock):
    s = mobile()
    first = event(s)
    s.pause()
    assert s.paused
    clock.advance(10_000)
    held = event(s)
    assert held["sessionId"] == first["sessionId"] and held["eventIndex"] == 2
    assert s.last_access == 0.0
    s.resume()
    assert not s.paused
    after = event(s)  # judged from the last access before the pause
    assert after["sessionIndex"] == 2 and after["eventIndex"] == 1


def test_resuming_within_the_timeout_of_the_last_access_keeps_the_session(mobile, clock):
    s = mobile()
    event(s)
    s.pause()
    clock.advance(300)
    event(s)
    s.resume()
    clock.advance(299)
    data = event(s)
    assert (data["sessionIndex"], data["eventIndex"]) == (1, 3)
    assert s.last_access == 599.0


def test_start_new_session_takes_effect_at_the_next_event(mobile, clock):
    s = mobile()
    notes = Recorder()
    s.subscribe(notes)
    first = event(s)
    s.start_new_session()
    s.start_new_session()  # asking twice still gives one session
    assert s.current_session_id == first["sessionId"] and not notes.of(SessionStarted)
    clock.advance(1)
    data = event(s)
    assert data["sessionIndex"] == 2 and data["eventIndex"] == 1
    (started,) = notes.of(SessionStarted)
    assert started.reason is Reason.REQUESTED
    assert event(s)["sessionIndex"] == 2


def test_a_requested_session_waits_for_resume(mobile):
    s = mobile()
    event(s)
    s.pause()
    s.start_new_session()
    assert event(s)["sessionIndex"] == 1
    s.resume()
    assert event(s)["sessionIndex"] == 2


class _Backwards(VirtualClock):
    """A virtual clock whose elapsed time can be stepped back, like a wall clock."""

    def __init__(self) -> None:
        super().__init__(wall_start=1_800_000_000.0)
        self.offset = 0.0

    def now(self) -> float:
        return super().now() + self.offset


def test_a_clock_that_went_backwards_starts_a_new_session(mobile, tmp_path):
    clock = _Backwards()
    s = mobile(path=tmp_path / "back.xml", clock=clock)
    notes = Recorder()
    s.subscribe(notes)
    clock.advance(100)
    first = event(s)
    clock.offset = -5
    data = event(s)
    assert data["sessionIndex"] == 2 and data["previousSessionId"] == first["sessionId"]
    assert notes.of(SessionStarted)[0].reason is Reason.CLOCK_BACKWARDS


# ------------------------------------------------------------------ callbacks


def test_session_update_callbacks_go_through_the_one_notification_channel(mobile, clock, caplog):
    s = mobile()
    seen: list[tuple[SessionState, str]] = []
    order: list[str] = []

    def failing(state: SessionState) -> None:
        raise RuntimeError("callback bug")

    def keep(state: SessionState) -> None:
        seen.append((state, threading.current_thread().name))
        order.append("callback")

    s.on_session_update(failing)
    s.on_session_update(keep)
    s.subscribe(lambda note: order.append(type(note).__name__))
    with caplog.at_level(logging.ERROR, logger="session"):
        first = event(s)  # the callback has run when the event returns
        assert len(seen) == 1
        event(s)  # not a new session: no callback
        clock.advance(601)
        second = event(s)
    assert [state.session_id for state, _ in seen] == [first["sessionId"], second["sessionId"]]
    assert [state.first_event_id for state, _ in seen] == [
        first["firstEventId"],
        second["firstEventId"],
    ]
    assert all(state.event_index == 1 for state, _ in seen)
    # On the thread that tracked the event, as every observer, and after the session started.
    assert {name for _, name in seen} == {threading.current_thread().name}
    assert order[-3:] == ["SessionStarted", "callback", "EventTracked"]
    failures = [r for r in caplog.records if "failed" in r.getMessage()]
    assert len(failures) == 2 and all(r.exc_info for r in failures)
    assert not [t for t in threading.enumerate() if t.name.startswith("session-callbacks")]


def test_a_removed_callback_is_not_called(mobile):
    s = mobile()
    calls: list[SessionState] = []
    remove = s.on_session_update(calls.append)
    remove()
    event(s)
    s.close()
    assert calls == []


def test_every_session_is_announced_once(mobile, clock):
    s = mobile()
    calls: list[SessionState] = []
    s.on_session_update(calls.append)
    for _ in range(3):
        event(s)
        clock.advance(601)
    s.close()
    assert [c.session_index for c in calls] == [1, 2, 3]


# ------------------------------------------------------------------ policy selection


def test_mobile_controls_raise_a_clear_error_under_dotnet(make_session):
    s = make_session()
    for use in (
        s.pause,
        s.resume,
        s.start_new_session,
        lambda: s.paused,
        lambda: s.foreground_index,
        lambda: s.background_index,
    ):
        with pytest.raises(PolicyError, match=r"needs policy='mobile'.*'dotnet'"):
            use()


def test_on_session_update_is_offered_under_dotnet_too(make_session, clock):
    s = make_session(foreground_timeout=10, check_interval=5)
    calls = []
    remove = s.on_session_update(calls.append)
    s.start_checker()
    clock.advance(12)  # the checker starts session 2: no call before its first event
    assert calls == []
    s.get_session_context("e1")
    s.get_session_context("e2")
    assert [(c.session_index, c.first_event_id) for c in calls] == [(2, "e1")]
    remove()
    clock.advance(20)
    s.get_session_context("e3")
    assert len(calls) == 1


def test_dotnet_contexts_are_unchanged(make_session):
    s = make_session()
    context = s.get_session_context("e1")
    assert context.schema == SCHEMA_1_0_1
    assert list(context.data) == [
        "userId",
        "sessionId",
        "previousSessionId",
        "sessionIndex",
        "storageMechanism",
        "firstEventId",
    ]
    assert s.get_session_context("e2") is context


def test_policy_selection(make_session, tmp_path):
    assert isinstance(make_policy("mobile"), MobilePolicy)
    assert isinstance(make_policy("dotnet"), DotNetPolicy)
    assert make_policy("mobile", continue_session_on_restart=True).continue_session_on_restart
    with pytest.raises(ValueError, match="'dotnet', 'mobile'"):
        make_policy("android")
    with pytest.raises(ValueError, match="continue_session_on_restart needs"):
        make_session(continue_session_on_restart=True)
    with pytest.raises(TypeError, match="continue_session_on_restart"):
        make_policy("mobile", continue_session_on_restart="yes")  # type: ignore[arg-type]
    # A policy keeps no state of its own: one object may serve several sessions.
    shared = MobilePolicy()
    a = make_session(tmp_path / "a.xml", policy=shared)
    b = make_session(tmp_path / "b.xml", policy=shared)
    a.pause()
    a.get_session_context(str(uuid.uuid4()))
    a.start_new_session()
    b.get_session_context(str(uuid.uuid4()))
    assert a.paused and not b.paused
    assert b.get_session_context(str(uuid.uuid4())).data["sessionIndex"] == 1


def test_closed_session_refuses_mobile_controls(mobile):
    s = mobile()
    s.close()
    with pytest.raises(RuntimeError, match="closed"):
        s.pause()
    with pytest.raises(RuntimeError, match="closed"):
        s.start_new_session()


# ------------------------------------------------------------------ random walks


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_walks_keep_every_invariant(mobile, clock, tmp_path, seed):
    rng = random.Random(seed)
    s = mobile(path=tmp_path / f"walk{seed}.xml")
    notes = Recorder()
    s.subscribe(notes)
    counts: dict[str, int] = {}
    for _ in range(400):
        roll = rng.random()
        if roll < 0.6:
            data = event(s)
            counts[data["sessionId"]] = counts.get(data["sessionId"], 0) + 1
            assert data["eventIndex"] == counts[data["sessionId"]]
            assert data["sessionIndex"] == s.session_index
        elif roll < 0.75:
            clock.advance(rng.choice([1, 250, 299, 301, 599, 601, 5000]))
        elif roll < 0.85:
            s.set_background(rng.random() < 0.5)
        elif roll < 0.9:
            s.start_new_session()
        elif roll < 0.95:
            s.pause()
        else:
            s.resume()
    started = notes.of(SessionStarted)
    check_chain(started)
    # Every session but the current one had events; no index was skipped.
    assert len(counts) == s.session_index
    assert s.session_index == 1 + len(started)


def test_pause_resume_and_a_requested_session_are_notifications(make_session, clock):
    seen = Recorder()
    s = make_session(policy="mobile", observers=[seen])
    clock.advance(1)
    s.pause()
    s.pause()  # already paused: nothing changes
    s.resume()
    s.start_new_session()
    notes = [n for n in seen.notes if isinstance(n, PausedChanged | SessionRequested)]
    assert notes == [PausedChanged(True, 1), PausedChanged(False, 1), SessionRequested(1)]
