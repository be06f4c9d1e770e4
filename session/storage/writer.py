"""Write-behind for the save file: callers never wait for the disk.

A durable write costs a millisecond or more (two fsyncs); the session hands the bytes to one
writer thread and goes on. Only the newest bytes are written: states that were superseded
before the disk was free are skipped, so the file always holds the latest state once the
writer is idle (:meth:`WriteBehind.flush`). Writers still busy when the interpreter exits are
flushed by an ``atexit`` hook.
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
    """Writes the newest submitted bytes on a daemon thread.

    Parameters
    ----------
    write
        Writes bytes durably; raises ``OSError`` on failure.
    on_result
        Called on the writer thread after each write with None (success) or the exception.
    name
        The thread's name.
    """

    def __init__(
        self,
        write: Callable[[bytes], None],
        on_result: Callable[[BaseException | None], None],
        name: str = "session-writer",
    ) -> None:
        self._write = write
        self._on_result = on_result
        self._name = name
        self._cond = threading.Condition()
        self._pending: bytes | None = None
        self._submitted = 0
        self._finished = 0
        self._closing = False
        self._thread: threading.Thread | None = None

    def submit(self, data: bytes) -> None:
        """Queue ``data`` as the file's next content, replacing anything not yet written."""
        with self._cond:
            if self._closing:
                raise RuntimeError("the writer is closed")
            self._pending = data
            self._submitted += 1
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

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending is not None or self._closing)
                if self._pending is None:
                    return
                data, self._pending = self._pending, None
                number = self._submitted
            error: BaseException | None = None
            try:
                self._write(data)
            except Exception as exc:  # reported, never fatal: the session goes on in memory
                error = exc
            try:
                self._on_result(error)
            except Exception:  # a failing report must not stop the writer: flush() would hang
                logging.getLogger("session").exception("reporting a save result failed")
            finally:
                with self._cond:
                    self._finished = number
                    self._cond.notify_all()
