"""The collector under real faults: a full disk (a 256 KiB tmpfs), slowloris connections on
real sockets, a process limited to 256 open files, a FIFO for a log, two collectors on one log.

What must hold: an event is counted and shown only once it is in the log, a refusal says why
(507 for a full disk) and is said once per episode, a refused event never reaches the log
later; events get 200 within a second whatever idle clients do, and nothing floods stderr.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from faults import ROOT, fill, small_disk
from trackers.helpers import T0, body, entity, fields

from session.trackers.collector import Collector
from session.trackers.protocol import POST_PATH

CHILD = """
import resource, sys
limit = int(sys.argv[2])
if limit:
    resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))
from session.trackers.collector import Collector
said = lambda line: print("problem: " + line, file=sys.stderr, flush=True)
log = sys.argv[3] or None
collector = Collector(
    port=0, log=log, idle_timeout=float(sys.argv[1]), on_problem=said
).start()
print(collector.url, flush=True)
sys.stdin.read()
collector.stop()
"""


def post(url: str, data: bytes, timeout: float = 10) -> int:
    request = urllib.request.Request(
        url + POST_PATH, data=data, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def events_in(log: Path) -> list[str]:
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    return [line["fields"]["eid"] for line in lines if "fields" in line]


def test_a_full_disk_refuses_with_507_counts_nothing_and_never_logs_it_later() -> None:
    said: list[str] = []
    with small_disk("256k") as disk:
        log = disk / "events.ndjson"
        with Collector(port=0, log=log, on_problem=said.append) as collector:
            first = fields(entity(1), T0)
            assert post(collector.url, body(first)) == 200
            filler = fill(disk, leave_pages=1)
            batch = [fields(entity(1, event_index=n), T0 + n) for n in range(2, 40)]
            statuses = [post(collector.url, body(*batch)) for _ in range(5)]
            assert statuses == [507] * 5  # a batch larger than the space left
            assert collector.micro.summary()["good"] == 1 and collector.snapshot().events == 1
            assert events_in(log) == [first["eid"]]  # nothing half-written either
            filler.unlink()
            assert post(collector.url, body(*batch)) == 200  # the tracker's retry
            assert collector.micro.summary()["good"] == 1 + len(batch)
        assert events_in(log) == [first["eid"]] + [item["eid"] for item in batch]
    assert len(said) == 2, said  # once when it began, once when it was over
    assert "No space left" in said[0] and "again" in said[1]


def test_every_answer_on_a_full_disk_is_in_the_log_and_the_counts() -> None:
    said: list[str] = []
    with small_disk("256k") as disk:
        log = disk / "events.ndjson"
        with Collector(port=0, log=log, on_problem=said.append) as collector:
            answered = []
            for n in range(2000):
                item = fields(entity(1, event_index=n + 1), T0 + n)
                if post(collector.url, body(item)) == 200:
                    answered.append(item["eid"])
            good = collector.micro.summary()["good"]
        assert 0 < len(answered) < 2000
        assert events_in(log) == answered and good == len(answered)
    assert len(said) == 1 and "events are refused" in said[0]


@contextlib.contextmanager
def child_collector(
    idle_timeout: float, nofile: int = 0, log: Path | None = None
) -> Iterator[tuple[str, Path]]:
    """A collector in a child process (with at most ``nofile`` open files); its stderr is
    kept in a file."""
    err = Path(os.environ.get("TMPDIR", "/tmp")) / f"collector-err-{os.getpid()}-{time.time_ns()}"
    with open(err, "w") as handle:
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(idle_timeout), str(nofile), str(log or "")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=handle,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    try:
        assert child.stdout is not None and child.stdin is not None
        url = child.stdout.readline().strip()
        assert url.startswith("http://"), err.read_text()
        yield url, err
    finally:
        if child.stdin is not None:
            child.stdin.close()
        if child.stdout is not None:
            child.stdout.close()
        try:
            child.wait(timeout=30)
        finally:
            if child.poll() is None:
                child.kill()
            err.unlink(missing_ok=True)


def open_idle(url: str, count: int, send: bytes) -> list[socket.socket]:
    host, port = url.removeprefix("http://").rsplit(":", 1)
    sockets = []
    for _ in range(count):
        idle = socket.socket()
        idle.setblocking(False)
        idle.connect_ex((host, int(port)))
        sockets.append(idle)
    time.sleep(0.3)
    for idle in sockets:
        with contextlib.suppress(OSError):
            idle.send(send)
    return sockets


def timed_post(url: str, at: float) -> tuple[int, float]:
    started = time.monotonic()
    status = post(url, body(fields(entity(1), at)), timeout=5)
    return status, time.monotonic() - started


def held(port: int) -> int:
    """How many connections to ``port`` the collector's side holds (established, accepted or
    waiting to be), from the kernel's table."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(FileNotFoundError), open(table) as lines:
            for line in list(lines)[1:]:
                local, state = line.split()[1], line.split()[3]
                count += int(local.rsplit(":", 1)[1], 16) == port and state == "01"
    return count


@pytest.mark.realtime
def test_500_slowloris_connections_hold_up_no_event_and_are_closed() -> None:
    with child_collector(idle_timeout=2) as (url, err):
        slow = open_idle(url, 500, b"GET /i?e=pv HTTP/1.1\r\nHo")
        try:
            status, took = timed_post(url, T0)
            assert status == 200 and took < 1.0, took
            # The collector's side of every one is closed after the idle timeout. (Of a
            # burst this size the kernel drops some handshakes half-way: those clients think
            # they are connected, but nothing on the collector's side holds them.)
            port = int(url.rsplit(":", 1)[1])
            assert held(port) >= 100  # held at first
            deadline = time.monotonic() + 10
            while held(port) and time.monotonic() < deadline:
                time.sleep(0.25)
            assert held(port) == 0
            assert timed_post(url, T0 + 1)[0] == 200
        finally:
            for s in slow:
                s.close()
        assert "Traceback" not in err.read_text()


@pytest.mark.realtime
def test_with_256_files_400_idle_connections_hold_up_no_event() -> None:
    with child_collector(idle_timeout=15, nofile=256) as (url, err):
        idle = open_idle(url, 400, b"")
        time.sleep(1)  # without a cap, the files are gone by now and every request waits
        try:
            for n in range(5):
                status, took = timed_post(url, T0 + n)
                assert status == 200 and took < 1.0, (n, took)
        finally:
            for s in idle:
                s.close()
        text = err.read_text()
        assert "Traceback" not in text and text.count("\n") <= 2, text


def test_a_fifo_for_a_log_is_refused_in_one_line_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "events.ndjson"
    os.mkfifo(fifo)
    done = subprocess.run(
        [sys.executable, "-m", "session.cli", "collect", "--port", "0", "--log", str(fifo)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert "not a regular file" in done.stderr


def test_two_collectors_on_one_log_the_second_is_refused(tmp_path: Path) -> None:
    log = tmp_path / "events.ndjson"
    with Collector(port=0, log=log) as first:
        assert post(first.url, body(fields(entity(1), T0))) == 200
        done = subprocess.run(
            [sys.executable, "-m", "session.cli", "collect", "--port", "0", "--log", str(log)],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
        assert "another collector is writing this log" in done.stderr
        assert post(first.url, body(fields(entity(2), T0 + 700))) == 200
    assert len(events_in(log)) == 2 and log.read_text().count('"snowsession"') == 1


@pytest.mark.realtime
def test_a_read_of_100k_events_makes_no_event_and_no_health_check_wait(tmp_path: Path) -> None:
    """``/micro/good`` of 100,000 events is streamed from the log a part at a time in a worker
    thread: meanwhile ``/health`` and an event's POST are each answered within 0.5 s."""
    from benchmarks.collector_memory import load, waits_during_read

    with child_collector(idle_timeout=15, log=tmp_path / "events.ndjson") as (url, err):
        port = int(url.rsplit(":", 1)[1])
        load(port, 100_000, 25_000)
        slowest, _, size = waits_during_read(port)
        assert slowest < 0.5, slowest
        assert size > 100_000 * 500
        assert "Traceback" not in err.read_text()


def test_the_command_says_a_full_disk_once_on_stderr() -> None:
    from trackers.child import CollectProcess

    with small_disk("256k") as disk:
        log = disk / "events.ndjson"
        child = CollectProcess(log)
        try:
            assert post(child.url, body(fields(entity(1), T0))) == 200
            filler = fill(disk)
            statuses = [
                post(child.url, body(fields(entity(1, event_index=n), T0 + n))) for n in range(30)
            ]
            filler.unlink()
            assert post(child.url, body(fields(entity(2), T0 + 700))) == 200
        finally:
            status, out, err = child.stop()
    # the last page of the log takes a few more, then every one is refused
    first = statuses.index(507)
    assert statuses[first:] == [507] * (30 - first) and status == 0
    assert err.count("\n") == 2, err  # when it began, and when it was over
    assert "warning: the log cannot take events: No space left on device" in err
    assert f"stopped: {2 + first} good and 0 bad event(s)" in out
