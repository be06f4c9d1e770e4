"""Strict storage on a real full disk: a session made with ``strict_storage=True`` raises
instead of going on in memory, and never starts a session that is not on disk."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from faults import fill, small_disk

from session import (
    ClientSession,
    Notification,
    SaveFileError,
    SaveFileWriteError,
    SessionStarted,
    StorageProblem,
    VirtualClock,
    read_save_file,
)


def test_a_strict_session_on_a_full_disk_refuses_to_start() -> None:
    with small_disk() as disk:
        filler = fill(disk)
        path = disk / "session.xml"
        with pytest.raises(SaveFileWriteError) as raised:
            ClientSession(path, clock=VirtualClock(), strict_storage=True)
        problem = raised.value.problem
        assert isinstance(raised.value, SaveFileError)
        assert problem.path == path and problem.errno == errno.ENOSPC
        assert "No space left" in problem.message and str(problem) == problem.message
        assert not path.exists()
        filler.unlink()
        with ClientSession(path, clock=VirtualClock(), strict_storage=True) as s:
            assert s.storage_problem is None and s.session_index == 1


def test_a_strict_session_keeps_its_session_until_the_next_one_is_on_disk() -> None:
    with small_disk() as disk:
        path = disk / "session.xml"
        clock = VirtualClock()
        notes: list[Notification] = []
        s = ClientSession(
            path,
            foreground_timeout=10,
            check_interval=5,
            clock=clock,
            observers=[notes.append],
            strict_storage=True,
        )
        try:
            s.start_checker()
            assert s.flush(timeout=5)
            filler = fill(disk)
            clock.advance(15)  # a timeout is due, but its session cannot be saved
            assert s.session_index == 1
            assert [n.reason for n in notes if isinstance(n, SessionStarted)] == ["start"]
            problem = s.storage_problem
            assert problem is not None and problem.errno == errno.ENOSPC
            assert [n for n in notes if isinstance(n, StorageProblem)] == [problem]
            assert s.status().storage_problem == problem
            filler.unlink()
            clock.advance(5)  # the next check saves the new session first, then starts it
            assert s.session_index == 2
            assert read_save_file(path).saved.session_index == 2  # type: ignore[union-attr]
            assert s.storage_problem is None
        finally:
            s.close()


def test_without_strict_the_same_fault_goes_on_in_memory(tmp_path: Path) -> None:
    with small_disk() as disk:
        clock = VirtualClock()
        with ClientSession(
            disk / "session.xml", foreground_timeout=10, check_interval=5, clock=clock
        ) as s:
            s.start_checker()
            assert s.flush(timeout=5)
            filler = fill(disk)
            clock.advance(15)
            assert s.session_index == 2 and s.storage_problem is not None
            filler.unlink()


def test_a_strict_mobile_event_whose_session_cannot_be_saved_raises_and_changes_nothing() -> None:
    with small_disk() as disk:
        clock = VirtualClock()
        with ClientSession(
            disk / "session.xml",
            foreground_timeout=10,
            clock=clock,
            policy="mobile",
            strict_storage=True,
        ) as s:
            s.get_session_context("e1")
            assert s.flush(timeout=5)
            before = s.state
            filler = fill(disk)
            clock.advance(11)  # the next event starts a session, which cannot be saved
            with pytest.raises(SaveFileWriteError) as raised:
                s.get_session_context("e2")
            assert raised.value.problem.errno == errno.ENOSPC
            assert s.state == before  # the session the event would have started never began
            filler.unlink()
            context = s.get_session_context("e3")
            assert context.data["sessionIndex"] == 2 and context.data["firstEventId"] == "e3"
