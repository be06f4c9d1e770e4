"""What a save file holds, read-only: for ``snowsession inspect`` and ``snowsession watch``.

Nothing here writes or locks the file: a program that owns it (a .NET app, another Python
process) carries on undisturbed. :class:`Report` says what the file holds, whether a .NET app
would read it (or crash on it), and what is wrong; :class:`Watcher` compares successive looks
at a file and says what changed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .file import read_bytes
from .format import Decoded, SavedSession, decode, interpret

__all__ = ["Change", "Report", "Watcher", "read_report"]


@dataclass(frozen=True)
class Report:
    """One look at a save file. ``state`` is ``ok``, ``damaged``, ``missing`` or ``unreadable``."""

    path: Path
    state: str
    size: int | None = None
    modified: float | None = None
    identity: tuple[int, int] | None = None
    data: bytes | None = field(default=None, repr=False)
    decoded: Decoded | None = None
    saved: SavedSession | None = None
    error: str | None = None

    @property
    def dotnet_verdict(self) -> str:
        """What a .NET ``ClientSession`` does with this file, in a few words."""
        if self.decoded is None or self.saved is None:
            return "no file: it starts a new user"
        if not self.decoded.dotnet_reads:
            return "refuses it: starts a new user and overwrites the file"
        if self.saved.dotnet_crashes:
            return "crashes on it at every start (InvalidCastException)"
        return "reads it"

    @property
    def engine_verdict(self) -> str:
        """What this engine does with the file when a session opens it."""
        if self.saved is None:
            return "starts a new user" if self.state == "missing" else "cannot open it"
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
        if self.state in ("missing", "unreadable"):
            rows.append(("state", self.error or "there is no file"))
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
    """Look at a save file once, read-only. Never raises for what the file holds."""
    path = Path(path)
    try:
        info = os.stat(path)
        data = read_bytes(path)
    except FileNotFoundError:
        return Report(path, "missing")
    except OSError as error:
        reason = error.strerror or str(error)
        return Report(path, "unreadable", error=f"cannot read {path}: {reason}")
    if data is None:
        return Report(path, "missing")
    decoded = decode(data)
    saved = interpret(decoded)
    return Report(
        path,
        "ok" if saved.usable else "damaged",
        size=len(data),
        modified=info.st_mtime,
        identity=(info.st_dev, info.st_ino),
        data=data,
        decoded=decoded,
        saved=saved,
    )


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
    if report.state == "unreadable":
        return report.error or "unreadable"
    saved = report.saved
    assert saved is not None
    text = (
        f"index {saved.session_index if saved.session_index is not None else '?'}, "
        f"session {_short(saved.session_id)}, previous {_short(saved.previous_session_id)}, "
        f"user {_short(saved.user_id)}"
    )
    if report.state == "damaged":
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
    if after.state == "ok" and before.state != "ok":
        return f"the file is sound again: {now}"
    if old is None or new is None or after.state != "ok":
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
