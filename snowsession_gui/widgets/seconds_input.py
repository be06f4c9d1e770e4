"""A seconds field that refuses bad input out loud instead of silently correcting it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QValidator
from PySide6.QtWidgets import QDoubleSpinBox, QWidget

from session import MAX_SECONDS
from snowsession_gui.model.units import format_number, parse_seconds

__all__ = ["SecondsInput"]


def _seconds(text: str) -> float | None:
    """``text`` as seconds the engine takes, or None (what is wrong, the owner says)."""
    try:
        return parse_seconds(text)
    except ValueError:
        return None


class SecondsInput(QDoubleSpinBox):
    """A spin box in seconds whose typed text is handed over as is when committed.

    ``committed(text)`` is emitted when the user finishes an edit (Enter, or leaving the
    field), before the spin box would quietly fall back to its last value; the owner validates
    the text, applies it or shows why not, and puts the value in force back with
    :meth:`show_value`. ``holds_good()`` is emitted when a typed text is one the engine takes.
    The arrow keys step through valid values. Enter gives the keys back to the window, so its
    one-key shortcuts work again at once.
    """

    committed = Signal(str)
    holds_good = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDecimals(3)
        self.setRange(0.001, float(MAX_SECONDS))
        self.setKeyboardTracking(False)
        self.setCorrectionMode(QDoubleSpinBox.CorrectionMode.CorrectToPreviousValue)
        self.setSuffix(" s")
        self.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.setMinimumWidth(110)
        self._edited = False
        self.lineEdit().textEdited.connect(self._on_edited)

    def _on_edited(self, text: str) -> None:
        self._edited = True
        if _seconds(text) is not None:
            self.holds_good.emit()

    @property
    def editing(self) -> bool:
        """Whether the person has typed something not yet committed."""
        return self._edited

    # Any text may be typed; only the owner decides what is acceptable.
    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        value = _seconds(text)
        state = QValidator.State.Acceptable if value is not None else QValidator.State.Intermediate
        return state, text, pos

    def valueFromText(self, text: str) -> float:
        value = _seconds(text)
        return value if value is not None else self.value()

    def textFromValue(self, value: float) -> str:
        return format_number(value)

    def show_value(self, value: float) -> None:
        """Display ``value`` (the one in force) without emitting anything."""
        self.blockSignals(True)
        self.setValue(value)
        self.blockSignals(False)
        self.lineEdit().setText(self.textFromValue(value) + self.suffix())
        self._edited = False

    def _commit(self) -> None:
        if self._edited:
            self._edited = False
            self.committed.emit(self.lineEdit().text())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._commit()
            event.accept()
            self.window().setFocus(Qt.FocusReason.OtherFocusReason)
            return
        if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
            self._edited = True
        super().keyPressEvent(event)

    def stepBy(self, steps: int) -> None:
        super().stepBy(steps)
        self._edited = True
        self._commit()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self._commit()
        super().focusOutEvent(event)
