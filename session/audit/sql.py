"""The audit's SQL text: string literals, messages and seconds, the same in every dialect."""

from __future__ import annotations

import re

__all__ = ["as_text", "ms_literal", "quote", "say", "seconds"]

_PLACE = re.compile(r"\{(\w+)\}")


def as_text(value: str) -> str:
    return "CAST(" + value + " AS VARCHAR)"


def say(template: str, **values: str) -> str:
    """A message as SQL: ``{name}`` is the column ``name`` (or the expression given for it),
    written as text, ``null`` where it is NULL."""
    parts: list[str] = []
    at = 0
    for match in _PLACE.finditer(template):
        if match.start() > at:
            parts.append(quote(template[at : match.start()]))
        expression = values.get(match.group(1), match.group(1))
        parts.append(f"coalesce({as_text(expression)}, 'null')")
        at = match.end()
    if at < len(template):
        parts.append(quote(template[at:]))
    return "concat(" + ", ".join(parts) + ")"


def quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def seconds(ms: str) -> str:
    """Milliseconds as seconds to a tenth, cut not rounded, and whole seconds without a tenth
    (``1800``, ``60.5``): as the window writes them, the same in every dialect."""
    whole = as_text(f"CAST(floor({ms} / 1000) AS BIGINT)")
    tenth = f"CAST(floor(({ms} % 1000) / 100) AS BIGINT)"
    return f"concat({whole}, CASE WHEN {tenth} = 0 THEN '' ELSE concat('.', {as_text(tenth)}) END)"


def ms_literal(value: float | None) -> str:
    return "CAST(NULL AS BIGINT)" if value is None else str(round(value * 1000))
