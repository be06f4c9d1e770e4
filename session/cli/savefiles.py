"""``inspect`` and ``watch``: save files written by other programs, read-only."""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable
from typing import TextIO

from ..storage.report import FileState, Watcher, describe, read_report
from .common import CommandError, add_command

__all__ = ["register", "watch"]


def inspect(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    report = read_report(args.save_file)
    if report.state == "missing":
        raise CommandError(f"no save file {args.save_file}")
    if report.state == FileState.UNREADABLE or (
        report.state == FileState.FOREIGN and report.data is None  # a folder, a FIFO, too big
    ):
        raise CommandError(report.error or f"cannot read {args.save_file}")
    if args.json:
        stdout.write(json.dumps(report.to_dict(), indent=2) + "\n")
    else:
        stdout.write("\n".join(report.lines()) + "\n")
    return 0 if report.state == FileState.OK else 1


def watch(
    path: str | os.PathLike[str],
    out: TextIO,
    *,
    interval: float = 0.5,
    count: int | None = None,
    timeout: float | None = None,
    sleep: Callable[[float], None] | None = None,
    monotonic: Callable[[], float] | None = None,
) -> int:
    """Print the file's state, then each change, until ``count`` changes or ``timeout`` s.

    ``sleep`` and ``monotonic`` default to the :mod:`time` functions (tests pass their own).
    """
    sleep = sleep or time.sleep
    monotonic = monotonic or time.monotonic
    watcher = Watcher(path, monotonic)
    deadline = None if timeout is None else monotonic() + timeout
    out.write(f"{_stamp()}  watching {watcher.path} (read-only): {describe(watcher.current)}\n")
    out.flush()
    changes = 0
    while count is None or changes < count:
        # A file that looked damaged gets a second look once that look can tell whether it
        # stays damaged: it may have been caught mid-write.
        wait = watcher.retry_in if watcher.unsettled else interval
        if deadline is not None:
            left = deadline - monotonic()
            if left <= 0:
                break
            sleep(min(wait, left))
        else:
            sleep(wait)
        change = watcher.poll()
        if change is not None:
            changes += 1
            out.write(f"{_stamp()}  {change.text}\n")
            out.flush()
    return 0


def _stamp() -> str:
    return time.strftime("%H:%M:%S", time.localtime())


def watch_command(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    if args.interval <= 0:
        raise CommandError("--interval must be more than 0 seconds")
    return watch(
        args.save_file, stdout, interval=args.interval, count=args.count, timeout=args.timeout
    )


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    look = add_command(
        commands,
        "inspect",
        inspect,
        summary="what a save file holds and whether a .NET app would read it",
        description="Read a save file without locking or changing it, and say what it holds, "
        "what a .NET app and this engine would do with it, and what is wrong "
        "(exit 1 if it has problems, 2 if it cannot be read).",
        examples="""
            snowsession inspect ~/.local/share/snowsession/session.xml
            snowsession inspect session.xml --json
        """,
    )
    look.add_argument("save_file", metavar="SAVE_FILE", help="the save file to read")
    look.add_argument("--json", action="store_true", help="print JSON")

    follow = add_command(
        commands,
        "watch",
        watch_command,
        summary="print each change of a save file as it happens (read-only)",
        description="Print each change of a save file as it happens (a new session, a new "
        "user, damage); read-only, so the program that owns the file is undisturbed. "
        "Ctrl-C stops.",
        examples="""
            snowsession watch session.xml
            snowsession watch session.xml --interval 0.1 --count 3
        """,
    )
    follow.add_argument("save_file", metavar="SAVE_FILE", help="the save file to watch")
    follow.add_argument(
        "--interval",
        type=float,
        default=0.5,
        metavar="S",
        help="seconds between looks (default 0.5)",
    )
    follow.add_argument("--count", type=int, metavar="N", help="stop after N changes")
    follow.add_argument("--timeout", type=float, metavar="S", help="stop after S seconds")
