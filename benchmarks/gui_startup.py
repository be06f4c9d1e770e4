"""Start to first painted window: a fresh process, timed until the window's first paint, and
until the timeline (built just after the first paint) is drawn too.

``python -m benchmarks.gui_startup``. Target: under 1.5 s. The baseline is a bare
QApplication showing a QLabel, timed the same way in the same run, interleaved with the
window's runs.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

from benchmarks.gui_common import machine

CHILD = r"""
import sys, time
t0 = float(sys.argv[1])
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            print(f"{time.time() - t0:.4f}", flush=True)
            app.exit(0)
        return False
painted = FirstPaint()
if sys.argv[2] in ("window", "timeline"):
    from session import VirtualClock
    from snowsession_gui import create_main_window
    window = create_main_window(sys.argv[3], clock=VirtualClock(), restore=False)
    target = window.state_panel
else:
    window = target = QLabel("hello")
if sys.argv[2] == "timeline":
    def arm():
        if window.timeline.built:
            window.timeline.ensure_plot().plot.viewport().installEventFilter(painted)
            window.timeline.ensure_plot().plot.viewport().update()
        else:
            QTimer.singleShot(2, arm)
    QTimer.singleShot(0, arm)
else:
    target.installEventFilter(painted)
window.show()
QTimer.singleShot(10000, lambda: app.exit(1))
app.exec()
"""


def measure(kind: str, folder: str, runs: int, name: str = "s") -> list[float]:
    times = []
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=folder)
    for i in range(runs):
        path = os.path.join(folder, f"{name}{i}.xml")
        out = subprocess.run(
            [sys.executable, "-c", CHILD, repr(time.time()), kind, path],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return times


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    runs = 7
    with tempfile.TemporaryDirectory() as folder:
        measure("window", folder, 1)  # warm the file cache
        base: list[float] = []
        window: list[float] = []
        timeline: list[float] = []
        for i in range(runs):  # interleaved: a busy spell slows the baseline as much
            base += measure("label", folder, 1, f"l{i}")
            window += measure("window", folder, 1, f"w{i}")
            timeline += measure("timeline", folder, 1, f"t{i}")
    b, w = statistics.median(base), statistics.median(window)
    t = statistics.median(timeline)
    print(f"machine: {machine()}")
    print(f"bare QLabel, process start to first paint: median {b * 1000:.0f} ms ({runs} runs)")
    print(
        f"snowsession window, process start to first paint: median {w * 1000:.0f} ms, "
        f"max {max(window) * 1000:.0f} ms ({runs} runs), {w / b:.1f}x the bare QLabel"
    )
    print(
        f"snowsession window, process start to the timeline drawn: median {t * 1000:.0f} ms, "
        f"max {max(timeline) * 1000:.0f} ms ({runs} runs)"
    )
    print(f"target: first painted window under 1500 ms -> {'met' if w < 1.5 else 'NOT met'}")


if __name__ == "__main__":
    main()
