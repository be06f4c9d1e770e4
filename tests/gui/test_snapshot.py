"""The window's snapshot is read from the engine's own status, in one look."""

from __future__ import annotations

import shutil

from session import ClientSession, VirtualClock
from snowsession_gui.model.snapshot import SessionSnapshot


def test_the_snapshot_is_the_engines_status(tmp_path):
    clock = VirtualClock()
    folder = tmp_path / "data"
    with ClientSession(
        folder / "s.xml", foreground_timeout=10, check_interval=5, clock=clock
    ) as session:
        session.get_session_context("e1")
        session.set_background(True)
        snapshot = SessionSnapshot.of(session)
        status = session.status()
        assert snapshot == SessionSnapshot.from_status(status)
        assert (snapshot.state, snapshot.policy, snapshot.save_path) == (
            status.state,
            "dotnet",
            folder / "s.xml",
        )
        assert snapshot.uses_checker and snapshot.checking and snapshot.background
        assert (snapshot.next_check, snapshot.due, snapshot.last_access) == (5.0, 300.0, 0.0)
        assert snapshot.timeout_in_force == 300.0 and snapshot.foreground_index is None
        assert snapshot.storage_problem is None and snapshot.open
        assert session.flush(5)
        shutil.rmtree(folder)
        folder.write_text("a file where the folder was")
        clock.advance(305)  # a background timeout whose session cannot be saved
        problem = session.storage_problem
        assert problem is not None
        assert SessionSnapshot.of(session).storage_problem == problem.message
        folder.unlink()
    assert not SessionSnapshot.of(session).open


def test_the_mobile_snapshot_has_its_controls(tmp_path):
    with ClientSession(tmp_path / "m.xml", clock=VirtualClock(), policy="mobile") as session:
        session.set_background(True)
        session.pause()
        snapshot = SessionSnapshot.of(session)
        assert (snapshot.foreground_index, snapshot.background_index) == (0, 1)
        assert snapshot.paused and not snapshot.uses_checker and snapshot.due is None
