"""The save file: its format (``format``), the file on disk (``file``) and its lock (``lock``),
the writes now and behind (``writer``), the engine's side of saving (``saving``) and read-only
looks at what a file holds (``report``)."""

from __future__ import annotations

from .decode import decode
from .errors import SaveFileWriteError
from .fields import SavedSession, interpret
from .file import (
    NotASaveFileError,
    SaveFile,
    SaveFileBusyError,
    SaveFileError,
    SaveFileUnreadableError,
)
from .format import MAX_FILE_BYTES, encode, looks_like_save_file
from .report import FileState, Report, read_report

read_save_file = read_report
"""Read and judge a save file once, without locking or changing it: a :class:`Report`."""

__all__ = [
    "MAX_FILE_BYTES",
    "FileState",
    "NotASaveFileError",
    "Report",
    "SaveFile",
    "SaveFileBusyError",
    "SaveFileError",
    "SaveFileUnreadableError",
    "SaveFileWriteError",
    "SavedSession",
    "decode",
    "encode",
    "interpret",
    "looks_like_save_file",
    "read_report",
    "read_save_file",
]
