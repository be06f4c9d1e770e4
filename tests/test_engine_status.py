"""The engine's own status snapshot: one frozen value that agrees with every property."""

from __future__ import annotations

import dataclasses

import pytest

from session import SessionStatus


def test_the_status_is_frozen_and_agrees_with_the_properties(make_session, clock):
    s = make_session(foreground_timeout=10, check_interval=5)
    s.get_session_context("e1")
    clock.advance(3)
    s.set_background(True)
    status = s.status()
    assert isinstance(status, SessionStatus)
    with pytest.raises(dataclasses.FrozenInstanceError):
        status.background = False  # type: ignore[misc]
    assert status.state == s.state and status.policy == "dotnet" == s.policy.name
    assert status.has_checker is s.has_checker is True
    assert status.save_path == s.save_path and status.settings == s.settings
    assert status.background is s.background is True
    assert status.is_checking is s.is_checking is True
    assert status.next_check_at == s.next_check_at == 5.0
    assert status.last_access == s.last_access == 0.0
    assert status.expected_new_session_at == s.expected_new_session_at()
    assert status.timeout_in_force == s.timeout_in_force == 300.0
    assert (status.foreground_index, status.background_index) == (None, None)
    assert not status.paused and not status.new_session_requested
    assert status.storage_problem is None and not status.closed
    s.close()
    assert s.status().closed


def test_the_mobile_status_has_its_controls(make_session, clock):
    s = make_session(policy="mobile")
    s.set_background(True)
    s.set_background(False)
    s.pause()
    s.start_new_session()
    status = s.status()
    assert (status.foreground_index, status.background_index) == (1, 1)
    assert status.paused and status.new_session_requested
    assert not status.has_checker and not status.is_checking
    assert status.expected_new_session_at is None
