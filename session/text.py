"""Values quoted in messages for people: never more than about 80 characters of any value."""

from __future__ import annotations

__all__ = ["QUOTE_LIMIT", "quote"]

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
