"""Following the present and how much time a timeline shows: a *Follow* button and its key
(F), span presets and *Fit all* as menu entries with keys and as a selector, for the main
window and the monitor alike.

Choosing a span makes the timeline follow the present (or the file) at that span; a pan or a
zoom by hand stops following, and the selector says "custom" until a preset is chosen again.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QToolButton, QWidget

from snowsession_gui.model.units import format_span

from .view import Timeline

__all__ = ["FIT_ALL", "FIT_ALL_KEY", "MAIN_SPANS", "MONITOR_SPANS", "FollowControls", "span_text"]

FIT_ALL = math.inf
"""The span that shows everything from the start."""
FIT_ALL_KEY = "Ctrl+0"
MAIN_SPANS = (300.0, 900.0, 1800.0, 7200.0)
"""The main window's presets (Ctrl+1 to Ctrl+4): simulated time runs up to 600x."""
MONITOR_SPANS = (60.0, 300.0, 1800.0, 7200.0, 86400.0)
"""The monitor's presets (Ctrl+1 to Ctrl+5): for a file that changes every few seconds as
for one that changes once an hour."""


def span_text(seconds: float) -> str:
    return "all" if not math.isfinite(seconds) else format_span(seconds)


class FollowControls(QObject):
    """For one timeline: ``follow_button`` and ``follow_action`` (F), the span actions
    (``span300Action``…, ``fitAllAction``) and a ``spanSelector``.

    ``prefix`` goes before the follow controls' objectNames (``monitorFollowButton``).

    Signal: ``chosen(float)`` after a span is chosen (the monitor stops pacing itself).
    """

    # A signal, not a callback kept here: the window's bound method held by its own child is
    # a cycle, which leaves the window to the cycle collector, and that may run mid-paint.
    chosen = Signal(float)

    def __init__(
        self,
        parent: QWidget,
        timeline: Timeline,
        spans: Sequence[float],
        *,
        what: str = "the present",
        prefix: str = "",
    ) -> None:
        super().__init__(parent)
        self._timeline = timeline
        name = (prefix + "Follow") if prefix else "follow"
        self.follow_button = QToolButton(parent)
        self.follow_button.setObjectName(f"{name}Button")
        self.follow_button.setText(f"Follow {what}")
        self.follow_button.setCheckable(True)
        self.follow_button.setChecked(timeline.follow)
        self.follow_button.setToolTip(f"Keep the timeline on {what} (F); pan or zoom to stop")
        self.follow_button.setAccessibleName(f"Follow {what}")
        self.follow_action = QAction(f"&Follow {what}", parent)
        self.follow_action.setObjectName(f"{name}Action")
        self.follow_action.setShortcut(QKeySequence("F"))
        self.follow_action.triggered.connect(self.follow_button.toggle)
        self.follow_button.toggled.connect(timeline.set_follow)
        timeline.followChanged.connect(self.follow_button.setChecked)
        self.actions: list[QAction] = []
        self.selector = QComboBox(parent)
        self.selector.setObjectName(f"{prefix}SpanSelector" if prefix else "spanSelector")
        self.selector.setAccessibleName("Time shown")
        self.selector.setToolTip(
            "How much time the timeline shows while it follows "
            f"(Ctrl+1 to Ctrl+{len(spans)}; {FIT_ALL_KEY} fits all)"
        )
        self.selector.setPlaceholderText("custom")
        for number, seconds in enumerate((*spans, FIT_ALL), 1):
            fit = not math.isfinite(seconds)
            text = "&Fit all" if fit else f"Show &{span_text(seconds)}"
            action = QAction(text, parent)
            action.setObjectName("fitAllAction" if fit else f"span{seconds:g}Action")
            action.setShortcut(QKeySequence(FIT_ALL_KEY if fit else f"Ctrl+{number}"))
            action.setToolTip(
                "Show everything from the start, and keep following"
                if fit
                else f"Show the last {span_text(seconds)}, and keep following"
            )
            action.setData(seconds)
            action.triggered.connect(self._on_action)
            self.actions.append(action)
            self.selector.addItem(span_text(seconds), seconds)
        self.selector.activated.connect(self._on_selected)
        timeline.spanChanged.connect(self.show_span)
        timeline.followChanged.connect(self._on_follow)
        self.show_span(timeline.span)

    def choose(self, seconds: float) -> None:
        """Follow at ``seconds`` (:data:`FIT_ALL`: everything)."""
        self._timeline.set_span(seconds)
        self._timeline.set_follow(True)
        self.show_span(seconds)
        self.chosen.emit(seconds)

    @Slot()
    def _on_action(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.choose(float(action.data()))

    @Slot(int)
    def _on_selected(self, index: int) -> None:
        self.choose(float(self.selector.itemData(index)))

    @Slot(float)
    def show_span(self, seconds: float) -> None:
        index = self.selector.findData(seconds) if self._timeline.follow else -1
        if index != self.selector.currentIndex():
            self.selector.setCurrentIndex(index)

    @Slot(bool)
    def _on_follow(self, _follow: bool) -> None:
        self.show_span(self._timeline.span)
