"""Checked by mypy --strict in tests/test_engine_typing.py: observers typed for the kinds they
subscribe to are accepted, and the status snapshot's fields have their types."""

from __future__ import annotations

from typing import assert_type

from session import (
    BackgroundChanged,
    ClientSession,
    Notification,
    SessionStarted,
    SessionState,
    SessionStatus,
    StorageProblem,
    VirtualClock,
    only,
)


def on_start(note: SessionStarted) -> None:
    print(note.new.session_index)


def on_start_or_switch(note: SessionStarted | BackgroundChanged) -> None:
    print(note.at)


def on_anything(note: Notification) -> None:
    print(note)


def use(session: ClientSession) -> None:
    session.subscribe(on_start, kinds=[SessionStarted])
    session.subscribe(on_start_or_switch, kinds=[SessionStarted, BackgroundChanged])
    session.subscribe(on_anything)
    session.subscribe(on_anything, kinds=[SessionStarted])
    session.on_session_update(lambda state: print(assert_type(state, SessionState)))
    status = assert_type(session.status(), SessionStatus)
    assert_type(status.foreground_index, int | None)
    assert_type(status.storage_problem, StorageProblem | None)
    problem = session.storage_problem
    if problem is not None:
        assert_type(problem.errno, int | None)


def build() -> ClientSession:
    return ClientSession(
        "s.xml", clock=VirtualClock(), observers=[only([SessionStarted], on_start)]
    )
