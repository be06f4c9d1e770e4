"""What the views show of the session in force: one frozen snapshot, taken by the host once
the engine call that changed something has returned, and the words the views use for it.

The views draw from the snapshot and the notifications only; none of them asks the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from session import ClientSession, SessionState, SessionStatus, Timeouts

from .units import format_countdown, format_seconds

__all__ = [
    "SessionSnapshot",
    "checker_text",
    "forecast_text",
    "no_session_reason",
    "timeout_text",
]


@dataclass(frozen=True, slots=True)
class SessionSnapshot:
    """The session in force, as one consistent look.

    ``due`` is the engine's own forecast of the next new session (None: none is due);
    ``requested`` says a new session was asked for and starts at the next event (mobile).
    ``open`` is False when no session is open (a restart that failed).
    """

    state: SessionState
    policy: str
    uses_checker: bool
    save_path: Path
    background: bool
    checking: bool
    next_check: float | None
    last_access: float
    settings: Timeouts
    due: float | None
    paused: bool = False
    requested: bool = False
    foreground_index: int | None = None
    background_index: int | None = None
    storage_problem: str | None = None
    open: bool = True

    @property
    def timeout_in_force(self) -> float:
        s = self.settings
        return s.background_timeout if self.background else s.foreground_timeout

    @classmethod
    def of(cls, session: ClientSession) -> SessionSnapshot:
        """Look at ``session`` (call it only once the engine call in progress has returned)."""
        return cls.from_status(session.status())

    @classmethod
    def from_status(cls, status: SessionStatus) -> SessionSnapshot:
        """The views' look at the engine's own status snapshot."""
        problem = status.storage_problem
        return cls(
            state=status.state,
            policy=status.policy,
            uses_checker=status.has_checker,
            save_path=status.save_path,
            background=status.background,
            checking=status.is_checking,
            next_check=status.next_check_at,
            last_access=status.last_access,
            settings=status.settings,
            due=status.expected_new_session_at,
            paused=status.paused,
            requested=status.new_session_requested,
            foreground_index=status.foreground_index,
            background_index=status.background_index,
            storage_problem=None if problem is None else problem.message,
            open=not status.closed,
        )


def forecast_text(snapshot: SessionSnapshot, now: float) -> str:
    """What happens next if nothing else does, in the words of the state panel's countdown."""
    if not snapshot.open:
        return "no session is open: Restart app opens one"
    if not snapshot.uses_checker:
        return _at_the_next_event(snapshot, now)
    if snapshot.due is None:
        return "no new session due (the checker is stopped)"
    return f"new session in {format_countdown(snapshot.due - now)}"


def _at_the_next_event(snapshot: SessionSnapshot, now: float) -> str:
    """A policy without a checker: only an event starts a session."""
    if snapshot.paused:
        return "paused: no new session until resumed"
    if snapshot.state.first_event_id is None:
        return "the next event is this session's first"
    if snapshot.requested:
        return "new session at the next event (requested)"
    left = snapshot.last_access + snapshot.timeout_in_force - now
    if left >= 0:
        return f"new session at the next event after {format_countdown(left)}"
    return "new session at the next event (idle past the timeout)"


def checker_text(snapshot: SessionSnapshot) -> str:
    if not snapshot.uses_checker:
        return f"none under the {snapshot.policy} policy: each event decides"
    if snapshot.checking:
        return f"running, every {format_seconds(snapshot.settings.check_interval)}"
    return "stopped (an event or going to the foreground starts it)"


def timeout_text(snapshot: SessionSnapshot) -> str:
    where = "background" if snapshot.background else "foreground"
    return f"{format_seconds(snapshot.timeout_in_force)} ({where})"


def no_session_reason(session: ClientSession | None, scenario: bool) -> str:
    """Why no new session is coming without an event (for *Skip to the next new session*)."""
    left = "; the scenario has no step left" if scenario else ""
    if session is None or session.closed:
        return "no session is open: use Restart app or File > Open"
    if not session.has_checker:
        return (
            f"under the {session.policy.name} policy only an event starts a session "
            f"(after the timeout, or when one was requested){left}"
        )
    return f"no new session is due: the checker is stopped (an event starts it){left}"
