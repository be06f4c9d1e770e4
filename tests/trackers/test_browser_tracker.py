"""The Snowplow JavaScript browser tracker in headless Chromium, sending to ``snowsession
collect`` on another origin, in real time: new sessions after idle gaps, an unbroken chain,
and what clearing the tracker's cookies and storage mid-session does.

Needs Debian's ``chromium`` and ``npm ci`` in tests/browser (``make test`` and CI do both).
Without them the test is skipped, except under CI, where it fails.
"""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from chromium import HEADLESS, need, need_chromium

from .child import CollectProcess

BROWSER = Path(__file__).resolve().parents[1] / "browser"
TRACKER = BROWSER / "node_modules/@snowplow/browser-tracker/dist/index.umd.min.js"

# 3 s of idle ends a session; gaps of 5 s were reliable, 1 s or less is flaky.
TIMEOUT = 3
PLAN = [
    (0.0, "first"),
    (1.0, "second"),
    (6.0, "after-a-gap"),  # session 2
    (7.0, "again"),
    (12.0, "after-another-gap"),  # session 3
    (12.5, "clear"),  # cookies and storage cleared; the page goes on
    (13.0, "cleared"),
    (14.0, "last"),
]
EVENTS = sum(1 for _, action in PLAN if action != "clear")


class _Page(http.server.SimpleHTTPRequestHandler):
    def do_GET(self) -> None:
        pages = {"/": BROWSER / "page.html", "/probe.html": BROWSER / "probe.html"}
        path = {**pages, "/sp.js": TRACKER}.get(self.path.split("#")[0])
        if path is None:
            self.send_error(404)
            return
        data = path.read_bytes()
        self.send_response(200)
        self.send_header(
            "Content-Type", "text/html" if path.suffix == ".html" else "text/javascript"
        )
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def page_server() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def _chromium(url: str, profile: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            need_chromium(),
            *HEADLESS,
            "--disable-background-timer-throttling",
            f"--user-data-dir={profile}",
            "--remote-debugging-port=0",  # keeps the headless browser running
            url,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _events(collector: CollectProcess) -> int:
    summary: dict[str, int] = collector.get("/micro/all")
    return summary["total"]


@pytest.mark.realtime
def test_the_browser_tracker_sessions_in_chromium(tmp_path: Path, page_server: int) -> None:
    need_chromium()
    need(TRACKER.is_file(), "the browser tracker is not installed (npm ci in tests/browser)")
    log = tmp_path / "events.ndjson"
    collector = CollectProcess(log, "--foreground-timeout", str(TIMEOUT))
    browsers = []
    try:
        # POST from a page on 127.0.0.1 and GET from one on localhost: two cookie jars, so
        # two users, and the collector on another origin (its own port) for both.
        for host, method in (("127.0.0.1", "post"), ("localhost", "get")):
            config = {
                "collector": collector.url,
                "method": method,
                "sessionCookieTimeout": TIMEOUT,
                "plan": PLAN,
            }
            url = f"http://{host}:{page_server}/#{quote(json.dumps(config))}"
            browsers.append(_chromium(url, tmp_path / f"profile-{method}"))
        deadline = time.monotonic() + 60
        while _events(collector) < 2 * EVENTS and time.monotonic() < deadline:
            time.sleep(0.25)
        time.sleep(0.5)  # a retried GET would arrive now
        report = collector.get("/sessions")
        summary = collector.get("/micro/all")
    finally:
        for browser in browsers:
            browser.kill()
            browser.wait(timeout=30)
        status, _, err = collector.stop()
    assert status == 0, err
    assert summary == {"total": 2 * EVENTS, "good": 2 * EVENTS, "bad": 0}, summary
    assert len(report["users"]) == 2
    for user in report["users"]:
        _check_user(user)
    # The log says the same when read back.
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
            str(TIMEOUT),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1 and json.loads(done.stdout)["users"] == report["users"]


def _check_user(user: dict[str, Any]) -> None:
    sessions = user["sessions"]
    # New sessions after each idle gap longer than the cookie timeout, and nothing else.
    assert [s["index"] for s in sessions] == [1, 2, 3], sessions
    assert [s["events"] for s in sessions] == [2, 2, 3], sessions
    assert sessions[0]["previous_session_id"] is None
    assert sessions[1]["previous_session_id"] == sessions[0]["session_id"]
    assert sessions[2]["previous_session_id"] == sessions[1]["session_id"]
    assert [s["exceeded"] for s in sessions] == [None, "foreground", "foreground"]
    assert all(4 < s["idle_before"] < 6 for s in sessions[1:]), sessions
    # Clearing the cookies and storage: the tracker keeps the session id and index in memory,
    # but previousSessionId becomes null, eventIndex restarts and firstEventId changes.
    kinds = sorted(f["kind"] for f in user["findings"])
    assert kinds[0] == "broken_chain" and kinds[-1] == "first_event_id_changed", kinds
    assert set(kinds[1:-1]) == {"event_index_repeated"}, user["findings"]
    assert all(f["session_id"] == sessions[2]["session_id"] for f in user["findings"])
    broken = next(f for f in user["findings"] if f["kind"] == "broken_chain")
    assert "cookies or storage cleared" in broken["message"]
    repeated = next(f for f in user["findings"] if f["kind"] == "event_index_repeated")
    assert "it did not rise" in repeated["message"] and "back to" not in repeated["message"]
    # The session's first event is its own, from before the clearing: the first of the two
    # firstEventIds it carried.
    changed = next(f for f in user["findings"] if f["kind"] == "first_event_id_changed")
    assert f"firstEventId: {sessions[2]['first_event_id']} and " in changed["message"]


PROBES = ("start", "micro-good", "sessions", "reset-json", "reset-simple", "done")


def _probes(collector: CollectProcess) -> dict[str, dict[str, str]]:
    """Each probing page's outcomes, by the page's host: what its tracker reported."""
    found: dict[str, dict[str, str]] = {}
    for item in collector.get("/micro/good"):
        parameters = item["rawEvent"]["parameters"]
        if parameters.get("se_ca") == "probe":
            host = parameters["url"].split("/")[2].split(":")[0]
            found.setdefault(host, {})[parameters["se_ac"]] = parameters.get("se_la", "")
    return found


@pytest.mark.realtime
def test_a_page_on_another_origin_sends_events_but_reads_and_resets_nothing(
    tmp_path: Path, page_server: int
) -> None:
    """In Chromium, a page on another port (another origin) fetches /micro/good and /sessions
    and tries to reset the collector: refused, while its tracker's events arrive. The same page
    on an origin the person allowed with --allow-origin reads them."""
    need_chromium()
    need(TRACKER.is_file(), "the browser tracker is not installed (npm ci in tests/browser)")
    allowed = f"http://localhost:{page_server}"
    collector = CollectProcess(None, "--allow-origin", allowed)
    browsers = []
    try:
        for host in ("127.0.0.1", "localhost"):
            # Only the stranger tries a reset: the allowed page's would be one.
            config = quote(json.dumps({"collector": collector.url, "reset": host == "127.0.0.1"}))
            url = f"http://{host}:{page_server}/probe.html#{config}"
            browsers.append(_chromium(url, tmp_path / f"profile-{host}"))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            probes = _probes(collector)
            if all("done" in probes.get(host, {}) for host in ("127.0.0.1", "localhost")):
                break
            time.sleep(0.25)
        summary = collector.get("/micro/all")
    finally:
        for browser in browsers:
            browser.kill()
            browser.wait(timeout=30)
        status, _, err = collector.stop()
    assert status == 0, err
    stranger, friend = probes["127.0.0.1"], probes["localhost"]
    assert sorted(stranger) == sorted(PROBES), probes
    assert sorted(friend) == sorted(set(PROBES) - {"reset-json"}), probes
    assert stranger["micro-good"] == stranger["sessions"] == "refused", stranger
    assert stranger["reset-json"] == "refused", stranger
    assert stranger["reset-simple"] == "read 0 0", stranger  # opaque: sent, answered 415
    assert friend["micro-good"].startswith("read 200 ") and friend["sessions"].startswith(
        "read 200"
    )
    # Every event of both pages is counted: nothing reset the collector.
    assert summary == {"total": 11, "good": 11, "bad": 0}, summary
