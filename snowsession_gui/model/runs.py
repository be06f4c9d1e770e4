"""Runs: the stretches of time the views show, and what a view keeps of each.

A :class:`Run` is the window's own session on one save file (from the moment the file was
opened, through every restart) or one scenario run or recording. The host names the run in
force with each ``startedOver``; a view keeps what it showed of every run in a
:class:`PerRun`, so going back to a run (stopping a scenario) shows it again as it was, and
an earlier run can be drawn beside the one in force. No Qt here.
"""

from __future__ import annotations

import datetime
import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

__all__ = ["KEPT_RUNS", "PerRun", "Run", "RunBook"]

T = TypeVar("T")

KEPT_RUNS = 20
"""Earlier runs a view keeps besides the one in force (the oldest scenario runs go first)."""


@dataclass(frozen=True, slots=True)
class Run:
    """One run: ``number`` is unique in the window; runs of the same scenario share a
    ``name``. ``home`` is True for the window's own session; ``started`` is the wall-clock
    time the run began (Unix seconds)."""

    number: int
    name: str
    home: bool
    started: float = 0.0

    @property
    def title(self) -> str:
        """The run for people: ``scenario restarts, 22:14``."""
        if not self.started:
            return self.name
        when = datetime.datetime.fromtimestamp(self.started).strftime("%H:%M")
        return f"{self.name}, {when}"


class RunBook:
    """The host's runs, numbered in order: a new one for each scenario run, and one for each
    save file the window opens (a file opened again goes on where it was)."""

    def __init__(self) -> None:
        self._numbers = itertools.count(1)
        self._files: dict[Path, Run] = {}

    def new(self, name: str, *, home: bool) -> Run:
        return Run(next(self._numbers), name, home, time.time())

    def of_file(self, path: Path, *, fresh: bool = False) -> Run:
        """The run of the window's own session on ``path``: the one it had if it was open
        before (its sessions share the window's clock), else a new one; ``fresh`` after a
        reset."""
        key = path.absolute()
        run = self._files.get(key)
        if run is None or fresh:
            name = f"{path.name} after a reset" if fresh else path.name
            run = self._files[key] = self.new(name, home=True)
        return run


class PerRun(Generic[T]):
    """What one view keeps of each run: ``current`` for the run in force, the others kept.

    ``make`` builds the state of a run seen for the first time. Before the first
    :meth:`switch` the current state belongs to no run yet; the first run named takes it.
    """

    def __init__(self, make: Callable[[], T]) -> None:
        self._make = make
        self.run: Run | None = None
        self.current: T = make()
        self._kept: dict[int, tuple[Run, T]] = {}

    def switch(self, run: Run) -> bool:
        """Show ``run`` from now on; True if that is another run than before."""
        if self.run is not None and run.number == self.run.number:
            self.run = run
            return False
        if self.run is not None:
            self._kept[self.run.number] = (self.run, self.current)
            self._forget_oldest()
            kept = self._kept.pop(run.number, None)
            self.current = kept[1] if kept is not None else self._make()
        self.run = run
        return True

    def keep(self, run: Run, state: T) -> None:
        """Keep ``state`` as an earlier run (one from before the window started, say)."""
        self._kept[run.number] = (run, state)
        self._forget_oldest()

    def _forget_oldest(self) -> None:
        while len(self._kept) > KEPT_RUNS:
            oldest = min(
                self._kept, key=lambda number: (self._kept[number][0].home, number)
            )  # scenario runs go before the window's own
            del self._kept[oldest]

    def earlier(self) -> Iterator[tuple[Run, T]]:
        """The runs kept besides the one in force, oldest first."""
        for number in sorted(self._kept):
            yield self._kept[number]

    def get(self, number: int) -> T | None:
        """The state kept of run ``number`` (the current one included)."""
        if self.run is not None and self.run.number == number:
            return self.current
        kept = self._kept.get(number)
        return kept[1] if kept is not None else None
