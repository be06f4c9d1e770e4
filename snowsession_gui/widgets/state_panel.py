"""The state panel: who the user is, which session is in force, and what happens next."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QFormLayout, QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from snowsession_gui.model.snapshot import (
    SessionSnapshot,
    checker_text,
    forecast_text,
    timeout_text,
)
from snowsession_gui.model.units import format_clock

from .palette import Colors, text_style

__all__ = ["StatePanel", "session_index_label"]


def session_index_label(parent: QWidget) -> QLabel:
    """The session index, large: the first thing to read in a state panel."""
    label = QLabel("—", parent)
    label.setObjectName("sessionIndexValue")
    big = QFont(parent.font())
    big.setPointSizeF(big.pointSizeF() * 2.8)
    big.setBold(True)
    label.setFont(big)
    return label


def _value(name: str, accessible: str, *, monospace: bool = False) -> QLabel:
    """A value of the panel's form: selectable, monospaced (ids) or wrapped (words)."""
    label = QLabel("—")
    label.setObjectName(name)
    label.setAccessibleName(accessible)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if monospace:
        label.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    else:
        label.setWordWrap(True)
    return label


class StatePanel(QFrame):
    """Shows a :class:`SessionSnapshot` (:meth:`show_state`) and its live forecast
    (:meth:`show_time`); it never asks the engine."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statePanel")
        self._snapshot: SessionSnapshot | None = None
        self._now = 0.0

        self._make_headline()
        form = self._build_form()
        top = QHBoxLayout()
        top.setSpacing(14)
        top.addWidget(self.index_value)
        top.addWidget(self.countdown_value, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        layout.setSpacing(2)
        layout.addWidget(self.index_caption)
        layout.addLayout(top)
        layout.addSpacing(6)
        layout.addLayout(form)
        layout.addStretch(1)

    def _make_headline(self) -> None:
        """The session index, large under its caption, and what happens next beside it."""
        self.index_value = session_index_label(self)
        self.index_value.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.index_value.setAccessibleName("Session index")
        self.index_caption = QLabel("SESSION INDEX")
        self.index_caption.setObjectName("sessionIndexCaption")
        caption_font = QFont(self.font())
        caption_font.setPointSizeF(caption_font.pointSizeF() * 0.85)
        caption_font.setBold(True)
        caption_font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 110)
        self.index_caption.setFont(caption_font)
        self.index_caption.setStyleSheet("color: palette(placeholder-text);")

        self.countdown_value = QLabel("")
        self.countdown_value.setObjectName("countdownValue")
        self.countdown_value.setAccessibleName("What happens next")
        self.countdown_value.setWordWrap(True)
        bold = QFont(self.font())
        bold.setPointSizeF(bold.pointSizeF() * 1.15)
        bold.setBold(True)
        self.countdown_value.setFont(bold)

    def _build_form(self) -> QFormLayout:
        """The session's details, a labelled value a row."""
        self.user_id = _value("userIdValue", "User id", monospace=True)
        self.session_id = _value("sessionIdValue", "Session id", monospace=True)
        self.previous_id = _value("previousSessionIdValue", "Previous session id", monospace=True)
        self.first_event = _value("firstEventIdValue", "First event id", monospace=True)
        self.mode = _value("modeValue", "Foreground or background")
        self.checker = _value("checkerValue", "Checker running")
        self.last_access = _value("lastAccessValue", "Last access")
        self.timeout = _value("timeoutInForceValue", "Timeout in force")

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setHorizontalSpacing(10)
        form.setVerticalSpacing(2)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.addRow("User", self.user_id)
        form.addRow("Session", self.session_id)
        form.addRow("Previous", self.previous_id)
        form.addRow("First event", self.first_event)
        form.addRow("App is in", self.mode)
        form.addRow("Checker", self.checker)
        form.addRow("Last access", self.last_access)
        form.addRow("Timeout", self.timeout)
        return form

    @Slot(object)
    def show_state(self, snapshot: SessionSnapshot) -> None:
        """Show the session in force."""
        self._snapshot = snapshot
        state = snapshot.state
        self._set(self.index_value, str(state.session_index))
        self._set(self.user_id, state.user_id)
        self._set(self.session_id, state.session_id)
        self._set(self.previous_id, state.previous_session_id or "none (first session)")
        self._set(self.first_event, state.first_event_id or "none yet")
        self._set(self.mode, "background" if snapshot.background else "foreground")
        self._set(self.checker, checker_text(snapshot))
        self._set(self.last_access, format_clock(snapshot.last_access))
        self._set(self.timeout, timeout_text(snapshot))
        self._show_forecast()

    @Slot(float)
    def show_time(self, now: float) -> None:
        """The forecast at ``now`` (called on every clock tick)."""
        self._now = now
        self._show_forecast()

    def _show_forecast(self) -> None:
        if self._snapshot is not None:
            self._set(self.countdown_value, forecast_text(self._snapshot, self._now))

    def apply_colors(self, colors: Colors) -> None:
        self.countdown_value.setStyleSheet(text_style(colors.due))  # the deadline line's colour

    @staticmethod
    def _set(label: QLabel, text: str) -> None:
        if label.text() != text:
            label.setText(text)
