"""The collector's limits on connections and its word on trouble: bounded, and said once.

- :func:`connection_limits`: how many connections to hold at once, below the process's limit on
  open files (``RLIMIT_NOFILE``) with room for the log, reads and a burst of accepts, so
  ``accept`` never fails for want of a file.
- :func:`guarded_factory`: at that cap, a new connection closes the oldest idle one, so idle or
  slow clients (slowloris) cannot keep a tracker out; aiohttp's keep-alive timeout closes a
  connection that sends no complete request in time.
- :class:`Problems`: a fault (a full disk, no files left) is said once when it starts and
  once when it is over, never a traceback per request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
from collections.abc import Callable
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError, LineTooLong

__all__ = ["Problems", "connection_limits", "guarded_factory", "http_logger"]

MAX_CONNECTIONS = 1000
RESERVED_FILES = 32
"""Files kept free for the log, reads of it, and the rest of the process."""


def connection_limits() -> tuple[int, int]:
    """``(connections, backlog)``: the most connections held at once, and how many are
    accepted in one go, together below the soft ``RLIMIT_NOFILE``."""
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (ImportError, ValueError, OSError):  # pragma: no cover - not on POSIX
        return MAX_CONNECTIONS, 128
    if soft == resource.RLIM_INFINITY or soft > 1 << 20:
        soft = 1 << 20
    try:
        open_now = len(os.listdir("/proc/self/fd"))
    except OSError:  # pragma: no cover - no /proc
        open_now = 64
    spare = max(16, soft - open_now - RESERVED_FILES)
    backlog = max(4, min(128, spare // 4))
    return max(4, min(MAX_CONNECTIONS, spare - backlog)), backlog


def guarded_factory(server: web.Server, cap: int, busy: set[Any]) -> Callable[[], asyncio.Protocol]:
    """aiohttp's protocol factory, with at most ``cap`` connections: past it, the oldest one
    not handling a request (in ``busy``) is closed for the new one."""

    def factory() -> asyncio.Protocol:
        connections = server.connections
        if len(connections) >= cap:
            for handler in connections:
                if handler not in busy:
                    handler.force_close()
                    break
        return server()

    return factory


class Problems:
    """Faults said once per episode: :meth:`start` says it when it begins, :meth:`end` when
    it is over. ``say`` gets one line (default: the ``session.trackers`` logger)."""

    def __init__(self, say: Callable[[str], None] | None = None) -> None:
        self._say = say or logging.getLogger("session.trackers").warning
        self._active: set[str] = set()
        self._lock = threading.Lock()

    def start(self, key: str, message: str) -> None:
        with self._lock:
            if key in self._active:
                return
            self._active.add(key)
        self._tell(message)

    def end(self, key: str, message: str) -> None:
        with self._lock:
            if key not in self._active:
                return
            self._active.discard(key)
        self._tell(message)

    def active(self, key: str) -> bool:
        return key in self._active

    def _tell(self, message: str) -> None:
        with contextlib.suppress(Exception):  # a closed stderr must not stop the collector
            self._say(message)

    def loop_handler(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        """asyncio's exception handler: one line per kind of fault, no tracebacks."""
        error = context.get("exception")
        what = str(context.get("message", "error"))
        detail = f": {error}" if error is not None else ""
        self.start(f"loop:{what}", f"{what}{detail} (said once; the collector goes on)")


class _Handler(logging.Handler):
    def __init__(self, problems: Problems, oversized: Callable[[str], None]) -> None:
        super().__init__(logging.DEBUG)
        self.problems = problems
        self.oversized = oversized

    def emit(self, record: logging.LogRecord) -> None:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, LineTooLong):
            self.oversized(str(error.message if hasattr(error, "message") else error))
            return
        if record.levelno < logging.ERROR or isinstance(error, HttpProcessingError):
            return  # a malformed request is the client's: answered 400, nothing to say
        kind = type(error).__name__ if error is not None else record.getMessage()[:60]
        self.problems.start(f"http:{kind}", f"HTTP: {kind}: {error} (said once)")


def http_logger(problems: Problems, oversized: Callable[[str], None]) -> logging.Logger:
    """A logger for aiohttp's server: a request line or header too long is ``oversized``, any
    other malformed request is left at aiohttp's 400, anything else at ERROR is one line per
    kind (aiohttp would log a traceback per request)."""
    logger = logging.Logger("session.trackers.http")
    logger.propagate = False
    logger.addHandler(_Handler(problems, oversized))
    return logger
