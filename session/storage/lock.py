"""The OS lock that gives a save file one owner: ``flock`` on POSIX, ``msvcrt`` on Windows.

The lock file is opened without ever following a symbolic link and without ever truncating
anything, read-only, so a lock file another user made can still be shared when it is readable.
Two opens in one process conflict (``flock`` locks belong to the open file, not the process),
so two sessions in one process are kept apart as well as two processes.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from pathlib import Path

__all__ = ["LockBusy", "LockUnavailable", "SaveFileLock", "holder_of"]


class LockBusy(Exception):
    """Another session holds the lock."""


class LockUnavailable(Exception):
    """The lock cannot be taken at all (its folder is read-only, it is a symlink, …);
    the message says which, for people."""


class SaveFileLock:
    """An exclusive, non-blocking lock on ``path`` (the ``….lock`` file beside a save file)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._identity: tuple[int, int] | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        """Take the lock. Raises :class:`LockBusy` or :class:`LockUnavailable`."""
        if self._fd is not None:
            return
        if sys.platform == "win32" and os.path.islink(self.path):  # no O_NOFOLLOW there
            raise LockUnavailable(f"the lock path {self.path} is a symbolic link; not followed")
        flags = (
            os.O_RDONLY
            | os.O_CREAT
            | getattr(os, "O_NOFOLLOW", 0)
            | getattr(os, "O_CLOEXEC", 0)
            | getattr(os, "O_NONBLOCK", 0)
        )
        try:
            fd = os.open(self.path, flags, 0o644)
        except OSError as error:
            raise LockUnavailable(self._explain(error)) from error
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise LockUnavailable(f"the lock path {self.path} is not a regular file")
            _lock(fd)
        except BaseException:
            os.close(fd)
            raise
        self._fd, self._identity = fd, (info.st_dev, info.st_ino)

    def still_ours(self) -> bool:
        """Whether the lock file at the path is still the one this lock holds (removing the
        folder removes it, and another session could then lock a new one)."""
        if self._identity is None:
            return False
        try:
            info = os.lstat(self.path)
        except OSError:
            return False
        return (info.st_dev, info.st_ino) == self._identity

    def release(self) -> None:
        fd, self._fd, self._identity = self._fd, None, None
        if fd is not None:
            _unlock(fd)
            os.close(fd)

    def holder(self) -> tuple[int, str | None] | None:
        """The process that holds this lock (its pid, and its name where known), where the OS
        can tell: :func:`holder_of`."""
        return holder_of(self.path)

    def _explain(self, error: OSError) -> str:
        reason = error.strerror or str(error)
        if error.errno == errno.ELOOP:
            return f"the lock path {self.path} is a symbolic link; it is not followed"
        if error.errno in (errno.EACCES, errno.EPERM) and self.path.exists():
            return f"cannot open the lock file {self.path}, which another user owns: {reason}"
        if error.errno == errno.EROFS:
            return f"cannot make the lock file {self.path}: the file system is read-only"
        if error.errno in (errno.EACCES, errno.EPERM):
            return f"cannot make the lock file {self.path}: its folder cannot be written ({reason})"
        return f"cannot take the lock {self.path}: {reason}"


def holder_of(path: Path, locks: Path = Path("/proc/locks")) -> tuple[int, str | None] | None:
    """The pid and name of a process holding a lock on the file at ``path``, read from Linux's
    ``/proc/locks`` (``flock`` and POSIX locks alike) and ``/proc/PID/comm``; None where the OS
    does not say (another system, a lock taken through an open file description, no access).
    """
    try:
        info = os.stat(path)
        table = locks.read_text()
    except OSError:
        return None
    place = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}:{info.st_ino}"
    for line in table.splitlines():
        fields = line.split()
        if len(fields) < 6 or fields[1] == "->":  # a waiter, not a holder
            continue
        pid, where = fields[4], fields[5]
        if where == place and pid.isdigit():
            return int(pid), _process_name(int(pid))
    return None


def _process_name(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip() or None
    except OSError:
        return None


if sys.platform == "win32":  # pragma: no cover - not tested on this machine
    import msvcrt

    def _lock(fd: int) -> None:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            raise LockBusy() from None

    def _unlock(fd: int) -> None:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        except OSError:
            pass

else:
    import fcntl

    def _lock(fd: int) -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockBusy() from None
        except OSError as error:
            raise LockUnavailable(f"cannot lock: {error.strerror or error}") from error

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
