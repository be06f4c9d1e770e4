"""Injected time: the virtual clock, the thread scheduler and the system clock."""

from __future__ import annotations

import sys
import threading
import time

import pytest

from session import SystemClock, ThreadScheduler, VirtualClock


def test_advance_runs_due_calls_in_time_order_at_their_due_time():
    clock = VirtualClock()
    seen = []
    clock.call_later(3, lambda: seen.append(("c", clock.now())))
    clock.call_later(1, lambda: seen.append(("a", clock.now())))
    clock.call_later(1, lambda: seen.append(("b", clock.now())))
    clock.call_later(5, lambda: seen.append(("late", clock.now())))
    clock.advance(3)
    assert seen == [("a", 1), ("b", 1), ("c", 3)]
    assert clock.now() == 3 and clock.next_due() == 5


def test_calls_scheduled_while_advancing_run_in_the_same_advance():
    clock = VirtualClock()
    seen = []

    def tick():
        seen.append(clock.now())
        clock.call_later(2, tick)

    clock.call_later(2, tick)
    clock.advance(9)
    assert seen == [2, 4, 6, 8]


def test_cancelled_calls_do_not_run():
    clock = VirtualClock()
    seen = []
    timer = clock.call_later(1, lambda: seen.append(1))
    timer.cancel()
    clock.advance(2)
    assert seen == [] and clock.pending == 0 and clock.next_due() is None


def test_virtual_clock_refuses_to_go_back():
    clock = VirtualClock(start=10)
    with pytest.raises(ValueError):
        clock.advance(-1)
    with pytest.raises(ValueError):
        clock.advance_to(5)


def test_wall_time_follows_elapsed_time_and_can_be_shifted_alone():
    clock = VirtualClock(wall_start=1000.0)
    clock.advance(5)
    assert clock.wall_time() == 1005.0
    clock.shift_wall_clock(-3600)
    assert clock.wall_time() == 1005.0 - 3600 and clock.now() == 5


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="CLOCK_BOOTTIME is Linux's")
def test_system_clock_counts_suspend_on_linux():
    clock = SystemClock()
    boot = time.clock_gettime(time.CLOCK_BOOTTIME)
    assert abs(clock.now() - boot) < 0.5
    assert abs(clock.wall_time() - time.time()) < 0.5


@pytest.mark.realtime
def test_thread_scheduler_calls_back_on_a_daemon_thread_and_close_cancels():
    scheduler = ThreadScheduler()
    fired = threading.Event()
    threads = []

    def callback():
        threads.append(threading.current_thread())
        fired.set()

    scheduler.call_later(0.01, callback)
    assert fired.wait(2)
    assert threads[0].daemon and threads[0] is not threading.current_thread()
    late = []
    scheduler.call_later(0.05, lambda: late.append(1))
    assert scheduler.pending == 1
    scheduler.close()
    time.sleep(0.1)
    assert late == [] and scheduler.pending == 0
    with pytest.raises(RuntimeError):
        scheduler.call_later(1, callback)
