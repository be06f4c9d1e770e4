"""The save file's writes: now, in the caller's thread, or behind, on a writer thread.

A state that starts a session is written now: durably, before anyone sees it. A state that
only refreshes the last access or the event index may be written behind: the caller hands the
bytes to one writer thread and goes on, and only the newest bytes are written (states that
were superseded before the disk was free are skipped). A write now supersedes whatever is
waiting behind it, so the file never goes back to an older state. Writers still busy when the
interpreter exits are flushed by an ``atexit`` hook.
"""

from __future__ import annotations

import atexit
import logging
import threading
import weakref
from collections.abc import Callable

__all__ = ["WriteBehind"]

_live_writers: weakref.WeakSet[WriteBehind] = weakref.WeakSet()


@atexit.register
def _flush_all_at_exit() -> None:
    for writer in list(_live_writers):
        writer.flush(timeout=5.0)


class WriteBehind:
    """Writes bytes now (:meth:`write_now`) or behind on a daemon thread (:meth:`submit`).

    Parameters
    ----------
    write
        Writes bytes durably; raises on failure.
    on_result
        Called after each write with the write's number and None (success) or the exception:
        on the caller's thread for :meth:`write_now`, on the writer thread otherwise. Numbers
        only grow; a result may arrive after a newer one, and is then stale.
    name
        The writer thread's name.
    """

    def __init__(
        self,
        write: Callable[[bytes], None],
        on_result: Callable[[int, BaseException | None], None],
        name: str = "session-writer",
    ) -> None:
        self._write = write
        self._on_result = on_result
        self._name = name
        self._cond = threading.Condition()
        self._io = threading.Lock()  # one write at a time, in number order
        self._pending: tuple[int, bytes] | None = None
        self._submitted = 0
        self._finished = 0  # every write up to this number is done, failed or superseded
        self._written = 0  # the number of the write the file holds (or failed to)
        self._closing = False
        self._thread: threading.Thread | None = None

    def write_now(self, data: bytes) -> BaseException | None:
        """Write ``data`` in this thread, after any write in progress, superseding anything
        waiting; returns None once it is durable, else the error."""
        with self._cond:
            if self._closing:
                raise RuntimeError("the writer is closed")
            self._submitted += 1
            number = self._submitted
            self._pending = None
        return self._perform(number, data)

    def submit(self, data: bytes) -> None:
        """Queue ``data`` to be written behind, replacing anything not yet written."""
        with self._cond:
            if self._closing:
                raise RuntimeError("the writer is closed")
            self._submitted += 1
            self._pending = (self._submitted, data)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
                _live_writers.add(self)
            self._cond.notify_all()

    @property
    def idle(self) -> bool:
        with self._cond:
            return self._finished == self._submitted

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until everything submitted so far was written (or failed). False on timeout."""
        with self._cond:
            if self._thread is threading.current_thread():
                return self._finished == self._submitted
            target = self._submitted
            return self._cond.wait_for(lambda: self._finished >= target, timeout)

    def close(self, timeout: float | None = None) -> bool:
        """Write what is pending, then stop the thread. Returns False if that timed out."""
        flushed = self.flush(timeout)
        with self._cond:
            self._closing = True
            self._cond.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        _live_writers.discard(self)
        return flushed

    def _perform(self, number: int, data: bytes) -> BaseException | None:
        error: BaseException | None = None
        try:
            with self._io:
                if number <= self._written:
                    return None  # a newer write got there first: this one is superseded
                try:
                    self._write(data)
                except Exception as exc:  # reported, never fatal: the session goes on in memory
                    error = exc
                self._written = number
            try:
                self._on_result(number, error)
            except Exception:  # a failing report must not stop the writer: flush() would hang
                logging.getLogger("session").exception("reporting a save result failed")
            return error
        finally:
            with self._cond:
                self._finished = max(self._finished, number)
                self._cond.notify_all()

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending is not None or self._closing)
                if self._pending is None:
                    return
                (number, data), self._pending = self._pending, None
            self._perform(number, data)
