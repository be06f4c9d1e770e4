"""The session state: one immutable snapshot per change."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["INT32_MAX", "SessionState"]

INT32_MAX = 2_147_483_647
"""The largest session index: the .NET original keeps it in an Int32 and the schema caps it."""


@dataclass(frozen=True, slots=True)
class SessionState:
    """Who the user is and which session is in force.

    ``started_at`` is the engine clock's time when the session began (``Clock.now()``).
    ``first_event_id`` is None until the session's first event; it is never saved.
    """

    user_id: str
    session_id: str
    previous_session_id: str | None
    session_index: int
    first_event_id: str | None = None
    started_at: float = 0.0

    @property
    def short_session_id(self) -> str:
        """The first block of the session id, for tables and labels."""
        return self.session_id.split("-", 1)[0]
