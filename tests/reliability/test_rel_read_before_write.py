"""Read before write: a file the engine could not read, or that is not a save file, is never
written over; a damaged one is set aside as a copy of the very bytes judged, ten at most.

The faults are real where this machine gives them: EMFILE under a low RLIMIT_NOFILE, EACCES in
a child without privileges, device nodes, FIFOs and sockets. EIO and ENOMEM, which no file here
gives on demand, are injected.
"""

from __future__ import annotations

import errno
import os
import socket
import stat
from pathlib import Path

import pytest
from faults import need_root, run_python

from session import (
    ClientSession,
    NotASaveFileError,
    SaveFileUnreadableError,
    VirtualClock,
    read_save_file,
)
from session.storage.file import KEEP_SET_ASIDE
from session.storage.format import encode

USER = "0f8fad5b-d9cb-469f-a165-70867728950e"
SESSION = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
GOOD = encode(
    [
        ("userId", USER),
        ("sessionId", SESSION),
        ("previousSessionId", None),
        ("sessionIndex", 7),
        ("storageMechanism", "LOCAL_STORAGE"),
    ]
)
WALL = 1_800_000_000.0


def snapshot(path: Path) -> tuple[bytes, int, int, int]:
    info = os.lstat(path)
    return path.read_bytes(), info.st_ino, info.st_mtime_ns, info.st_mode


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# ------------------------------------------------------------------ a read error is not damage

EMFILE_CHILD = r"""
import json, os, sys
from session import ClientSession, SaveFileUnreadableError
path = sys.argv[1]
held = []
try:
    while True:  # use up every descriptor the limit allows
        held.append(os.open(os.devnull, os.O_RDONLY))
except OSError as error:
    exhausted = error.errno
os.close(held.pop())  # one left: enough for the lock, not for the save file too
try:
    ClientSession(path)
    result = {"raised": None}
except SaveFileUnreadableError as error:
    result = {"raised": type(error).__name__, "message": str(error)}
for fd in held:
    os.close(fd)
result["exhausted"] = exhausted
print(json.dumps(result))
"""


def test_too_many_open_files_at_start_is_not_damage(tmp_path: Path) -> None:
    path = tmp_path / "session.xml"
    path.write_bytes(GOOD)
    before = snapshot(path)
    result = run_python(EMFILE_CHILD, str(path), nofile=64)
    assert result["exhausted"] == errno.EMFILE
    assert result["raised"] == "SaveFileUnreadableError"
    assert "Too many open files" in result["message"] and str(path) in result["message"]
    assert "nothing was written" in result["message"]
    assert snapshot(path) == before
    with ClientSession(path, clock=VirtualClock()) as later:  # the user id survived
        assert (later.user_id, later.session_index) == (USER, 8)


PERMISSION_CHILD = r"""
import json, sys
from session import ClientSession, SaveFileUnreadableError
try:
    ClientSession(sys.argv[1])
    print(json.dumps({"raised": None}))
except SaveFileUnreadableError as error:
    print(json.dumps({"raised": type(error).__name__, "message": str(error)}))
"""


def test_permission_denied_at_start_is_not_damage(tmp_path: Path) -> None:
    path = tmp_path / "session.xml"
    path.write_bytes(GOOD)
    path.chmod(0)  # unreadable for a user without privileges, as for any user but root
    before = snapshot(path)
    result = run_python(PERMISSION_CHILD, str(path), unprivileged=True)
    assert result["raised"] == "SaveFileUnreadableError"
    assert "Permission denied" in result["message"]
    assert snapshot(path) == before
    path.chmod(0o644)
    with ClientSession(path, clock=VirtualClock()) as later:
        assert later.user_id == USER


@pytest.mark.parametrize("code", [errno.EIO, errno.ENOMEM, errno.ENFILE])
def test_other_read_errors_are_not_damage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    path = tmp_path / "session.xml"
    path.write_bytes(GOOD)
    before = snapshot(path)
    real = os.read

    def failing(fd: int, size: int) -> bytes:
        if os.fstat(fd).st_ino == before[1]:
            raise OSError(code, os.strerror(code))
        return real(fd, size)

    monkeypatch.setattr(os, "read", failing)
    with pytest.raises(SaveFileUnreadableError, match=os.strerror(code)):
        ClientSession(path, clock=VirtualClock())
    monkeypatch.undo()
    assert snapshot(path) == before
    assert not list(tmp_path.glob("*.corrupt-*"))


# ------------------------------------------------------------------ not a save file


def _device(path: Path) -> None:
    need_root("a device node")
    os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # what /dev/null is


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _socket(path: Path) -> None:
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    _SOCKETS.append(server)


_SOCKETS: list[socket.socket] = []


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (_device, "a character device"),
        (_fifo, "a FIFO"),
        (_socket, "a socket"),
        (lambda p: p.mkdir(), "a folder"),
    ],
    ids=["device", "fifo", "socket", "folder"],
)
def test_what_is_not_a_regular_file_is_refused(tmp_path: Path, make, kind: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "session.xml"
    make(path)
    try:
        check_refused(path, kind)
    finally:
        while _SOCKETS:
            _SOCKETS.pop().close()


def check_refused(path: Path, kind: str) -> None:
    tmp_path = path.parent
    before = os.lstat(path)
    with pytest.raises(NotASaveFileError) as refused:
        ClientSession(path, clock=VirtualClock())
    assert kind in str(refused.value) and str(path) in str(refused.value)
    after = os.lstat(path)
    assert (after.st_mode, after.st_ino, after.st_rdev) == (
        before.st_mode,
        before.st_ino,
        before.st_rdev,
    )
    assert names(tmp_path) == ["session.xml"]  # no lock file, no copy, no temp file


def test_a_system_file_is_refused_by_the_engine_and_by_simulate(tmp_path: Path) -> None:
    passwd = tmp_path / "passwd"
    passwd.write_bytes(Path("/etc/passwd").read_bytes())
    before = snapshot(passwd)
    with pytest.raises(NotASaveFileError, match="does not look like a save file"):
        ClientSession(passwd, clock=VirtualClock())
    import subprocess
    import sys

    scenario = tmp_path / "s.toml"
    scenario.write_text('[[step]]\nat = 1\ndo = "event"\n')
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "session.cli",
            "simulate",
            str(scenario),
            "--save-path",
            str(passwd),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.count("\n") == 1 and "does not look like a save file" in done.stderr
    assert snapshot(passwd) == before
    assert names(tmp_path) == ["passwd", "s.toml"]


# ------------------------------------------------------------------ set aside, as judged


def test_the_copy_set_aside_is_a_file_of_its_own_and_never_changes(tmp_path: Path) -> None:
    path = tmp_path / "session.xml"
    damaged = GOOD.replace(b">7<", b">x<")
    path.write_bytes(damaged)
    with ClientSession(path, clock=VirtualClock(wall_start=WALL)):
        (aside,) = tmp_path.glob("session.xml.corrupt-*")
        assert os.stat(aside).st_ino != os.stat(path).st_ino
        assert aside.read_bytes() == damaged
    path.write_bytes(b"written in place by another program")  # the live file changes again
    assert aside.read_bytes() == damaged


def test_at_most_ten_copies_the_oldest_dropped_and_none_twice(tmp_path: Path) -> None:
    path = tmp_path / "session.xml"
    clock = VirtualClock(wall_start=WALL)
    for n in range(KEEP_SET_ASIDE + 5):  # damaged differently at every start
        path.write_bytes(GOOD.replace(b">7<", f">bad{n}<".encode()))
        clock.advance(3600)
        with ClientSession(path, clock=clock):
            pass
    kept = sorted(tmp_path.glob("session.xml.corrupt-*"))
    assert len(kept) == KEEP_SET_ASIDE
    contents = {p.read_bytes() for p in kept}
    assert contents == {
        GOOD.replace(b">7<", f">bad{n}<".encode()) for n in range(5, KEEP_SET_ASIDE + 5)
    }
    for _ in range(3):  # the same damage again and again: kept once
        path.write_bytes(GOOD.replace(b">7<", b">bad14<"))
        with ClientSession(path, clock=clock):
            pass
    assert len(list(tmp_path.glob("session.xml.corrupt-*"))) == KEEP_SET_ASIDE


def test_a_file_changed_after_it_was_read_is_not_written_over(tmp_path: Path) -> None:
    path = tmp_path / "session.xml"
    clock = VirtualClock(wall_start=WALL)
    with ClientSession(path, foreground_timeout=10, check_interval=5, clock=clock) as s:
        s.start_checker()
        path.write_bytes(GOOD)  # another program writes the file in place meanwhile
        clock.advance(10)  # a new session: its write must not replace what it did not read
        assert s.session_index == 2
        assert s.storage_problem and "changed by another program" in s.storage_problem.message
        assert path.read_bytes() == GOOD
    assert read_save_file(path).saved.session_index == 7  # type: ignore[union-attr]
