"""Shared fixtures: every test works in tmp_path, on a virtual clock unless it says otherwise."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from session import ClientSession, Notification, VirtualClock

DATA = Path(__file__).parent / "data"
USER = "0f8fad5b-d9cb-469f-a165-70867728950e"
FIRST = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
SECOND = "9a1f6c2e-3b4d-4e5f-8a6b-7c8d9e0f1a2b"


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(wall_start=1_800_000_000.0)


@pytest.fixture
def save_path(tmp_path: Path) -> Path:
    return tmp_path / "session.xml"


@pytest.fixture
def ids() -> Callable[[], str]:
    """Deterministic UUID-shaped ids: 00000000-0000-4000-8000-000000000001, …"""
    counter = itertools.count(1)
    return lambda: f"00000000-0000-4000-8000-{next(counter):012d}"


@pytest.fixture
def make_session(save_path: Path, clock: VirtualClock) -> Iterator[Callable[..., ClientSession]]:
    """Build sessions on the virtual clock; every one is closed after the test."""
    made: list[ClientSession] = []

    def make(path: Path | None = None, **options: object) -> ClientSession:
        options.setdefault("clock", clock)
        session = ClientSession(path or save_path, **options)  # type: ignore[arg-type]
        made.append(session)
        return session

    yield make
    for session in made:
        session.close()


class Recorder:
    """An observer that keeps every notification."""

    def __init__(self) -> None:
        self.notes: list[Notification] = []

    def __call__(self, note: Notification) -> None:
        self.notes.append(note)

    def of(self, kind: type) -> list:  # type: ignore[type-arg]
        return [n for n in self.notes if isinstance(n, kind)]
