"""``snowsession collect`` as a real child process: signals, warnings, errors, real trackers."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from .child import CollectProcess
from .helpers import T0, body, entity, fields

snowplow_tracker = pytest.importorskip(
    "snowplow_tracker", reason="snowplow-tracker is not installed"
)


def post(url: str, data: bytes) -> int:
    import urllib.request

    request = urllib.request.Request(
        url + "/com.snowplowanalytics.snowplow/tp2",
        data=data,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_and_ctrl_c_stop_it_cleanly_with_the_log_complete(tmp_path: Path, sig: int) -> None:
    log = tmp_path / "events.ndjson"
    child = CollectProcess(log)
    try:
        for n in range(1, 4):
            assert post(child.url, body(fields(entity(n, event_index=1), T0 + 700 * n))) == 200
        assert child.get("/micro/all") == {"total": 3, "good": 3, "bad": 0}
    finally:
        status, out, err = child.stop(sig)
    assert status == 0, err
    assert err == "" and "stopped: 3 good and 0 bad event(s), 1 user(s), 0 finding(s)" in out
    lines = log.read_text().splitlines()
    assert len(lines) == 4 and all(json.loads(line) for line in lines)
    done = subprocess.run(
        [sys.executable, "-m", "session.cli", "sessions", str(log)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and "3 session(s), 3 event(s)" in done.stdout


def test_a_kill_mid_run_loses_no_answered_event(tmp_path: Path) -> None:
    log = tmp_path / "events.ndjson"
    child = CollectProcess(log)
    for n in range(1, 6):
        post(child.url, body(fields(entity(n), T0 + 700 * n)))
    child.process.send_signal(signal.SIGKILL)
    child.process.communicate(timeout=30)
    again = CollectProcess(log)  # appends after what the killed one left
    post(again.url, body(fields(entity(6), T0 + 4200)))
    again.stop()
    done = subprocess.run(
        [sys.executable, "-m", "session.cli", "sessions", str(log)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and "6 session(s), 6 event(s)" in done.stdout, done


def test_listening_beyond_loopback_warns(tmp_path: Path) -> None:
    child = CollectProcess(None, "--host", "0.0.0.0")
    status, _, err = child.stop()
    assert status == 0 and "warning: listening on 0.0.0.0" in err and err.count("\n") == 1


def test_a_port_in_use_is_one_line_and_exit_2(tmp_path: Path) -> None:
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    port = holder.getsockname()[1]
    try:
        done = subprocess.run(
            [sys.executable, "-m", "session.cli", "collect", "--port", str(port), "--no-log"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        holder.close()
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "the port is in use" in done.stderr


def test_the_default_log_is_in_the_current_folder(tmp_path: Path) -> None:
    child = CollectProcess(None, cwd=tmp_path)
    child.kill()
    child = subprocess.Popen(
        [sys.executable, "-m", "session.cli", "collect", "--port", "0"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and "snowsession-events.ndjson" in child.stdout.readline()
    child.send_signal(signal.SIGTERM)
    child.communicate(timeout=30)
    assert child.returncode == 0
    assert (
        (tmp_path / "snowsession-events.ndjson").read_text().startswith('{"snowsession": "collect"')
    )


def test_a_log_in_a_folder_it_may_not_write_is_one_line_and_exit_2() -> None:
    # sysfs refuses new files even to root: a real read-only folder on every Linux machine.
    folder = Path("/sys/kernel")
    if not folder.is_dir():
        pytest.skip("no sysfs here")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "session.cli",
            "collect",
            "--port",
            "0",
            "--log",
            str(folder / "events.ndjson"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done
    assert done.stderr.count("\n") == 1 and "events.ndjson" in done.stderr, done.stderr
    assert "Permission denied" in done.stderr or "Read-only" in done.stderr


@pytest.mark.realtime
@pytest.mark.parametrize("method", ["get", "post"])
def test_the_snowplow_python_tracker_end_to_end(tmp_path: Path, method: str) -> None:
    """The real tracker, with the engine's session on its events, sends to a real collector."""
    from snowplow_tracker import Emitter
    from snowplow_tracker.events import ScreenView

    from session import ClientSession, VirtualClock
    from session.snowplow import SessionTracker

    log = tmp_path / "events.ndjson"
    child = CollectProcess(log, "--foreground-timeout", "600")
    host, port = child.url.removeprefix("http://").split(":")
    clock = VirtualClock(wall_start=T0)
    session = ClientSession(tmp_path / "session.xml", clock=clock, policy="mobile")
    try:
        emitter = Emitter(host, protocol="http", port=int(port), method=method, batch_size=1)
        tracker = SessionTracker("ns", emitter, session=session, app_id="e2e")

        def screen(name: str) -> ScreenView:
            # The session runs on a virtual clock: the event's true time says when it was.
            at = clock.wall_time() * 1000
            return ScreenView(id_=str(uuid.uuid4()), name=name, true_timestamp=at)

        for _ in range(3):
            tracker.track(screen("home"))
            clock.advance(1)
        clock.advance(700)
        tracker.track(screen("later"))
        tracker.flush()
        report = child.get("/sessions")
    finally:
        session.close()
        status, _, err = child.stop()
    assert status == 0, err
    (user,) = report["users"]
    assert user["user_id"] == session.state.user_id
    assert [s["index"] for s in user["sessions"]] == [1, 2] and report["findings"] == 0
    assert [s["events"] for s in user["sessions"]] == [3, 1]
    assert user["sessions"][1]["previous_session_id"] == user["sessions"][0]["session_id"]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "session.cli",
            "sessions",
            str(log),
            "--format",
            "json",
            "--foreground-timeout",
            "600",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and json.loads(done.stdout)["users"] == report["users"]
