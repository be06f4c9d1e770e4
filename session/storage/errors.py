"""Why a save file cannot be used: the errors a person can meet, each with a message that says
what happened and what to do."""

from __future__ import annotations

import os
from pathlib import Path

from ..events import StorageProblem

__all__ = [
    "NotASaveFileError",
    "SaveFileBusyError",
    "SaveFileError",
    "SaveFileUnreadableError",
    "SaveFileWriteError",
]


class SaveFileError(RuntimeError):
    """The save file cannot be used; nothing was written. ``path`` is the file."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(message)
        self.path = path


class SaveFileBusyError(SaveFileError):
    """Another session (in this process or another) holds the save file. ``holder_pid`` and
    ``holder_name`` name the process that holds it, where the OS can tell (else None)."""

    def __init__(
        self, path: Path, holder_pid: int | None = None, holder_name: str | None = None
    ) -> None:
        if holder_pid is None:
            who = "another session"
        elif holder_pid == os.getpid():
            who = "another session in this process"
        else:
            named = f" ({holder_name})" if holder_name else ""
            who = f"another session, in process {holder_pid}{named}"
        super().__init__(path, f"the save file {path} is in use by {who}; close that one first")
        self.holder_pid = holder_pid
        self.holder_name = holder_name


class SaveFileUnreadableError(SaveFileError):
    """The file is there but could not be read; it is never written over."""


class NotASaveFileError(SaveFileError):
    """The path holds something that is not a save file; it is never taken over."""


class SaveFileWriteError(SaveFileError):
    """A session made with ``strict_storage=True`` could not write its save file; the change
    that needed the write (a new session, the first start) was not made. ``problem`` says what
    went wrong (its ``errno``, its message)."""

    def __init__(self, problem: StorageProblem) -> None:
        super().__init__(problem.path, problem.message)
        self.problem = problem
