"""Clocks: the wall clock moving changes nothing in expiry; time spent suspended counts.

Expiry is measured on ``Clock.now()`` only (on Linux ``CLOCK_BOOTTIME``); the wall clock is
used for nothing but names shown to people (a damaged file's ``.corrupt-<UTC>`` stamp).
"""

from __future__ import annotations

import math
import sys
import time
from functools import partial
from pathlib import Path

from session import ClientSession, SessionStarted, SystemClock, VirtualClock
from session.storage.format import encode

HOUR = 3600.0


def timeline(
    tmp_path: Path, name: str, clock: object, scheduler: VirtualClock, jolt: object = None
) -> list[tuple[float, int]]:
    """Events and idle stretches over 2 hours; returns (time, index) of every new session."""
    starts: list[tuple[float, int]] = []

    def seen(note: object) -> None:
        if isinstance(note, SessionStarted):
            starts.append((note.at, note.new.session_index))

    with ClientSession(
        tmp_path / name,
        foreground_timeout=600,
        background_timeout=300,
        check_interval=15,
        clock=clock,
        scheduler=scheduler,  # type: ignore[arg-type]
        observers=[seen],
    ) as s:
        for step in range(48):
            if step % 5 != 4:
                s.get_session_context(f"e{step}")
            if step == 20:
                s.set_background(True)
            if step == 30:
                s.set_background(False)
            if callable(jolt):
                jolt(step)
            scheduler.advance(150)
    return starts


def test_moving_the_wall_clock_by_hours_changes_nothing(tmp_path: Path) -> None:
    control = VirtualClock(wall_start=1_800_000_000.0)
    expected = timeline(tmp_path, "control.xml", control, control)
    assert len(expected) >= 3  # the timeline does expire sessions

    shifted = VirtualClock(wall_start=1_800_000_000.0)
    shifts = [+3 * HOUR, -5 * HOUR, +26 * HOUR, -24 * HOUR * 400]

    def jolt(step: int) -> None:
        if step % 7 == 3:
            shifted.shift_wall_clock(shifts[step % len(shifts)])

    assert timeline(tmp_path, "shifted.xml", shifted, shifted, jolt) == expected


class JumpyWallClock:
    """Elapsed time from a virtual clock; a wall clock that jumps hours (and worse) each read."""

    def __init__(self, base: VirtualClock) -> None:
        self.base = base
        self.reads = 0
        self.jumps = [0.0, 5 * HOUR, -7 * HOUR, 1e12, -1e12, math.nan]

    def now(self) -> float:
        return self.base.now()

    def wall_time(self) -> float:
        self.reads += 1
        return 1_800_000_000.0 + self.jumps[self.reads % len(self.jumps)]


def test_a_wall_clock_that_jumps_at_every_read(tmp_path: Path) -> None:
    control = VirtualClock()
    expected = timeline(tmp_path, "control.xml", control, control)
    base = VirtualClock()
    assert timeline(tmp_path, "jumpy.xml", JumpyWallClock(base), base) == expected


def test_a_damaged_file_is_set_aside_whatever_the_wall_clock_says(tmp_path: Path) -> None:
    user = "0f8fad5b-d9cb-469f-a165-70867728950e"
    for number, wall in enumerate([1e12, -1e12, math.nan, math.inf, 0.0]):
        folder = tmp_path / f"w{number}"
        folder.mkdir()
        path = folder / "session.xml"
        damaged = encode([("userId", user), ("sessionIndex", "7")])
        path.write_bytes(damaged)
        base = VirtualClock(wall_start=wall)
        with ClientSession(path, clock=base) as s:
            assert s.flush(timeout=5)
            assert s.storage_problem is None, (wall, s.storage_problem)
            assert s.user_id == user
        aside = list(folder.glob("session.xml.corrupt-*"))
        assert len(aside) == 1 and aside[0].read_bytes() == damaged, wall


class BootClock:
    """``now()`` like CLOCK_BOOTTIME: it goes on while the machine is suspended. The scheduler
    (a virtual clock standing for the timer's CLOCK_MONOTONIC) does not see the suspend."""

    def __init__(self, base: VirtualClock) -> None:
        self.base = base
        self.suspended = 0.0

    def now(self) -> float:
        return self.base.now() + self.suspended

    def wall_time(self) -> float:
        return self.base.wall_time() + self.suspended


def test_time_spent_suspended_counts_as_elapsed(tmp_path: Path) -> None:
    base = VirtualClock()
    boot = BootClock(base)
    with ClientSession(
        tmp_path / "s.xml", foreground_timeout=600, check_interval=15, clock=boot, scheduler=base
    ) as s:
        s.get_session_context("before suspend")
        base.advance(60)
        boot.suspended += 2 * HOUR  # the lid is closed for two hours; no timer runs meanwhile
        assert s.session_index == 1
        base.advance(15)  # the first check after resume
        assert s.session_index == 2
    # The same two hours on a clock that stops during suspend (CLOCK_MONOTONIC): no expiry.
    plain = VirtualClock()
    with ClientSession(
        tmp_path / "m.xml", foreground_timeout=600, check_interval=15, clock=plain
    ) as m:
        m.get_session_context("before suspend")
        plain.advance(75)
        assert m.session_index == 1


def test_system_clock_counts_suspend_on_this_platform() -> None:
    clock = SystemClock()
    if sys.platform.startswith("linux"):
        assert isinstance(clock.now, partial)
        assert clock.now.func is time.clock_gettime
        assert clock.now.args == (time.CLOCK_BOOTTIME,)
        reference = time.clock_gettime(time.CLOCK_BOOTTIME)
    elif sys.platform == "darwin":
        reference = time.clock_gettime(time.CLOCK_MONOTONIC)
    else:
        reference = time.monotonic()
    assert abs(clock.now() - reference) < 1.0
    assert abs(clock.wall_time() - time.time()) < 1.0
