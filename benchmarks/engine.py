"""Engine benchmarks: per-event cost, a new session with its durable write, construction.

Run: ``python -m benchmarks.engine``. Every figure comes with its baseline, measured in the
same run and interleaved with it, so a busy or slow machine shifts both alike.
"""

from __future__ import annotations

import os
import platform
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from session import ClientSession, VirtualClock


class _Baseline:
    """A bare method: store time.monotonic() in an attribute, return a cached object."""

    def __init__(self) -> None:
        self.cached = object()
        self.accessed = 0.0

    def track(self, event_id: str) -> object:
        self.accessed = time.monotonic()
        return self.cached


def _per_call_ns(call: Callable[[str], object], number: int) -> float:
    start = time.perf_counter_ns()
    for _ in range(number):
        call("event")
    return (time.perf_counter_ns() - start) / number


def _rounds(candidates: dict[str, Callable[[], float]], rounds: int) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(rounds):
        for name, measure in candidates.items():
            results[name].append(measure())
    return results


def bench_event(folder: Path, rounds: int = 15, number: int = 200_000) -> dict[str, float]:
    baseline = _Baseline()
    session = ClientSession(folder / "event.xml")  # the real clock and thread scheduler
    session.get_session_context("first")  # the first event of the session, the checker armed
    try:
        results = _rounds(
            {
                "baseline": lambda: _per_call_ns(baseline.track, number),
                "get_session_context": lambda: _per_call_ns(session.get_session_context, number),
            },
            rounds,
        )
    finally:
        session.close()
    base = statistics.median(results["baseline"])
    ours = statistics.median(results["get_session_context"])
    return {"baseline_ns": base, "event_ns": ours, "ratio": ours / base}


def _plain_fsynced_write(path: Path, data: bytes) -> None:
    """Overwrite in place and fsync: durable data, but not atomic (the .NET original's way)."""
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _bare_durable_write(path: Path, data: bytes) -> None:
    """The bare durable atomic write, with no engine: temp file, fsync, replace, fsync folder."""
    temp = path.with_name(path.name + ".tmp")
    with open(temp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def bench_new_session(folder: Path, rounds: int = 9, number: int = 40) -> dict[str, float]:
    clock = VirtualClock()
    session = ClientSession(
        folder / "roll.xml", foreground_timeout=1, check_interval=1, clock=clock
    )
    session.start_checker()
    session.flush()
    payload = os.urandom(512).hex().encode()  # 1 KiB
    bare = folder / "bare.bin"

    def new_sessions() -> float:
        start = time.perf_counter()
        for _ in range(number):
            clock.advance(1)  # the check expires the session: durable before this returns
        return (time.perf_counter() - start) / number * 1e6

    def writes(write: Callable[[Path, bytes], None]) -> Callable[[], float]:
        def measure() -> float:
            start = time.perf_counter()
            for _ in range(number):
                write(bare, payload)
            return (time.perf_counter() - start) / number * 1e6

        return measure

    try:
        results = _rounds(
            {
                "bare": writes(_bare_durable_write),
                "plain": writes(_plain_fsynced_write),
                "new_session": new_sessions,
            },
            rounds,
        )
    finally:
        session.close()
    base = statistics.median(results["bare"])
    plain = statistics.median(results["plain"])
    ours = statistics.median(results["new_session"])
    return {
        "bare_write_us": base,
        "plain_write_us": plain,
        "new_session_us": ours,
        "ratio": ours / base,
        "ratio_plain": ours / plain,
    }


def bench_construction(folder: Path, number: int = 60) -> dict[str, float]:
    path = folder / "open.xml"
    ClientSession(path).close()
    times = []
    for _ in range(number):
        start = time.perf_counter()
        session = ClientSession(path)  # read, new session, its write on disk
        times.append(time.perf_counter() - start)
        session.close()
    return {"construction_us": statistics.median(times) * 1e6}


def bench_dotnet_timing_test(folder: Path, number: int = 200) -> dict[str, float]:
    times = []
    for n in range(number):
        clock = VirtualClock()
        s = ClientSession(
            folder / f"timing-{n}.xml",
            foreground_timeout=2,
            background_timeout=2,
            check_interval=1,
            clock=clock,
        )
        s.flush()
        start = time.perf_counter()
        first = s.current_session_id
        s.start_checker()
        clock.advance(3)
        assert (s.session_index, s.previous_session_id) == (2, first)
        s.set_background(True)
        clock.advance(3)
        assert s.session_index == 3 and not s.is_checking
        s.set_background(False)
        assert s.is_checking
        times.append(time.perf_counter() - start)
        s.close()
    return {"timing_test_us": statistics.median(times) * 1e6}


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    return (
        f"{os.cpu_count()} cores, {model or platform.machine()}, Python {platform.python_version()}"
    )


EVENT_TARGET, ROLL_TARGET = 1.5, 1.3
"""The most an event may cost, and a new session, as a ratio of their baselines."""


def verdict(ratio: float, target: float) -> str:
    """``target <= 1.5x: met`` or ``…: missed``."""
    return f"target <= {target}x: {'met' if ratio <= target else 'missed'}"


def main() -> None:
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        event = bench_event(folder)
        print(
            f"event: get_session_context {event['event_ns']:.0f} ns, baseline "
            f"{event['baseline_ns']:.0f} ns, ratio {event['ratio']:.2f}x "
            f"({verdict(event['ratio'], EVENT_TARGET)})"
        )
        roll = bench_new_session(folder)
        print(
            f"new session, durable before it is seen {roll['new_session_us']:.0f} us, bare "
            f"durable atomic 1 KiB write {roll['bare_write_us']:.0f} us, "
            f"ratio {roll['ratio']:.2f}x ({verdict(roll['ratio'], ROLL_TARGET)}); against a "
            "plain fsynced overwrite "
            f"({roll['plain_write_us']:.0f} us, not atomic): {roll['ratio_plain']:.2f}x"
        )
        build = bench_construction(folder)
        print(
            f"construction on an existing file (read, new session, write): "
            f"{build['construction_us']:.0f} us"
        )
        timing = bench_dotnet_timing_test(folder)
        print(f".NET timing test on the virtual clock: {timing['timing_test_us']:.0f} us")
    print(f"threads alive at exit: {threading.active_count()}")


if __name__ == "__main__":
    main()
