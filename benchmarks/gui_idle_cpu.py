"""CPU use with the window idle at 1x (target: under 2% of a core).

``python -m benchmarks.gui_idle_cpu [SECONDS]``. The window runs at 1x with the checker
armed (a check every 15 s, the clock and countdown ticking) and nothing else happening; CPU
time of the whole process (all threads) is divided by the wall time. The baseline is an
empty QMainWindow measured the same way.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.gui_common import app, machine


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_for(qapp, seconds: float) -> float:
    """Run the event loop for ``seconds``; the share of one core used meanwhile, in %."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    c0, t0 = cpu(), time.perf_counter()
    loop.exec()
    return 100.0 * (cpu() - c0) / (time.perf_counter() - t0)


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 20.0
    qapp = app()
    from PySide6.QtWidgets import QMainWindow

    from session import VirtualClock
    from snowsession_gui import create_main_window

    empty = QMainWindow()
    empty.resize(1280, 820)
    empty.show()
    run_for(qapp, 1.0)
    base = run_for(qapp, seconds)
    empty.close()

    with tempfile.TemporaryDirectory() as folder:
        from PySide6.QtCore import QSettings

        settings = QSettings(str(Path(folder) / "s.ini"), QSettings.Format.IniFormat)
        window = create_main_window(
            Path(folder) / "session.xml",
            clock=VirtualClock(),
            speed=1,
            settings=settings,
            restore=False,
        )
        window.show()
        window.controls.fire_event()  # arms the checker: a check every 15 s
        run_for(qapp, 2.0)
        idle = run_for(qapp, seconds)
        window.close()
    print(f"machine: {machine()}")
    print(f"empty QMainWindow, idle: {base:.2f}% of a core over {seconds:g} s")
    print(f"snowsession window at 1x, idle: {idle:.2f}% of a core over {seconds:g} s")
    print(f"target: under 2% -> {'met' if idle < 2 else 'NOT met'}")


if __name__ == "__main__":
    main()
