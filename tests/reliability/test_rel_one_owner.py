"""One owner: a session that does not hold the lock never writes; it says so and tries again.

A lock that cannot be taken (a read-only file system, a lock file another user owns, a symlink
at the lock path) is reported as exactly that. The lock belongs to the resolved file, so one
file under two names has one owner, and locking never follows a symlink nor truncates anything.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from faults import NOBODY, make_writable, read_only_view, run_python

from session import (
    ClientSession,
    SaveFileBusyError,
    StorageProblem,
    VirtualClock,
    read_save_file,
)


def test_started_on_a_read_only_mount_it_never_writes_over_the_owner(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    with read_only_view(folder) as view:
        notes: list[object] = []
        clock = VirtualClock()
        late = ClientSession(
            view / "session.xml", foreground_timeout=10, check_interval=5, clock=clock,
            observers=[notes.append],
        )  # fmt: skip
        assert late.session_index == 1
        problem = late.storage_problem and late.storage_problem.message
        assert problem and "read-only" in problem and "does not write" in problem
        assert [n for n in notes if isinstance(n, StorageProblem)]
        # The owner starts on the writable path and goes on to session 7.
        owner_clock = VirtualClock()
        owner = ClientSession(
            folder / "session.xml", foreground_timeout=10, check_interval=5, clock=owner_clock
        )
        owner.start_checker()
        owner_clock.advance(60)
        assert owner.session_index == 7
        make_writable(view)  # the late one could write now, but the owner holds the lock
        late.start_checker()
        clock.advance(10)
        assert read_save_file(folder / "session.xml").saved.session_index == 7  # type: ignore[union-attr]
        owner.close()
        clock.advance(10)  # the lock is free, but the file is not the one it read
        assert late.storage_problem and "changed by another program" in late.storage_problem.message
        assert read_save_file(folder / "session.xml").saved.session_index == 7  # type: ignore[union-attr]
        late.close()
        assert read_save_file(folder / "session.xml").saved.session_index == 7  # type: ignore[union-attr]


def test_without_the_lock_it_writes_once_it_can_take_it_if_the_file_is_as_it_read_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "session.xml"
    target = tmp_path / "elsewhere"
    target.write_text("keep me")
    (tmp_path / "session.xml.lock").symlink_to(target)  # planted at the lock path
    clock = VirtualClock()
    with ClientSession(path, foreground_timeout=10, check_interval=5, clock=clock) as s:
        assert s.storage_problem and "symbolic link" in s.storage_problem.message
        assert not path.exists()  # never written without the lock
        assert target.read_text() == "keep me"  # the lock never truncates what a link points at
        s.start_checker()
        clock.advance(10)
        assert not path.exists() and s.session_index == 2
        (tmp_path / "session.xml.lock").unlink()
        clock.advance(5)  # the next check takes the lock and writes what it holds
        assert s.storage_problem is None
        assert read_save_file(path).saved.session_index == 2  # type: ignore[union-attr]


def test_one_file_under_two_names_has_one_owner(tmp_path: Path) -> None:
    real = tmp_path / "real" / "session.xml"
    real.parent.mkdir()
    link = tmp_path / "link.xml"
    link.symlink_to(real)
    with ClientSession(real, clock=VirtualClock()), pytest.raises(SaveFileBusyError):
        ClientSession(link, clock=VirtualClock())
    with ClientSession(link, clock=VirtualClock()):
        with pytest.raises(SaveFileBusyError):
            ClientSession(real, clock=VirtualClock())
        folder_link = tmp_path / "folder-link"
        folder_link.symlink_to(real.parent)
        with pytest.raises(SaveFileBusyError):
            ClientSession(folder_link / "session.xml", clock=VirtualClock())


LOCKED_OUT_CHILD = r"""
import json, sys
from session import ClientSession, VirtualClock
clock = VirtualClock()
with ClientSession(sys.argv[1], foreground_timeout=10, check_interval=5, clock=clock) as s:
    s.start_checker()
    clock.advance(20)
    problem = s.storage_problem and s.storage_problem.message
    print(json.dumps({"problem": problem, "index": s.session_index}))
"""


def test_a_lock_file_another_user_owns_is_reported_and_nothing_is_written(tmp_path: Path) -> None:
    path = tmp_path / "session.xml"
    with ClientSession(path, clock=VirtualClock()) as first:
        user = first.user_id
    before = path.read_bytes()
    lock = tmp_path / "session.xml.lock"
    os.chown(lock, NOBODY, NOBODY)
    lock.chmod(0o600)
    tmp_path.chmod(0o777)
    result = run_python(LOCKED_OUT_CHILD, str(path), unprivileged=True)
    assert result["index"] == 4  # a new session at the start, two more by timeout
    assert result["problem"] and "another user owns" in result["problem"]
    assert path.read_bytes() == before
    assert read_save_file(path).saved.user_id == user  # type: ignore[union-attr]
