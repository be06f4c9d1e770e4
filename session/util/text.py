"""Values shown to people: quoted in messages (never more than about 80 characters of any
value), and ids cut to their first block for tables and labels."""

from __future__ import annotations

__all__ = ["QUOTE_LIMIT", "quote", "short_id"]

QUOTE_LIMIT = 80


def quote(value: object, limit: int = QUOTE_LIMIT) -> str:
    """``repr(value)`` cut to ``limit`` characters, saying how long a cut string was."""
    text = repr(value)
    if len(text) <= limit:
        return text
    if isinstance(value, str | bytes):
        unit = "characters" if isinstance(value, str) else "bytes"
        return f"{text[: limit - 1]}… ({len(value):,} {unit})"
    return f"{text[: limit - 1]}…"


def short_id(value: str) -> str:
    """The first block of an id (a UUID's first eight hex digits), for tables and labels."""
    return value.split("-", 1)[0]
