"""8 threads firing events while the real checker expires sessions every few milliseconds.

Real time on purpose (a stress test): ``SNOWSESSION_THREAD_SECONDS`` sets how long each run
lasts (default 1.5 s per run, two runs; the slow variant runs 8 s each). Invariants: the index
rises by exactly 1 per new session and ``previous_session_id`` is the session before; no
exception escapes any thread; nothing deadlocks (every join is bounded); after ``flush`` the
file holds what memory holds.
"""

from __future__ import annotations

import faulthandler
import itertools
import os
import random
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from session import (
    ClientSession,
    Notification,
    SaveFileBusyError,
    SessionClosedError,
    SessionStarted,
    VirtualClock,
    read_save_file,
)

THREADS = 8
BOUND = 30.0  # seconds: any join that takes longer is a deadlock


@pytest.fixture
def escaped(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Exceptions that escaped any thread (threading.excepthook) during the test."""
    seen: list[str] = []

    def hook(args: Any) -> None:
        seen.append(
            f"{args.thread.name if args.thread else '?'}: {args.exc_type.__name__}: "
            f"{args.exc_value}"
        )

    monkeypatch.setattr(threading, "excepthook", hook)
    faulthandler.dump_traceback_later(BOUND * 4, exit=True, file=sys.__stderr__)
    yield seen
    faulthandler.cancel_dump_traceback_later()


def storm(s: ClientSession, seconds: float, seed: int) -> dict[str, Any]:
    """Fire events from 8 threads (one also flips background and the checker) for ``seconds``."""
    stop = threading.Event()
    busy = threading.Event()  # set: fire; clear: all threads idle, so sessions can expire
    errors: list[BaseException] = []
    seen: list[list[tuple[int, str, str | None]]] = [[] for _ in range(THREADS)]
    counts = [0] * THREADS

    def worker(number: int) -> None:
        rng = random.Random(seed * 100 + number)
        mine = seen[number]
        try:
            while not stop.is_set():
                busy.wait(0.05)
                for _ in range(rng.randrange(1, 50)):
                    data = s.get_session_context(f"e{number}-{counts[number]}").data
                    counts[number] += 1
                    entry = (data["sessionIndex"], data["sessionId"], data["previousSessionId"])
                    if not mine or mine[-1] != entry:
                        mine.append(entry)
                if number == 0:
                    choice = rng.random()
                    if choice < 0.3:
                        s.set_background(rng.random() < 0.5)
                    elif choice < 0.4:
                        s.stop_checker()
                    elif choice < 0.5:
                        s.start_checker()
                time.sleep(rng.uniform(0, 0.001))
        except BaseException as error:
            errors.append(error)
            raise

    threads = [
        threading.Thread(target=worker, args=(n,), name=f"events-{n}") for n in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    rng = random.Random(seed)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        busy.set()
        time.sleep(rng.uniform(0.001, 0.01))
        busy.clear()
        time.sleep(rng.uniform(0.0, 0.012))  # quiet: often longer than the timeout
    busy.set()
    stop.set()
    for thread in threads:
        thread.join(BOUND)
    stuck = [t.name for t in threads if t.is_alive()]
    assert not stuck, f"deadlock: {stuck} still running after {BOUND} s"
    assert not errors, errors
    return {"seen": seen, "events": sum(counts)}


def check_thread_views(seen: list[list[tuple[int, str, str | None]]]) -> dict[int, str]:
    """What each thread saw only moves forward, and all threads agree on each session."""
    by_index: dict[int, tuple[str, str | None]] = {}
    for view in seen:
        indices = [index for index, _, _ in view]
        assert indices == sorted(indices), "a thread saw the index go back"
        for index, session_id, previous in view:
            assert by_index.setdefault(index, (session_id, previous)) == (session_id, previous)
    ids = [session_id for session_id, _ in by_index.values()]
    assert len(ids) == len(set(ids)), "one session id under two indices"
    for index, (_, previous) in by_index.items():
        if index - 1 in by_index:
            assert previous == by_index[index - 1][0], f"session {index}: wrong previous id"
    return {index: session_id for index, (session_id, _) in by_index.items()}


def close_bounded(s: ClientSession) -> None:
    closer = threading.Thread(target=s.close, name="close")
    closer.start()
    closer.join(BOUND)
    assert not closer.is_alive(), "close() deadlocked"


def assert_file_matches(s: ClientSession) -> None:
    s.stop_checker()  # idle: otherwise it goes on rolling sessions while we compare
    assert s.flush(timeout=BOUND)
    saved = read_save_file(s.save_path).saved
    state = s.state
    assert saved is not None
    assert (saved.user_id, saved.session_id, saved.previous_session_id, saved.session_index) == (
        state.user_id,
        state.session_id,
        state.previous_session_id,
        state.session_index,
    )


def seconds(default: float) -> float:
    return float(os.environ.get("SNOWSESSION_THREAD_SECONDS", default))


def run_observed(tmp_path: Path, duration: float, escaped: list[str]) -> dict[str, int]:
    """With an observer: the locked path. Every new session is seen, in order."""
    notes: list[Notification] = []
    s = ClientSession(
        tmp_path / "observed.xml",
        foreground_timeout=0.004,
        background_timeout=0.003,
        check_interval=0.002,
        observers=[notes.append],
    )
    s.start_checker()
    result = storm(s, duration, seed=1)
    assert_file_matches(s)
    final = s.state
    close_bounded(s)
    started = [n for n in notes if isinstance(n, SessionStarted)]
    assert started[0].new.session_index == 1 and started[0].old is None
    for before, after in itertools.pairwise(started):
        assert after.old is not None
        assert after.old.session_id == before.new.session_id, "a session was skipped"
        assert after.new.session_index == before.new.session_index + 1
        assert after.new.previous_session_id == before.new.session_id
    assert started[-1].new.session_id == final.session_id
    views = check_thread_views(result["seen"])
    announced = {n.new.session_index: n.new.session_id for n in started}
    assert all(announced[i] == sid for i, sid in views.items()), "an event saw an unknown session"
    assert not escaped, escaped
    return {"sessions": final.session_index, "events": result["events"]}


def run_lock_free(tmp_path: Path, duration: float, escaped: list[str]) -> dict[str, int]:
    """Without observers: events take the lock-free fast path while the checker rolls."""
    s = ClientSession(
        tmp_path / "fast.xml",
        foreground_timeout=0.004,
        background_timeout=0.003,
        check_interval=0.002,
    )
    s.start_checker()
    sampled: list[tuple[int, str, str | None]] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            state = s.state
            sampled.append((state.session_index, state.session_id, state.previous_session_id))
            time.sleep(0.0005)

    sampler = threading.Thread(target=sample, name="sampler")
    sampler.start()
    try:
        result = storm(s, duration, seed=2)
    finally:
        stop.set()
        sampler.join(BOUND)
    assert not sampler.is_alive()
    assert_file_matches(s)
    final = s.state
    close_bounded(s)
    views = check_thread_views([*result["seen"], sampled])
    assert max(views) <= final.session_index
    assert not escaped, escaped
    return {"sessions": final.session_index, "events": result["events"]}


@pytest.mark.realtime
def test_threads_with_observers(tmp_path: Path, escaped: list[str]) -> None:
    result = run_observed(tmp_path, seconds(1.5), escaped)
    assert result["sessions"] > 10, "the checker must really have rolled sessions"


@pytest.mark.realtime
def test_threads_on_the_lock_free_event_path(tmp_path: Path, escaped: list[str]) -> None:
    result = run_lock_free(tmp_path, seconds(1.5), escaped)
    assert result["sessions"] > 10


@pytest.mark.slow
@pytest.mark.realtime
def test_threads_long(tmp_path: Path, escaped: list[str]) -> None:
    duration = seconds(8.0)
    observed = run_observed(tmp_path, duration, escaped)
    fast = run_lock_free(tmp_path, duration, escaped)
    print(f"\nthreads: observed {observed}, lock-free {fast}, {duration} s each")
    assert observed["sessions"] > 50 and fast["sessions"] > 50


def test_unsubscribing_while_the_checker_is_stopped_leaves_events_rearming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A forced interleaving: ``unsubscribe`` decides the lock-free event path may be used
    (the checker is armed), ``stop_checker`` runs on another thread, then the decision lands.
    Events must still re-arm the stopped checker."""
    clock = VirtualClock()
    s = ClientSession(tmp_path / "s.xml", clock=clock)
    s.get_session_context("e1")  # arms the checker; the session has its context
    undo = s.subscribe(lambda note: None)
    reached, go = threading.Event(), threading.Event()

    class Paused:
        """The engine's observer list, pausing the unsubscriber as it asks who wants events."""

        def __init__(self, inner: Any) -> None:
            self.inner = inner

        @property
        def wants_events(self) -> Any:
            if threading.current_thread().name == "unsubscribe":
                reached.set()
                go.wait(BOUND)
            return self.inner.wants_events

        def notify(self, note: Any) -> None:
            self.inner.notify(note)

    monkeypatch.setattr(s._core, "observers", Paused(s._core.observers))
    unsubscriber = threading.Thread(target=undo, name="unsubscribe")
    unsubscriber.start()
    assert reached.wait(BOUND)
    stopper = threading.Thread(target=s.stop_checker, name="stop")
    stopper.start()
    stopper.join(0.2)  # with the lock held by the unsubscriber it waits; without, it is done
    go.set()
    unsubscriber.join(BOUND)
    stopper.join(BOUND)
    assert not unsubscriber.is_alive() and not stopper.is_alive()
    assert not s.is_checking
    s.get_session_context("e2")
    assert s.is_checking, "an event must re-arm a stopped checker"
    s.close()


@pytest.mark.realtime
@pytest.mark.parametrize("kind", ["SessionStarted", "CheckerChanged", "StorageRecovered"])
def test_close_from_an_observer_on_the_checker_thread(
    tmp_path: Path, escaped: list[str], kind: str
) -> None:
    """An observer that closes its own session, on the checker's thread (real timers), while
    the engine is in the middle of a check: nothing escapes, and the file is released."""
    path = tmp_path / "s.xml"
    closed = threading.Event()
    session: list[ClientSession] = []

    def closer(note: Notification) -> None:
        if type(note).__name__ == kind and session and note_is_late(note):
            session[0].close()
            closed.set()

    def note_is_late(note: Notification) -> bool:
        return kind != "SessionStarted" or note.reason.value == "timeout"  # type: ignore[union-attr]

    s = ClientSession(path, foreground_timeout=0.05, check_interval=0.02, observers=[closer])
    session.append(s)
    if kind == "StorageRecovered":  # a folder in the file's place: saves fail, then work again
        path.unlink()
        path.mkdir()
    s.start_checker()
    if kind == "StorageRecovered":
        deadline = time.monotonic() + BOUND
        while s.storage_problem is None:
            assert time.monotonic() < deadline
            time.sleep(0.005)
        path.rmdir()
    assert closed.wait(BOUND)
    deadline = time.monotonic() + BOUND
    while True:  # released once the check that notified it has returned
        try:
            again = ClientSession(path, clock=VirtualClock())
            break
        except SaveFileBusyError:
            assert time.monotonic() < deadline, "the file was never released"
            time.sleep(0.01)
    again.close()
    time.sleep(0.1)  # any late timer would fire now
    assert escaped == []
    assert s.closed
    with pytest.raises(SessionClosedError):
        s.start_checker()
