"""One look at a save file, read-only: for the engine, ``inspect``, ``watch`` and the monitor.

Nothing here writes or locks the file: a program that owns it (a .NET app, another Python
process) carries on undisturbed. :class:`Report` says what the file holds, whether a .NET app
would read it (or crash on it), whether it is a save file at all, and what is wrong;
:class:`Watcher` compares successive looks at a file and says what changed.
"""

from __future__ import annotations

import enum
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..util.files import NotARegularFileError, TooLargeError, read_stat_limited
from ..util.text import short_id
from .decode import DecodedFile, decode
from .fields import SavedSession, interpret
from .format import MAX_FILE_BYTES, looks_like_save_file

__all__ = ["SETTLE", "Change", "FileState", "Report", "Watcher", "describe", "read_report"]


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
    decoded: DecodedFile | None = None
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
    return short_id(value) if value else "(none)"


def describe(report: Report) -> str:
    """One line: what the file holds now."""
    if report.state == FileState.MISSING:
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


SETTLE = 0.25
"""Seconds a watcher waits before a second look at a file that looked damaged: a writer that
truncates in place leaves it empty for milliseconds, but for longer on a busy machine, where a
second look 50 ms later still found some such files empty."""


def _same(a: Report, b: Report) -> bool:
    return (a.state, a.data, a.identity, a.error) == (b.state, b.data, b.identity, b.error)


def _still(a: Report, b: Report) -> bool:
    """The same bytes, and nothing has written the file in between."""
    return _same(a, b) and a.modified == b.modified


class Watcher:
    """Successive looks at one file; :meth:`poll` returns a :class:`Change` or None.

    A writer that does not replace the file atomically (the .NET tracker writes it in place)
    leaves it empty or half written for a few milliseconds. So a look that finds the file
    damaged is not reported at once: :attr:`unsettled` turns True, and the damage is reported
    only once a look at least :data:`SETTLE` seconds later finds the same bytes, with nothing
    written in between. A file that is sound again is compared with the last sound look, so a
    session that began while it was damaged is reported as a new session.

    ``clock`` gives seconds for the wait (``time.monotonic`` by default).
    """

    def __init__(
        self, path: str | os.PathLike[str], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.path = Path(path)
        self._clock = clock
        self.current = read_report(self.path)
        self._sound: Report | None = self.current if self.current.state == FileState.OK else None
        self._suspect: Report | None = None
        self._suspect_since = 0.0

    @property
    def unsettled(self) -> bool:
        """The last look found the file damaged and it is not yet known to stay so: look
        again in :attr:`retry_in` seconds."""
        return self._suspect is not None

    @property
    def retry_in(self) -> float:
        """Seconds until a look can tell whether a damaged file stays so (0: now)."""
        if self._suspect is None:
            return 0.0
        left = SETTLE - (self._clock() - self._suspect_since)
        return left if left > 1e-9 else 0.0

    def poll(self) -> Change | None:
        before, after = self.current, read_report(self.path)
        if _same(before, after):
            self._suspect = None
            return None
        if after.state == FileState.DAMAGED:
            now = self._clock()
            suspect = self._suspect
            if suspect is None or not _still(suspect, after):
                self._suspect, self._suspect_since = after, now  # perhaps caught mid-write
                return None
            if self.retry_in > 0:
                return None  # not long enough to be sure: look again

        self._suspect = None
        self.current = after
        text = _change_text(before, after, self._sound)
        if after.state == FileState.OK:
            self._sound = after
        elif after.state == FileState.MISSING:
            self._sound = None
        return Change(before, after, text)


def _step_text(old: SavedSession, new: SavedSession, now: str) -> str | None:
    """What happened between two sound looks, or None if it is neither a new user nor a
    move of the index."""
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
    return None


def _change_text(before: Report, after: Report, last_sound: Report | None) -> str:
    if after.state == FileState.MISSING:
        return "the file is gone"
    now = describe(after)
    if before.state == FileState.MISSING:
        return f"the file is back: {now}"
    if after.data == before.data:
        return f"the file was replaced with the same content: {now}"
    old, new = before.saved, after.saved
    if after.state == FileState.OK and before.state != FileState.OK:
        sound = last_sound.saved if last_sound is not None else None
        step = _step_text(sound, new, now) if sound is not None and new is not None else None
        return f"{step} (the file is sound again)" if step else f"the file is sound again: {now}"
    if old is None or new is None or after.state != FileState.OK:
        return now
    return _step_text(old, new, now) or f"changed: {now}"
