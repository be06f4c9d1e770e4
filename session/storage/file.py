"""The save file on disk: safe reads, atomic durable writes, a lock, and damaged files set aside.

A write goes to a temporary file in the same folder, is flushed and fsynced, replaces the save
file with ``os.replace`` and then the folder is fsynced: a crash at any instant leaves the old
file or the new one, complete. A file that cannot be used as it stands is kept as
``<name>.corrupt-<UTC timestamp>`` (a hard link, else a copy) before anything is written over
it; until that has worked, nothing is written. Temporary files left by a killed writer are
removed when the lock is taken.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import filelock

from .format import MAX_FILE_BYTES, SavedSession, decode, interpret

__all__ = ["Loaded", "SaveFile", "SaveFileBusyError", "read_save_file"]


class SaveFileBusyError(RuntimeError):
    """Another session (in this process or another) holds the save file."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"the save file {path} is in use by another session; close that one first, or "
            "watch the file read-only (snowsession-gui --monitor)"
        )
        self.path = path


@dataclass(frozen=True, slots=True)
class Loaded:
    """What reading the save file found.

    ``saved`` is None when there is no file or nothing in it could be read. ``problem`` says
    what was wrong, for people. ``damaged`` means the path holds a file that cannot be used
    as it stands: it is set aside before the next write.
    """

    saved: SavedSession | None
    problem: str | None = None
    damaged: bool = False


def read_bytes(path: Path) -> bytes | None:
    """The file's bytes, or None if there is none. Never blocks on a FIFO, never reads a huge file.

    Raises OSError (with a message for people) when the path cannot be read as a file.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(f"{path} is a folder, not a save file")
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{path} is not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise OSError(f"{path} is {info.st_size} bytes, over the {MAX_FILE_BYTES} byte limit")
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise OSError(f"{path} is over the {MAX_FILE_BYTES} byte limit")
    return data


def read_save_file(path: str | os.PathLike[str]) -> Loaded:
    """Read and interpret a save file without changing anything (used by monitors and tools)."""
    path = Path(path)
    try:
        data = read_bytes(path)
    except IsADirectoryError as error:
        return Loaded(None, str(error), damaged=False)
    except OSError as error:
        return Loaded(None, f"cannot read {path}: {error.strerror or error}", damaged=True)
    if data is None:
        return Loaded(None)
    saved = interpret(decode(data))
    if saved.usable:
        return Loaded(saved)
    reasons = "; ".join(p.message for p in saved.problems)
    return Loaded(saved, f"{path} cannot be used as it stands: {reasons}", damaged=True)


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return  # Windows cannot open folders; its rename is durable enough
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class SaveFile:
    """One save file: its lock, its reads and its atomic writes.

    Parameters
    ----------
    path
        The save file.
    wall_time
        Unix seconds, for naming a damaged file set aside.
    """

    def __init__(self, path: str | os.PathLike[str], wall_time: Callable[[], float] = time.time):
        self.path = Path(path)
        self._wall_time = wall_time
        self._lock: filelock.BaseFileLock | None = None
        self._lock_id = (0, 0)
        self._wants_lock = False
        self._aside_pending = False
        self.moved_to: Path | None = None

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    def lock(self) -> str | None:
        """Take the OS lock that keeps a second session off this file.

        Raises :class:`SaveFileBusyError` if another session holds it. Returns a message when
        the lock could not be taken for another reason (the folder cannot be written): the
        session then runs unlocked, saving reports the same problem, and the lock is taken
        before the first write that can be made.
        """
        self._wants_lock = True
        try:
            self._take_lock()
        except filelock.Timeout:
            raise SaveFileBusyError(self.path) from None
        except OSError as error:
            return f"cannot lock {self.lock_path}: {error.strerror or error}"
        self._remove_stale_temps()
        return None

    def _take_lock(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Not thread-local: the session may be closed (and the lock released) on any thread.
        lock = filelock.FileLock(self.lock_path, timeout=0, thread_local=False)
        lock.acquire()
        try:
            info = os.stat(self.lock_path)
        except OSError:
            lock.release()
            raise
        self._lock, self._lock_id = lock, (info.st_dev, info.st_ino)

    def _hold_lock(self) -> None:
        """Before a write: make sure the lock this session holds is still the file's lock.

        Removing the folder removes the lock file with it, and another session could then
        lock a new one: take the lock again, and refuse to write if someone else has it.
        """
        if not self._wants_lock:
            return
        if self._lock is not None:
            with contextlib.suppress(FileNotFoundError):
                info = os.stat(self.lock_path)
                if (info.st_dev, info.st_ino) == self._lock_id:
                    return
            self._lock.release()
            self._lock = None
        try:
            self._take_lock()
        except filelock.Timeout:
            raise OSError(
                errno.EBUSY,
                f"another session took {self.path} after its lock file was removed; "
                "this one no longer writes it",
            ) from None

    def _remove_stale_temps(self) -> None:
        """Delete temporary files a killed writer left behind (we hold the lock: none is live)."""
        prefix, suffix = f".{self.path.name}.", ".tmp"
        with contextlib.suppress(OSError), os.scandir(self.path.parent) as found:
            for entry in found:
                if entry.name.startswith(prefix) and entry.name.endswith(suffix):
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)

    def unlock(self) -> None:
        self._wants_lock = False
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def load(self) -> Loaded:
        """Read the file; a damaged one is marked to be set aside before the next write."""
        loaded = read_save_file(self.path)
        self._aside_pending = loaded.damaged
        return loaded

    def write(self, data: bytes) -> None:
        """Replace the file with ``data`` atomically and durably. Raises OSError on failure."""
        self._hold_lock()
        if self._aside_pending:
            self.moved_to = self._move_aside()
            self._aside_pending = False
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
        _fsync_folder(folder)

    def _move_aside(self) -> Path | None:
        """Keep a byte-identical copy of the damaged file beside it, as ``<name>.corrupt-<UTC>``.

        A hard link, not a rename: the damaged file stays at its path until the atomic replace
        succeeds, so a write that then fails (disk full) or a crash never leaves no file at all,
        and the next start still finds the intact fields (above all the user id) in it.
        """
        stamp = _utc_stamp(self._wall_time())
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        counter = 1
        while target.exists():
            counter += 1
            target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{counter}")
        try:
            try:
                os.link(self.path, target, follow_symlinks=False)
            except FileNotFoundError:
                raise
            except OSError:
                _copy_exclusive(self.path, target)  # a file system without hard links
        except FileNotFoundError:
            return None  # it is gone already: nothing left to protect
        except OSError as error:
            raise OSError(
                error.errno,
                f"cannot set the damaged file aside as {target.name} ({error.strerror}); "
                "it is left untouched and nothing is written over it",
            ) from error
        return target


def _utc_stamp(wall_time: float) -> str:
    """``YYYYmmddTHHMMSSZ``; an impossible wall clock (NaN, out of range) falls back to the
    system's, so a damaged file can always be set aside."""
    for seconds in (wall_time, time.time()):
        try:
            return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(seconds))
        except (ValueError, OverflowError, OSError):
            continue
    return "unknown-time"


def _copy_exclusive(source: Path, target: Path) -> None:
    """Copy ``source`` to a new file ``target``, durably; a partial copy is removed."""
    with open(source, "rb") as reading, open(target, "xb") as writing:
        try:
            while chunk := reading.read(1 << 20):
                writing.write(chunk)
            writing.flush()
            os.fsync(writing.fileno())
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(target)
            raise
