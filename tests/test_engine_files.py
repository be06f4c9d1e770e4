"""The engine on bad save files and bad save paths: nothing is lost, nothing crashes."""

from __future__ import annotations

import logging
import os

import pytest
from conftest import DATA, SECOND, USER, Recorder

from session import StorageProblem, StorageRecovered, read_save_file

SAMPLE = (DATA / "dotnet-later-save.xml").read_bytes()
XSD = b"http://www.w3.org/2001/XMLSchema"


def corrupt_files(path):
    return sorted(path.parent.glob(path.name + ".corrupt-*"))


BAD = {
    "empty": (b"", None),
    "truncated after the user id": (SAMPLE[: SAMPLE.index(b"<Key>sessionId") + 5], USER),
    "index typed as string": (
        SAMPLE.replace(
            b'i:type="a:int" xmlns:a="' + XSD + b'">2<',
            b'i:type="a:string" xmlns:a="' + XSD + b'">2<',
        ),
        USER,
    ),
    "index out of range": (SAMPLE.replace(b">2</Value>", b">-5</Value>"), USER),
    "hostile dtd": (b'<!DOCTYPE x [<!ENTITY a "aaaa">]>' + SAMPLE, None),
    "binary junk": (bytes(range(256)) * 4, None),
}


@pytest.mark.parametrize("name", BAD)
def test_a_bad_file_is_moved_aside_and_intact_fields_are_kept(
    name, make_session, save_path, caplog, clock
):
    data, user = BAD[name]
    save_path.write_bytes(data)
    seen = Recorder()
    with caplog.at_level(logging.WARNING, "session"):
        s = make_session(observers=[seen])
        assert s.flush(timeout=5)
    assert str(save_path) in caplog.text
    (problem,) = seen.of(StorageProblem)
    assert str(save_path) in problem.message
    if user is not None:
        assert s.user_id == user
    else:
        assert "new user" in caplog.text
    (aside,) = corrupt_files(save_path)
    assert aside.read_bytes() == data
    assert aside.name.startswith("session.xml.corrupt-2027")  # the clock's wall time: UTC
    loaded = read_save_file(save_path)
    assert loaded.problem is None and loaded.saved.user_id == s.user_id
    s.close()
    again = make_session()
    assert again.user_id == s.user_id and again.session_index == s.session_index + 1


def test_a_repaired_index_goes_on_from_the_saved_value(make_session, save_path):
    save_path.write_bytes(BAD["index typed as string"][0])
    s = make_session()
    assert (s.session_index, s.previous_session_id) == (3, SECOND)


def test_an_unreadable_index_restarts_at_one_but_keeps_user_and_previous(make_session, save_path):
    save_path.write_bytes(BAD["index out of range"][0])
    s = make_session()
    assert (s.user_id, s.previous_session_id, s.session_index) == (USER, SECOND, 1)


def test_a_good_dotnet_file_is_used_as_it_stands(make_session, save_path):
    save_path.write_bytes(SAMPLE)
    seen = Recorder()
    s = make_session(observers=[seen])
    assert (s.user_id, s.previous_session_id, s.session_index) == (USER, SECOND, 3)
    assert not seen.of(StorageProblem) and not corrupt_files(save_path)


def test_a_folder_in_place_of_the_file_keeps_the_session_in_memory(
    make_session, save_path, clock, caplog
):
    save_path.mkdir()
    seen = Recorder()
    with caplog.at_level(logging.WARNING, "session"):
        s = make_session(observers=[seen], foreground_timeout=8, check_interval=5)
        assert s.flush(timeout=5)
    assert s.storage_problem and "folder" in s.storage_problem
    assert seen.of(StorageProblem)
    assert save_path.is_dir() and not corrupt_files(save_path)
    s.get_session_context("e1")
    clock.advance(10)
    assert s.session_index == 2  # tracking goes on
    save_path.rmdir()
    s.get_session_context("e2")
    clock.advance(5)  # the next check writes again
    assert s.flush(timeout=5)
    assert s.storage_problem is None and seen.of(StorageRecovered)
    assert read_save_file(save_path).saved.session_index == 2


def test_a_failed_write_leaves_the_old_file_intact(make_session, save_path, clock, monkeypatch):
    s = make_session(foreground_timeout=5, check_interval=5)
    assert s.flush(timeout=5)
    before = save_path.read_bytes()

    def full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    s.start_checker()
    clock.advance(5)
    assert s.flush(timeout=5)
    assert s.session_index == 2 and "No space left" in s.storage_problem
    assert save_path.read_bytes() == before
    assert [p.name for p in save_path.parent.iterdir()] == ["session.xml", "session.xml.lock"]
    monkeypatch.undo()
    clock.advance(5)
    assert s.flush(timeout=5)
    assert s.storage_problem is None
    assert read_save_file(save_path).saved.session_index == s.session_index


def test_the_writer_is_atomic_no_temp_files_remain(make_session, save_path, clock):
    s = make_session(foreground_timeout=1, check_interval=1)
    s.start_checker()
    clock.advance(20)
    assert s.flush(timeout=5)
    names = sorted(p.name for p in save_path.parent.iterdir())
    assert names == ["session.xml", "session.xml.lock"]
