"""The collector's memory and waiting under a long run: ``snowsession collect`` as a child
process, sent 200,000 events from 50,000 users, then read whole with ``/micro/good``.

Run: ``python -m benchmarks.collector_memory [--events N] [--users N]``. Targets: the child's
resident memory at most 400 MB after the load (``VmRSS``; ``VmHWM`` is its peak), and while
``/micro/good`` of 100,000 events or more is being read, ``/health`` and an event's POST each
answered within 0.5 s. The figures are in docs/reliability.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from session import SCHEMA_1_0_2
from session.trackers.protocol import CONTEXTS_SCHEMA, PAYLOAD_DATA_SCHEMA, POST_PATH

RSS_TARGET_MB = 400
WAIT_TARGET_S = 0.5
BATCH = 500
SCHEMA = SCHEMA_1_0_2


def event(user: int, n: int, t0: float) -> dict[str, str]:
    entity = {
        "userId": f"{user:08x}-d9cb-469f-a165-70867728950e",
        "sessionId": f"{user:08x}-0000-4000-8000-000000000001",
        "previousSessionId": None,
        "sessionIndex": 1,
        "storageMechanism": "SQLITE",
        "firstEventId": f"{user:08x}-0000-4000-8000-00000000f157",
        "eventIndex": n + 1,
    }
    contexts = {"schema": CONTEXTS_SCHEMA, "data": [{"schema": SCHEMA, "data": entity}]}
    return {
        "e": "se",
        "se_ca": "bench",
        "se_ac": "tap",
        "eid": f"{user:08x}-{n:04x}-4000-8000-{n:012x}",
        "dtm": str(int((t0 + n) * 1000)),
        "p": "mob",
        "co": json.dumps(contexts),
    }


def status_mb(pid: int) -> dict[str, float]:
    text = Path(f"/proc/{pid}/status").read_text()
    return {
        key: int(re.search(rf"^{key}:\s+(\d+) kB", text, re.M).group(1)) / 1024  # type: ignore[union-attr]
        for key in ("VmRSS", "VmHWM")
    }


def request(port: int, method: str, path: str, body: bytes | None = None) -> tuple[int, float]:
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json"} if body is not None else {}
    connection.request(method, path, body=body, headers=headers)
    answer = connection.getresponse()
    answer.read()
    connection.close()
    return answer.status, time.monotonic() - started


def load(port: int, events: int, users: int) -> float:
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    t0 = 1_800_000_000.0
    items: list[dict[str, str]] = []
    for i in range(events):
        items.append(event(i % users, i // users, t0))
        if len(items) == BATCH or i == events - 1:
            data = json.dumps({"schema": PAYLOAD_DATA_SCHEMA, "data": items}).encode()
            connection.request(
                "POST", POST_PATH, body=data, headers={"Content-Type": "application/json"}
            )
            answer = connection.getresponse()
            answer.read()
            assert answer.status == 200, answer.status
            items = []
    connection.close()
    return time.monotonic() - started


def waits_during_read(port: int) -> tuple[float, float, int]:
    """The slowest ``/health`` and POST while ``/micro/good`` is read whole; the read's
    seconds and size."""
    done = threading.Event()
    result: dict[str, float] = {}

    def read() -> None:
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        connection.request("GET", "/micro/good")
        answer = connection.getresponse()
        result["bytes"] = len(answer.read())
        result["seconds"] = time.monotonic() - started
        connection.close()
        done.set()

    reader = threading.Thread(target=read)
    reader.start()
    slowest = 0.0
    n = 0
    one = json.dumps({"schema": PAYLOAD_DATA_SCHEMA, "data": [event(10**6, 0, 1.8e9)]}).encode()
    while not done.is_set():
        for method, path, body in (("GET", "/health", None), ("POST", POST_PATH, one)):
            status, took = request(port, method, path, body)
            assert status == 200
            slowest = max(slowest, took)
            n += 1
        time.sleep(0.05)
    reader.join()
    return slowest, result["seconds"], int(result["bytes"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--users", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "events.ndjson"
        child = subprocess.Popen(
            [sys.executable, "-m", "session.cli", "collect", "--port", "0", "--log", str(log)],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert child.stdout is not None
            port = int(re.search(r":(\d+) ", child.stdout.readline()).group(1))  # type: ignore[union-attr]
            took = load(port, args.events, args.users)
            memory = status_mb(child.pid)
            slowest, read_s, size = waits_during_read(port)
            after_read = status_mb(child.pid)
        finally:
            child.terminate()
            child.wait(timeout=60)
    print(
        f"{args.events:,} events from {args.users:,} users in {took:.1f} s "
        f"({args.events / took:,.0f}/s)"
    )
    verdict = "met" if memory["VmRSS"] <= RSS_TARGET_MB else "missed"
    print(
        f"resident memory after the load: {memory['VmRSS']:.0f} MB (peak {memory['VmHWM']:.0f} "
        f"MB); target <= {RSS_TARGET_MB} MB: {verdict}"
    )
    verdict = "met" if slowest <= WAIT_TARGET_S else "missed"
    print(
        f"/micro/good of every event read in {read_s:.1f} s ({size / 2**20:.0f} MiB); "
        f"meanwhile the slowest /health or POST took {slowest * 1000:.0f} ms; target <= "
        f"{WAIT_TARGET_S * 1000:.0f} ms: {verdict}; memory after it {after_read['VmRSS']:.0f} MB "
        f"(peak {after_read['VmHWM']:.0f} MB)"
    )


if __name__ == "__main__":
    main()
