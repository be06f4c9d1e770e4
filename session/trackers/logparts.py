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
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from itertools import pairwise
from typing import IO, Any, NamedTuple

from .analysis import Analysis
from .logfile import iter_lines, parse_line
from .protocol import PayloadError
from .record import Record

__all__ = ["PARALLEL_BYTES", "LogPart", "no_cyclic_gc", "read_log", "read_part"]

PARALLEL_BYTES = 32 << 20
"""A log smaller than this (32 MiB, some 60,000 events) is read by this process alone."""
HERE = 0.44
"""The share of a big log read by this process, which also adds every part to the analysis."""
PARTS = 8
"""How many parts the other process reads, one after another, each added here as it comes."""
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
    records: list[Record] = []
    bad: dict[str, int] = {}
    unreadable: list[int] = []
    number = 0
    for number, line in iter_lines(handle, limit, size):
        if line is None:
            unreadable.append(number)
            continue
        try:
            entry = parse_line(line, capture)
        except PayloadError as error:
            bad[error.reason] = bad.get(error.reason, 0) + 1
            continue
        except (ValueError, RecursionError):
            if not line.isspace():
                unreadable.append(number)
            continue
        if isinstance(entry, Record):
            records.append(entry)
        elif entry is not None:
            bad[entry] = bad.get(entry, 0) + 1
    return LogPart(records, bad, unreadable, number)


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
        add(read_part(handle, capture, limit))
        return events, unreadable
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    info = os.fstat(handle.fileno())
    identity = (info.st_dev, info.st_ino)
    # A fresh interpreter, never a fork: whoever reads may have threads of its own.
    pool = ProcessPoolExecutor(1, mp_context=get_context("spawn"))
    try:
        try:
            elsewhere: list[Future[Any] | None] = [
                pool.submit(_read_elsewhere, name, identity, start, size, capture, limit)
                for start, size in parts[1:]
            ]
        except Exception:  # no process to be had: every part is read here
            elsewhere = [None] * (len(parts) - 1)
        add(read_part(handle, capture, limit, parts[0][1]))
        for (start, size), future in zip(parts[1:], elsewhere, strict=True):
            add(_result(future) or _read_here(handle, start, size, capture, limit))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return events, unreadable


def _cores() -> int:
    affinity: Callable[[int], set[int]] | None = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else os.cpu_count() or 1


def _parts(fd: int) -> list[tuple[int, int | None]]:
    """``(start, size)`` of each part of a big log (the last one to its end), or nothing for a
    log read in one part."""
    end = os.fstat(fd).st_size
    if end < PARALLEL_BYTES:
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


def _result(future: Future[Any] | None) -> LogPart | None:
    if future is None:
        return None
    try:
        sent = future.result()
    except Exception:  # the other process died or failed: this part is read here
        return None
    if sent is None:
        return None
    records, bad, unreadable, lines = sent
    return LogPart(list(map(Record._make, records)), bad, unreadable, lines)


def _read_elsewhere(
    name: str, identity: tuple[int, int], start: int, size: int | None, capture: int, limit: int
) -> tuple[list[tuple[Any, ...]], dict[str, int], list[int], int] | None:
    """:func:`read_part` in the other process, its records as plain tuples (they travel
    several times faster); None if ``name`` is no longer the file being read."""
    fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as handle, no_cyclic_gc():
        info = os.fstat(fd)
        if (info.st_dev, info.st_ino) != identity:
            return None
        handle.seek(start)
        part = read_part(handle, capture, limit, size)
    return [tuple(record) for record in part.records], part.bad, part.unreadable, part.lines
