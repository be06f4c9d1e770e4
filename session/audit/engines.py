"""The engines that run the checks, by name: ``duckdb`` (embedded, the default) and ``spark``."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Protocol

from .inputs import Input
from .result import Result
from .rules import Rules

__all__ = ["Engine", "open_engine"]


class Engine(Protocol):
    """Reads inputs, then runs the checks over all of them at once."""

    def add(self, path: str | os.PathLike[str], warn: Callable[[str], None]) -> Input:
        """Read one input; :class:`~.inputs.InputError` if it is none."""
        ...

    def run(self, progress: Callable[[float], None] | None = None) -> Result:
        """Run the checks over everything read."""
        ...

    def close(self) -> None: ...


def open_engine(
    name: str,
    rules: Rules,
    *,
    master: str | None = None,
    remote: str | None = None,
    memory_limit: str | None = None,
) -> Engine:
    """The engine ``name`` for ``rules``; Spark on ``master`` (default ``local[*]``) or at the
    Spark Connect address ``remote``. RuntimeError or ImportError says why one cannot start."""
    if name == "duckdb":
        if master is not None or remote is not None:
            raise RuntimeError("--master and --remote are for --engine spark")
        from .duck import DuckAudit

        return DuckAudit(rules, memory_limit=memory_limit)
    if name == "spark":
        from .spark import SparkAudit

        return SparkAudit(rules, master=master, remote=remote)
    raise RuntimeError(f"unknown engine {name!r}: duckdb or spark")
