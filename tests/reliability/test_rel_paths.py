"""Paths: symlinks are written through, permissions are kept, any name the OS takes is saved."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from faults import NOBODY, need_root, run_python

from session import ClientSession, SaveFileUnreadableError, VirtualClock, read_save_file
from session.storage.format import encode

GOOD = encode(
    [
        ("userId", "0f8fad5b-d9cb-469f-a165-70867728950e"),
        ("sessionId", "7c9e6679-7425-40de-944b-e07fc1f90ae7"),
        ("previousSessionId", None),
        ("sessionIndex", 7),
        ("storageMechanism", "LOCAL_STORAGE"),
    ]
)


def new_session(path: Path) -> ClientSession:
    """A session on ``path`` that has started a second session (a write over its own)."""
    clock = VirtualClock()
    s = ClientSession(path, foreground_timeout=10, check_interval=5, clock=clock)
    s.start_checker()
    clock.advance(10)
    assert s.session_index >= 2 and s.storage_problem is None
    return s


# ------------------------------------------------------------------ symlinks


@pytest.mark.parametrize("relative", [False, True], ids=["absolute", "relative"])
def test_a_symlinked_save_path_is_written_through_and_stays_a_link(
    tmp_path: Path, relative: bool
) -> None:
    real = tmp_path / "app-data" / "session.xml"  # another folder, as a .NET app's
    real.parent.mkdir()
    real.write_bytes(GOOD)
    link = tmp_path / "here" / "session.xml"
    link.parent.mkdir()
    link.symlink_to(os.path.relpath(real, link.parent) if relative else real)
    with new_session(link) as s:
        index = s.session_index
    assert link.is_symlink() and link.resolve() == real
    assert read_save_file(real).saved.session_index == index  # type: ignore[union-attr]
    assert sorted(p.name for p in link.parent.iterdir()) == ["session.xml"]  # nothing beside
    assert sorted(p.name for p in real.parent.iterdir()) == ["session.xml", "session.xml.lock"]


def test_a_dangling_symlink_gets_its_target_made(tmp_path: Path) -> None:
    real = tmp_path / "target.xml"
    link = tmp_path / "session.xml"
    link.symlink_to(real)
    with ClientSession(link, clock=VirtualClock()) as s:
        assert s.session_index == 1
    assert link.is_symlink() and read_save_file(real).saved is not None


def test_a_symlink_loop_is_refused_and_left_alone(tmp_path: Path) -> None:
    a, b = tmp_path / "a.xml", tmp_path / "b.xml"
    a.symlink_to(b)
    b.symlink_to(a)
    with pytest.raises(SaveFileUnreadableError, match="symbolic links"):
        ClientSession(a, clock=VirtualClock())
    assert a.is_symlink() and b.is_symlink()


# ------------------------------------------------------------------ permissions


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o600, 0o664, 0o444])
def test_a_replaced_file_keeps_its_mode(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "session.xml"
    path.write_bytes(GOOD)
    path.chmod(mode)
    with new_session(path):
        assert stat.S_IMODE(os.stat(path).st_mode) == mode


def test_a_replaced_file_keeps_its_owner_and_group(tmp_path: Path) -> None:
    need_root("giving a file to another user")
    path = tmp_path / "session.xml"
    path.write_bytes(GOOD)
    os.chown(path, NOBODY, NOBODY)
    with new_session(path):
        info = os.stat(path)
        assert (info.st_uid, info.st_gid) == (NOBODY, NOBODY)


UMASK_CHILD = r"""
import json, os, stat, sys
os.umask(int(sys.argv[2], 8))
from session import ClientSession, VirtualClock
with ClientSession(sys.argv[1], clock=VirtualClock()) as s:
    pass
print(json.dumps({"mode": stat.S_IMODE(os.stat(sys.argv[1]).st_mode)}))
"""


@pytest.mark.parametrize(("umask", "expected"), [("022", 0o644), ("077", 0o600), ("002", 0o664)])
def test_a_new_file_gets_what_dotnet_gives_it(tmp_path: Path, umask: str, expected: int) -> None:
    path = tmp_path / f"new-{umask}.xml"
    assert run_python(UMASK_CHILD, str(path), umask)["mode"] == expected


def test_the_temporary_file_is_never_more_open_than_the_file_it_replaces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "session.xml"
    path.write_bytes(GOOD)
    path.chmod(0o600)
    seen: list[int] = []
    real = os.fsync

    def watching(fd: int) -> None:
        info = os.fstat(fd)
        if stat.S_ISREG(info.st_mode):
            seen.append(stat.S_IMODE(info.st_mode))
        real(fd)

    monkeypatch.setattr(os, "fsync", watching)
    with new_session(path):
        pass
    assert seen and all(mode == 0o600 for mode in seen), [oct(m) for m in seen]


# ------------------------------------------------------------------ names


@pytest.mark.parametrize("length", [200, 250, 255])
def test_any_name_the_os_takes_is_saved(tmp_path: Path, length: int) -> None:
    name = ("s" * (length - 4)) + ".xml"
    assert len(name.encode()) == length
    path = tmp_path / name
    with new_session(path) as s:
        index = s.session_index
    assert read_save_file(path).saved.session_index == index  # type: ignore[union-attr]
    path.write_bytes(GOOD.replace(b">7<", b">x<"))  # damaged: its copy needs a name too
    with ClientSession(path, clock=VirtualClock()) as again:
        assert again.storage_problem is None
    assert len(list(tmp_path.glob("*corrupt*"))) == 1
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_a_name_with_spaces_quotes_and_non_ascii_is_saved(tmp_path: Path) -> None:
    path = tmp_path / "dossier d'été" / 'session "ü" 😀.xml'
    with new_session(path) as s:
        index = s.session_index
    assert read_save_file(path).saved.session_index == index  # type: ignore[union-attr]
