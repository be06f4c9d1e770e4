"""The ``snowsession`` command line (no Qt): scenarios, save files, and what trackers send."""

from __future__ import annotations

from .commands import main

__all__ = ["main"]
