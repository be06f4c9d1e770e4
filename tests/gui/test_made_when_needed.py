"""What the first screen does not show is made when first asked for: the Trackers dock's
content and its collector, the compare view, the report and the monitor."""

from __future__ import annotations

import os
import subprocess
import sys

from PySide6.QtWidgets import QScrollArea

from snowsession_gui.trackers.feature import TrackersFeature

LATER = (
    "aiohttp",  # the collector's web server
    "duckdb",
    "snowsession_gui.trackers.panel",
    "snowsession_gui.trackers.sources",
    "snowsession_gui.policy.compare_view",
    "snowsession_gui.model.html_report",
    "snowsession_gui.monitor.window",
)


def test_the_window_starts_without_what_its_first_screen_does_not_show(tmp_path):
    code = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from session import VirtualClock\n"
        "from snowsession_gui import create_main_window\n"
        "app = QApplication([])\n"
        f"window = create_main_window({str(tmp_path / 's.xml')!r}, clock=VirtualClock(), "
        "restore=False)\n"
        "window.show()\n"
        "app.processEvents()\n"
        f"print(sorted(name for name in {LATER!r} if name in sys.modules))\n"
        "window.close()\n"
    )
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=os.environ | env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_the_trackers_dock_is_filled_when_first_shown(window, qtbot):
    feature = window.feature(TrackersFeature)
    assert not feature.made
    assert feature.listen_action.isEnabled() and not feature.stop_action.isEnabled()
    window.docks["trackersDock"].toggleViewAction().trigger()  # View > Trackers
    qtbot.waitUntil(lambda: feature.made)
    holder = window.docks["trackersDock"].widget()
    assert isinstance(holder, QScrollArea) and holder.widget() is feature.panel
    assert feature.panel.isVisible()
