"""Sessions of real trackers: the collector's ingest and ``snowsession sessions`` on a big log.

Run: ``python -m benchmarks.trackers [--events N] [--log-events N]``. Targets on a 2-core
machine: at least 5,000 events/s in batched POSTs and 1,000/s as single GETs, each event
logged and in the live report (read every 0.2 s while it runs); ``snowsession sessions`` on a
log of 1,000,000 events in at most 10 s (run three times, interleaved with the baseline, and
the median and the slowest are shown; :mod:`benchmarks.audit` sets it against the chain query
written by hand). Baselines, in the same run: the same requests
to a bare aiohttp server that reads them and answers ``ok``, and a bare ``json.loads`` of every
line of the same log. The load comes from a separate process over keep-alive connections.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from statistics import median

from aiohttp import web

from session import SCHEMA_1_0_2
from session.trackers.collector import Collector
from session.trackers.logfile import header_line
from session.trackers.protocol import CONTEXTS_SCHEMA, PAYLOAD_DATA_SCHEMA, POST_PATH

SESSIONS = [sys.executable, "-m", "session.cli", "sessions"]
BATCH = 50
POST_TARGET, GET_TARGET, LOG_TARGET_S = 5000, 1000, 10.0
USERS = 100
SESSION_EVENTS = 50


def _event(user: int, n: int, at_ms: int) -> dict[str, str]:
    session = n // SESSION_EVENTS + 1
    entity = {
        "schema": SCHEMA_1_0_2,
        "data": {
            "userId": f"{user:08x}-0000-4000-8000-000000000000",
            "sessionId": f"{user:08x}-{session:04x}-4000-8000-000000000000",
            "previousSessionId": None
            if session == 1
            else f"{user:08x}-{session - 1:04x}-4000-8000-000000000000",
            "sessionIndex": session,
            "storageMechanism": "SQLITE",
            "firstEventId": f"{user:08x}-{session:04x}-4000-8000-00000000f1a5",
            "eventIndex": n % SESSION_EVENTS + 1,
        },
    }
    return {
        "e": "ue",
        "eid": f"{user:08x}-{n % 65536:04x}-4000-8000-{n:012x}",
        "dtm": str(at_ms),
        "p": "mob",
        "tv": "andr-6.0.0",
        "aid": "bench",
        "co": json.dumps({"schema": CONTEXTS_SCHEMA, "data": [entity]}),
    }


def _events(count: int) -> list[dict[str, str]]:
    start = 1_800_000_000_000
    out = []
    for i in range(count):
        user, n = i % USERS, i // USERS
        gap = 700_000 if n % SESSION_EVENTS == 0 and n else 1000
        out.append(_event(user, n, start + n * 1000 + (n // SESSION_EVENTS) * gap))
    return out


def client(port: int, mode: str, count: int) -> None:
    """The load: ``count`` events as batched POSTs or single GETs, on one keep-alive
    connection; prints the seconds it took."""
    from urllib.parse import urlencode

    events = _events(count)
    connection = http.client.HTTPConnection("127.0.0.1", port)
    if mode == "post":
        requests = [
            json.dumps({"schema": PAYLOAD_DATA_SCHEMA, "data": events[i : i + BATCH]}).encode()
            for i in range(0, count, BATCH)
        ]
        headers = {"Content-Type": "application/json"}
        started = time.perf_counter()
        for data in requests:
            connection.request("POST", POST_PATH, body=data, headers=headers)
            response = connection.getresponse()
            response.read()
            assert response.status == 200, response.status
    else:
        paths = [f"/i?{urlencode(event)}" for event in events]
        started = time.perf_counter()
        for path in paths:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            assert response.status == 200, response.status
    print(time.perf_counter() - started)


def _load(port: int, mode: str, count: int) -> float:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.trackers", "--client", str(port), mode, str(count)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout.strip().splitlines()[-1])


class _Bare:
    """The baseline: aiohttp reading each request and answering ``ok``, nothing else."""

    def __enter__(self) -> int:
        async def handle(request: web.Request) -> web.Response:
            await request.read()
            return web.Response(text="ok")

        ready = threading.Event()
        self.port = 0

        def serve() -> None:
            import asyncio

            loop = asyncio.new_event_loop()
            self.loop = loop
            app = web.Application(client_max_size=1 << 20)
            app.router.add_route("*", "/{tail:.*}", handle)
            runner = web.AppRunner(app, access_log=None, max_line_size=80_000)
            loop.run_until_complete(runner.setup())
            site = web.TCPSite(runner, "127.0.0.1", 0)
            loop.run_until_complete(site.start())
            self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            ready.set()
            loop.run_forever()
            loop.run_until_complete(runner.cleanup())

        self.thread = threading.Thread(target=serve, daemon=True)
        self.thread.start()
        ready.wait()
        return self.port

    def __exit__(self, *exc: object) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()


def ingest(mode: str, count: int, folder: Path) -> tuple[float, float, int]:
    """Events/s into the collector (logged, live report read every 0.2 s) and the bare
    baseline's; and how many events the report counted."""
    with _Bare() as port:
        bare = count / _load(port, mode, count)
    collector = Collector(port=0, log=folder / f"{mode}.ndjson").start()
    reading = threading.Event()

    def read_report() -> None:
        while not reading.wait(0.2):
            collector.snapshot()

    reader = threading.Thread(target=read_report)
    reader.start()
    try:
        ours = count / _load(collector.port, mode, count)
    finally:
        reading.set()
        reader.join()
        counted = collector.snapshot().events
        collector.stop()
    return ours, bare, counted


def write_log(path: Path, count: int) -> None:
    """A collector log of ``count`` events from :data:`USERS` users, in sessions of
    :data:`SESSION_EVENTS` events, as the collector writes it."""
    from session.trackers.logfile import event_line
    from session.trackers.protocol import decode_fields

    with path.open("w", encoding="utf-8") as out:
        out.write(header_line(time.time()) + "\n")
        lines = []
        for i in range(count):
            user, n = i % USERS, i // USERS
            at = 1_800_000_000_000 + n * 1000 + (n // SESSION_EVENTS) * 700_000
            lines.append(event_line(1_800_000_000.0, decode_fields(_event(user, n, at))))
            if len(lines) == 100_000:
                out.write("\n".join(lines) + "\n")
                lines.clear()
        if lines:
            out.write("\n".join(lines) + "\n")


def _timed(command: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    assert done.returncode in (0, 1), done.stderr
    return seconds, done.stdout


def sessions_on_log(
    count: int, folder: Path, rounds: int
) -> tuple[list[float], list[float], dict[str, int]]:
    """Seconds for ``snowsession sessions`` on a log of ``count`` events and for a bare
    ``json.loads`` of each of its lines, ``rounds`` times each, interleaved; and the report's
    totals."""
    log = folder / "big.ndjson"
    write_log(log, count)
    options = [str(log), "--format", "json", "--foreground-timeout", "600"]
    bare_code = "import json, sys\nfor line in open(sys.argv[1], 'rb'): json.loads(line)\n"
    ours, bare = [], []
    for _ in range(rounds):
        seconds, report = _timed([*SESSIONS, *options])
        ours.append(seconds)
        bare.append(_timed([sys.executable, "-c", bare_code, str(log)])[0])
    totals = json.loads(report)
    log.unlink()
    return (
        ours,
        bare,
        {
            "events": totals["events"],
            "users": len(totals["users"]),
            "findings": totals["findings"],
        },
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000, help="events per ingest run")
    parser.add_argument("--log-events", type=int, default=1_000_000, help="events in the log")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each on the log")
    parser.add_argument("--client", nargs=3, metavar=("PORT", "MODE", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        client(int(args.client[0]), args.client[1], int(args.client[2]))
        return
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        runs = (
            ("post", f"batches of {BATCH}", POST_TARGET, args.events),
            ("get", "one event each", GET_TARGET, args.events // 4),
        )
        for mode, shape, target, count in runs:
            ours, bare, counted = ingest(mode, count, folder)
            verdict = "ok" if ours >= target else "BELOW TARGET"
            print(
                f"collector ingest, {mode.upper()} ({shape}): {ours:,.0f} events/s (bare aiohttp "
                f"{bare:,.0f}/s; target {target:,}/s) {verdict}; {counted:,} in the live report"
            )
        ours, bare, totals = sessions_on_log(args.log_events, folder, args.rounds)
        verdict = "ok" if max(ours) <= LOG_TARGET_S else "OVER TARGET"
        print(
            f"snowsession sessions, {totals['events']:,} events, {totals['users']} users, "
            f"median of {args.rounds}: {median(ours):.2f} s (slowest {max(ours):.2f} s; "
            f"bare json.loads of each line {median(bare):.2f} s; "
            f"target {LOG_TARGET_S:.0f} s) {verdict}"
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
