"""The mobile policy across restarts, its save file, and its thread safety."""

from __future__ import annotations

import logging
import re
import shutil
import threading
import uuid

import pytest
from conftest import DATA, Recorder
from mobile_helpers import check_chain, check_context, event

from session import (
    ClientSession,
    Reason,
    SessionStarted,
    VirtualClock,
    read_save_file,
)
from session.policy.mobile import MOBILE_KEYS
from session.storage.decode import decode
from session.storage.format import SESSION_KEYS


@pytest.fixture
def mobile(save_path, ids):
    """Open mobile sessions one after another on the same file, each on its own clock."""
    made: list[ClientSession] = []

    def make(clock: VirtualClock, **options: object) -> ClientSession:
        options.setdefault("policy", "mobile")
        options.setdefault("foreground_timeout", 600)
        options.setdefault("background_timeout", 300)
        options.setdefault("id_factory", ids)
        for old in made:
            old.close()
        session = ClientSession(save_path, clock=clock, **options)  # type: ignore[arg-type]
        made.append(session)
        return session

    yield make
    for session in made:
        session.close()


def reboot(wall: float) -> VirtualClock:
    """A new process after a reboot: elapsed time starts again, the wall clock goes on."""
    return VirtualClock(start=0.0, wall_start=wall)


WALL = 1_800_000_000.0


def test_by_default_every_start_is_a_new_session(mobile):
    first = mobile(VirtualClock(wall_start=WALL))
    data = event(first)
    second = mobile(reboot(WALL + 1))
    assert second.session_index == 2
    assert second.previous_session_id == data["sessionId"]
    assert second.user_id == data["userId"]
    assert event(second)["eventIndex"] == 1


def test_a_restart_within_the_timeout_resumes_the_session(mobile):
    clock = VirtualClock(wall_start=WALL)
    first = mobile(clock, continue_session_on_restart=True)
    event(first)
    clock.advance(10)
    last = event(first)
    notes = Recorder()
    second = mobile(reboot(WALL + 10 + 599), continue_session_on_restart=True, observers=[notes])
    assert second.current_session_id == last["sessionId"]
    assert second.state.event_index == 2
    (started,) = notes.of(SessionStarted)
    assert started.reason is Reason.RESUMED and started.old == started.new == second.state
    data = event(second)
    assert data["sessionId"] == last["sessionId"] and data["eventIndex"] == 3
    assert (data["firstEventId"], data["firstEventTimestamp"]) == (
        last["firstEventId"],
        last["firstEventTimestamp"],
    )
    assert second.session_index == 1


def test_a_restart_after_the_timeout_starts_a_session_at_the_next_event_only(mobile):
    first = mobile(VirtualClock(wall_start=WALL), continue_session_on_restart=True)
    old = event(first)
    clock = reboot(WALL + 601)
    second = mobile(clock, continue_session_on_restart=True)
    notes = Recorder()
    second.subscribe(notes)
    assert second.current_session_id == old["sessionId"]  # decided at the next event
    clock.advance(3600)
    data = event(second)
    assert data["sessionIndex"] == 2 and data["previousSessionId"] == old["sessionId"]
    assert data["eventIndex"] == 1
    (started,) = notes.of(SessionStarted)
    assert started.reason is Reason.TIMEOUT
    assert started.last_access == -601.0  # the wall-clock gap, placed on the new clock


def test_the_gap_before_and_after_a_restart_adds_up(mobile):
    first = mobile(VirtualClock(wall_start=WALL), continue_session_on_restart=True)
    old = event(first)
    clock = reboot(WALL + 400)
    second = mobile(clock, continue_session_on_restart=True)
    clock.advance(199)
    assert event(second)["sessionId"] == old["sessionId"]  # 599 s idle in all
    clock.advance(601)
    assert event(second)["sessionIndex"] == 2


def test_a_wall_clock_that_went_backwards_ends_the_session_at_the_next_event(mobile):
    first = mobile(VirtualClock(wall_start=WALL), continue_session_on_restart=True)
    old = event(first)
    second = mobile(reboot(WALL - 3600), continue_session_on_restart=True)
    notes = Recorder()
    second.subscribe(notes)
    assert second.current_session_id == old["sessionId"]
    data = event(second)
    assert data["sessionIndex"] == 2 and data["eventIndex"] == 1
    assert notes.of(SessionStarted)[0].reason is Reason.CLOCK_BACKWARDS


@pytest.mark.parametrize(
    "first_id", ["evt-1", "42", "screen_view:home#7", "  spaced <&> \u00e9v\u00e9nement  "]
)
def test_a_session_whose_first_event_id_is_not_a_uuid_is_not_resumed(mobile, first_id, caplog):
    # The engine takes any string as an event id and saves it, but a restart resumes only what
    # validates: 1-0-2 gives firstEventId the format uuid, so this starts a new session, with a
    # warning that names the key.
    clock = VirtualClock(wall_start=WALL)
    first = mobile(clock, continue_session_on_restart=True)
    data = first.get_session_context(first_id).to_dict()["data"]
    assert data["firstEventId"] == first_id
    notes = Recorder()
    with caplog.at_level(logging.WARNING, logger="session"):
        second = mobile(reboot(WALL + 30), continue_session_on_restart=True, observers=[notes])
    (started,) = notes.of(SessionStarted)
    assert started.reason is Reason.START
    assert second.user_id == data["userId"] and second.session_index == 2
    assert second.previous_session_id == data["sessionId"]
    (warning,) = [r.getMessage() for r in caplog.records if "firstEventId" in r.getMessage()]
    assert "starting a new session" in warning and len(warning) < 400
    again = second.get_session_context(str(uuid.uuid4())).to_dict()["data"]
    assert again["eventIndex"] == 1 and again["sessionId"] != data["sessionId"]


def test_an_empty_first_event_id_is_not_resumed(mobile, save_path, caplog):
    first = mobile(VirtualClock(wall_start=WALL), continue_session_on_restart=True)
    first.get_session_context("")
    with caplog.at_level(logging.WARNING, logger="session"):
        second = mobile(reboot(WALL + 30), continue_session_on_restart=True)
    assert second.session_index == 2
    assert any(
        "firstEventId" in r.getMessage() and "starting a new session" in r.getMessage()
        for r in caplog.records
    )


def test_the_file_keeps_the_five_dotnet_keys_first_and_matches_memory(mobile, save_path):
    clock = VirtualClock(wall_start=WALL)
    s = mobile(clock, continue_session_on_restart=True)
    for _ in range(7):
        clock.advance(2.5)
        event(s)
    assert s.flush(timeout=5)
    entries = decode(save_path.read_bytes()).entries
    assert tuple(entries) == SESSION_KEYS + MOBILE_KEYS
    state = s.state
    assert {key: item.value for key, item in entries.items()} == {
        "userId": state.user_id,
        "sessionId": state.session_id,
        "previousSessionId": None,
        "sessionIndex": 1,
        "storageMechanism": "LOCAL_STORAGE",
        "firstEventId": state.first_event_id,
        "firstEventTimestamp": "2027-01-15T08:00:02.500Z",
        "eventIndex": 7,
        "lastAccessTime": WALL + 17.5,
    }
    assert entries["eventIndex"].type == "int" and entries["lastAccessTime"].type == "double"
    loaded = read_save_file(save_path)
    assert loaded.problem is None and loaded.saved is not None and loaded.saved.usable


def test_without_resume_the_file_is_the_dotnet_one(mobile, save_path, make_session, tmp_path):
    s = mobile(VirtualClock(wall_start=WALL))
    event(s)
    assert s.flush(timeout=5)
    assert tuple(decode(save_path.read_bytes()).entries) == SESSION_KEYS


def test_paused_events_do_not_move_the_saved_last_access(mobile, save_path):
    clock = VirtualClock(wall_start=WALL)
    s = mobile(clock, continue_session_on_restart=True)
    event(s)
    s.pause()
    clock.advance(1000)
    event(s)
    assert s.flush(timeout=5)
    entries = decode(save_path.read_bytes()).entries
    assert (entries["eventIndex"].value, entries["lastAccessTime"].value) == (2, WALL)


def test_a_dotnet_file_is_not_resumed(mobile, save_path):
    shutil.copy(DATA / "dotnet-later-save.xml", save_path)
    saved = read_save_file(save_path).saved
    assert saved is not None
    s = mobile(VirtualClock(wall_start=WALL), continue_session_on_restart=True)
    assert s.user_id == saved.user_id
    assert s.session_index == saved.session_index + 1  # type: ignore[operator]
    assert s.previous_session_id == saved.session_id


def test_mistyped_mobile_fields_start_a_new_session_and_keep_the_user(mobile, save_path, caplog):
    first = mobile(VirtualClock(wall_start=WALL), continue_session_on_restart=True)
    old = event(first)
    first.close()
    text = save_path.read_text(encoding="utf-8")
    bad = text.replace(
        '<Key>eventIndex</Key><Value i:type="a:int"',
        '<Key>eventIndex</Key><Value i:type="a:string"',
    )
    assert bad != text
    save_path.write_text(bad, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="session"):
        second = mobile(reboot(WALL + 1), continue_session_on_restart=True)
    assert second.user_id == old["userId"]
    assert second.session_index == 2 and second.previous_session_id == old["sessionId"]
    assert any(
        "eventIndex" in r.getMessage() and "starting a new session" in r.getMessage()
        for r in caplog.records
    )


def test_threads_keep_indexes_counts_and_file_consistent(mobile, save_path):
    clock = VirtualClock(wall_start=WALL)
    s = mobile(clock, continue_session_on_restart=True)
    notes = Recorder()
    s.subscribe(notes)
    seen: list[list[dict[str, object]]] = [[] for _ in range(4)]
    go = threading.Barrier(6)

    def tracker(n: int) -> None:
        go.wait()
        for _ in range(300):
            seen[n].append(event(s))

    def controller() -> None:
        go.wait()
        for i in range(150):
            (s.start_new_session, s.pause, s.resume)[i % 3]()
            s.set_background(i % 2 == 0)

    def mover() -> None:
        go.wait()
        for _ in range(150):
            clock.advance(97)

    threads = [threading.Thread(target=tracker, args=(n,)) for n in range(4)]
    threads += [threading.Thread(target=controller), threading.Thread(target=mover)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not any(thread.is_alive() for thread in threads)
    check_chain(notes.of(SessionStarted))
    by_session: dict[object, list[object]] = {}
    for data in (d for per_thread in seen for d in per_thread):
        by_session.setdefault(data["sessionId"], []).append(data["eventIndex"])
    for indexes in by_session.values():  # each event of a session got its own index
        assert sorted(indexes) == list(range(1, len(indexes) + 1))
    assert len(by_session) == s.session_index
    assert s.flush(timeout=5)
    entries = decode(save_path.read_bytes()).entries
    assert entries["sessionId"].value == s.current_session_id
    assert entries["eventIndex"].value == s.state.event_index
    assert entries["sessionIndex"].value == s.session_index


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("firstEventTimestamp", '<Value i:type="a:string" {XSD}>yesterday-ish</Value>'),
        ("firstEventTimestamp", '<Value i:type="a:string" {XSD}>2027-13-45T99:00:00.000Z</Value>'),
        ("firstEventId", '<Value i:type="a:string" {XSD}>a\tb</Value>'),
        ("lastAccessTime", '<Value i:type="a:double" {XSD}>-1</Value>'),
        ("lastAccessTime", '<Value i:type="a:double" {XSD}>NaN</Value>'),
        ("eventIndex", '<Value i:type="a:int" {XSD}>-3</Value>'),
    ],
)
def test_only_what_validates_is_resumed(mobile, save_path, caplog, key, value):
    """Every saved field is checked before a restart goes on with it; anything else is a new
    session, with a warning that names the key, and never a context that fails 1-0-2."""
    first = mobile(VirtualClock(wall_start=WALL), continue_session_on_restart=True)
    data = event(first)
    first.close()
    text = save_path.read_text(encoding="utf-8")
    entry = re.compile(rf"(<Key>{key}</Key>)<Value[^>]*?(?:/>|>[^<]*</Value>)")
    assert entry.search(text), key
    xsd = 'xmlns:a="http://www.w3.org/2001/XMLSchema"'
    changed = entry.sub(lambda m: m.group(1) + value.replace("{XSD}", xsd), text, count=1)
    save_path.write_text(changed, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="session"):
        second = mobile(reboot(WALL + 30), continue_session_on_restart=True)
    assert second.user_id == data["userId"]
    assert second.current_session_id != data["sessionId"]
    warnings = [r.getMessage() for r in caplog.records]
    assert any(key in w and "starting a new session" in w for w in warnings), warnings
    check_context(second.get_session_context(str(uuid.uuid4())))  # what it hands out validates
