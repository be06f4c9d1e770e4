"""The save file: its format (``format``), the file on disk and its lock (``file``), the
writer thread (``writer``), the engine's side of saving (``saving``) and read-only reports of
what a file holds (``report``)."""

from __future__ import annotations

from .file import Loaded, SaveFile, SaveFileBusyError, read_save_file
from .format import MAX_FILE_BYTES, SavedSession, decode, encode, interpret

__all__ = [
    "MAX_FILE_BYTES",
    "Loaded",
    "SaveFile",
    "SaveFileBusyError",
    "SavedSession",
    "decode",
    "encode",
    "interpret",
    "read_save_file",
]
