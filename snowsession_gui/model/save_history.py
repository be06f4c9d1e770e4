"""The save file itself: its XML as it is on disk, indented for reading, and what each save
changed (old and new values) and when, kept for the whole run. No Qt here.

The indenting never parses the file: it breaks the text between tags and indents it, so the
tags are shown byte for byte as written (attributes in their order, prefixes as they are),
and a damaged or hostile file is shown as safely as a sound one.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from session.storage.report import FileState, Report
from session.util.text import short_id

__all__ = ["FieldChange", "SaveEntry", "SaveHistory", "field_values", "pretty_xml"]

KEEP_XML = 500
"""Saves whose XML is kept to be looked at again (the older ones keep only what changed)."""

_TOKENS = re.compile(r"<!--.*?-->|<[^>]*>?|[^<]+", re.DOTALL)
_NAMES = {
    "sessionIndex": "index",
    "sessionId": "session",
    "previousSessionId": "previous",
    "userId": "user",
    "storageMechanism": "storage",
}
"""The save file's keys as the history names them, in the order it lists them."""
_ORDER = {key: number for number, key in enumerate(_NAMES)}


def _text(data: bytes) -> str:
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    return data.decode("utf-8-sig", errors="replace")


def pretty_xml(data: bytes) -> str:
    """The bytes of a save file as text, one tag (or one ``<Key>``/``<Value>`` with its text)
    a line, indented by nesting. Whitespace between tags is dropped; nothing else changes."""
    tokens = [t for t in _TOKENS.findall(_text(data)) if t.strip()]
    lines: list[str] = []
    depth = 0
    i = 0
    while i < len(tokens):
        token = tokens[i]
        pad = "  " * depth
        closing = token.startswith("</")
        opening = token.startswith("<") and not closing and not token.startswith(("<?", "<!"))
        if opening and not token.endswith("/>"):
            after = tokens[i + 1 : i + 3]
            if len(after) == 2 and not after[0].startswith("<") and after[1].startswith("</"):
                lines.append(pad + token + after[0].strip() + after[1])  # <Key>text</Key>
                i += 3
                continue
            lines.append(pad + token)
            depth += 1
        elif closing:
            depth = max(0, depth - 1)
            lines.append("  " * depth + token)
        else:
            lines.append(pad + token.strip())
        i += 1
    return "\n".join(lines)


def field_values(report: Report | None) -> dict[str, str]:
    """What the file holds, key by key as it is saved (``(none)`` for a null)."""
    if report is None or report.decoded is None:
        return {}
    return {
        key: "(none)" if entry.value is None else str(entry.value)
        for key, entry in report.decoded.entries.items()
    }


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One value of the file that a save changed (``None``: the key was not there)."""

    key: str
    old: str | None
    new: str | None

    @property
    def name(self) -> str:
        return _NAMES.get(self.key, self.key)

    def short(self) -> str:
        """``index 2 → 3``, ``session 4095a087 → 5550496a``: an id is cut to its first part
        unless that part is the same in both (then it is shown whole)."""
        old, new = self.old, self.new

        def uuid(value: str | None) -> bool:
            return value is not None and len(value) == 36 and value.count("-") == 4

        def cut(value: str | None) -> str:
            return "—" if value is None else short_id(value)

        if (uuid(old) or uuid(new)) and cut(old) != cut(new):
            return f"{self.name} {cut(old)} → {cut(new)}"
        return f"{self.name} {old or '—'} → {new or '—'}"

    def whole(self) -> str:
        return f"{self.key}: {self.old or '—'} → {self.new or '—'}"


@dataclass(frozen=True, slots=True)
class SaveEntry:
    """One look at the file that found it changed, at ``at`` (the timeline's time)."""

    at: float
    what: str
    """What happened, in words (the engine's reason when it made the change)."""
    changes: tuple[FieldChange, ...]
    state: FileState
    dotnet: str
    """What a .NET app would do with the file as it was then."""
    xml: str | None
    """The file as it was then, indented (None: too old to be kept)."""

    def changed_text(self) -> str:
        return " · ".join(c.short() for c in self.changes) or "no value changed"


def _what(before: Report | None, after: Report, changes: tuple[FieldChange, ...]) -> str:
    if before is None:
        return "first look" if after.state != FileState.MISSING else "first look: no file yet"
    if after.state == FileState.MISSING:
        return "the file is gone"
    if after.state != FileState.OK:
        return f"{after.state}: {after.problem or 'cannot be used as it stands'}"
    if before.state != FileState.OK:
        return "sound again" if before.state != FileState.MISSING else "the file is back"
    old, new = before.saved, after.saved
    if old and new and old.user_id and new.user_id != old.user_id:
        return "a new user"
    if old and new and old.session_index is not None and new.session_index is not None:
        step = new.session_index - old.session_index
        if step == 1:
            return "new session"
        if step > 1:
            return f"{step} new sessions between two looks"
        if step < 0:
            return "the index went back (a new user or a reset)"
    return "saved again" if changes else "rewritten with the same values"


class SaveHistory:
    """Every change seen of one file (or one run's files), oldest first."""

    def __init__(self) -> None:
        self.entries: list[SaveEntry] = []
        self.last: Report | None = None
        self.reasons: dict[int, str] = {}
        """Why the session of each index started, when the engine said (shown with it)."""
        self.started: dict[int, float] = {}
        """When the session of each index started, when the engine said: a save holding a
        new session is stamped with that time, not the later one it was read at."""

    def add(self, at: float, report: Report, what: str | None = None) -> SaveEntry | None:
        """A look at the file; the entry it makes, or None if nothing changed since the
        last. ``what`` says what happened (else it is worked out from the two looks)."""
        before = self.last
        if before is not None and (before.state, before.data) == (report.state, report.data):
            return None
        old, new = field_values(before), field_values(report)
        keys = sorted({*new, *old}, key=lambda k: (_ORDER.get(k, len(_ORDER)), k))
        changes = tuple(
            FieldChange(key, old.get(key), new.get(key))
            for key in keys
            if old.get(key) != new.get(key)
        )
        told = what or _what(before, report, changes)
        why = self._why(before, report)
        index = report.saved.session_index if report.saved is not None else None
        old_index = before.saved.session_index if before is not None and before.saved else None
        if index is not None and index != old_index and index in self.started:
            at = min(at, self.started[index])
        entry = SaveEntry(
            at,
            f"{told}: {why}" if why else told,
            changes,
            report.state,
            report.dotnet_verdict,
            pretty_xml(report.data) if report.data is not None else None,
        )
        self.entries.append(entry)
        self.last = report
        if len(self.entries) > KEEP_XML:
            old_entry = self.entries[-KEEP_XML - 1]
            if old_entry.xml is not None:
                self.entries[-KEEP_XML - 1] = _without_xml(old_entry)
        return entry

    def _why(self, before: Report | None, after: Report) -> str:
        new = after.saved.session_index if after.saved is not None else None
        old = before.saved.session_index if before is not None and before.saved else None
        if new is None or (old is not None and new <= old):
            return ""
        first = new if old is None else old + 1
        found = [self.reasons[i] for i in range(max(first, new - 3), new + 1) if i in self.reasons]
        return "; ".join(found)


def _without_xml(entry: SaveEntry) -> SaveEntry:
    return SaveEntry(entry.at, entry.what, entry.changes, entry.state, entry.dotnet, None)
