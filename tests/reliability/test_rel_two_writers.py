"""Two writers on one save file: in one process, and in two processes.

The second gets ``SaveFileBusyError`` with a message that says what to do; once the first is
closed the second works and goes on from the first's last session (nothing lost); the file is
never corrupted. ``read_save_file`` (the monitor) never takes the lock.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import filelock
import pytest

from session import ClientSession, SaveFileBusyError, VirtualClock, read_save_file

ROOT = str(Path(__file__).resolve().parents[2])

# A second process: tries to open the file, prints what happened.
SECOND = r"""
import sys
from session import ClientSession, SaveFileBusyError
try:
    s = ClientSession(sys.argv[1])
except SaveFileBusyError as error:
    print("busy", error)
else:
    print("opened", s.user_id, s.session_index)
    s.close()
"""

# Is the lock held by someone else? (a process that does not hold it asks without waiting)
LOCK_HELD = r"""
import sys, filelock
try:
    filelock.FileLock(sys.argv[1], timeout=0).acquire()
except filelock.Timeout:
    print("held")
else:
    print("free")
"""


def child(tmp_path: Path, script: str, *args: str) -> str:
    file = tmp_path / f"child-{abs(hash(script))}.py"
    file.write_text(script)
    env = {**os.environ, "PYTHONPATH": ROOT}
    done = subprocess.run(
        [sys.executable, str(file), *args], capture_output=True, text=True, timeout=60, env=env
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_two_engines_in_one_process(tmp_path: Path) -> None:
    path = tmp_path / "session.xml"
    first = ClientSession(path, clock=VirtualClock())
    try:
        with pytest.raises(SaveFileBusyError) as busy:
            ClientSession(path, clock=VirtualClock())
        message = str(busy.value)
        assert str(path) in message and "close" in message and "this process" in message
        assert "snowsession-gui" not in message  # neutral about the app that embeds it
        assert busy.value.path == path and busy.value.holder_pid == os.getpid()
        assert first.flush(timeout=5)
        assert read_save_file(path).problem is None  # the refused one wrote nothing
        last = first.state
    finally:
        first.close()
    with ClientSession(path, clock=VirtualClock()) as second:
        assert second.user_id == last.user_id
        assert second.previous_session_id == last.session_id  # no session lost
        assert second.session_index == last.session_index + 1


def test_two_processes(tmp_path: Path) -> None:
    path = tmp_path / "session.xml"
    with ClientSession(path, clock=VirtualClock()) as first:
        answer = child(tmp_path, SECOND, str(path))
        assert answer.startswith("busy ") and str(path) in answer
        assert f"in process {os.getpid()} ({_comm(os.getpid())})" in answer  # the holder: us
        assert first.flush(timeout=5)
        loaded = read_save_file(path)
        assert loaded.problem is None
        assert loaded.saved is not None and loaded.saved.session_id == first.current_session_id
        user, index = first.user_id, first.session_index
    assert child(tmp_path, SECOND, str(path)) == f"opened {user} {index + 1}"
    with ClientSession(path, clock=VirtualClock()) as third:
        assert (third.user_id, third.session_index) == (user, index + 2)


# A process that holds the save file until it is told to go.
HOLDER = r"""
import sys
from session import ClientSession
with ClientSession(sys.argv[1]):
    print("holding", flush=True)
    sys.stdin.readline()
"""


def _comm(pid: int) -> str:
    return Path(f"/proc/{pid}/comm").read_text().strip()


def test_the_busy_error_names_the_process_that_holds_the_file(tmp_path: Path) -> None:
    path = tmp_path / "session.xml"
    env = {**os.environ, "PYTHONPATH": ROOT}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
        with pytest.raises(SaveFileBusyError) as busy:
            ClientSession(path, clock=VirtualClock())
        name = _comm(holder.pid)
        assert (busy.value.holder_pid, busy.value.holder_name) == (holder.pid, name)
        assert f"in use by another session, in process {holder.pid} ({name})" in str(busy.value)
    finally:
        holder.communicate("go\n", timeout=30)
    assert holder.returncode == 0
    with ClientSession(path, clock=VirtualClock()) as after:
        assert after.session_index == 2


def test_close_on_another_thread_releases_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "session.xml"
    first = ClientSession(path, clock=VirtualClock())
    closer = threading.Thread(target=first.close)
    closer.start()
    closer.join(10)
    assert child(tmp_path, LOCK_HELD, str(path) + ".lock") == "free"
    with ClientSession(path, clock=VirtualClock()) as second:
        assert second.session_index == 2


def test_the_monitor_reader_never_takes_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "session.xml"
    lock_path = str(path) + ".lock"
    with ClientSession(path, clock=VirtualClock()) as owner:
        assert owner.flush(timeout=5)
        # Reading while the file is locked works …
        for _ in range(3):
            loaded = read_save_file(path)
            assert loaded.problem is None and loaded.saved is not None
            assert loaded.saved.session_id == owner.current_session_id
        # … and leaves the lock with its owner.
        assert child(tmp_path, LOCK_HELD, lock_path) == "held"
        with pytest.raises(SaveFileBusyError):
            ClientSession(path, clock=VirtualClock())
    # A reader on a file nobody holds does not take the lock either (nor create a lock file).
    other = tmp_path / "other.xml"
    other.write_bytes(path.read_bytes())
    assert read_save_file(other).problem is None
    assert not (tmp_path / "other.xml.lock").exists()
    # Once the owner closed, the lock is free at once.
    lock = filelock.FileLock(lock_path, timeout=0, thread_local=False)
    lock.acquire()
    lock.release()
