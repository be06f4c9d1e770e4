"""Storage faults: disk full, permission denied, a folder in place of the file, the folder removed.

The engine keeps tracking in memory, reports the problem (observer, ``storage_problem``, log),
never leaves a partial file or damages the old one, and writes again once the path works. The
faults are real (a small tmpfs that fills up, a child without privileges, a folder made
read-only); only ENOSPC from fsync, which no file system here gives on demand, is injected.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from faults import fill, run_python, small_disk

from session import (
    ClientSession,
    NotASaveFileError,
    Notification,
    SaveFileBusyError,
    StorageProblem,
    StorageRecovered,
    VirtualClock,
    read_save_file,
)
from session.storage.format import encode
from session.storage.writer import WriteBehind


class Notes(list[Notification]):
    def __call__(self, note: Notification) -> None:
        self.append(note)

    def of(self, kind: type) -> list[Any]:
        return [n for n in self if isinstance(n, kind)]


@pytest.fixture
def run(tmp_path: Path) -> Iterator[Callable[..., tuple[ClientSession, VirtualClock, Notes]]]:
    made: list[ClientSession] = []

    def start(path: Path) -> tuple[ClientSession, VirtualClock, Notes]:
        clock = VirtualClock(wall_start=1_800_000_000.0)
        notes = Notes()
        s = ClientSession(
            path, foreground_timeout=10, check_interval=5, clock=clock, observers=[notes]
        )
        made.append(s)
        s.start_checker()
        assert s.flush(timeout=5)
        return s, clock, notes

    yield start
    for s in made:
        s.close()


def leftovers(folder: Path) -> list[str]:
    return sorted(
        p.name for p in folder.iterdir() if p.name.endswith(".tmp") or "corrupt" in p.name
    )


def on_disk_matches(s: ClientSession) -> bool:
    assert s.flush(timeout=5)
    saved = read_save_file(s.save_path).saved
    state = s.state
    return saved is not None and (
        saved.user_id,
        saved.session_id,
        saved.previous_session_id,
        saved.session_index,
    ) == (state.user_id, state.session_id, state.previous_session_id, state.session_index)


def expire(s: ClientSession, clock: VirtualClock) -> None:
    """Run checks until one starts a new session (idle past the 10 s timeout)."""
    index = s.session_index
    clock.advance(10)
    assert s.session_index == index + 1
    assert s.flush(timeout=5)


def recover(s: ClientSession, clock: VirtualClock, notes: Notes) -> None:
    """The next check, with no new session due, writes the state kept in memory."""
    index = s.session_index
    s.get_session_context("keep-alive")
    clock.advance(5)
    assert s.session_index == index  # no new session: the write is the retry at the check
    assert s.flush(timeout=5)
    assert s.storage_problem is None
    assert notes.of(StorageRecovered)
    assert on_disk_matches(s)


def test_disk_full_keeps_the_old_file_and_writes_again_later(
    run: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with small_disk() as disk:
        path = disk / "session.xml"
        s, clock, notes = run(path)
        before = path.read_bytes()
        filler = fill(disk)
        with caplog.at_level(logging.WARNING, "session"):
            expire(s, clock)
            expire(s, clock)  # tracking goes on in memory: index 3
        assert s.session_index == 3
        assert s.storage_problem and "No space left" in s.storage_problem.message
        problems = notes.of(StorageProblem)
        assert len(problems) == 1 and problems[0].path == path
        assert isinstance(problems[0].error, OSError) and problems[0].error.errno == errno.ENOSPC
        warnings = [r for r in caplog.records if "No space left" in r.getMessage()]
        assert len(warnings) == 1, "the same problem is logged once, not at every attempt"
        assert str(path) in warnings[0].getMessage()
        assert path.read_bytes() == before, "the old file must stay byte for byte"
        assert leftovers(disk) == [], "no partial temp file is left"
        filler.unlink()
        recover(s, clock, notes)
        assert read_save_file(path).saved.session_index == 3  # type: ignore[union-attr]
        s.close()


def test_disk_full_at_fsync_too(run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "session.xml"
    s, clock, notes = run(path)
    before = path.read_bytes()
    real = os.fsync
    failing = {"on": True}

    def fsync(fd: int) -> None:
        if failing["on"]:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    expire(s, clock)
    assert s.storage_problem and notes.of(StorageProblem)
    assert path.read_bytes() == before
    assert leftovers(tmp_path) == []
    failing["on"] = False
    recover(s, clock, notes)


PERMISSION_CHILD = r"""
import json, sys
from pathlib import Path
from session import ClientSession, StorageProblem, StorageRecovered, VirtualClock, read_save_file
folder = Path(sys.argv[1])
path = folder / "session.xml"
clock = VirtualClock(wall_start=1_800_000_000.0)
notes = []
s = ClientSession(
    path, foreground_timeout=10, check_interval=5, clock=clock, observers=[notes.append]
)
s.start_checker()
before = path.read_bytes()
folder.chmod(0o500)  # the folder can no longer be written: a real EACCES for this user
clock.advance(10)
result = {
    "index": s.session_index,
    "problem": s.storage_problem and s.storage_problem.message,
    "error": type([n for n in notes if isinstance(n, StorageProblem)][-1].error).__name__,
    "intact": path.read_bytes() == before,
    "temps": [p.name for p in folder.iterdir() if p.name.endswith(".tmp")],
}
folder.chmod(0o700)
s.get_session_context("keep-alive")
clock.advance(5)  # the next check, with no new session due, writes the state kept in memory
result["after"] = s.storage_problem and s.storage_problem.message
result["recovered"] = any(isinstance(n, StorageRecovered) for n in notes)
result["on_disk"] = read_save_file(path).saved.session_index
s.close()
print(json.dumps(result))
"""


def test_permission_denied(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    result = run_python(PERMISSION_CHILD, str(folder), unprivileged=True)
    assert result["index"] == 2
    assert result["problem"] and "Permission denied" in result["problem"]
    assert result["error"] == "PermissionError"
    assert result["intact"] and result["temps"] == []
    assert result["after"] is None and result["recovered"] and result["on_disk"] == 2


def test_a_folder_in_place_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "session.xml"
    path.mkdir()
    (path / "keep.txt").write_text("not ours")
    with pytest.raises(NotASaveFileError, match="is a folder"):
        ClientSession(path, clock=VirtualClock())
    assert path.is_dir() and (path / "keep.txt").read_text() == "not ours"
    assert leftovers(tmp_path) == [] and sorted(p.name for p in tmp_path.iterdir()) == [
        "session.xml"
    ]


def test_a_folder_appearing_in_place_of_the_file_while_running(run: Any, tmp_path: Path) -> None:
    path = tmp_path / "session.xml"
    s, clock, notes = run(path)
    path.unlink()
    path.mkdir()
    expire(s, clock)
    assert s.storage_problem and notes.of(StorageProblem)
    assert path.is_dir()
    path.rmdir()
    recover(s, clock, notes)


def test_the_folder_removed_while_running(run: Any, tmp_path: Path) -> None:
    folder = tmp_path / "data"
    path = folder / "session.xml"
    s, clock, notes = run(path)
    shutil.rmtree(folder)
    expire(s, clock)  # the next write makes the folder again
    assert s.storage_problem is None and not notes.of(StorageProblem)
    assert on_disk_matches(s)
    # The lock went with the folder; the session took it again before writing, so a second
    # session still cannot share the file.
    with pytest.raises(SaveFileBusyError):
        ClientSession(path, clock=VirtualClock())


def test_the_folder_removed_and_taken_by_another_session(run: Any, tmp_path: Path) -> None:
    folder = tmp_path / "data"
    path = folder / "session.xml"
    s, clock, _ = run(path)
    shutil.rmtree(folder)
    with ClientSession(path, clock=VirtualClock()) as other:  # it got in while the folder was gone
        theirs = other.state
        assert other.flush(timeout=5)
        expire(s, clock)
        assert s.storage_problem and "another session" in s.storage_problem.message
        saved = read_save_file(path).saved
        assert saved is not None and saved.session_id == theirs.session_id  # not overwritten
    # Once the other one closed, this one takes the lock again, but the file is not the one it
    # read: it never writes over it.
    expire(s, clock)
    assert s.storage_problem and "changed by another program" in s.storage_problem.message
    saved = read_save_file(path).saved
    assert saved is not None and saved.session_id == theirs.session_id


def test_a_damaged_file_whose_replacement_fails_is_still_there() -> None:
    """The damaged file is kept (as .corrupt-*) and stays at its path until a write works, so
    a crash in between still finds the user id at the next start."""
    user = "0f8fad5b-d9cb-469f-a165-70867728950e"
    damaged = encode([("userId", user), ("sessionId", "x"), ("sessionIndex", 7)])
    with small_disk() as disk:
        path = disk / "session.xml"
        path.write_bytes(damaged)
        (disk / "session.xml.lock").touch()
        filler = fill(disk, leave_pages=1)  # room for the copy set aside, not for the new file
        clock = VirtualClock(wall_start=1_800_000_000.0)
        with ClientSession(path, clock=clock) as s:
            assert s.flush(timeout=5) and s.storage_problem
            assert "No space left" in s.storage_problem.message
            assert path.read_bytes() == damaged
            aside = sorted(disk.glob("session.xml.corrupt-*"))
            assert [p.name for p in aside] == ["session.xml.corrupt-20270115T080000Z"]
            assert aside[0].read_bytes() == damaged
            assert os.stat(aside[0]).st_ino != os.stat(path).st_ino  # a copy, not a link
        # closed (or killed) while the disk is still full: the file is still the damaged one
        assert path.read_bytes() == damaged
        filler.unlink()
        with ClientSession(path, clock=VirtualClock(wall_start=1_800_000_000.0)) as again:
            assert again.user_id == user
            assert again.session_index == 8
            assert again.flush(timeout=5) and again.storage_problem is None
        assert read_save_file(path).saved.session_index == 8  # type: ignore[union-attr]
        # The same damage is not kept twice.
        assert len(list(disk.glob("session.xml.corrupt-*"))) == 1


def test_a_failing_report_does_not_stop_the_writer(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    written: list[bytes] = []

    def report(number: int, error: BaseException | None) -> None:
        raise RuntimeError("the reporter is broken")

    writer = WriteBehind(written.append, report)
    with caplog.at_level(logging.ERROR, "session"):
        writer.submit(b"one")
        assert writer.flush(timeout=5)
        writer.submit(b"two")
        assert writer.flush(timeout=5), "the writer thread died"
    assert written == [b"one", b"two"]
    assert "reporting a save result failed" in caplog.text
    assert writer.close(timeout=5)
