"""SIGKILL and SIGTERM at random moments while a child process rolls sessions as fast as it can.

After every kill the save file parses, the user id never changes and the index never goes
back; and the file holds the last session the child handed out, or a later one: a session is on
disk before anyone sees it. ``SNOWSESSION_CRASH_KILLS`` sets the number of kills of the slow
variants (default 50; the figures in docs/reliability.md come from 200-kill runs).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from session import ClientSession, read_save_file

# The child: a new session per loop turn (a check on a virtual clock past the timeout), and
# every few turns a whole new ClientSession (read, new session, write), flushed each time so
# writes really happen back to back. It prints "ready" once imported, then runs until killed.
CHILD = r"""
import os, sys
from session import ClientSession, VirtualClock
from session.storage import SaveFile
path = sys.argv[1]
if sys.argv[2:] == ["naive"]:  # the control: truncate, then write (as .NET), on a slow disk
    def naive_write(self, data):
        with open(self.path, "wb") as handle:
            handle.write(data[: len(data) // 2])
            handle.flush()
            os.fsync(handle.fileno())
            handle.write(data[len(data) // 2 :])
    SaveFile.write = naive_write
print("ready", flush=True)
while True:
    clock = VirtualClock()
    s = ClientSession(path, foreground_timeout=1, background_timeout=1, check_interval=1,
                      clock=clock)
    s.start_checker()
    for _ in range(20):
        clock.advance(1)
        s.flush()
    s.close()
"""


def _temps(folder: Path, name: str) -> list[Path]:
    return sorted(folder.glob(".ss-*.tmp"))  # the one save file in the folder: all its own


def spawn(script: Path, path: Path, *extra: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    return subprocess.Popen(
        [sys.executable, str(script), str(path), *extra], stdout=subprocess.PIPE, env=env
    )


def kill_at_random(child: subprocess.Popen[bytes], rng: random.Random) -> None:
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == b"ready\n"
        time.sleep(rng.uniform(0.0, 0.06))
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        assert child.stdout is not None
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL, "the child must still be running when killed"


def run_kills(tmp_path: Path, kills: int, seed: int) -> dict[str, int]:
    path = tmp_path / "session.xml"
    script = tmp_path / "roll.py"
    script.write_text(CHILD)
    rng = random.Random(seed)
    with ClientSession(path) as first:
        user_id, index = first.user_id, first.session_index
    temps_seen = 0
    for kill in range(kills):
        kill_at_random(spawn(script, path), rng)
        temps_seen += bool(_temps(tmp_path, path.name))
        loaded = read_save_file(path)
        assert loaded.problem is None, f"kill {kill}: {loaded.problem}"
        assert loaded.saved is not None
        assert loaded.saved.user_id == user_id, f"kill {kill}: the user id changed"
        assert loaded.saved.session_index is not None
        assert loaded.saved.session_index >= index, f"kill {kill}: the index went back"
        index = loaded.saved.session_index
    assert not list(tmp_path.glob("session.xml.corrupt-*")), "a sound file was set aside"
    # The next start clears the temp files a kill left and goes on from the saved state.
    with ClientSession(path) as last:
        assert last.user_id == user_id
        assert last.session_index == index + 1
        assert last.flush(timeout=10)  # (its own write uses a temp file while it runs)
        assert _temps(tmp_path, path.name) == []
    return {"kills": kills, "final_index": index, "kills_with_temp_left": temps_seen}


def test_sigkill_during_a_save_loop_never_loses_the_file(tmp_path: Path) -> None:
    result = run_kills(tmp_path, kills=8, seed=1)
    # Writes really happened between kills (many per child unless the machine is very busy).
    assert result["final_index"] > 8


@pytest.mark.slow
def test_sigkill_many_times(tmp_path: Path) -> None:
    kills = int(os.environ.get("SNOWSESSION_CRASH_KILLS", "50"))
    started = time.perf_counter()
    result = run_kills(tmp_path, kills=kills, seed=int(os.environ.get("SNOWSESSION_SEED", "7")))
    print(f"\ncrash: {result} in {time.perf_counter() - started:.1f} s")
    assert result["final_index"] > kills


def test_the_crash_harness_catches_a_non_atomic_writer(tmp_path: Path) -> None:
    """The control: the same kills against a truncate-then-write writer do break the file."""
    path = tmp_path / "session.xml"
    script = tmp_path / "roll.py"
    script.write_text(CHILD)
    rng = random.Random(3)
    with ClientSession(path) as first:
        user_id = first.user_id
    kills = broken_at = 0
    while not broken_at:
        kill_at_random(spawn(script, path, "naive"), rng)
        kills += 1
        loaded = read_save_file(path)
        if loaded.problem or loaded.saved is None or loaded.saved.user_id != user_id:
            broken_at = kills
        assert kills < 40, "40 kills never caught the non-atomic writer mid-write"
    print(f"\ncontrol: the non-atomic writer broke the file at kill {broken_at}")


def test_stale_temp_files_are_removed_at_start_and_do_not_disturb_reading(tmp_path: Path) -> None:
    path = tmp_path / "session.xml"
    with ClientSession(path) as s:
        user_id = s.user_id
    stale = tmp_path / ".session.xml.abc123.tmp"
    stale.write_bytes(b"<ArrayOfKeyValueOfstr")  # what a kill mid-write leaves
    other = tmp_path / ".other.xml.abc123.tmp"  # another file's temp: not ours to remove
    other.write_bytes(b"x")
    assert read_save_file(path).problem is None  # a monitor ignores it
    with ClientSession(path) as s:
        assert s.user_id == user_id
        assert not stale.exists()
        assert other.exists()


# The child hands out contexts: it prints each one as it gets it (standing for an event sent to
# a collector), rolling sessions by checks past the timeout and by new ClientSessions.
HANDED_OUT = r"""
import json, sys, uuid
from session import ClientSession, VirtualClock
from session.storage.saving import Persistence
path = sys.argv[1]
if sys.argv[2:] == ["behind"]:  # the control: sessions written behind, after they are seen
    def behind(self, data):
        self.save_behind(data)
        return True
    Persistence.save_now = behind
mobile = sys.argv[2:] == ["mobile"]  # sessions start at events, each saved, and resumed
options = {"policy": "mobile", "continue_session_on_restart": True} if mobile else {}
if mobile:  # the schema checks of a resume load jsonschema once: not what is timed here
    from session.context import SCHEMA_1_0_2, validator
    validator(SCHEMA_1_0_2)
print("ready", flush=True)
clock = VirtualClock()
while True:
    s = ClientSession(path, foreground_timeout=1, background_timeout=1, check_interval=1,
                      clock=clock, **options)
    for _ in range(20):
        data = s.get_session_context(str(uuid.uuid4())).data
        print(json.dumps([data["sessionIndex"], data["sessionId"], data.get("firstEventId")]),
              flush=True)
        clock.advance(1.5)  # the check (dotnet), or the next event (mobile), starts a session
    s.close()
"""


def run_handed_out(
    tmp_path: Path, kills: int, seed: int, how: signal.Signals, *extra: str
) -> dict[str, int]:
    path = tmp_path / "session.xml"
    script = tmp_path / "hand_out.py"
    script.write_text(HANDED_OUT)
    rng = random.Random(seed)
    with ClientSession(path) as first:
        user_id = first.user_id
    printed = ahead = 0
    for kill in range(kills):
        child = spawn(script, path, *extra)
        assert child.stdout is not None
        assert child.stdout.readline() == b"ready\n"
        time.sleep(rng.uniform(0.0, 0.08))
        child.send_signal(how)
        out, _ = child.communicate(timeout=10)
        assert child.returncode == -how, "the child must still be running when killed"
        lines = [line for line in out.decode().splitlines() if line.startswith("[")]
        if not lines:
            continue
        index, session_id, first_event = json.loads(lines[-1])  # the last context handed out
        printed += len(lines)
        loaded = read_save_file(path)
        assert loaded.problem is None and loaded.saved is not None, f"kill {kill}"
        assert loaded.saved.user_id == user_id, f"kill {kill}: the user id changed"
        on_disk = loaded.saved.session_index
        assert on_disk is not None and on_disk >= index, (
            f"kill {kill}: session {index} was handed out, the file holds {on_disk}"
        )
        if on_disk == index:
            assert loaded.saved.session_id == session_id, f"kill {kill}: another session"
            if "mobile" in extra:  # its first event too: a restart goes on with the same one
                saved_first = loaded.saved.extras["firstEventId"].value
                assert saved_first == first_event, f"kill {kill}: first event {saved_first}"
        else:
            ahead += 1  # a new session was on disk, and the child killed before handing it out
    return {"kills": kills, "contexts_handed_out": printed, "file_ahead": ahead}


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
@pytest.mark.parametrize("policy", ["dotnet", "mobile"])
def test_a_session_handed_out_is_on_disk(tmp_path: Path, how: signal.Signals, policy: str) -> None:
    result = run_handed_out(tmp_path, 8, 11, how, *(["mobile"] if policy == "mobile" else []))
    assert result["contexts_handed_out"] > 8


@pytest.mark.slow
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
@pytest.mark.parametrize("policy", ["dotnet", "mobile"])
def test_a_session_handed_out_is_on_disk_many_times(
    tmp_path: Path, how: signal.Signals, policy: str
) -> None:
    kills = int(os.environ.get("SNOWSESSION_CRASH_KILLS", "50"))
    started = time.perf_counter()
    seed = int(os.environ.get("SNOWSESSION_SEED", "7"))
    extra = ["mobile"] if policy == "mobile" else []
    result = run_handed_out(tmp_path, kills, seed, how, *extra)
    print(f"\nhanded out, {policy}, {how.name}: {result} in {time.perf_counter() - started:.1f} s")
    assert result["contexts_handed_out"] > kills


def test_the_harness_catches_sessions_written_behind(tmp_path: Path) -> None:
    """The control: the same kills against an engine that writes new sessions behind, after it
    has handed them out, do find the file behind what was handed out."""
    with pytest.raises(AssertionError, match="was handed out, the file holds"):
        run_handed_out(tmp_path, 40, 5, signal.SIGKILL, "behind")
