"""What every subcommand shares: the program name, errors for people, and writing output."""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path
from typing import Protocol, TextIO

__all__ = ["PROG", "CommandError", "Handler", "add_command", "emit"]

PROG = "snowsession"


class CommandError(Exception):
    """An error for the user: one line on stderr, exit status 2."""


class Handler(Protocol):
    def __call__(self, args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int: ...


def add_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    handler: Handler,
    *,
    summary: str,
    description: str,
    examples: str,
) -> argparse.ArgumentParser:
    """A subcommand with a one-line summary (in ``snowsession --help``), a description and
    examples (in ``snowsession NAME --help``)."""
    parser = commands.add_parser(
        name,
        help=summary,
        description=description,
        epilog="examples:\n" + textwrap.indent(textwrap.dedent(examples).strip(), "  "),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(handler=handler)
    return parser


def emit(text: str, out: str | None, stdout: TextIO) -> None:
    """Write ``text`` to the file ``out``, or to stdout when it is None."""
    if out is None:
        stdout.write(text)
        stdout.flush()
        return
    try:
        Path(out).write_text(text, encoding="utf-8")
    except OSError as error:
        raise CommandError(f"cannot write {out}: {error.strerror or error}") from None
