"""The save file on disk: its lock, the one look at it that the engine judges, and its writes.

A write goes to a short-named temporary file beside the real file (a symlinked path is
written through: the link stays a link), is fsynced, takes the replaced file's mode and owner
(a new file gets 0666 less the umask, as .NET gives it), replaces the file with
``os.replace`` and then the folder is fsynced: a crash at any instant leaves the old file or
the new one, complete. Nothing is written over a file this session did not read and judge: a
file changed by another program since, something that is not a save file, or a file the lock
does not cover is refused with a message. A damaged file is set aside first as a separate copy
of the very bytes judged (``<name>.corrupt-<UTC>``, ten at most per save file).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import secrets
import stat
import threading
import time
from collections.abc import Callable
from pathlib import Path

from ..util.files import describe_kind
from .errors import NotASaveFileError, SaveFileBusyError, SaveFileError, SaveFileUnreadableError
from .lock import LockBusy, LockUnavailable, SaveFileLock
from .report import FileState, Report, read_report, version_of

__all__ = [
    "KEEP_SET_ASIDE",
    "NotASaveFileError",
    "SaveFile",
    "SaveFileBusyError",
    "SaveFileError",
    "SaveFileUnreadableError",
    "WriteRefused",
]

KEEP_SET_ASIDE = 10
"""Damaged copies kept per save file: a file damaged at every start cannot fill the disk."""


class WriteRefused(OSError):
    """A write this session must not make (no lock, a file it did not read); the message
    says why, for people."""


class SaveFile:
    """One save file: its lock, the look at it that was judged, and its atomic writes.

    Parameters
    ----------
    path
        The save file. A symbolic link is followed to the real file, which is written in its
        own folder; the lock belongs to the real file, so one file under two names has one
        owner.
    wall_time
        Unix seconds, for naming a damaged file set aside.
    """

    def __init__(self, path: str | os.PathLike[str], wall_time: Callable[[], float] = time.time):
        self.path = Path(path)
        self.target = Path(os.path.realpath(self.path))
        self._wall_time = wall_time
        self._lock = SaveFileLock(self.target.with_name(_short_name(self.target.name, ".lock")))
        self.lock_problem: str | None = None
        self._known: tuple[int, ...] | None = None  # the version read, or last written
        self._aside: Report | None = None  # a damaged file, to set aside before the first write
        self._io = threading.Lock()
        self.moved_to: Path | None = None

    @property
    def lock_path(self) -> Path:
        return self._lock.path

    # ------------------------------------------------------------------ open

    def open(self) -> Report:
        """Take the lock and read the file once; returns what was found and judged.

        Raises :class:`SaveFileBusyError` if another session holds the lock,
        :class:`SaveFileUnreadableError` if the file cannot be read and
        :class:`NotASaveFileError` if the path is not a save file. A lock that cannot be
        taken for another reason leaves ``lock_problem`` set: this session then never writes
        until it can take the lock.
        """
        first = read_report(self.path)  # a path that is refused gets no lock file beside it
        if first.state not in (FileState.UNREADABLE, FileState.FOREIGN):
            self._try_lock()
        try:
            report = read_report(self.path) if self._lock.held else first
            if report.state == FileState.UNREADABLE:
                raise SaveFileUnreadableError(
                    self.path, f"{report.error}; nothing was written: it is left as it is"
                )
            if report.state == FileState.FOREIGN:
                raise NotASaveFileError(
                    self.path,
                    f"{report.error}; it is never written over: choose another save file",
                )
        except BaseException:
            self.unlock()
            raise
        self._known = report.version
        self._aside = report if report.state == FileState.DAMAGED else None
        return report

    def _try_lock(self) -> None:
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            self._lock.acquire()
        except LockBusy:
            raise SaveFileBusyError(self.path, *(self._lock.holder() or (None, None))) from None
        except LockUnavailable as error:
            self.lock_problem = str(error)
            return
        except OSError as error:
            self.lock_problem = (
                f"cannot save {self.path}: its folder {self.target.parent} cannot be made "
                f"({error.strerror or error})"
            )
            return
        self.lock_problem = None
        self._remove_stale_temps()

    def unlock(self) -> None:
        self._lock.release()

    # ------------------------------------------------------------------ write

    def write(self, data: bytes) -> None:
        """Replace the file with ``data`` atomically and durably.

        Raises :class:`WriteRefused` when this session must not write (it does not hold the
        lock, or the file is not the one it read), and OSError when the write fails.
        """
        with self._io:
            self._hold_lock()
            target = self.target
            current = _lstat(target)
            if current is not None:
                if not stat.S_ISREG(current.st_mode):
                    raise WriteRefused(
                        errno.EEXIST,
                        f"{target} is now {describe_kind(current.st_mode)}; it is not written over",
                    )
                if version_of(current) != self._known:
                    raise WriteRefused(
                        errno.EEXIST,
                        f"{target} was changed by another program since this session read it; "
                        "it is not written over",
                    )
                mode, owner = stat.S_IMODE(current.st_mode), (current.st_uid, current.st_gid)
            else:
                mode, owner = 0o666 & ~_umask(), None
            if self._aside is not None and current is not None:
                self.moved_to = self._set_aside(self._aside)
            self._aside = None
            target.parent.mkdir(parents=True, exist_ok=True)
            self._known = _replace(target, data, mode, owner)

    def _hold_lock(self) -> None:
        """Before a write: this session holds the file's lock, and it is still the file's
        lock (removing the folder removes it; another session could then lock a new one)."""
        if self._lock.held and self._lock.still_ours():
            return
        if self._lock.held:
            self._lock.release()
            try:
                self.target.parent.mkdir(parents=True, exist_ok=True)
                self._lock.acquire()
            except LockBusy:
                raise WriteRefused(
                    errno.EBUSY,
                    f"another session took {self.path} after its lock file was removed; "
                    "this one no longer writes it",
                ) from None
            except (LockUnavailable, OSError) as error:
                raise WriteRefused(
                    errno.ENOLCK, f"cannot lock {self.path} again: {error}"
                ) from None
            return
        self._try_lock()  # never had it: try again now
        if self.lock_problem is not None:
            raise WriteRefused(
                errno.ENOLCK,
                f"{self.lock_problem}; this session does not write {self.path} until it can "
                "take the lock",
            )

    def _remove_stale_temps(self) -> None:
        """Delete temporary files a killed writer left (we hold the lock: none is live)."""
        mine = re.compile(
            rf"\.ss-{_digest(self.target.name)}-[0-9a-f]+\.tmp|"
            rf"\.{re.escape(self.target.name)}\.[^.]+\.tmp"
        )
        with contextlib.suppress(OSError), os.scandir(self.target.parent) as found:
            for entry in found:
                if mine.fullmatch(entry.name):
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)

    # ------------------------------------------------------------------ set aside

    @property
    def _aside_prefix(self) -> str:
        # Room for "YYYYmmddTHHMMSSZ-NN" after it, however long the save file's name.
        return _short_name(self.target.name, ".corrupt-" + "x" * 19).removesuffix("x" * 19)

    def _set_aside(self, judged: Report) -> Path:
        """Keep the damaged bytes that were judged as a new file beside the save file, unless
        an identical copy is kept already; at most :data:`KEEP_SET_ASIDE` copies stay."""
        data = judged.data or b""
        kept = self.set_aside_copies()
        for path in kept:
            with contextlib.suppress(OSError):
                if path.stat().st_size == len(data) and path.read_bytes() == data:
                    return path
        stem = f"{self._aside_prefix}{_utc_stamp(self._wall_time())}"
        target = self.target.with_name(stem)
        counter = 1
        while _lstat(target) is not None:
            counter += 1
            target = self.target.with_name(f"{stem}-{counter}")
        try:
            _write_new(target, data, judged.mode or 0o600)
        except OSError as error:
            raise OSError(
                error.errno,
                f"cannot set the damaged file aside as {target.name} ({error.strerror}); "
                "it is left untouched and nothing is written over it",
            ) from error
        for old in kept[: max(0, len(kept) + 1 - KEEP_SET_ASIDE)]:
            with contextlib.suppress(OSError):
                old.unlink()
        return target

    def set_aside_copies(self) -> list[Path]:
        """The damaged copies kept beside this save file, oldest first."""
        prefix = self._aside_prefix
        found = []
        with contextlib.suppress(OSError), os.scandir(self.target.parent) as entries:
            for entry in entries:
                if entry.name.startswith(prefix) and entry.is_file(follow_symlinks=False):
                    found.append((entry.stat(follow_symlinks=False).st_mtime_ns, entry.name))
        return [self.target.with_name(name) for _, name in sorted(found)]


# ---------------------------------------------------------------------------------- helpers


def _replace(
    target: Path, data: bytes, mode: int, owner: tuple[int, int] | None
) -> tuple[int, ...]:
    """Write ``data`` to a new temporary file beside ``target`` and move it into place."""
    folder = target.parent
    temp = folder / f".ss-{_digest(target.name)}-{secrets.token_hex(4)}.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        try:
            _write_all(fd, data)
            os.fsync(fd)
            if owner is not None:
                _chown(fd, *owner)
            os.fchmod(fd, mode)  # only now as open as the file it replaces
        finally:
            os.close(fd)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _fsync_folder(folder)
    return version_of(os.lstat(target))


def _write_new(target: Path, data: bytes, mode: int) -> None:
    """A new file holding ``data``, durably; a partial one is removed."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        try:
            _write_all(fd, data)
            os.fsync(fd)
            os.fchmod(fd, mode)
        finally:
            os.close(fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(target)
        raise
    _fsync_folder(target.parent)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _chown(fd: int, uid: int, gid: int) -> None:
    """Give the new file the old one's owner and group, as far as this process may."""
    for owner in ((uid, gid), (-1, gid)):
        try:
            os.fchown(fd, *owner)
            return
        except (OSError, AttributeError):
            continue


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None


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


def _digest(name: str) -> str:
    return hashlib.sha1(os.fsencode(name)).hexdigest()[:10]


def _short_name(name: str, suffix: str) -> str:
    """``name + suffix``, or, where that is longer than the folder allows, the start of the
    name, a digest of all of it, and the suffix: any name the OS accepts can be saved."""
    if len(os.fsencode(name + suffix)) <= 255:
        return name + suffix
    encoded = os.fsencode(name)[: 255 - len(os.fsencode(suffix)) - 12]
    return f"{os.fsdecode(encoded).rstrip(chr(0xFFFD))}~{_digest(name)}{suffix}"


_umask_lock = threading.Lock()


def _umask() -> int:
    """The process's umask, read without changing it where the OS says it."""
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status") as status:
        for line in status:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    with _umask_lock:  # elsewhere: set and restore it at once
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def _utc_stamp(wall_time: float) -> str:
    """``YYYYmmddTHHMMSSZ``; an impossible wall clock (NaN, out of range) falls back to the
    system's, so a damaged file can always be set aside."""
    for seconds in (wall_time, time.time()):
        try:
            return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(seconds))
        except (ValueError, OverflowError, OSError):
            continue
    return "unknown-time"
