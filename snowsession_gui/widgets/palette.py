"""Every colour the window uses, for a light and a dark window (the one copy of each).

Red is kept for problems (a storage error, a failed expectation, a refused value, a collector
that cannot be reached); the normal states (the next new session due, a timeout) are amber, a
new session green, the session line blue. Each text colour reads on its background in both
palettes (``tests/gui/test_palette.py`` checks the contrast and the hues).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QWidget

__all__ = [
    "DARK",
    "LIGHT",
    "TEXT_ROLES",
    "Colors",
    "colors",
    "is_dark",
    "series",
    "text_style",
]


@dataclass(frozen=True, slots=True)
class Colors:
    """Hex colours by role (``#rrggbb``, or ``#rrggbbaa`` for the translucent band)."""

    background: str
    foreground: str
    muted: str
    step: str
    event: str
    start: str
    timeout: str
    due: str
    band: str
    now: str
    passed: str
    problem: str
    pending: str
    info: str
    on_strong: str
    badge_none: str
    badge_valid: str
    badge_invalid: str
    dotnet: str
    mobile: str

    def q(self, role: str) -> QColor:
        """The colour of ``role`` as a ``QColor``."""
        value: str = getattr(self, role)
        if len(value) == 9:  # #rrggbbaa
            color = QColor(value[:7])
            color.setAlpha(int(value[7:], 16))
            return color
        return QColor(value)


LIGHT = Colors(
    background="#ffffff",
    foreground="#3f3f46",
    muted="#71717a",
    step="#1d4ed8",
    event="#71717a",
    start="#15803d",
    timeout="#b45309",
    due="#b45309",
    band="#a78bfa3c",
    now="#71717a",
    passed="#15803d",
    problem="#dc2626",
    pending="#a16207",
    info="#0f766e",
    on_strong="#ffffff",
    badge_none="#71717a",
    badge_valid="#15803d",
    badge_invalid="#b91c1c",
    dotnet="#1d4ed8",
    mobile="#7c3aed",
)

DARK = Colors(
    background="#1e1f22",
    foreground="#d4d4d8",
    muted="#a1a1aa",
    step="#60a5fa",
    event="#a1a1aa",
    start="#4ade80",
    timeout="#fbbf24",
    due="#fbbf24",
    band="#a78bfa46",
    now="#a1a1aa",
    passed="#4ade80",
    problem="#f87171",
    pending="#facc15",
    info="#115e59",
    on_strong="#ffffff",
    badge_none="#52525b",
    badge_valid="#15803d",
    badge_invalid="#b91c1c",
    dotnet="#60a5fa",
    mobile="#a78bfa",
)

TEXT_ROLES = ("foreground", "muted", "step", "due", "passed", "problem", "pending", "dotnet")
"""Roles drawn as text on ``background``; each must read on it."""

ROLES = tuple(f.name for f in fields(Colors))


LIGHT_SERIES = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
    "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#ad494a",
)  # fmt: skip
DARK_SERIES = (
    "#5fa2dd", "#ffa54f", "#5cc85c", "#f06262", "#b59bd9", "#c49a8c",
    "#f0a0d8", "#b0b0b0", "#d8d94a", "#4fd6e4", "#9a9ee8", "#e08b8c",
)  # fmt: skip


def series(colors: Colors) -> tuple[str, ...]:
    """Colours told apart from each other, for things drawn side by side (the kinds of
    finding in a chart): twelve, in a fixed order, for the light or the dark window."""
    return DARK_SERIES if colors is DARK else LIGHT_SERIES


def colors(dark: bool) -> Colors:
    return DARK if dark else LIGHT


def is_dark(widget: QWidget) -> bool:
    """Whether ``widget`` is drawn dark: the palette Qt derives from the system's scheme (or
    one the user set) is what the rest of the window is drawn with."""
    return widget.palette().color(QPalette.ColorRole.Window).lightness() < 128


def text_style(color: str, *, bold: bool = False, extra: str = "") -> str:
    """A label's style sheet for text in ``color``."""
    weight = " font-weight: bold;" if bold else ""
    return f"color: {color};{weight}{(' ' + extra) if extra else ''}"
