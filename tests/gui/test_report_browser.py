"""The HTML report in headless Chromium: its rows are rendered, its picture loads, and it asks
for nothing from the network (a recording proxy sees every request the page makes).

Needs Debian's ``chromium`` (CI installs it). Without it the test is skipped, except under CI,
where it fails.
"""

from __future__ import annotations

import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from chromium import HEADLESS, need_chromium
from PySide6.QtGui import QColor, QImage

from snowsession_gui.widgets.palette import LIGHT

from .gui_helpers import exports, scenarios, settle
from .test_report import Page, hostile_scenario

BROWSERS_OWN = ("google.com", "googleapis.com", "gvt1.com", "gstatic.com")
"""Hosts Chromium calls by itself (its clock, updates, accounts), whatever the page."""


class Proxy:
    """A proxy that answers nothing and writes down the first line of every request."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.requests: list[str] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            with client:
                client.settimeout(2)
                try:
                    first = client.recv(512).split(b"\r\n", 1)[0]
                except OSError:
                    first = b"?"
                self.requests.append(first.decode("latin-1"))

    def from_the_page(self) -> list[str]:
        return [r for r in self.requests if not any(host in r for host in BROWSERS_OWN)]

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def proxy() -> Iterator[Proxy]:
    recording = Proxy()
    yield recording
    recording.close()


def chromium(page: Path, profile: Path, proxy: Proxy, *args: str) -> str:
    result = subprocess.run(
        [
            need_chromium(),
            *HEADLESS,
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            f"--proxy-server=http://127.0.0.1:{proxy.port}",
            "--proxy-bypass-list=<-loopback>",  # even the machine itself goes through it
            *args,
            page.as_uri(),
        ],
        capture_output=True,
        timeout=90,
        check=True,
    )
    return result.stdout.decode("utf-8")


def share_of(image: QImage, color: str, box: tuple[int, int, int, int]) -> float:
    """The share of pixels in ``box`` (x, y, width, height) close to ``color``."""
    want = QColor(color)
    x0, y0, width, height = box
    near = total = 0
    for y in range(y0, y0 + height, 2):
        for x in range(x0, x0 + width, 2):
            pixel = image.pixelColor(x, y)
            total += 1
            if (
                abs(pixel.red() - want.red())
                + abs(pixel.green() - want.green())
                + abs(pixel.blue() - want.blue())
                < 60
            ):
                near += 1
    return near / total


def test_the_report_renders_in_chromium_and_fetches_nothing(window, tmp_path, proxy):
    need_chromium()
    run = scenarios(window).play_file(hostile_scenario(tmp_path))
    assert run is not None
    while not run.done:
        scenarios(window).next_step()
        settle(window)
    report = tmp_path / "report.html"
    assert exports(window).export_report(report)
    sessions = len(window.timeline.data.starts)

    dom = Page(chromium(report, tmp_path / "profile", proxy, "--dump-dom"))
    assert len(dom.rows["sessions"]) == sessions == 2
    assert len(dom.rows["expectations"]) == 2
    assert "script" not in dom.tags and dom.tags.count("img") == 1

    shot = tmp_path / "shot.png"
    chromium(report, tmp_path / "profile", proxy, "--window-size=1280,1400", f"--screenshot={shot}")
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1280, 1400)
    assert share_of(image, "#ffffff", (0, 0, 1280, 1400)) > 0.5  # a light page
    # the picture is drawn: its session line (blue) in the figure's place, near the top
    assert share_of(image, LIGHT.step, (80, 80, 1120, 560)) > 0.002
    assert share_of(image, LIGHT.problem, (0, 0, 1280, 1400)) > 0  # the failed expectation
    assert proxy.from_the_page() == []


def test_the_recording_proxy_sees_what_a_page_fetches(tmp_path, proxy):
    """The check above would see a page's request: a page that fetches a picture is seen."""
    page = tmp_path / "fetches.html"
    page.write_text('<img src="http://example.invalid/x.png"><p>x</p>', encoding="utf-8")
    chromium(page, tmp_path / "profile", proxy, "--dump-dom")
    assert proxy.from_the_page() == ["GET http://example.invalid/x.png HTTP/1.1"]
