"""Timeline redraw with 1,000,000 session changes (target: under 50 ms).

``python -m benchmarks.gui_timeline_redraw``. Times one full redraw (new data handed to the
curves) plus the paint of the plot, following the present and zoomed out to the whole
history; the baseline is the same with 1,000 changes.
"""

from __future__ import annotations

import time

import numpy as np

from benchmarks.gui_common import app, machine, summary


def measure(changes: int, zoom_all: bool, repeats: int = 15) -> list[float]:
    from snowsession_gui.timeline.view import Timeline

    qapp = app()
    now = [0.0]
    timeline = Timeline(lambda: now[0])
    timeline.resize(1000, 500)
    timeline.show()
    plot = timeline.ensure_plot()
    times = np.arange(changes, dtype=float) * 60.0
    timeline.data.add_steps(times, np.arange(1, changes + 1, dtype=float))
    now[0] = float(times[-1]) + 30
    qapp.processEvents()
    if zoom_all:
        timeline.set_follow(False)
        plot.view.setXRange(0, now[0], padding=0)
        plot.view.setYRange(0, changes, padding=0)
    results = []
    for i in range(repeats):
        now[0] += 1.0
        timeline.data.add_reading(now[0], changes + i + 1)  # one more change each time
        start = time.perf_counter()
        plot.redraw()
        plot.plot.viewport().repaint()  # paint synchronously
        results.append((time.perf_counter() - start) * 1000)
    timeline.close()
    timeline.deleteLater()
    qapp.processEvents()
    return results


def main() -> None:
    print(f"machine: {machine()}")
    base = measure(1_000, zoom_all=False)
    follow = measure(1_000_000, zoom_all=False)
    whole = measure(1_000_000, zoom_all=True)
    print(f"1,000 changes, following the present: {summary(base)}")
    print(f"1,000,000 changes, following the present: {summary(follow)}")
    print(f"1,000,000 changes, zoomed out to all of them: {summary(whole)}")
    worst = max(np.median(follow), np.median(whole))
    print(
        f"target: under 50 ms -> {'met' if worst < 50 else 'NOT met'} "
        f"(median of the worse case {worst:.1f} ms, {worst / np.median(base):.1f}x 1,000 changes)"
    )


if __name__ == "__main__":
    main()
