"""``python -m benchmarks``: every benchmark, one after the other."""

from __future__ import annotations

import os
import runpy
import sys

MODULES = [
    "benchmarks.engine",
    "benchmarks.week",
    "benchmarks.trackers",
    "benchmarks.collector_memory",
    "benchmarks.audit",
    "benchmarks.gui_startup",
    "benchmarks.gui_timeline_redraw",
    "benchmarks.gui_file_latency",
    "benchmarks.gui_idle_cpu",
]


def main() -> int:
    """Run each benchmark; Ctrl-C stops them with one line, not a traceback (``make bench``:
    make's own)."""
    try:
        for name in MODULES:
            print(f"\n=== {name}", flush=True)
            runpy.run_module(name, run_name="__main__")
    except KeyboardInterrupt:
        if not os.environ.get("MAKELEVEL"):  # under make, make's "Interrupt" line says it
            print("benchmarks: stopped by Ctrl-C", file=sys.stderr, flush=True)
        return 130
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
