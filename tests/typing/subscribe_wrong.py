"""Checked by mypy --strict in tests/test_engine_typing.py: each marked line must be refused."""

from __future__ import annotations

from session import BackgroundChanged, ClientSession, SessionStarted


def on_start(note: SessionStarted) -> None:
    print(note.new.session_index)


def use(session: ClientSession) -> None:
    session.subscribe(on_start)  # refused: it would get every kind
    session.subscribe(on_start, kinds=[BackgroundChanged])  # refused: not the kind it takes
