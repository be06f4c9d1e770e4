"""Reading files that people name: only regular files, never more than a stated size.

Everything the engine, the command line and the window read from a path a person gave (save
files, scenarios, captures) goes through :func:`read_limited`, so a FIFO never blocks, a device
such as ``/dev/zero`` is never read, and a huge file is refused before its first byte.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

__all__ = [
    "NotARegularFileError",
    "TooLargeError",
    "describe_kind",
    "read_limited",
    "read_stat_limited",
]


class NotARegularFileError(OSError):
    """The path is a folder, a device, a FIFO or a socket, not a file to read."""


class TooLargeError(OSError):
    """The file is larger than the limit for what it should be."""


def describe_kind(mode: int) -> str:
    """What a path is, for people: "a folder", "a FIFO", "a character device", …"""
    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISREG, "a regular file"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def read_limited(path: str | os.PathLike[str], limit: int, what: str = "file") -> bytes | None:
    """The bytes of the regular file at ``path`` (following symlinks), or None if there is none.

    Raises :class:`NotARegularFileError` for anything but a regular file, :class:`TooLargeError`
    for a file over ``limit`` bytes, and ``OSError`` when it cannot be read (permission, too
    many open files, I/O error, …). Opening never blocks, even on a FIFO. ``what`` names the
    file in messages ("save file", "scenario").
    """
    found = read_stat_limited(path, limit, what)
    return None if found is None else found[0]


def read_stat_limited(
    path: str | os.PathLike[str], limit: int, what: str = "file"
) -> tuple[bytes, os.stat_result] | None:
    """As :func:`read_limited`, with the ``fstat`` of the very file that was read."""
    path = Path(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except (FileNotFoundError, NotADirectoryError):  # nothing there (a folder on the way is a file)
        return None
    except OSError as error:
        if error.errno == errno.ENXIO:  # a FIFO or socket with nobody at the other end
            try:
                kind = describe_kind(os.stat(path).st_mode)
            except OSError:
                kind = "not a regular file"
            raise NotARegularFileError(errno.ENXIO, f"{path} is {kind}, not a {what}") from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotARegularFileError(
                errno.EISDIR if stat.S_ISDIR(info.st_mode) else errno.EINVAL,
                f"{path} is {describe_kind(info.st_mode)}, not a {what}",
            )
        if info.st_size > limit:
            raise TooLargeError(
                errno.EFBIG,
                f"{path} is {info.st_size:,} bytes, over the {limit:,} byte limit for a {what}",
            )
        chunks = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
    finally:
        os.close(fd)
    if len(data) > limit:  # it grew while being read
        raise TooLargeError(
            errno.EFBIG, f"{path} grew past the {limit:,} byte limit for a {what} as it was read"
        )
    return data, info
