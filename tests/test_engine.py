"""The .NET ClientSession's behaviour, on the virtual clock: the four .NET tests and the quirks."""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path

import pytest
from conftest import Recorder

from session import (
    BackgroundChanged,
    CheckerChanged,
    ClientSession,
    EventTracked,
    Reason,
    SaveFileBusyError,
    SessionClosedError,
    SessionStarted,
    Settings,
    SettingsChanged,
    VirtualClock,
    read_save_file,
)

# ------------------------------------------------------------------ .NET test: init and reopen


def test_first_construction_starts_session_one_and_saves_it(make_session, save_path):
    s = make_session()
    assert s.session_index == 1
    assert s.previous_session_id is None
    assert s.first_event_id is None
    assert not s.background and not s.is_checking
    assert s.flush(timeout=5)
    saved = read_save_file(save_path).saved
    assert saved is not None
    assert (saved.user_id, saved.session_id, saved.previous_session_id, saved.session_index) == (
        s.user_id,
        s.current_session_id,
        None,
        1,
    )


def test_reopening_keeps_the_user_and_starts_a_new_session(make_session, save_path):
    first = make_session()
    user, first_id = first.user_id, first.current_session_id
    first.close()
    second = make_session()
    assert second.user_id == user
    assert second.previous_session_id == first_id
    assert second.current_session_id != first_id
    assert second.session_index == 2
    second.close()
    third = make_session()
    assert (third.session_index, third.previous_session_id) == (3, second.current_session_id)


def test_a_missing_folder_is_created(make_session, tmp_path):
    path = tmp_path / "a" / "b" / "session.xml"
    s = make_session(path)
    assert s.flush(timeout=5)
    assert path.is_file()


# ------------------------------------------------------------------ .NET test: setters


def test_setters_take_whole_and_fractional_seconds(make_session):
    s = make_session()
    assert (s.foreground_timeout, s.background_timeout, s.check_interval) == (600, 300, 15)
    s.foreground_timeout = 10
    s.background_timeout = 2.5
    s.check_interval = 0.25
    assert (s.foreground_timeout, s.background_timeout, s.check_interval) == (10, 2.5, 0.25)


@pytest.mark.parametrize("name", ["foreground_timeout", "background_timeout", "check_interval"])
@pytest.mark.parametrize(
    ("value", "error"),
    [
        (0, ValueError),
        (-1, ValueError),
        (math.nan, ValueError),
        (math.inf, ValueError),
        (-math.inf, ValueError),
        (3e9, ValueError),
        (True, TypeError),
        ("600", TypeError),
        (None, TypeError),
        ([600], TypeError),
    ],
)
def test_setters_refuse_bad_values_with_a_message_naming_setting_and_value(
    make_session, name, value, error
):
    s = make_session()
    before = getattr(s, name)
    with pytest.raises(error) as raised:
        setattr(s, name, value)
    assert name in str(raised.value)
    assert repr(value) in str(raised.value)
    assert getattr(s, name) == before
    with pytest.raises(error):
        ClientSession(s.save_path.with_name("other.xml"), **{name: value})


# ------------------------------------------------------------------ .NET test: context


def test_context_is_the_dotnet_json_byte_for_byte(make_session, ids):
    s = make_session(id_factory=ids)
    context = s.get_session_context("first-id")
    assert context.to_json() == (
        '{"schema":"iglu:com.snowplowanalytics.snowplow/client_session/jsonschema/1-0-1",'
        '"data":{"userId":"00000000-0000-4000-8000-000000000001",'
        '"sessionId":"00000000-0000-4000-8000-000000000002","previousSessionId":null,'
        '"sessionIndex":1,"storageMechanism":"LOCAL_STORAGE","firstEventId":"first-id"}}'
    )
    assert context.schema.endswith("client_session/jsonschema/1-0-1")
    assert json.loads(context.to_json()) == context.to_dict()


def test_first_event_id_stays_for_the_whole_session_and_resets_on_a_new_one(make_session, clock):
    s = make_session(foreground_timeout=10, check_interval=5)
    assert s.get_session_context("e1").data["firstEventId"] == "e1"
    assert s.get_session_context("e2").data["firstEventId"] == "e1"
    assert s.first_event_id == "e1"
    clock.advance(15)
    assert s.session_index == 2 and s.first_event_id is None
    assert s.get_session_context("e3").data["firstEventId"] == "e3"


def test_context_data_cannot_change_the_engine(make_session):
    s = make_session()
    context = s.get_session_context("e1")
    with pytest.raises(TypeError):
        context.data["sessionIndex"] = 99  # type: ignore[index]
    copy = context.to_dict()
    copy["data"]["sessionIndex"] = 99
    assert s.get_session_context("e2").data["sessionIndex"] == 1
    assert s.session_index == 1


def test_every_context_validates_against_the_bundled_schema(make_session, clock):
    jsonschema = pytest.importorskip("jsonschema")
    from session import load_schema

    s = make_session(foreground_timeout=5, check_interval=1)
    validator = jsonschema.Draft4Validator(load_schema(), format_checker=jsonschema.FormatChecker())
    for n in range(30):
        context = s.get_session_context(f"00000000-0000-4000-8000-{n:012d}")
        validator.validate(context.to_dict()["data"])
        clock.advance(n % 7)
    assert s.session_index > 2


# ------------------------------------------------------------------ .NET test: timing


def test_dotnet_timing_test_on_the_virtual_clock(make_session, clock):
    s = make_session(foreground_timeout=2, background_timeout=2, check_interval=1)
    first = s.current_session_id
    s.start_checker()
    clock.advance(3)
    assert (s.session_index, s.previous_session_id) == (2, first)
    s.set_background(True)
    clock.advance(3)
    assert s.session_index == 3 and not s.is_checking
    s.set_background(False)
    assert s.is_checking


@pytest.mark.realtime
def test_dotnet_timing_test_in_real_time(tmp_path):
    # The same test on the real clock and thread timers, with sub-second timeouts.
    with ClientSession(
        tmp_path / "s.xml", foreground_timeout=0.3, background_timeout=0.3, check_interval=0.1
    ) as s:
        first = s.current_session_id
        s.start_checker()
        _wait_for(lambda: s.session_index >= 2, 3)
        assert s.previous_session_id == first
        s.set_background(True)
        _wait_for(lambda: not s.is_checking, 3)
        assert s.session_index == 3
        s.set_background(False)
        assert s.is_checking
    assert not s.is_checking


def _wait_for(condition, seconds):
    import time

    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


# ------------------------------------------------------------------ quirks of the original


def test_expiry_when_elapsed_equals_the_timeout(make_session, clock):
    s = make_session(foreground_timeout=30, check_interval=10)
    s.start_checker()
    clock.advance(29.999)
    assert s.session_index == 1
    clock.advance(0.001)  # the check at 30 s sees elapsed == timeout
    assert s.session_index == 2


def test_an_idle_foreground_app_gets_a_session_every_timeout(make_session, clock):
    s = make_session(foreground_timeout=600, check_interval=15)
    s.start_checker()
    clock.advance(3600)
    assert s.session_index == 7  # one at start, then every 600 s: no events needed
    assert s.is_checking


def test_an_event_never_checks_expiry_itself(make_session, clock):
    s = make_session(foreground_timeout=10, check_interval=100)
    s.get_session_context("e1")  # arms the checker: the first check is at 100 s
    clock.advance(50)
    context = s.get_session_context("e2")
    assert context.data["sessionIndex"] == 1


def test_an_event_in_the_check_interval_slack_keeps_the_old_session(make_session, clock):
    s = make_session(foreground_timeout=20, check_interval=15)
    s.get_session_context("e1")  # checks at 15, 30, 45
    clock.advance(25)  # past the timeout, before the check at 30
    assert s.get_session_context("e2").data["sessionIndex"] == 1
    clock.advance(19.5)  # the check at 30 saw 5 s idle
    assert s.session_index == 1
    clock.advance(0.5)  # the check at 45 sees 20 s idle
    assert s.session_index == 2


def test_background_expiry_stops_the_checker_so_the_background_adds_one_session(
    make_session, clock
):
    s = make_session(foreground_timeout=600, background_timeout=300, check_interval=15)
    s.start_checker()
    s.set_background(True)
    clock.advance(24 * 3600)
    assert s.session_index == 2
    assert not s.is_checking and s.next_check_at is None


def test_timeout_in_force_is_chosen_at_each_check_from_the_last_access(make_session, clock):
    s = make_session(foreground_timeout=600, background_timeout=300, check_interval=15)
    s.get_session_context("e1")
    clock.advance(290)
    s.set_background(True)  # the background timeout counts from the last event, not from now
    assert s.timeout_in_force == 300
    clock.advance(15)
    assert s.session_index == 2


def test_going_to_the_background_does_not_touch_the_checker(make_session):
    s = make_session()
    s.set_background(True)
    assert not s.is_checking
    s.set_background(False)
    assert s.is_checking


def test_foreground_restarts_a_stopped_checker_and_an_event_does_too(make_session):
    s = make_session()
    s.start_checker()
    s.stop_checker()
    assert not s.is_checking
    s.set_background(False)
    assert s.is_checking
    s.stop_checker()
    s.get_session_context("e")
    assert s.is_checking


def test_a_new_check_interval_takes_effect_at_the_next_rearm(make_session, clock):
    s = make_session(check_interval=15)
    s.start_checker()
    assert s.next_check_at == 15
    s.check_interval = 4
    assert s.next_check_at == 15
    clock.advance(15)
    assert s.next_check_at == 19


def test_start_and_stop_checker_are_idempotent(make_session, clock):
    s = make_session(check_interval=5)
    s.start_checker()
    s.start_checker()
    assert clock.pending == 1
    s.stop_checker()
    s.stop_checker()
    assert clock.pending == 0


def test_expected_new_session_matches_what_the_engine_does(make_session, clock):
    s = make_session(foreground_timeout=100, check_interval=15)
    assert s.expected_new_session_at() is None
    s.get_session_context("e")
    clock.advance(7)
    s.get_session_context("e2")  # deadline 107; checks at 15, 30, …, 105, 120
    expected = s.expected_new_session_at()
    assert expected == 120
    clock.advance(expected - clock.now() - 0.001)
    assert s.session_index == 1
    clock.advance(0.001)
    assert s.session_index == 2


def test_the_index_wraps_to_one_after_int32_max_with_a_warning(tmp_path, clock, caplog):
    from session.storage.format import encode

    path = tmp_path / "s.xml"
    path.write_bytes(
        encode(
            [
                ("userId", "0f8fad5b-d9cb-469f-a165-70867728950e"),
                ("sessionId", "7c9e6679-7425-40de-944b-e07fc1f90ae7"),
                ("previousSessionId", None),
                ("sessionIndex", 2_147_483_647),
                ("storageMechanism", "LOCAL_STORAGE"),
            ]
        )
    )
    with caplog.at_level(logging.WARNING, "session"), ClientSession(path, clock=clock) as s:
        assert s.session_index == 1
        assert s.previous_session_id == "7c9e6679-7425-40de-944b-e07fc1f90ae7"
    assert "2147483647" in caplog.text


# ------------------------------------------------------------------ observers


def test_observers_see_every_change_in_order(make_session, clock):
    seen = Recorder()
    s = make_session(
        foreground_timeout=10, background_timeout=5, check_interval=5, observers=[seen]
    )
    s.get_session_context("e1")
    s.set_background(True)
    clock.advance(5)
    kinds = [type(n) for n in seen.notes]
    assert kinds == [
        SessionStarted,
        CheckerChanged,
        EventTracked,
        BackgroundChanged,
        SessionStarted,
        CheckerChanged,
    ]
    start, armed, _, _, timeout, stopped = seen.notes
    assert start.reason is Reason.START and start.old is None and start.new.session_index == 1
    assert armed.running and armed.next_check == 5
    assert timeout.reason is Reason.TIMEOUT
    assert (timeout.old.session_index, timeout.new.session_index) == (1, 2)
    assert timeout.new.previous_session_id == timeout.old.session_id
    assert (timeout.last_access, timeout.timeout, timeout.at, timeout.background) == (0, 5, 5, True)
    assert not stopped.running


def test_the_start_notification_carries_the_saved_session(make_session):
    first = make_session()
    first.close()
    seen = Recorder()
    second = make_session(observers=[seen])
    (start,) = seen.of(SessionStarted)
    assert start.old is not None and start.old.session_id == first.current_session_id
    assert start.new == second.state


def test_a_failing_observer_is_logged_and_the_engine_goes_on(make_session, clock, caplog):
    def broken(note):
        raise RuntimeError("observer bug")

    seen = Recorder()
    s = make_session(foreground_timeout=5, check_interval=5)
    s.subscribe(broken)
    s.subscribe(seen)
    with caplog.at_level(logging.ERROR, "session"):
        s.get_session_context("e1")
        clock.advance(5)
    assert s.session_index == 2
    assert len(seen.of(SessionStarted)) == 1
    assert "observer bug" in caplog.text


def test_unsubscribe_stops_notifications(make_session, clock):
    seen = Recorder()
    s = make_session(foreground_timeout=5, check_interval=5)
    unsubscribe = s.subscribe(seen)
    s.get_session_context("e1")
    unsubscribe()
    clock.advance(20)
    s.get_session_context("e2")
    assert len(seen.notes) == 2  # the event and the checker starting
    assert s.session_index > 1


# ------------------------------------------------------------------ life cycle


def test_close_stops_the_checker_and_refuses_further_use(make_session, clock):
    s = make_session(check_interval=5)
    s.start_checker()
    s.close()
    s.close()
    assert s.closed and not s.is_checking and clock.pending == 0
    state = s.state
    for call in (
        lambda: s.get_session_context("e"),
        s.start_checker,
        s.stop_checker,
        lambda: s.set_background(True),
        lambda: setattr(s, "foreground_timeout", 60),
        lambda: setattr(s, "background_timeout", 60),
        lambda: setattr(s, "check_interval", 60),
        lambda: s.subscribe(print),
    ):
        with pytest.raises(SessionClosedError, match="closed"):
            call()
    # Reading still works, and nothing changed.
    assert s.state == state and s.foreground_timeout == 600 and s.session_index == 1
    assert s.settings.check_interval == 5


def test_every_setting_change_is_a_notification(make_session, clock):
    seen = Recorder()
    s = make_session(observers=[seen])
    clock.advance(2)
    s.foreground_timeout = 120
    s.foreground_timeout = 120  # no change, no notification
    s.background_timeout = 30.5
    s.check_interval = 5
    notes = seen.of(SettingsChanged)
    assert [(n.name, n.at) for n in notes] == [
        ("foreground_timeout", 2),
        ("background_timeout", 2),
        ("check_interval", 2),
    ]
    assert notes[0].settings == Settings(120, 300, 15)
    assert notes[-1].settings == s.settings == Settings(120, 30.5, 5)
    with pytest.raises(ValueError, match="foreground_timeout must be more than 0"):
        s.foreground_timeout = 0
    assert len(seen.of(SettingsChanged)) == 3 and s.foreground_timeout == 120


def test_an_event_notification_carries_its_context(make_session):
    seen = Recorder()
    s = make_session(observers=[seen])
    context = s.get_session_context("e1")
    (note,) = seen.of(EventTracked)
    assert note.context is context and note.context.data["firstEventId"] == "e1"


def test_context_manager_closes(save_path, clock):
    with ClientSession(save_path, clock=clock) as s:
        s.start_checker()
    assert s.closed and clock.pending == 0


def test_a_second_session_on_the_same_file_is_refused_until_the_first_closes(make_session):
    first = make_session()
    with pytest.raises(SaveFileBusyError, match="in use by another session"):
        make_session()
    first.close()
    second = make_session()
    assert second.session_index == 2


def test_bad_arguments_are_type_errors(make_session):
    s = make_session()
    with pytest.raises(TypeError, match="background"):
        s.set_background("yes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="event_id"):
        s.get_session_context(42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="policy"):
        ClientSession(s.save_path.with_name("x.xml"), policy="android")


def test_default_clock_and_scheduler_are_real(tmp_path):
    from session import SystemClock

    with ClientSession(tmp_path / "s.xml") as s:
        assert isinstance(s.clock, SystemClock)
        s.start_checker()
        assert s.is_checking
    assert not s.is_checking


def test_a_virtual_clock_is_its_own_scheduler(save_path):
    clock = VirtualClock()
    with ClientSession(save_path, clock=clock, check_interval=3) as s:
        s.start_checker()
        assert clock.next_due() == 3


def test_file_matches_memory_once_idle(make_session, save_path, clock):
    s = make_session(foreground_timeout=1, check_interval=1)
    s.start_checker()
    clock.advance(50)
    assert s.flush(timeout=5)
    saved = read_save_file(save_path).saved
    assert saved is not None and saved.usable
    assert (saved.session_id, saved.previous_session_id, saved.session_index) == (
        s.current_session_id,
        s.previous_session_id,
        s.session_index,
    )
    assert s.session_index == 51


def test_save_path_accepts_str_and_pathlike(tmp_path, clock):
    with ClientSession(str(tmp_path / "s.xml"), clock=clock) as s:
        assert s.save_path == Path(tmp_path / "s.xml")


def test_an_observer_of_some_kinds_only_gets_those(make_session, clock):
    seen = Recorder()
    s = make_session(foreground_timeout=5, check_interval=5)
    s.subscribe(seen, kinds=[SessionStarted])
    s.get_session_context("e1")
    s.get_session_context("e2")
    clock.advance(5)
    assert [type(n) for n in seen.notes] == [SessionStarted]
    with pytest.raises(TypeError, match="notification"):
        s.subscribe(seen, kinds=[int])


def test_events_stay_lock_free_unless_an_observer_wants_them(make_session):
    s = make_session()
    s.get_session_context("e1")  # the first event and the checker armed: now the fast path
    s.subscribe(Recorder(), kinds=[SessionStarted, CheckerChanged])
    assert s._core.live.fast is not None
    unsubscribe = s.subscribe(Recorder())
    assert s._core.live.fast is None
    unsubscribe()
    assert s._core.live.fast is not None
