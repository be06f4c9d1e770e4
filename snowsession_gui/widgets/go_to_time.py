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

from snowsession_gui.model.units import TIME_HINT, format_clock, jump_problem, parse_clock

from .palette import LIGHT, Colors, text_style

__all__ = ["GoToTime"]


class GoToTime(QDialog):
    """A small dialog (objectName ``goToTimeDialog``) with ``goToTimeInput`` and, when a time
    is refused, ``goToTimeError``. ``go`` moves time and raises ValueError (for people) when
    it cannot; ``moved(str)`` says where time went.

    One now in the dialog: the caption and a refusal that names now are written from the same
    reading, and :meth:`show_time` rewrites both together as time runs."""

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
        self._refused: float | None = None
        """The time typed and refused for being before now or too far ahead (its reason
        changes with now), else None."""
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
        self.show_time(self._now())
        self.input.setFocus(Qt.FocusReason.OtherFocusReason)
        self.input.selectAll()

    @Slot(float)
    def show_time(self, now: float) -> None:
        """Write ``now`` in the caption, and a refusal that depends on it from the same
        reading (it goes when the time typed can be gone to from ``now``)."""
        text = f"Now {format_clock(now)}. Type {TIME_HINT}; every check on the way runs."
        if self.caption.text() != text:
            self.caption.setText(text)
        if self._refused is not None:
            problem = jump_problem(self._refused, now)
            if problem is None:
                self._show_error(None)
            elif self.error.text() != problem:
                self.error.setText(problem)

    def _show_error(self, problem: str | None) -> None:
        if problem is None:
            self._refused = None
            self.error.clear()
            self.error.hide()
        else:
            self.error.setText(problem)
            self.error.show()
            self.adjustSize()

    @Slot()
    def apply(self) -> bool:
        """Go to the time typed; False (with the reason beside the field) if it was refused."""
        now = self._now()  # one reading for the caption and the refusal
        self.show_time(now)
        self._refused = None
        try:
            target = parse_clock(self.input.text(), now)
            if jump_problem(target, now) is not None:
                self._refused = target
            self._go(target)
        except ValueError as error:
            self._show_error(str(error))
            return False
        self._show_error(None)
        self.moved.emit(f"went to {format_clock(self._now())}")
        self.accept()
        return True
