"""One look at a save file, read-only: for the engine, ``inspect``, ``watch`` and the monitor.

Nothing here writes or locks the file: a program that owns it (a .NET app, another Python
process) carries on undisturbed. :class:`Report` says what the file holds, whether a .NET app
would read it (or crash on it), whether it is a save file at all, and what is wrong;
:class:`Watcher` compares successive looks at a file and says what changed.
"""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..files import NotARegularFileError, TooLargeError, read_stat_limited
from .decode import Decoded, decode
from .fields import SavedSession, interpret
from .format import MAX_FILE_BYTES, looks_like_save_file

__all__ = ["Change", "FileState", "Report", "Watcher", "describe", "read_report"]


class FileState(enum.StrEnum):
    """What a look at a path found."""

    OK = "ok"
    """A save file that can be used as it stands."""
    DAMAGED = "damaged"
    """A save file that cannot be used as it stands (empty, truncated, mistyped, hostile):
    the engine sets it aside and keeps its intact fields."""
    MISSING = "missing"
    """Nothing at the path: the engine starts a new user there."""
    UNREADABLE = "unreadable"
    """Something is there but could not be read (permission, too many open files, I/O error):
    the engine never writes over it."""
    FOREIGN = "foreign"
    """Not a save file: a folder, a device, a FIFO, a socket, a file too large to be one, or a
    file that shows no sign of ever being one. The engine never takes it over."""


@dataclass(frozen=True)
class Report:
    """One look at a save file; ``state`` says what was found (a :class:`FileState`).

    ``data`` is the bytes judged, and ``version`` the file's identity and time stamps when
    they were read (device, inode, size, mtime, ctime): a later write checks the file is
    still this one before it replaces it.
    """

    path: Path
    state: FileState
    size: int | None = None
    modified: float | None = None
    identity: tuple[int, int] | None = None
    version: tuple[int, ...] | None = None
    mode: int | None = None
    owner: tuple[int, int] | None = None
    data: bytes | None = field(default=None, repr=False)
    decoded: Decoded | None = None
    saved: SavedSession | None = None
    error: str | None = None

    @property
    def problem(self) -> str | None:
        """What is wrong, in a line; None for a sound save file or no file at all."""
        if self.error:
            return self.error
        if self.state == FileState.DAMAGED and self.saved is not None:
            reasons = "; ".join(p.message for p in self.saved.problems)
            return f"{self.path} cannot be used as it stands: {reasons}"
        return None

    @property
    def dotnet_verdict(self) -> str:
        """What a .NET ``ClientSession`` does with this file, in a few words."""
        if self.state == FileState.MISSING:
            return "no file: it starts a new user"
        if self.state == FileState.UNREADABLE:
            return "cannot read it either: it starts a new user"
        if self.decoded is None or self.saved is None or not self.decoded.dotnet_reads:
            return "refuses it: starts a new user and overwrites the file"
        if self.saved.dotnet_crashes:
            return "crashes on it at every start (InvalidCastException)"
        return "reads it"

    @property
    def engine_verdict(self) -> str:
        """What this engine does with the file when a session opens it."""
        if self.state == FileState.FOREIGN:
            return "refuses it: not a save file, so it is never written over"
        if self.state == FileState.UNREADABLE:
            return "refuses to start: it never writes over a file it could not read"
        if self.saved is None:
            return "starts a new user"
        if self.saved.usable:
            return "uses it as it stands"
        kept = "the user id" if self.saved.user_id else "nothing"
        return f"sets it aside as {self.path.name}.corrupt-<time> and keeps {kept} from it"

    @property
    def problems(self) -> list[str]:
        if self.error:
            return [self.error]
        return [p.message for p in self.saved.problems] if self.saved else []

    def to_dict(self) -> dict[str, Any]:
        """Plain data, for ``--json``."""
        saved = self.saved
        decoded = self.decoded
        return {
            "path": str(self.path),
            "state": self.state,
            "size": self.size,
            "modified": self.modified,
            "user_id": saved.user_id if saved else None,
            "session_id": saved.session_id if saved else None,
            "previous_session_id": saved.previous_session_id if saved else None,
            "session_index": saved.session_index if saved else None,
            "entries": (
                {key: {"type": v.type, "value": v.value} for key, v in decoded.entries.items()}
                if decoded
                else {}
            ),
            "dotnet_reads": decoded.dotnet_reads if decoded else None,
            "dotnet_crashes": saved.dotnet_crashes if saved else None,
            "dotnet": self.dotnet_verdict,
            "usable": saved.usable if saved else False,
            "engine": self.engine_verdict,
            "problems": (
                [{"message": p.message, "dotnet_refuses": p.dotnet_refuses} for p in saved.problems]
                if saved
                else ([{"message": self.error, "dotnet_refuses": True}] if self.error else [])
            ),
        }

    def lines(self) -> list[str]:
        """The report for people, one fact a line."""
        saved = self.saved
        rows = [("save file", str(self.path))]
        if self.state in (FileState.MISSING, FileState.UNREADABLE, FileState.FOREIGN):
            rows.append(("state", self.error or "there is no file"))
            rows.append(("this engine", self.engine_verdict))
            return [f"{name:<12}{value}" for name, value in rows]
        rows.append(("size", f"{self.size} bytes"))
        if saved is not None:
            none = "(none)"
            rows += [
                ("user id", saved.user_id or none),
                ("session id", saved.session_id or none),
                ("previous", saved.previous_session_id or none),
                ("index", none if saved.session_index is None else str(saved.session_index)),
            ]
            extras = ", ".join(f"{k}={v.value!r}" for k, v in saved.extras.items())
            if extras:
                rows.append(("other keys", extras))
        rows += [(".NET app", self.dotnet_verdict), ("this engine", self.engine_verdict)]
        problems = self.problems
        rows.append(("problems", "none" if not problems else problems[0]))
        rows += [("", problem) for problem in problems[1:]]
        return [f"{name:<12}{value}".rstrip() for name, value in rows]


def read_report(path: str | os.PathLike[str]) -> Report:
    """Look at a save file once, read-only. Never raises for what the path holds."""
    path = Path(path)
    try:
        found = read_stat_limited(path, MAX_FILE_BYTES, "save file")
    except (NotARegularFileError, TooLargeError) as error:
        return Report(path, FileState.FOREIGN, error=error.strerror or str(error))
    except OSError as error:
        reason = error.strerror or str(error)
        return Report(path, FileState.UNREADABLE, error=f"cannot read {path}: {reason}")
    if found is None:
        return Report(path, FileState.MISSING)
    data, info = found
    common: dict[str, Any] = {
        "size": len(data),
        "modified": info.st_mtime,
        "identity": (info.st_dev, info.st_ino),
        "version": version_of(info),
        "mode": info.st_mode & 0o7777,
        "owner": (info.st_uid, info.st_gid),
        "data": data,
    }
    if not looks_like_save_file(data):
        return Report(
            path,
            FileState.FOREIGN,
            error=f"{path} does not look like a save file (no .NET session dictionary in it)",
            **common,
        )
    decoded = decode(data)
    saved = interpret(decoded)
    state = FileState.OK if saved.usable else FileState.DAMAGED
    return Report(path, state, decoded=decoded, saved=saved, **common)


def version_of(info: os.stat_result) -> tuple[int, ...]:
    """What tells one state of a file from another: identity, size and time stamps."""
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


@dataclass(frozen=True)
class Change:
    """What changed between two looks at a file; ``text`` says it in one line."""

    before: Report
    after: Report
    text: str


def _short(value: str | None) -> str:
    return value.split("-", 1)[0] if value else "(none)"


def describe(report: Report) -> str:
    """One line: what the file holds now."""
    if report.state == "missing":
        return "no file"
    if report.state in (FileState.UNREADABLE, FileState.FOREIGN):
        return report.error or str(report.state)
    saved = report.saved
    assert saved is not None
    text = (
        f"index {saved.session_index if saved.session_index is not None else '?'}, "
        f"session {_short(saved.session_id)}, previous {_short(saved.previous_session_id)}, "
        f"user {_short(saved.user_id)}"
    )
    if report.state == FileState.DAMAGED:
        text += f"; DAMAGED: {'; '.join(report.problems)}"
        if report.decoded is not None and not report.decoded.dotnet_reads:
            text += " (a .NET app refuses it)"
    return text


class Watcher:
    """Successive looks at one file; :meth:`poll` returns a :class:`Change` or None."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.current = read_report(self.path)

    def poll(self) -> Change | None:
        before, after = self.current, read_report(self.path)
        if (before.state, before.data, before.identity, before.error) == (
            after.state,
            after.data,
            after.identity,
            after.error,
        ):
            return None
        self.current = after
        return Change(before, after, _change_text(before, after))


def _change_text(before: Report, after: Report) -> str:
    if after.state == "missing":
        return "the file is gone"
    now = describe(after)
    if before.state == "missing":
        return f"the file is back: {now}"
    if after.data == before.data:
        return f"the file was replaced with the same content: {now}"
    old, new = before.saved, after.saved
    if after.state == FileState.OK and before.state != FileState.OK:
        return f"the file is sound again: {now}"
    if old is None or new is None or after.state != FileState.OK:
        return now
    if old.user_id and new.user_id != old.user_id:
        return f"A NEW USER (was {_short(old.user_id)}): {now}"
    if old.session_index is not None and new.session_index is not None:
        step = new.session_index - old.session_index
        if step == 1:
            return f"new session: {now}"
        if step > 1:
            return (
                f"{step} new sessions since the last look ({old.session_index} to "
                f"{new.session_index}): {now}"
            )
        if step < 0:
            return f"the index went back from {old.session_index}: {now}"
    return f"changed: {now}"
