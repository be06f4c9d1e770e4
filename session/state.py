"""The session state: one immutable snapshot per change."""

from __future__ import annotations

from dataclasses import dataclass

from .util.text import short_id

__all__ = ["INT32_MAX", "SessionState"]

INT32_MAX = 2_147_483_647
"""The largest session index: the .NET original keeps it in an Int32 and the schema caps it."""


@dataclass(frozen=True, slots=True)
class SessionState:
    """Who the user is and which session is in force.

    ``started_at`` is the engine clock's time when the session began (``Clock.now()``).
    ``first_event_id`` is None until the session's first event; the .NET format never saves it.

    The mobile policy also counts events: ``event_index`` is 0 before the first event, then 1, 2,
    … (the ``eventIndex`` of the 1-0-2 context); ``first_event_timestamp`` is the first event's
    wall-clock time as ISO 8601 UTC with milliseconds. Under the ``dotnet`` policy they stay 0
    and None.
    """

    user_id: str
    session_id: str
    previous_session_id: str | None
    session_index: int
    first_event_id: str | None = None
    started_at: float = 0.0
    event_index: int = 0
    first_event_timestamp: str | None = None

    @property
    def short_session_id(self) -> str:
        """The first block of the session id, for tables and labels."""
        return short_id(self.session_id)
