"""The engine on bad save files and bad save paths: nothing is lost, nothing crashes."""

from __future__ import annotations

import logging
import os

import pytest
from conftest import DATA, SECOND, USER, Recorder

from session import NotASaveFileError, StorageProblem, read_save_file

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
    "only NUL bytes, as a crash can leave": (b"\x00" * 4096, None),
    "cut short before the root was complete": (SAMPLE[:12], None),
}

FOREIGN = {
    "binary junk": bytes(range(256)) * 4,
    "a text file": b"root:x:0:0:root:/root:/bin/bash\n",
    "another XML document": b'<?xml version="1.0"?><settings><theme>dark</theme></settings>',
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


@pytest.mark.parametrize("name", FOREIGN)
def test_a_file_that_is_not_a_save_file_is_never_taken_over(name, make_session, save_path):
    save_path.write_bytes(FOREIGN[name])
    save_path.chmod(0o640)
    before = os.stat(save_path)
    with pytest.raises(NotASaveFileError, match="does not look like a save file") as refused:
        make_session()
    assert refused.value.path == save_path
    assert str(save_path) in str(refused.value) and "never written over" in str(refused.value)
    after = os.stat(save_path)
    assert save_path.read_bytes() == FOREIGN[name]
    assert (after.st_ino, after.st_mtime_ns, after.st_mode) == (
        before.st_ino,
        before.st_mtime_ns,
        before.st_mode,
    )
    assert sorted(p.name for p in save_path.parent.iterdir()) == ["session.xml"]  # no lock made


def test_a_folder_in_place_of_the_file_is_refused_and_left_alone(make_session, save_path):
    save_path.mkdir()
    (save_path / "inside.txt").write_text("mine")
    with pytest.raises(NotASaveFileError, match="is a folder, not a save file"):
        make_session()
    assert save_path.is_dir() and (save_path / "inside.txt").read_text() == "mine"
    assert sorted(p.name for p in save_path.parent.iterdir()) == ["session.xml"]


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
    assert s.session_index == 2 and "No space left" in s.storage_problem.message
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


@pytest.mark.parametrize(
    "user",
    [
        "0F8FAD5B-D9CB-469F-A165-70867728950E",
        "jane.doe@example.com",
        "device-42",
        " spaced \t<&> ünïcode 😀 ",
    ],
)
def test_any_user_id_a_dotnet_reader_keeps_is_kept(user, make_session, save_path, caplog):
    save_path.write_bytes(
        SAMPLE.replace(
            USER.encode(),
            user.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode(),
        )
    )
    with caplog.at_level(logging.WARNING, "session"):
        s = make_session()
    assert (s.user_id, s.session_index) == (user, 3)
    assert not corrupt_files(save_path)
    (warning,) = [r.getMessage() for r in caplog.records if "user id" in r.getMessage()]
    assert "kept" in warning and "schema" in warning
    assert read_save_file(save_path).saved.user_id == user


def test_a_huge_user_id_is_kept_and_quoted_short(make_session, save_path, caplog):
    user = "u" * 1_000_000
    save_path.write_bytes(SAMPLE.replace(USER.encode(), user.encode()))
    with caplog.at_level(logging.WARNING, "session"):
        s = make_session()
    assert s.user_id == user
    assert all(len(r.getMessage()) < 600 for r in caplog.records), "a warning quotes ~80 chars"
    assert any("1,000,000 characters" in r.getMessage() for r in caplog.records)
    assert read_save_file(save_path).saved.user_id == user


def test_an_empty_user_id_is_damage(make_session, save_path):
    save_path.write_bytes(SAMPLE.replace(USER.encode(), b""))
    s = make_session()
    assert s.user_id != "" and corrupt_files(save_path)
