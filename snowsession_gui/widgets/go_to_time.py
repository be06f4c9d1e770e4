"""Simulate > Go to time…: jump to an exact simulated time, the reason beside the field when
the time cannot be used (time only moves on, at most a week at a time)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from snowsession_gui.model.units import TIME_HINT, format_clock, parse_clock

from .palette import LIGHT, Colors, text_style

__all__ = ["GoToTime"]


class GoToTime(QDialog):
    """A small dialog (objectName ``goToTimeDialog``) with ``goToTimeInput`` and, when a time
    is refused, ``goToTimeError``. ``go`` moves time and raises ValueError (for people) when
    it cannot; ``moved(str)`` says where time went."""

    moved = Signal(str)

    def __init__(
        self,
        now: Callable[[], float],
        go: Callable[[float], None],
        colors: Colors = LIGHT,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("goToTimeDialog")
        self.setWindowTitle("Go to a simulated time")
        self._now = now
        self._go = go
        self.caption = QLabel()
        self.caption.setObjectName("goToTimeCaption")
        self.caption.setWordWrap(True)
        self.input = QLineEdit()
        self.input.setObjectName("goToTimeInput")
        self.input.setAccessibleName("Simulated time to go to")
        self.input.setPlaceholderText("hh:mm:ss")
        self.input.setToolTip(f"Type {TIME_HINT}. Every check on the way runs.")
        self.error = QLabel()
        self.error.setObjectName("goToTimeError")
        self.error.setAccessibleName("Why that time cannot be used")
        self.error.setWordWrap(True)
        self.error.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
        self.apply_colors(colors)
        self.error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Close
        )
        go_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        go_button.setText("Go")
        go_button.setObjectName("goToTimeApplyButton")
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.caption)
        layout.addWidget(self.input)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(380)
        self.refresh()

    def apply_colors(self, colors: Colors) -> None:
        self.error.setStyleSheet(text_style(colors.problem))

    def refresh(self) -> None:
        """Say the time now (when the dialog is opened again)."""
        self.caption.setText(
            f"Now {format_clock(self._now())}. Type {TIME_HINT}; every check on the way runs."
        )
        self.input.setFocus(Qt.FocusReason.OtherFocusReason)
        self.input.selectAll()

    @Slot()
    def apply(self) -> bool:
        """Go to the time typed; False (with the reason beside the field) if it was refused."""
        try:
            target = parse_clock(self.input.text(), self._now())
            self._go(target)
        except ValueError as error:
            self.error.setText(str(error))
            self.error.show()
            self.adjustSize()
            return False
        self.error.clear()
        self.error.hide()
        self.moved.emit(f"went to {format_clock(self._now())}")
        self.accept()
        return True
