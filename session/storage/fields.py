"""What a save file's entries say of the session: each field, intact or not, and what a
.NET ``ClientSession`` would do with them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..state import INT32_MAX
from ..util.text import quote
from .decode import Decoded, Problem, TypedValue, to_int
from .format import SCHEMA_USER_ID, SESSION_KEYS

__all__ = ["SavedSession", "interpret"]

_ANY_TEXT = re.compile(r".+", re.S)
_GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")


@dataclass(frozen=True, slots=True)
class SavedSession:
    """The session fields of a save file; a field that is damaged or missing is None.

    ``problems`` says what was wrong, including what a .NET ``ClientSession`` would crash on;
    ``usable`` is True when the file can be used exactly as it stands.
    """

    user_id: str | None = None
    session_id: str | None = None
    previous_session_id: str | None = None
    session_index: int | None = None
    extras: Mapping[str, TypedValue] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()
    dotnet_crashes: bool = False

    @property
    def usable(self) -> bool:
        return not self.problems

    @property
    def user_id_fits_schema(self) -> bool:
        """Whether the user id is one the ``client_session`` schemas accept (a lower-case
        UUID or 16 hex digits); a .NET app keeps any other string as it is."""
        return self.user_id is None or SCHEMA_USER_ID.fullmatch(self.user_id) is not None


def interpret(decoded: Decoded) -> SavedSession:
    """Pick the session fields out of decoded entries, keeping every field that is intact.

    A mistyped index that still holds a whole number in range (``a:long``, ``a:string``) is
    kept as a repair, reported as a problem: the .NET original crashes on it at every start.
    """
    entries = decoded.entries
    problems = list(decoded.problems)
    crashes = False

    def text_id(key: str, pattern: re.Pattern[str], nullable: bool) -> str | None:
        nonlocal crashes
        item = entries.get(key)
        if item is None:
            if key not in entries and decoded.dotnet_reads and not nullable:
                problems.append(Problem(f"{key} is missing", dotnet_refuses=False))
            return None
        if item.type == "null" and nullable:
            return None
        if item.type in ("string", "guid") and pattern.fullmatch(item.value):
            return str(item.value)
        if item.type == "untyped":
            crashes = True  # the .NET constructor casts it to string and throws
        problems.append(
            Problem(
                f"{key} is not a valid id ({item.type} {quote(item.value)})", dotnet_refuses=False
            )
        )
        return None

    # A .NET reader keeps any string as the user id (an e-mail address, an upper-case GUID,
    # "device-42"), so this engine does too; sessions ids are the engine's own GUIDs.
    user_id = text_id("userId", _ANY_TEXT, nullable=False)
    session_id = text_id("sessionId", _GUID, nullable=False)
    previous = text_id("previousSessionId", _GUID, nullable=True)
    index: int | None = None
    item = entries.get("sessionIndex")
    if item is not None and item.type == "int" and item.value >= 0:
        index = item.value
    elif item is not None or decoded.dotnet_reads:
        found = "nothing" if item is None else f"{item.type} {quote(item.value)}"
        problems.append(
            Problem(f"sessionIndex is not an int from 0 to {INT32_MAX} ({found})", False)
        )
        if item is not None and item.type in ("long", "string", "null", "untyped"):
            crashes = True  # the .NET constructor casts it to int and throws
            try:
                index = to_int(str(item.value), 0, INT32_MAX)
            except ValueError:
                index = None
    extras = {k: v for k, v in entries.items() if k not in SESSION_KEYS}
    return SavedSession(user_id, session_id, previous, index, extras, tuple(problems), crashes)
