"""The engine's one lock, and what is to be done once nobody is inside the engine any more."""

from __future__ import annotations

import threading
from collections.abc import Callable

__all__ = ["EngineLock"]


class EngineLock:
    """A re-entrant lock taken by each of the engine's own calls (``with lock:``).

    :meth:`when_free` leaves an action for the moment the outermost call holding it returns:
    a ``close()`` made by an observer, in the middle of a call, releases the file only then.
    A plain context manager, not a generator: every event, call and check goes through it.
    """

    __slots__ = ("_depth", "_due", "lock")

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._depth = 0  # how deep the thread holding the lock is in the engine's own calls
        self._due: Callable[[], None] | None = None

    def __enter__(self) -> None:
        self.lock.acquire()
        self._depth += 1

    def __exit__(self, *_: object) -> None:
        self._depth -= 1
        self.lock.release()
        if self._due is not None:  # set under the lock; read here by the call that set it
            self._run_due()

    def when_free(self, action: Callable[[], None]) -> None:
        """Run ``action`` once, when the outermost call now holding the lock returns."""
        self._due = action

    def _run_due(self) -> None:
        with self.lock:
            action = self._due
            if action is None or self._depth:
                return
            self._due = None
        action()
