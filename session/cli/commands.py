"""The ``snowsession`` command line: assembles the subcommands and runs one.

It never imports Qt: it runs on machines without a display and in CI. Exit status: 0 when all
is well, 1 when a check found something (a failed expectation, a damaged save file), 2 on an
error (a missing or unreadable file, a bad scenario), which is one line on stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from importlib import metadata

from ..util.install import DISTRIBUTION
from . import audit, savefiles, scenarios, trackers
from .common import PROG, CommandError

__all__ = ["main"]

COMMANDS = (scenarios, savefiles, trackers, audit)
"""Modules whose ``register(commands)`` adds their subcommands, in the order of the help."""


def version() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:  # running from a source tree that is not installed
        return "unknown"


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog=PROG,
        description="Simulate client-session scenarios, inspect or watch save files, and "
        "collect and check the sessions of real trackers. "
        f"Run '{PROG} COMMAND --help' for what a command does, with examples.",
    )
    top.add_argument("--version", action="version", version=f"{PROG} {version()}")
    commands = top.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        module.register(commands)
    return top


class Stopped(BaseException):
    """SIGTERM or SIGHUP, raised in the main thread so that sessions close on the way out."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _stop(signum: int, frame: object) -> None:
    raise Stopped(signum)


@contextlib.contextmanager
def _signals_stop() -> Iterator[None]:
    """While a command runs: SIGTERM and SIGHUP stop it as Ctrl-C does, unwinding through
    every ``with`` and ``finally``, so its sessions write their last state and release their
    files. (Outside the main thread signals cannot be set; then nothing changes.)"""
    wanted = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    try:
        previous = [(number, signal.signal(number, _stop)) for number in wanted]
    except ValueError:  # not the main thread
        previous = []
    try:
        yield
    finally:
        for number, handler in previous:
            signal.signal(number, handler)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    top = parser()
    args = top.parse_args(argv)
    stdout, stderr = sys.stdout, sys.stderr
    if args.command is None:
        top.print_help(stdout)
        return 0
    # The engine's warnings are in the output (storage marks); keep them off stderr.
    logging.getLogger("session").addHandler(logging.NullHandler())
    try:
        with _signals_stop():
            status: int = args.handler(args, stdout, stderr)
        return status
    except CommandError as error:
        stderr.write(f"{PROG}: {error}\n")
        return 2
    except KeyboardInterrupt:
        return 0 if args.command in ("watch", "collect") else 130
    except Stopped as stopped:
        if args.command in ("watch", "collect"):
            return 0
        stderr.write(f"{PROG}: stopped by {signal.Signals(stopped.signum).name}\n")
        return 128 + stopped.signum
    except BrokenPipeError:
        # The reader went away (| head): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as error:  # a bug: still one line, with a way to see more
        if os.environ.get("SNOWSESSION_DEBUG"):
            raise
        stderr.write(
            f"{PROG}: unexpected error: {type(error).__name__}: {error} "
            "(set SNOWSESSION_DEBUG=1 to see where)\n"
        )
        return 2
