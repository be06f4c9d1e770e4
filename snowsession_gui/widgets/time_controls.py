"""Time controls: the simulated clock, the speed, and skipping ahead (a minute, five, to the
next check, to the next new session, or to a time typed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QWidget

from snowsession_gui.host.sim_clock import SimulationClock
from snowsession_gui.model.units import SPEEDS, format_clock, speed_label

from .go_to_time import GoToTime
from .palette import LIGHT, Colors

__all__ = ["Jumps", "TimeControls"]


class Jumps(Protocol):
    """What can move time to a moment: the window's host."""

    def now(self) -> float: ...

    def go_to(self, target: float) -> None: ...

    def skip_to_next_session(self) -> float: ...


class TimeControls(QWidget):
    """The simulated clock (always shown), a speed selector and skip buttons."""

    message = Signal(str)

    def __init__(
        self,
        sim: SimulationClock,
        parent: QWidget | None = None,
        *,
        prefix: str = "",
        jumps: Jumps | None = None,
    ) -> None:
        """``prefix`` goes before every objectName (a second set of controls in the app);
        with ``jumps``, *Next session* and *Go to…* are offered too."""
        super().__init__(parent)
        self._prefix = prefix
        self.setObjectName(self._name("timeControls"))
        self._sim = sim
        self._jumps = jumps
        self._resume = sim.speed or 1.0
        self._colors: Colors = LIGHT
        self.go_to_dialog: GoToTime | None = None

        caption = self._make_clock()
        self._make_speed()
        buttons = self._make_skips()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 2, 8, 2)
        layout.setSpacing(8)
        layout.addWidget(caption)
        layout.addWidget(self.clock_value)
        layout.addSpacing(16)
        speed_caption = QLabel("Speed")
        speed_caption.setBuddy(self.speed)
        layout.addWidget(speed_caption)
        layout.addWidget(self.speed)
        layout.addSpacing(8)
        for button in buttons:
            layout.addWidget(button)
        layout.addStretch(1)

        sim.timeChanged.connect(self.show_time)
        sim.speedChanged.connect(self._show_speed)

    def _make_clock(self) -> QLabel:
        """The simulated clock, large (:attr:`clock_value`); returns its caption."""
        caption = QLabel("Simulated time")
        caption.setObjectName(self._name("simClockCaption"))
        self.clock_value = QLabel(format_clock(self._sim.now()))
        self.clock_value.setObjectName(self._name("simClockValue"))
        self.clock_value.setAccessibleName("Simulated time")
        self.clock_value.setToolTip(
            "Simulated time (hh:mm:ss): since the window started, or since the scenario began"
        )
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(self.font().pointSizeF() * 1.6)
        font.setWeight(QFont.Weight.Bold)
        self.clock_value.setFont(font)
        return caption

    def _make_speed(self) -> None:
        """The speed selector (:attr:`speed`), showing the clock's speed."""
        self.speed = QComboBox()
        self.speed.setObjectName(self._name("speedSelector"))
        self.speed.setAccessibleName("Speed")
        self.speed.setToolTip(
            "How fast simulated time runs: pause, real time, or faster (keys 0-4; P pauses)"
        )
        for value in SPEEDS:
            self.speed.addItem(speed_label(value), value)
        self._show_speed(self._sim.speed)
        self.speed.currentIndexChanged.connect(self._on_speed_chosen)

    def _make_skips(self) -> list[QPushButton]:
        """The skip buttons, in their order (*Next session* and *Go to…* with jumps)."""
        self.skip_minute = self._button("skipMinuteButton", "+1 min", "Skip one minute ahead (M)")
        self.skip_five = self._button(
            "skipFiveMinutesButton", "+5 min", "Skip five minutes ahead (Shift+M)"
        )
        self.skip_check = self._button(
            "skipToCheckButton", "Next check", "Skip to the next expiry check (N)"
        )
        self.skip_minute.clicked.connect(self.skip_one_minute)
        self.skip_five.clicked.connect(self.skip_five_minutes)
        self.skip_check.clicked.connect(self.skip_to_check)
        buttons = [self.skip_minute, self.skip_five, self.skip_check]
        if self._jumps is not None:
            self.skip_session = self._button(
                "skipToSessionButton", "Next session", "Skip to the next new session (S)"
            )
            self.go_to = self._button(
                "goToButton", "Go to…", "Go to a simulated time you type (Ctrl+G)"
            )
            self.skip_session.clicked.connect(self.skip_to_next_session)
            self.go_to.clicked.connect(self.open_go_to)
            buttons += [self.skip_session, self.go_to]
        return buttons

    def _name(self, name: str) -> str:
        return self._prefix + name[0].upper() + name[1:] if self._prefix else name

    def _button(self, name: str, text: str, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(self._name(name))
        button.setToolTip(tip)
        button.setAccessibleName(tip.split(" (")[0])
        button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        button.setAutoDefault(True)  # Enter presses the focused button
        return button

    @Slot(float)
    def show_time(self, now: float) -> None:
        text = format_clock(now)
        if self.clock_value.text() != text:
            self.clock_value.setText(text)
        if self.go_to_dialog is not None and self.go_to_dialog.isVisible():
            self.go_to_dialog.show_time(now)  # one now in the window and the dialog

    @Slot(float)
    def _show_speed(self, speed: float) -> None:
        if speed > 0:
            self._resume = speed
        index = self.speed.findData(speed)
        if index < 0:
            self.speed.addItem(speed_label(speed), speed)
            index = self.speed.count() - 1
        if index != self.speed.currentIndex():
            self.speed.blockSignals(True)
            self.speed.setCurrentIndex(index)
            self.speed.blockSignals(False)

    @Slot(int)
    def _on_speed_chosen(self, index: int) -> None:
        speed = float(self.speed.itemData(index))
        self._sim.set_speed(speed)
        self.message.emit("time paused" if speed == 0 else f"time runs at {speed_label(speed)}")

    def speed_setter(self, speed: float) -> Callable[..., None]:
        """A slot that sets ``speed`` (for a menu entry or a key)."""

        def choose(*_: object) -> None:
            self.choose_speed(speed)

        return choose

    def choose_speed(self, speed: float) -> None:
        self._sim.set_speed(speed)
        self.message.emit("time paused" if speed == 0 else f"time runs at {speed_label(speed)}")

    @Slot()
    def toggle_pause(self) -> None:
        self.choose_speed(0.0 if self._sim.speed else self._resume)

    @Slot()
    def skip_one_minute(self) -> None:
        self._sim.skip(60)
        self.message.emit("skipped one minute")

    @Slot()
    def skip_five_minutes(self) -> None:
        self._sim.skip(300)
        self.message.emit("skipped five minutes")

    @Slot()
    def skip_to_check(self) -> None:
        if self._sim.skip_to_next_due():
            self.message.emit(f"skipped to the check at {format_clock(self._sim.now())}")
        else:
            self.message.emit("no check pending: the checker is stopped")

    @Slot()
    def skip_to_next_session(self) -> None:
        if self._jumps is None:
            return
        try:
            at = self._jumps.skip_to_next_session()
        except ValueError as error:
            self.message.emit(str(error))
            return
        self.message.emit(f"skipped to the new session at {format_clock(at)}")

    @Slot()
    def open_go_to(self) -> GoToTime | None:
        """Show the *Go to time* dialog (one per window, kept)."""
        jumps = self._jumps
        if jumps is None:
            return None
        dialog = self.go_to_dialog
        if dialog is None:
            dialog = self.go_to_dialog = GoToTime(
                jumps.now, jumps.go_to, self._colors, self.window()
            )
            dialog.moved.connect(self.message)
        dialog.refresh()
        dialog.show()
        dialog.raise_()
        return dialog

    def apply_colors(self, colors: Colors) -> None:
        self._colors = colors
        if self.go_to_dialog is not None:
            self.go_to_dialog.apply_colors(colors)
