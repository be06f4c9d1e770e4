"""Where the tracker lanes' data comes from: the collector inside the window, or inputs read
by the audit (:class:`~session.audit.duck.DuckAudit`) on a worker thread. Both hand the window
frozen :class:`~snowsession_gui.model.tracker_data.Frame`\\ s through signals: the collector's at
most one per screen refresh however fast events come, a read's once it is done.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
from PySide6.QtCore import QObject, QTimer, Signal, SignalInstance, Slot
from PySide6.QtGui import QGuiApplication

from session.audit.duck import DuckAudit
from session.audit.inputs import InputError
from session.audit.result import Result
from session.audit.rules import Rules
from session.trackers import Collector
from snowsession_gui.model.tracker_data import EventTap, Frame, capture_frame, lake_frame, trails_of

__all__ = [
    "LAKE_KINDS",
    "MANY_EVENTS",
    "MANY_USERS",
    "READ_SWITCH_INTERVAL",
    "WORST",
    "CaptureReader",
    "CaptureResult",
    "FrameClock",
    "TrackerListener",
    "frame_ms",
]

DRAW_SHARE = 0.25
"""At most this share of the GUI thread's time goes to drawing frames: when a frame takes
longer than a quarter of a screen refresh (thousands of users), frames come less often."""
MAX_FRAME_MS = 1000
"""However costly a frame, one a second at least."""

LAKE_KINDS = frozenset({"tsv", "parquet", "delta"})
"""Inputs too large to hold every user: their summary is shown, and the lanes of users picked."""
WORST = 20
"""Users listed, and lanes drawn, when a large input opens: those with most findings."""
MANY_USERS = 5000
"""A capture with more users than this, or events than :data:`MANY_EVENTS`, is shown as a
large input is: a lane per user would hold it all."""
MANY_EVENTS = 2_000_000

READ_SWITCH_INTERVAL = 0.0005
"""Seconds: how often Python hands its lock between threads while a capture is read.

Every call from Qt into Python (a layout asking a widget's height, a plot painting) must take
that lock from the reader, which holds it for Python's switch interval (5 ms by default): a
few hundred such calls froze the window for a second. Shorter while reading, restored after.
"""


def frame_ms() -> int:
    """One refresh of the screen, in milliseconds (16 at 60 Hz)."""
    screen = QGuiApplication.primaryScreen()
    rate = screen.refreshRate() if screen is not None else 60.0
    return max(8, min(100, round(1000 / rate))) if rate > 0 else 16


class FrameClock(QObject):
    """Turns pokes from any thread into ``tick`` on the GUI thread, once per screen refresh.

    A poke from another thread crosses as one queued signal at most at a time, so a fast
    collector never floods the GUI thread's queue.
    """

    tick = Signal()
    _poked = Signal()

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._pending = False
        self._closed = False
        self.timer = QTimer(self)
        self.timer.setObjectName(name)
        self.timer.setSingleShot(True)
        self.base_ms = frame_ms()
        self.timer.setInterval(self.base_ms)
        self.timer.timeout.connect(self.tick)
        self._poked.connect(self._on_poked)  # queued when poked from another thread

    def poke(self) -> None:
        """Something changed (any thread)."""
        with self._lock:
            if self._pending or self._closed:
                return
            self._pending = True
        try:
            self._poked.emit()
        except RuntimeError:  # the window is gone
            self._closed = True

    @Slot()
    def _on_poked(self) -> None:
        with self._lock:
            self._pending = False
        if not self._closed and not self.timer.isActive():
            self.timer.start()

    def pace(self, spent: float) -> None:
        """The last frame took ``spent`` seconds to make and draw: wait long enough before the
        next that drawing takes at most :data:`DRAW_SHARE` of the time."""
        wanted = round(spent * 1000 / DRAW_SHARE)
        self.timer.setInterval(max(self.base_ms, min(MAX_FRAME_MS, wanted)))

    def close(self) -> None:
        with self._lock:
            self._closed = True
        self.timer.stop()


@dataclass(frozen=True, slots=True)
class Listening:
    """Where the collector listens and logs (``url`` is what trackers are given)."""

    host: str
    port: int
    url: str
    log: str | None


class TrackerListener(QObject):
    """The collector inside the window: :meth:`start`, :meth:`stop`, and its frames.

    Signals: ``frameChanged(Frame)`` on the GUI thread, coalesced to the screen's rate.
    """

    frameChanged = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.clock = FrameClock("trackerListenerFrames", self)
        self.clock.tick.connect(self._on_tick)
        self.collector: Collector | None = None
        self.tap: EventTap | None = None
        self.listening: Listening | None = None
        self._shown = -1

    @property
    def active(self) -> bool:
        return self.collector is not None

    def start(self, host: str, port: int, log: str | None, rules: Rules) -> Listening:
        """Bind and serve (raises OSError: the port in use, the log unwritable)."""
        self.stop()
        tap = EventTap(rules, self.clock.poke)
        # The tap is what the collector feeds: its report, its reset and its counts.
        collector = Collector(host, port, log, rules, analysis=tap)
        collector.start()
        self.collector, self.tap, self._shown = collector, tap, -1
        self.listening = Listening(collector.host, collector.port, collector.url, log)
        self._on_tick()
        return self.listening

    def stop(self) -> None:
        """Stop serving; the log is flushed and closed, the last frame stays."""
        collector, self.collector = self.collector, None
        if collector is not None:
            collector.stop()
            self._on_tick()

    def frame(self) -> Frame:
        if self.tap is None:
            return Frame()
        source = (self.listening.log or self.listening.url) if self.listening else ""
        return self.tap.frame((source,) if source else ())

    @Slot()
    def _on_tick(self) -> None:
        tap = self.tap
        if tap is None or tap.serial == self._shown:
            return
        self._shown = tap.serial
        started = time.perf_counter()
        self.frameChanged.emit(self.frame())  # drawn now: the views are on this thread
        self.clock.pace(time.perf_counter() - started)

    def close(self) -> None:
        self.stop()
        self.clock.close()


@dataclass(frozen=True, slots=True)
class CaptureResult:
    """Inputs read: what they showed, and what each was. For a large input (``audit`` not
    None) the audit and its result stay open, to ask for more users' lanes."""

    frame: Frame
    paths: tuple[str, ...]
    kinds: tuple[str, ...]
    warnings: tuple[str, ...]
    audit: DuckAudit | None = None
    result: Result | None = None


class _Job:
    """One read: its audit, and whether it was given up (from the GUI thread)."""

    def __init__(self, generation: int, rules: Rules, progressed: SignalInstance) -> None:
        self.generation = generation
        self.rules = rules
        self.audit = DuckAudit(rules)
        # DuckDB keeps count of a query's progress only with its progress bar on (not printed)
        self.audit.con.execute("SET enable_progress_bar = true")
        self.audit.con.execute("SET enable_progress_bar_print = false")
        self.cancelled = False
        self._progressed = progressed
        self._phase = 0
        self._last = 0.0

    def cancel(self) -> None:
        self.cancelled = True
        with contextlib.suppress(duckdb.Error):  # the read ended meanwhile
            self.audit.interrupt()

    def check(self) -> None:
        if self.cancelled:
            raise _GivenUp

    def progress(self, percent: float) -> None:
        """DuckDB's progress on the two queries of a run, as one share of the whole."""
        if self.cancelled:  # an interrupt that came between two queries
            with contextlib.suppress(duckdb.Error):
                self.audit.interrupt()
            return
        if percent < self._last - 5 and self._phase == 0:
            self._phase = 1
        self._last = percent
        done = min(1.0, (self._phase * 100 + max(0.0, percent)) / 200)
        with contextlib.suppress(RuntimeError):  # the window is gone
            self._progressed.emit(self.generation, done)


class _GivenUp(Exception):
    """A read given up between two of its steps."""


def _message(error: BaseException, name: str) -> str:
    """What went wrong reading ``name``, in one line for people."""
    if isinstance(error, InputError):
        return str(error)
    if isinstance(error, duckdb.Error):
        lines = str(error).strip().splitlines() or [type(error).__name__]
        return f"cannot read {name}: {lines[0][:300]}"
    if isinstance(error, MemoryError):
        return f"{name} is too large to read into memory"
    if isinstance(error, OSError):
        return f"cannot read {name}: {error.strerror or error}"
    return f"could not read {name}: {type(error).__name__}: {error}"[:300]


class CaptureReader(QObject):
    """Reads inputs on a worker thread, one read at a time (a new one gives up the last).

    Signals (GUI thread): ``progress(share)`` while the checks run (0 to 1; -1 while the
    inputs are opened); ``finished(CaptureResult)``; ``failed(message)``, one line for people.
    """

    progress = Signal(float)
    finished = Signal(object)
    failed = Signal(str)
    _done = Signal(int, object)
    _progressed = Signal(int, float)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._generation = 0
        self.paths: tuple[str, ...] = ()
        """The inputs read last (or being read)."""
        self._job: _Job | None = None
        self._thread: threading.Thread | None = None
        self._interval: float | None = None
        """Python's switch interval before a read shortened it (None: not shortened now)."""
        self._done.connect(self._on_done)
        self._progressed.connect(self._on_progressed)

    @property
    def reading(self) -> bool:
        return self._job is not None

    def read(self, paths: Sequence[str | os.PathLike[str]], rules: Rules) -> None:
        """Start reading ``paths`` (in this order, as one input each)."""
        self.cancel()
        self._generation += 1
        names = self.paths = tuple(os.fspath(path) for path in paths)
        job = self._job = _Job(self._generation, rules, self._progressed)
        if self._interval is None:
            self._interval = sys.getswitchinterval()
            sys.setswitchinterval(min(self._interval, READ_SWITCH_INTERVAL))
        self._thread = threading.Thread(
            target=self._work, args=(job, names), name="capture-reader", daemon=True
        )
        self._thread.start()

    def _work(self, job: _Job, names: tuple[str, ...]) -> None:
        warnings: list[str] = []
        kinds: list[str] = []
        outcome: CaptureResult | str
        name = names[0] if names else ""
        kept = False
        try:
            for name in names:
                job.check()
                kinds.append(job.audit.add(name, warnings.append).kind)
            job.check()
            with contextlib.suppress(RuntimeError):
                self._progressed.emit(job.generation, 0.0)
            result = job.audit.run(job.progress)
            job.check()
            if LAKE_KINDS & set(kinds) or _large(result):
                frame = _first_lake_frame(result, job.rules, names)
                outcome = CaptureResult(
                    frame, names, tuple(kinds), tuple(warnings), job.audit, result
                )
                kept = True
            else:
                frame = capture_frame(result, job.rules, names)
                outcome = CaptureResult(frame, names, tuple(kinds), tuple(warnings))
        except Exception as error:  # a reader's bug is a message, never a traceback
            if job.cancelled:
                job.audit.close()
                return
            outcome = _message(error, name)
        if not kept:
            job.audit.close()
        with contextlib.suppress(RuntimeError):  # the window is gone
            self._done.emit(job.generation, outcome)

    @Slot(int, object)
    def _on_done(self, generation: int, outcome: object) -> None:
        if generation != self._generation:
            if isinstance(outcome, CaptureResult) and outcome.audit is not None:
                outcome.audit.close()  # given up meanwhile: nobody will ask it more
            return
        self._job = None
        self._thread = None
        self._restore()
        if isinstance(outcome, CaptureResult):
            self.finished.emit(outcome)
        else:
            self.failed.emit(str(outcome))

    @Slot(int, float)
    def _on_progressed(self, generation: int, share: float) -> None:
        if generation == self._generation and self._job is not None:
            self.progress.emit(share)

    def cancel(self) -> bool:
        """Give up the read under way (DuckDB stops the query it runs); whether there was one."""
        job, self._job = self._job, None
        if job is not None:
            job.cancel()
        self._generation += 1
        self._restore()
        return job is not None

    def _restore(self) -> None:
        if self._interval is not None:
            sys.setswitchinterval(self._interval)
            self._interval = None

    def close(self, wait: float = 5.0) -> None:
        """Give up any read and wait (up to ``wait`` seconds) for its thread to end."""
        self.cancel()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(wait)


def _large(result: Result) -> bool:
    """Whether a capture is too large for a lane per user (a log of a busy day, say)."""
    counts = result.counts()
    return counts["users"] > MANY_USERS or counts["events"] > MANY_EVENTS


def _first_lake_frame(result: Result, rules: Rules, names: tuple[str, ...]) -> Frame:
    """A large input as it opens: its summary, the worst users listed, and their lanes."""
    summary = result.summary()
    users = result.user_counts(WORST)
    picked = [user.user_id for user in users]
    found = {user.user_id: user for user in result.report(picked).users}
    reports = [found[user] for user in picked if user in found]
    trails = trails_of(result.event_marks(picked))
    return lake_frame(summary, users, reports, trails, rules, names)
