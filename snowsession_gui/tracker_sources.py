"""Where the tracker lanes' data comes from: the collector inside the window, or a capture
read on a worker thread. Both feed an :class:`~snowsession_gui.tracker_data.EventTap` from
their own thread and hand the window frozen :class:`~snowsession_gui.tracker_data.Frame`\\ s
through signals, at most one per screen refresh however fast events come.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication

from session.trackers import CaptureError, Collector, Timeouts, read_capture

from .tracker_data import Cancelled, EventTap, Frame

__all__ = [
    "READ_SWITCH_INTERVAL",
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

    def start(self, host: str, port: int, log: str | None, timeouts: Timeouts) -> Listening:
        """Bind and serve (raises OSError: the port in use, the log unwritable)."""
        self.stop()
        tap = EventTap(timeouts, self.clock.poke)
        collector = Collector(host, port, log, timeouts)
        collector.analysis = tap  # its report, its reset and its counts are the tap's
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
    """A capture read: what it showed, and what each file was."""

    frame: Frame
    paths: tuple[str, ...]
    kinds: tuple[str, ...]
    warnings: tuple[str, ...]


class CaptureReader(QObject):
    """Reads captures on a worker thread, one read at a time (a new one gives up the last).

    Signals (GUI thread): ``progress(events)`` while reading, at the screen's rate;
    ``finished(CaptureResult)``; ``failed(message)``, one line for people.
    """

    progress = Signal(int)
    finished = Signal(object)
    failed = Signal(str)
    _done = Signal(int, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.clock = FrameClock("captureReadProgress", self)
        self.clock.tick.connect(self._on_tick)
        self._generation = 0
        self.paths: tuple[str, ...] = ()
        """The captures read last (or being read)."""
        self._tap: EventTap | None = None
        self._thread: threading.Thread | None = None
        self._interval: float | None = None
        """Python's switch interval before a read shortened it (None: not shortened now)."""
        self._done.connect(self._on_done)

    @property
    def reading(self) -> bool:
        return self._tap is not None

    def read(self, paths: Sequence[str | os.PathLike[str]], timeouts: Timeouts) -> None:
        """Start reading ``paths`` (in this order, as one capture each)."""
        self.cancel()
        self._generation += 1
        names = self.paths = tuple(os.fspath(path) for path in paths)
        tap = self._tap = EventTap(timeouts, self.clock.poke)
        generation = self._generation
        if self._interval is None:
            self._interval = sys.getswitchinterval()
            sys.setswitchinterval(min(self._interval, READ_SWITCH_INTERVAL))
        self._thread = threading.Thread(
            target=self._work, args=(generation, tap, names), name="capture-reader", daemon=True
        )
        self._thread.start()

    def _work(self, generation: int, tap: EventTap, names: tuple[str, ...]) -> None:
        warnings: list[str] = []
        kinds: list[str] = []
        outcome: CaptureResult | str
        name = names[0] if names else ""
        try:
            for index, name in enumerate(names):
                kind, _events = read_capture(name, tap, index, warnings.append)
                kinds.append(kind)
            outcome = CaptureResult(tap.frame(names), names, tuple(kinds), tuple(warnings))
        except Cancelled:
            return
        except CaptureError as error:
            outcome = str(error)
        except MemoryError:
            outcome = f"{name} is too large to read into memory"
        except OSError as error:
            outcome = f"cannot read {name}: {error.strerror or error}"
        except Exception as error:  # a reader's bug is a message, never a traceback
            outcome = f"could not read {name}: {type(error).__name__}: {error}"[:300]
        with contextlib.suppress(RuntimeError):  # the window is gone
            self._done.emit(generation, outcome)

    @Slot(int, object)
    def _on_done(self, generation: int, outcome: object) -> None:
        if generation != self._generation:
            return  # given up meanwhile
        self._tap = None
        self._thread = None
        self._restore()
        if isinstance(outcome, CaptureResult):
            self.finished.emit(outcome)
        else:
            self.failed.emit(str(outcome))

    @Slot()
    def _on_tick(self) -> None:
        if self._tap is not None:
            self.progress.emit(self._tap.seen)

    def cancel(self) -> None:
        """Give up the read under way (its thread ends at its next batch of events)."""
        if self._tap is not None:
            self._tap.cancel()
        self._tap = None
        self._generation += 1
        self._restore()

    def _restore(self) -> None:
        if self._interval is not None:
            sys.setswitchinterval(self._interval)
            self._interval = None

    def close(self, wait: float = 5.0) -> None:
        """Give up any read and wait (up to ``wait`` seconds) for its thread to end."""
        self.cancel()
        self.clock.close()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(wait)
