"""How the window's width is shared between its side docks and the timeline: the left docks as
wide as the state panel needs (whole ids, no sideways scrolling), a dock on the right what is
left once the timeline has its minimum."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QScrollArea, QWidget

from .frame import DOCK_MIN_WIDTH, WindowFrame

__all__ = ["LEFT_SHARE", "first_layout", "fit_side_docks", "left_need"]

LEFT_SHARE = 0.34
"""The most of the window's width the left docks take, however much the state panel asks."""
RIGHT_LEAST = 440
"""A dock on the right (the Trackers) is not made narrower than this for the left docks: on
a small screen the state panel scrolls sideways rather than the lanes losing their titles."""
SLACK = 12
"""A dock's own margins and the splitter beside it."""


def _state_panel(window: WindowFrame) -> QWidget:
    """The state dock's panel (the dock holds it in a scroll area)."""
    holder = window.docks["stateDock"].widget()
    inner = holder.widget() if isinstance(holder, QScrollArea) else None
    return inner if inner is not None else holder


def left_need(window: WindowFrame) -> int:
    """The width the left docks need for the state panel without scrolling sideways: its own
    width, the scroll bar beside it and the dock's margins."""
    holder = window.docks["stateDock"].widget()
    panel = _state_panel(window)
    bar = holder.verticalScrollBar().sizeHint().width() if isinstance(holder, QScrollArea) else 0
    frame = 2 * holder.frameWidth() if isinstance(holder, QScrollArea) else 0
    return panel.sizeHint().width() + bar + frame + SLACK


def fit_side_docks(
    window: WindowFrame, right: QDockWidget | None = None, share: float = 0.5
) -> None:
    """Share the window's width: the left docks what :func:`left_need` says (at most
    :data:`LEFT_SHARE` of the window), and ``right`` (a dock in the right area, if given)
    up to ``share`` of the window and at least :data:`RIGHT_LEAST` (taken from the left docks
    where it must be), never so much that the timeline goes below its minimum."""
    width = window.width()
    left = max(DOCK_MIN_WIDTH, min(left_need(window), int(width * LEFT_SHARE)))
    docks = [window.docks["stateDock"], window.docks["controlsDock"]]
    widths = [left, left]
    if right is not None:
        central = window.centralWidget()
        rest = width - (central.minimumWidth() if central is not None else 0) - 3 * SLACK
        wide = max(RIGHT_LEAST, min(int(width * share), rest - left))
        left = widths[0] = widths[1] = max(DOCK_MIN_WIDTH, min(left, rest - wide))
        docks.append(right)
        widths.append(max(DOCK_MIN_WIDTH, min(wide, rest - left)))
    window.resizeDocks(docks, widths, Qt.Orientation.Horizontal)


def first_layout(window: WindowFrame) -> None:
    """The window's first layout: the left docks as wide as the state needs, the state as
    tall as it needs, the controls the rest."""
    fit_side_docks(window)
    window.hide_stale_tab_bars()
    state, controls = window.docks["stateDock"], window.docks["controlsDock"]
    panel, holder = _state_panel(window), state.widget()
    width = panel.width()
    # wrapped lines (a two-line forecast) need the height they take at the dock's width,
    # and the dock its title bar besides
    fit = panel.heightForWidth(width) if panel.hasHeightForWidth() and width > 0 else -1
    title = max(0, state.height() - holder.height()) if holder is not None else 0
    need = max(panel.sizeHint().height(), fit) + title + 4
    rest = max(0, state.height() + controls.height() - need)
    window.resizeDocks([state, controls], [need, rest], Qt.Orientation.Vertical)
