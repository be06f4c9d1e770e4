"""Shared bits of the window's benchmarks: machine description and an offscreen app."""

from __future__ import annotations

import os
import platform
import statistics
import sys


def machine() -> str:
    import pyqtgraph
    import PySide6

    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        model = platform.processor() or model
    return (
        f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, "
        f"PySide6 {PySide6.__version__}, pyqtgraph {pyqtgraph.__version__}, "
        f"Qt platform {os.environ.get('QT_QPA_PLATFORM', 'default')}"
    )


def app():
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    instance = QApplication.instance()
    return instance if instance is not None else QApplication([sys.argv[0]])


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms, max {ordered[-1]:.1f} ms"
