"""The current session's mutable record: when it was last used, and the context it hands out."""

from __future__ import annotations

from ..context import SessionContext

__all__ = ["Live"]


class Live:
    """The mutable part of the current session, replaced whole at each new session."""

    __slots__ = ("accessed", "context", "fast", "wall_accessed")

    def __init__(self, accessed: float, wall_accessed: float) -> None:
        self.accessed = accessed
        self.wall_accessed = wall_accessed
        self.context: SessionContext | None = None  # None until the session's first event
        self.fast: SessionContext | None = None  # handed out without the lock when set
