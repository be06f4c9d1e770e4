"""``python -m benchmarks``: every benchmark, one after the other."""

from __future__ import annotations

import runpy
import sys

MODULES = [
    "benchmarks.engine",
    "benchmarks.week",
    "benchmarks.trackers",
    "benchmarks.audit",
    "benchmarks.gui_startup",
    "benchmarks.gui_timeline_redraw",
    "benchmarks.gui_file_latency",
    "benchmarks.gui_idle_cpu",
]


def main() -> None:
    for name in MODULES:
        print(f"\n=== {name}", flush=True)
        runpy.run_module(name, run_name="__main__")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
