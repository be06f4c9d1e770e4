"""Watch a save file read-only and say what it holds each time it changes.

Used by the window's timeline, and made to serve a monitor of a file another program writes:
it never writes the file, never takes its lock, and keeps watching through ``os.replace``
(which on Linux drops a ``QFileSystemWatcher`` watch on the file: the path is re-added after
every change, and the folder is watched too so a file that comes back is seen).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, Signal, Slot

from session import read_save_file

__all__ = ["SaveFileReading", "SaveFileWatcher"]


@dataclass(frozen=True, slots=True)
class SaveFileReading:
    """One reading of the file. ``exists`` is False when there is no file at the path.

    The session fields are None when the file lacks them or could not be read; ``problem`` says
    what was wrong, for people.
    """

    path: Path
    exists: bool
    user_id: str | None = None
    session_id: str | None = None
    previous_session_id: str | None = None
    session_index: int | None = None
    problem: str | None = None
    mtime: float | None = None

    def key(self) -> tuple[object, ...]:
        return (
            self.exists,
            self.user_id,
            self.session_id,
            self.previous_session_id,
            self.session_index,
            self.problem,
        )


def read_reading(path: Path) -> SaveFileReading:
    """Read ``path`` once, read-only."""
    try:
        mtime: float | None = os.stat(path).st_mtime
    except OSError:
        mtime = None
    loaded = read_save_file(path)
    saved = loaded.saved
    if saved is None:
        return SaveFileReading(path, mtime is not None, problem=loaded.problem, mtime=mtime)
    return SaveFileReading(
        path,
        True,
        saved.user_id,
        saved.session_id,
        saved.previous_session_id,
        saved.session_index,
        loaded.problem,
        mtime,
    )


class SaveFileWatcher(QObject):
    """Emits ``changed(SaveFileReading)`` each time what the file holds changes.

    Notifications about the folder (lock files, temporary files) that leave the file's
    content as it was are dropped. :meth:`read_now` reads at once (for a first frame).
    """

    changed = Signal(object)

    def __init__(self, path: str | os.PathLike[str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._path = Path(path)
        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._on_change)
        self._watcher.directoryChanged.connect(self._on_change)
        self._last: SaveFileReading | None = None
        self.reads = 0
        self._arm()

    @property
    def path(self) -> Path:
        return self._path

    @property
    def last(self) -> SaveFileReading | None:
        """The last reading emitted."""
        return self._last

    def _arm(self) -> None:
        wanted = [str(self._path)] if self._path.exists() else []
        if self._path.parent.is_dir():
            wanted.append(str(self._path.parent))
        watched = set(self._watcher.files()) | set(self._watcher.directories())
        missing = [p for p in wanted if p not in watched]
        if missing:
            self._watcher.addPaths(missing)

    @Slot(str)
    def _on_change(self, _changed: str = "") -> None:
        self._arm()
        self.read_now()

    def read_now(self) -> SaveFileReading:
        """Read the file; emit ``changed`` if it holds something new."""
        self.reads += 1
        reading = read_reading(self._path)
        if self._last is None or reading.key() != self._last.key():
            self._last = reading
            self.changed.emit(reading)
        return reading

    def forget(self) -> None:
        """Emit the next reading even if it matches the last one (after a reset)."""
        self._last = None

    def stop(self) -> None:
        paths = self._watcher.files() + self._watcher.directories()
        if paths:
            self._watcher.removePaths(paths)
