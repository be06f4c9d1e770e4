"""The window fits the screen it opens on: a 720p projector, a small laptop, a desktop; and a
geometry kept on a larger screen is not put back where it would not fit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CHILD = r"""
import json, sys
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QStatusBar
from session import VirtualClock
from snowsession_gui import create_main_window
app = QApplication([])
folder = sys.argv[1]
settings = QSettings(folder + "/settings.ini", QSettings.Format.IniFormat)
if len(sys.argv) > 2:  # a geometry kept on a 1920x1080 screen, at its full size
    settings.setValue("window/geometry", bytes.fromhex(sys.argv[2]))
window = create_main_window(folder + "/s.xml", clock=VirtualClock(), speed=0, settings=settings)
window.show()
for _ in range(5):
    app.processEvents()
def rect(r):
    return [r.x(), r.y(), r.width(), r.height()]
def inside(widget):
    top_left = widget.mapTo(window, widget.rect().topLeft())
    return [top_left.x(), top_left.y(), widget.width(), widget.height()]
shown = {
    name: inside(dock) for name, dock in window.docks.items() if not dock.visibleRegion().isEmpty()
}
shown["statusBar"] = inside(window.findChild(QStatusBar))
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTabBar
groups = [
    sorted(d.windowTitle() for d in (dock, *window.tabifiedDockWidgets(dock)))
    for dock in window.docks.values()
    if dock.isVisible() and window.tabifiedDockWidgets(dock)
]
bars = window.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly)
tabs = [sorted(b.tabText(i) for i in range(b.count())) for b in bars if b.isVisible()]
print(json.dumps({
    "stale tab bars": [t for t in tabs if t not in groups],
    "screen": rect(window.screen().availableGeometry()),
    "frame": rect(window.frameGeometry()),
    "size": [window.width(), window.height()],
    "parts": shown,
    "geometry": bytes(window.saveGeometry().data()).hex(),
}))
window.close()
"""


def open_on_screen(tmp_path: Path, width: int, height: int, geometry: str = "") -> dict:
    config = tmp_path / f"screen{width}x{height}.json"
    screen = {"name": "s", "x": 0, "y": 0, "width": width, "height": height, "dpr": 1}
    config.write_text(json.dumps({"screens": [screen]}))
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}")
    folder = tmp_path / f"run{width}x{height}{len(geometry)}"
    folder.mkdir()
    args = [sys.executable, "-c", CHILD, str(folder)] + ([geometry] if geometry else [])
    out = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def assert_fits(shown: dict) -> None:
    sx, sy, sw, sh = shown["screen"]
    fx, fy, fw, fh = shown["frame"]
    assert sx <= fx and sy <= fy and fx + fw <= sx + sw and fy + fh <= sy + sh, shown
    assert shown["stale tab bars"] == []  # none left over by Qt, peeking out under the docks
    width, height = shown["size"]
    for name, (x, y, w, h) in shown["parts"].items():
        assert w > 0 and h > 0, name
        assert x >= 0 and y >= 0 and x + w <= width and y + h <= height, (name, shown)


@pytest.mark.parametrize("screen", [(1280, 720), (1366, 768)])
def test_on_a_small_screen_the_window_and_every_dock_fit_it(tmp_path, screen):
    shown = open_on_screen(tmp_path, *screen)
    assert_fits(shown)
    assert {"eventLogDock", "contextDock", "stateDock", "statusBar"} <= set(shown["parts"])


@pytest.mark.parametrize(
    ("screen", "size"),
    [((1920, 1080), (1728, 972)), ((1600, 1000), (1440, 900)), ((1440, 900), (1296, 810))],
)
def test_on_a_desktop_the_window_takes_most_of_it_in_the_middle(tmp_path, screen, size):
    """Nine tenths of the screen, never less than 1280x800: room for the Trackers dock beside
    a whole state panel."""
    shown = open_on_screen(tmp_path, *screen)
    assert_fits(shown)
    assert shown["size"] == list(size)
    assert shown["frame"][:2] == [(screen[0] - size[0]) // 2, (screen[1] - size[1]) // 2]


def test_a_geometry_kept_on_a_larger_screen_is_fitted_to_the_small_one(tmp_path):
    big = open_on_screen(tmp_path, 2560, 1440)
    shown = open_on_screen(tmp_path, 1280, 720, big["geometry"])
    assert_fits(shown)


@pytest.mark.parametrize("size", [(1280, 720), (1366, 768), (1440, 900), (1600, 1000)])
def test_the_state_panel_never_scrolls_sideways_even_beside_the_trackers_dock(
    make_window, qtbot, size
):
    from PySide6.QtWidgets import QScrollArea

    from snowsession_gui.trackers.feature import TrackersFeature

    window = make_window()
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    scroll = window.findChild(QScrollArea, "stateDockScroll")
    panel = window.state_panel

    def whole() -> bool:
        return not scroll.horizontalScrollBar().isVisible() and (
            panel.width() >= panel.sizeHint().width()
        )

    qtbot.wait(100)
    assert whole()
    assert_no_stale_tab_bars(window)
    if size[0] >= 1366:  # beside the Trackers dock too, which still gets a good share
        feature = window.feature(TrackersFeature)
        feature._show_dock()
        qtbot.waitUntil(lambda: feature.dock.isVisible())
        qtbot.wait(100)  # the docks laid out again
        assert whole()
        assert_no_stale_tab_bars(window)
        assert feature.dock.width() >= 0.3 * size[0]
        assert window.timeline.width() >= window.timeline.minimumWidth()


def assert_no_stale_tab_bars(window) -> None:
    """Every tab bar shown is that of docks tabbed together now (none left over, under them)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QTabBar

    bars = window.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly)
    shown = [sorted(bar.tabText(i) for i in range(bar.count())) for bar in bars if bar.isVisible()]
    groups = [
        sorted(d.windowTitle() for d in (dock, *window.tabifiedDockWidgets(dock)))
        for dock in window.docks.values()
        if dock.isVisible() and window.tabifiedDockWidgets(dock)
    ]
    assert all(tabs in groups for tabs in shown), (shown, groups)
