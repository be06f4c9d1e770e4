"""The state panel: who the user is, which session is in force, and when the next one is due."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QFormLayout, QFrame, QLabel, QVBoxLayout, QWidget

from session import ClientSession

from .sim_clock import format_clock

__all__ = ["StatePanel", "format_countdown", "session_index_label"]


def format_countdown(seconds: float) -> str:
    """``mm:ss`` (``h:mm:ss`` past an hour), rounded up so 0:00 means now."""
    whole = max(0, int(-(-seconds // 1)))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def session_index_label(parent: QWidget) -> QLabel:
    """The session index, large: the first thing to read in a state panel."""
    label = QLabel("—", parent)
    label.setObjectName("sessionIndexValue")
    big = QFont(parent.font())
    big.setPointSizeF(big.pointSizeF() * 3.2)
    big.setBold(True)
    label.setFont(big)
    return label


class StatePanel(QFrame):
    """Read-only view of a session's state; :meth:`refresh` copies it from the engine."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statePanel")
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)

        self.index_value = session_index_label(self)
        self.index_value.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
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
        bold = QFont(self.font())
        bold.setPointSizeF(bold.pointSizeF() * 1.15)
        bold.setBold(True)
        self.countdown_value.setFont(bold)
        self.countdown_value.setStyleSheet("color: #dc2626;")  # the timeline's deadline colour

        def value(name: str, accessible: str, monospace: bool = False) -> QLabel:
            label = QLabel("—")
            label.setObjectName(name)
            label.setAccessibleName(accessible)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if monospace:
                label.setFont(mono)
            return label

        self.user_id = value("userIdValue", "User id", True)
        self.session_id = value("sessionIdValue", "Session id", True)
        self.previous_id = value("previousSessionIdValue", "Previous session id", True)
        self.first_event = value("firstEventIdValue", "First event id", True)
        self.mode = value("modeValue", "Foreground or background")
        self.checker = value("checkerValue", "Checker running")
        self.last_access = value("lastAccessValue", "Last access")
        self.timeout = value("timeoutInForceValue", "Timeout in force")
        self.index_value.setAccessibleName("Session index")
        self.countdown_value.setAccessibleName("New session in")

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setHorizontalSpacing(10)
        form.setVerticalSpacing(4)
        form.addRow("User", self.user_id)
        form.addRow("Session", self.session_id)
        form.addRow("Previous", self.previous_id)
        form.addRow("First event", self.first_event)
        form.addRow("App is in", self.mode)
        form.addRow("Checker", self.checker)
        form.addRow("Last access", self.last_access)
        form.addRow("Timeout", self.timeout)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(2)
        layout.addWidget(self.index_caption)
        layout.addWidget(self.index_value)
        layout.addWidget(self.countdown_value)
        layout.addSpacing(8)
        layout.addLayout(form)
        layout.addStretch(1)

    def refresh(self, session: ClientSession) -> None:
        """Show the session's current state."""
        state = session.state
        self._set(self.index_value, str(state.session_index))
        self._set(self.user_id, state.user_id)
        self._set(self.session_id, state.session_id)
        self._set(self.previous_id, state.previous_session_id or "none (first session)")
        self._set(self.first_event, state.first_event_id or "none yet")
        self._set(self.mode, "background" if session.background else "foreground")
        if session.is_checking:
            checker = f"running, every {session.check_interval:g} s"
        else:
            checker = "stopped (an event or going to the foreground starts it)"
        self._set(self.checker, checker)
        self._set(self.last_access, format_clock(session.last_access))
        kind = "background" if session.background else "foreground"
        self._set(self.timeout, f"{session.timeout_in_force:g} s ({kind})")
        self.refresh_countdown(session)

    def refresh_countdown(self, session: ClientSession) -> None:
        """Only the live countdown (called on every clock tick)."""
        due = session.expected_new_session_at()
        if due is None:
            text = "no new session due (checker stopped)"
        else:
            text = f"new session in {format_countdown(due - session.clock.now())}"
        self._set(self.countdown_value, text)

    @staticmethod
    def _set(label: QLabel, text: str) -> None:
        if label.text() != text:
            label.setText(text)
