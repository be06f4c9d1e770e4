"""Where a session starts from: what the save file holds, turned into the first state (a new
session, or the saved one resumed), and the state of each new session after it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from ..events import Reason, SessionStarted
from ..policy import Policy, Resumed
from ..state import INT32_MAX, SessionState
from ..storage.report import FileState, Report
from .live import Live

__all__ = ["Opening", "first_session", "next_state"]


@dataclass(frozen=True, slots=True)
class Opening:
    """The first session: its state and record, how it is told, and a pending reason."""

    state: SessionState
    live: Live
    note: SessionStarted
    pending: Reason | None = None


def next_state(
    user_id: str,
    previous: str | None,
    index: int,
    now: float,
    new_id: Callable[[], str],
    logger: logging.Logger,
) -> SessionState:
    """The session after the one numbered ``index``: a new id, the next index (1 after the
    largest an Int32 holds)."""
    if index >= INT32_MAX:
        logger.warning("session index reached %d: starting again at 1", INT32_MAX)
        index = 0
    return SessionState(user_id, new_id(), previous, index + 1, None, now)


def first_session(
    report: Report,
    policy: Policy,
    clock: tuple[float, float],
    new_id: Callable[[], str],
    logger: logging.Logger,
) -> Opening:
    """The first session for what ``report`` read, at ``clock`` (engine time, wall time)."""
    now, wall = clock
    saved = report.saved
    user_id = saved.user_id if saved and saved.user_id else new_id()
    resumed: Resumed | None = None
    if saved is not None and report.state == FileState.OK:
        found = policy.resume(saved, user_id, now, wall)
        if isinstance(found, str):
            logger.warning("%s in %s; starting a new session", found, report.path)
        else:
            resumed = found
    if resumed is not None:  # continue_session_on_restart
        live = Live(resumed.last_access, wall - (now - resumed.last_access))
        if resumed.state.event_index:
            live.context = policy.context(resumed.state)
        note = SessionStarted(resumed.state, resumed.state, Reason.RESUMED, now)
        return Opening(resumed.state, live, note, resumed.pending)
    old = None
    if saved and saved.session_id is not None and saved.session_index is not None:
        old = SessionState(
            user_id, saved.session_id, saved.previous_session_id, saved.session_index
        )
    index = saved.session_index if saved and saved.session_index is not None else 0
    state = next_state(user_id, saved.session_id if saved else None, index, now, new_id, logger)
    return Opening(state, Live(now, wall), SessionStarted(old, state, Reason.START, now))
