"""Watch a save file read-only and say each time what it holds changes.

A Qt front to :class:`session.storage.report.Watcher` (the one behind ``snowsession watch``):
the file system watcher says when to look, the shared watcher says what changed. It never
writes the file and never takes its lock, and keeps watching through ``os.replace`` (which on
Linux drops a ``QFileSystemWatcher`` watch on the file: the path is re-added after every
change, and the folder is watched too, so a file that comes back is seen). A look that finds
the file damaged is checked again a moment later before it is reported: a writer that does not
replace the file atomically leaves it empty for a few milliseconds.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal, Slot

from session.storage.report import Change, Report, Watcher

__all__ = ["SaveFileWatcher"]


class SaveFileWatcher(QObject):
    """Says in order, on its thread, what a view of the file needs: ``watching(Report)``
    with the first look at the path :meth:`watch` was given, then ``changed(Change)`` each
    time the file's content changes (``change.after`` is the
    :class:`~session.storage.report.Report` of the file now, ``change.text`` says what
    changed in one line). :meth:`read_now` looks at once. :attr:`current` is the last look,
    for its owner; a view draws from the signals.
    """

    watching = Signal(Report)
    changed = Signal(Change)

    def __init__(self, path: str | os.PathLike[str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._on_change)
        self._watcher.directoryChanged.connect(self._on_change)
        self._again = QTimer(self)
        self._again.setObjectName("saveFileSecondLook")
        self._again.setSingleShot(True)
        self._again.timeout.connect(self.read_now)
        self.reads = 0
        self._looks = Watcher(path)
        self._arm()

    @property
    def path(self) -> Path:
        return self._looks.path

    @property
    def current(self) -> Report:
        """The file as the last reported look found it."""
        return self._looks.current

    def watch(self, path: str | os.PathLike[str]) -> Report:
        """Watch ``path`` from now on (the same path: start again); its first look is sent
        with ``watching`` and returned."""
        self.stop()
        self._looks = Watcher(path)
        self._arm()
        self.watching.emit(self._looks.current)
        return self._looks.current

    def _arm(self) -> None:
        path = self._looks.path
        wanted = [str(path)] if path.exists() else []
        if path.parent.is_dir():
            wanted.append(str(path.parent))
        watched = set(self._watcher.files()) | set(self._watcher.directories())
        missing = [p for p in wanted if p not in watched]
        if missing:
            self._watcher.addPaths(missing)

    @Slot(str)
    def _on_change(self, _changed: str = "") -> None:
        self._arm()
        self.read_now()

    @Slot()
    def read_now(self) -> Change | None:
        """Look at the file; emit ``changed`` (and return the change) if it holds something
        new."""
        self.reads += 1
        change = self._looks.poll()
        if self._looks.unsettled:  # perhaps caught mid-write: look again in a moment
            self._again.start(max(1, round(self._looks.retry_in * 1000)))
        if change is not None:
            self.changed.emit(change)
        return change

    def stop(self) -> None:
        self._again.stop()
        paths = self._watcher.files() + self._watcher.directories()
        if paths:
            self._watcher.removePaths(paths)
