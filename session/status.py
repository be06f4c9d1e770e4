"""The engine's status: everything about a session at one instant, as one frozen value."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .events import StorageProblem
from .settings import Timeouts
from .state import SessionState

__all__ = ["SessionStatus"]


@dataclass(frozen=True, slots=True)
class SessionStatus:
    """A session as it stands, read under the engine's lock, so its parts agree.

    :meth:`~session.ClientSession.status` makes one; each field is also a property of the
    session. ``foreground_index`` and ``background_index`` are None under a policy that does
    not count switches (``dotnet``); ``storage_problem`` is the last problem with the save
    file, until a write works again.
    """

    state: SessionState
    policy: str
    has_checker: bool
    save_path: Path
    background: bool
    is_checking: bool
    next_check_at: float | None
    last_access: float
    settings: Timeouts
    expected_new_session_at: float | None
    paused: bool = False
    new_session_requested: bool = False
    foreground_index: int | None = None
    background_index: int | None = None
    storage_problem: StorageProblem | None = None
    closed: bool = False

    @property
    def timeout_in_force(self) -> float:
        """The background timeout in the background, else the foreground timeout."""
        s = self.settings
        return s.background_timeout if self.background else s.foreground_timeout
