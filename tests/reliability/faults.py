"""Real faults from this machine: a full disk (a small tmpfs), a read-only mount, a process
without privileges, a low limit on open files.

A child run ``unprivileged`` is in a user namespace of its own, mapped to a plain user: it owns
what this process owns, but has no capabilities, so permissions apply to it as to any user
(a file with mode 0 is EACCES; root's would be read anyway). Mounting needs root: without it
those helpers skip with the reason.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOBODY = 65534
"""A user id that the unprivileged child does not own (unmapped in its namespace)."""


def need_root(what: str) -> None:
    if os.geteuid() != 0:
        pytest.skip(f"{what} needs root (mount, or a child run as another user)")


@contextlib.contextmanager
def small_disk(size: str = "256k") -> Iterator[Path]:
    """A folder on a tmpfs of ``size``: a disk that really fills up."""
    need_root("a real full disk")
    folder = Path(tempfile.mkdtemp(prefix="snowsession-disk-"))
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0777", "tmpfs", str(folder)],
        check=True,
    )
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)
        folder.rmdir()


def fill(folder: Path, leave_pages: int = 0) -> Path:
    """Fill the disk under ``folder`` but ``leave_pages`` blocks; returns the filler file."""
    filler = folder / f"filler-{uuid.uuid4().hex[:6]}"
    info = os.statvfs(folder)
    size = max(0, info.f_bavail - leave_pages) * info.f_frsize
    with open(filler, "wb") as handle, contextlib.suppress(OSError):
        handle.write(b"\0" * size)
    assert os.statvfs(folder).f_bavail <= leave_pages
    return filler


@contextlib.contextmanager
def read_only_view(folder: Path) -> Iterator[Path]:
    """The same folder through a second, read-only mount (writes there fail with EROFS)."""
    need_root("a read-only mount")
    view = Path(tempfile.mkdtemp(prefix="snowsession-ro-"))
    subprocess.run(["mount", "--bind", str(folder), str(view)], check=True)
    subprocess.run(["mount", "-o", "remount,ro,bind", str(view)], check=True)
    try:
        yield view
    finally:
        subprocess.run(["umount", "-l", str(view)], check=False)
        view.rmdir()


def make_writable(view: Path) -> None:
    subprocess.run(["mount", "-o", "remount,rw,bind", str(view)], check=True)


def run_python(
    code: str,
    *args: str,
    unprivileged: bool = False,
    nofile: int | None = None,
    timeout: float = 60,
) -> Any:
    """Run ``code`` in a child process (``unprivileged``, with at most ``nofile`` open files)
    and return what it printed last, as JSON. The child fails the test if it raises."""
    prelude = ""
    if nofile is not None:
        prelude = (
            f"import resource\nresource.setrlimit(resource.RLIMIT_NOFILE, ({nofile}, {nofile}))\n"
        )
    command = [sys.executable, "-c", prelude + code, *args]
    if unprivileged:
        command = ["unshare", "--user", "--map-user=1000", "--map-group=1000", *command]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd="/",
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])
