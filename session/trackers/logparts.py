"""The collector's log read into an analysis, in parts that start at line starts; when the log
is big and there is a core to spare, the later parts are read by a second process meanwhile.

Each part is read into what it holds (records, bad payloads by reason, unreadable lines) and the
parts go into the analysis in the order of the file, so the report is the one that reading the
whole log in one go gives, finding for finding. A part the other process cannot read (the file
was replaced, the process was killed) is read here.
"""

from __future__ import annotations

import gc
import math
import os
import pickle
import queue
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import pairwise
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from .analysis import Analysis
from .logfile import iter_lines, parse_line
from .protocol import PayloadError
from .record import Record

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

__all__ = ["PARALLEL_BYTES", "LogPart", "no_cyclic_gc", "read_log", "read_part", "read_pieces"]

PARALLEL_BYTES = 32 << 20
"""A log smaller than this (32 MiB, some 60,000 events) is read by this process alone."""
HERE = 0.44
"""The share of a big log read by this process, which also adds every part to the analysis."""
PARTS = 8
"""How many parts the other process reads, one after another, each added here as it comes."""
BATCH = 4096
"""Events added to the analysis at a time by a log read in one process."""
_SCAN = 1 << 16


@contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector. A log of a million events keeps a million records:
    the collector would scan them again and again while they are made and while the report is
    built from them, and none of them forms a cycle."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class LogPart(NamedTuple):
    """What one part of a log holds."""

    records: list[Record]
    bad: dict[str, int]
    """Bad payloads and events, by reason."""
    unreadable: list[int]
    """Line numbers within the part."""
    lines: int


def read_part(handle: IO[bytes], capture: int, limit: int, size: int | None = None) -> LogPart:
    """The lines of ``handle`` from where it is: ``size`` bytes of them (a whole number of
    lines), or to its end."""
    return next(read_pieces(handle, capture, limit, size, None))


def read_pieces(
    handle: IO[bytes], capture: int, limit: int, size: int | None = None, batch: int | None = BATCH
) -> Iterator[LogPart]:
    """:func:`read_part` in pieces of at most ``batch`` events each (None: one piece), so a
    reader can add each piece as it comes, say how far it is and be given up between two."""
    records: list[Record] = []
    bad: dict[str, int] = {}
    unreadable: list[int] = []
    number = start = 0
    for number, line in iter_lines(handle, limit, size):
        if line is None:
            unreadable.append(number - start)
            continue
        try:
            entry = parse_line(line, capture)
        except PayloadError as error:
            bad[error.reason] = bad.get(error.reason, 0) + 1
            continue
        except (ValueError, RecursionError):
            if not line.isspace():
                unreadable.append(number - start)
            continue
        if isinstance(entry, Record):
            records.append(entry)
            if batch is not None and len(records) >= batch:
                yield LogPart(records, bad, unreadable, number - start)
                records, bad, unreadable, start = [], {}, [], number
        elif entry is not None:
            bad[entry] = bad.get(entry, 0) + 1
    yield LogPart(records, bad, unreadable, number - start)


def read_log(
    handle: IO[bytes], name: str, analysis: Analysis, capture: int, limit: int, parallel: bool
) -> tuple[int, list[int]]:
    """Read the log ``name``, open as ``handle`` at its start, into ``analysis``; how many
    events it gave, and the line numbers that could not be read."""
    events, lines = 0, 0
    unreadable: list[int] = []

    def add(part: LogPart) -> None:
        nonlocal events, lines
        for reason, count in part.bad.items():
            analysis.count_bad(reason, count)
        analysis.add_all(part.records)
        events += len(part.records)
        unreadable.extend(lines + number for number in part.unreadable)
        lines += part.lines

    parts = _parts(handle.fileno()) if parallel and _cores() > 1 else []
    if not parts:
        for piece in read_pieces(handle, capture, limit):
            add(piece)
        return events, unreadable
    info = os.fstat(handle.fileno())
    helper = _Helper(name, (info.st_dev, info.st_ino), parts[1:], capture, limit)
    try:
        add(read_part(handle, capture, limit, parts[0][1]))
        for start, size in parts[1:]:
            add(helper.next() or _read_here(handle, start, size, capture, limit))
    finally:
        helper.close()
    return events, unreadable


def _cores() -> int:
    affinity: Callable[[int], set[int]] | None = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else os.cpu_count() or 1


def _parts(fd: int) -> list[tuple[int, int | None]]:
    """``(start, size)`` of each part of a big log (the last one to its end), or nothing for a
    log read in one part."""
    end = os.fstat(fd).st_size
    if end < PARALLEL_BYTES or not hasattr(os, "pread"):  # pread: not on Windows
        return []
    starts = [0]
    for share in _shares():
        start = _line_start(fd, max(starts[-1] + 1, math.floor(end * share)), end)
        if start is None:
            break
        starts.append(start)
    if len(starts) == 1:
        return []
    sizes: list[int | None] = [b - a for a, b in pairwise(starts)]
    return list(zip(starts, [*sizes, None], strict=True))


def _shares() -> Iterator[float]:
    for n in range(PARTS):
        yield HERE + (1 - HERE) * n / PARTS


def _line_start(fd: int, at: int, end: int) -> int | None:
    """The first line start at or after ``at`` (before ``end``), or None."""
    at -= 1  # the byte before a line start is a newline
    while at < end:
        chunk = os.pread(fd, _SCAN, at)
        found = chunk.find(b"\n")
        if found >= 0:
            start = at + found + 1
            return start if start < end else None
        if not chunk:
            return None
        at += len(chunk)
    return None


def _read_here(
    handle: IO[bytes], start: int, size: int | None, capture: int, limit: int
) -> LogPart:
    handle.seek(start)
    return read_part(handle, capture, limit, size)


class _Helper:
    """The other process, reading its parts one after another. It keeps each part until this
    one asks for it, so neither waits for the other while they read, and this one spends no
    time taking parts while it reads its own. Once the other cannot go on (it could not start,
    the file is not the one read here, it was killed), :meth:`next` gives None."""

    def __init__(
        self,
        name: str,
        identity: tuple[int, int],
        parts: list[tuple[int, int | None]],
        capture: int,
        limit: int,
    ) -> None:
        from multiprocessing import get_context

        context = get_context("spawn")  # never a fork: whoever reads may have threads too
        self._receiver, sender = context.Pipe(duplex=False)
        self._done = False
        self.process = context.Process(
            target=_other_process,
            args=(sender, name, identity, parts, capture, limit),
            daemon=True,
        )
        try:
            self.process.start()
        except (OSError, RuntimeError):  # no process to be had, or this one is a spawned one
            self._done = True
        sender.close()

    def next(self) -> LogPart | None:
        """The next part, read by the other process; None once it cannot go on."""
        if self._done:
            return None
        try:
            records, bad, unreadable, lines = self._receiver.recv()
            return LogPart(list(map(Record._make, records)), bad, unreadable, lines)
        except Exception:  # it ended (EOFError) or sent what is not a part
            self._done = True
            return None

    def close(self) -> None:
        self._receiver.close()
        if self.process.pid is not None:
            self.process.terminate()  # at once, if this one stops early
            self.process.join()


def _other_process(*args: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the first process
    _read_elsewhere(*args)


def _read_elsewhere(
    sender: Connection,
    name: str,
    identity: tuple[int, int],
    parts: list[tuple[int, int | None]],
    capture: int,
    limit: int,
) -> None:
    """The other process: :func:`read_part` of each part, kept until it is taken (a thread
    sends them), its records as plain tuples (they travel several times faster). It stops at
    the first thing that goes wrong, and the first process reads the rest."""
    ready: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
    gone = threading.Event()
    sending = threading.Thread(target=_send, args=(sender, ready, gone))
    sending.start()
    try:
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle, no_cyclic_gc():
            info = os.fstat(fd)
            if (info.st_dev, info.st_ino) != identity:
                return  # not the file being read: a log rotated meanwhile
            for start, size in parts:
                if gone.is_set():
                    return
                handle.seek(start)
                part = read_part(handle, capture, limit, size)
                records = [tuple(record) for record in part.records]
                ready.put(pickle.dumps((records, part.bad, part.unreadable, part.lines), -1))
    except Exception:
        return
    finally:
        ready.put(None)
        sending.join()  # until every part is taken, or the first process is gone


def _send(
    sender: Connection, ready: queue.SimpleQueue[bytes | None], gone: threading.Event
) -> None:
    with sender:
        while (data := ready.get()) is not None:
            try:
                sender.send_bytes(data)
            except OSError:  # the first process is gone
                gone.set()
                return
