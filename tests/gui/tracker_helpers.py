"""Helpers for the tracker lanes' tests: listening from the window, real tracker events, and
what ``snowsession sessions`` says of the same files."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import requests
from snowplow_tracker import Emitter
from snowplow_tracker.events import StructuredEvent

from session import ClientSession, VirtualClock
from session.snowplow import SessionTracker
from session.trackers.protocol import POST_PATH
from snowsession_gui.model.tracker_data import Frame
from snowsession_gui.trackers.feature import TrackersFeature
from snowsession_gui.window.main_window import MainWindow


def trackers(window: MainWindow) -> TrackersFeature:
    return window.feature(TrackersFeature)


def listen(window: MainWindow, log: Path, host: str = "127.0.0.1") -> TrackersFeature:
    """Start the window's collector on a free port, as the dialog's Listen does."""
    feature = trackers(window)
    problem = feature.start_listening(host, 0, str(log))
    assert problem is None, problem
    return feature


def frame_when(qtbot: Any, feature: TrackersFeature, events: int, timeout: int = 10_000) -> Frame:
    """The frame the panel draws once it holds ``events`` good events."""
    qtbot.waitUntil(lambda: feature.panel.frame.counts.good >= events, timeout=timeout)
    return feature.panel.frame


def collector_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "snowsession-collector"]


def post(url: str, data: bytes, content_type: str = "application/json") -> int:
    request = urllib.request.Request(
        url + POST_PATH, data=data, headers={"Content-Type": content_type}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return int(response.status)


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


class RealTracker:
    """The Snowplow Python tracker with a session's entity on each event, sending at once,
    each event's true time the virtual clock's wall time (so idle gaps can be long)."""

    def __init__(self, url: str, session: ClientSession, clock: VirtualClock) -> None:
        self.clock = clock
        self.http = requests.Session()
        self.http.trust_env = False  # loopback only: no proxy from the environment
        emitter = Emitter(url, method="post", batch_size=1, request_timeout=5, session=self.http)  # type: ignore[arg-type]
        self.tracker = SessionTracker("app", emitter, session=session)

    def track(self, action: str = "tap") -> str:
        event = StructuredEvent("test", action, true_timestamp=self.clock.wall_time() * 1000)
        return str(self.tracker.track(event))

    def close(self) -> None:
        self.http.close()


DEVICE_START = float((int(time.time()) // 86_400 - 1) * 86_400 + 8 * 3600)
"""When the devices of :func:`three_devices` start: yesterday at 08:00 UTC. A device time after
an event's arrival, or a year before it, is a wrong clock and not judged; this is neither."""


def three_devices(url: str, folder: Path) -> dict[str, str]:
    """Three devices' real trackers: ``clean`` (a new session after a long idle time, no
    finding), ``restarts`` (restarted at once, then a start that sent nothing: an early new
    session twice and a gap in the index) and ``stays`` (one session across an idle time
    longer than 1800 s: a missed expiry when judged by the mobile trackers' defaults).

    Returns each device's user id by name. Events: 4, 3 and 2.
    """
    users: dict[str, str] = {}
    clock = VirtualClock(wall_start=DEVICE_START)
    folder.mkdir(parents=True, exist_ok=True)

    def run(name: str, **options: Any) -> ClientSession:
        session = ClientSession(folder / f"{name}.xml", clock=clock, **options)
        users[name] = session.user_id
        return session

    with run("clean", policy="mobile", foreground_timeout=1800) as session:
        tracker = RealTracker(url, session, clock)
        for step in (0, 10, 10, 2000):
            clock.advance(step)
            tracker.track()
        tracker.close()
    for wait in (60, 60, 0, 120):  # four starts: the third sends nothing
        clock.advance(wait)
        with run("restarts") as session:
            if wait:
                tracker = RealTracker(url, session, clock)
                tracker.track("start")
                tracker.close()
    with run("stays", policy="mobile", foreground_timeout=3600) as session:
        tracker = RealTracker(url, session, clock)
        tracker.track()
        clock.advance(2500)
        tracker.track()
        tracker.close()
    return users


def cli_sessions(paths: Sequence[Path | str], *options: str) -> dict[str, Any]:
    """``snowsession sessions PATHS --format json OPTIONS`` as a person runs it."""
    done = subprocess.run(
        [sys.executable, "-m", "session.cli", "sessions", *map(str, paths), "--format", "json",
         *options],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


MOBILE = ("--foreground-timeout", "1800", "--background-timeout", "1800")
"""The command line's timeouts for the window's "Android, iOS defaults" preset."""
