"""The controls: fire events, switch background/foreground, run the checker, edit timeouts.

They act through the host and show what the host sends (its snapshots, and ``refused`` when
a request was not carried out), never the engine's own state, so a change or a refusal made
anywhere (a scenario step, a setting changed by a program, a menu key) shows here.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from session import SETTING_NAMES
from snowsession_gui.host.session_host import Refused, SessionHost
from snowsession_gui.model.settings_names import SETTING_WORDS
from snowsession_gui.model.snapshot import SessionSnapshot
from snowsession_gui.model.units import format_seconds

from .palette import Colors, text_style
from .seconds_input import SecondsInput

__all__ = ["Controls"]

_INPUTS = {
    "foreground_timeout": "foregroundTimeoutInput",
    "background_timeout": "backgroundTimeoutInput",
    "check_interval": "checkIntervalInput",
}
_MORE = {"check_interval": "; a new value takes effect when the checker next re-arms"}
_FIELDS = {
    name: (
        _INPUTS[name],
        words.title,
        f"{words.about.capitalize()} (seconds){_MORE.get(name, '')}. Enter or leaving the "
        "field applies it.",
    )
    for name, words in SETTING_WORDS.items()
}


_TOGGLE_TEXT = {
    "backgroundToggle": ("Go to background", "Back to foreground"),
    "checkerToggle": ("Start checker", "Stop checker"),
}


class Controls(QWidget):
    """Buttons and fields that drive the host's session. ``message(str)`` reports actions."""

    message = Signal(str)
    restartRequested = Signal()
    resetRequested = Signal()

    def __init__(self, host: SessionHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("controls")
        self._host = host
        self.inputs: dict[str, SecondsInput] = {}
        self.errors: dict[str, QLabel] = {}
        self._refused_with: dict[str, float] = {}
        """The value in force when a field's typed value was refused: its message holds while
        that value does, and goes when the setting changes by any route."""
        self._snapshot: SessionSnapshot | None = None

        self._make_buttons()
        fields = self._build_timing()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self._build_simulate())
        layout.addWidget(fields)
        layout.addStretch(1)
        self._connect(host)

    def _make_buttons(self) -> None:
        """The buttons that simulate what an app does."""
        self.fire = self._button("fireEventButton", "Fire event", "Track one event now (Space)")
        self.fire.setMinimumHeight(34)
        self.fire.setDefault(False)
        self.background = self._button(
            "backgroundToggle",
            "Go to background",
            "Send the app to the background (checked) or bring it to the foreground (B)",
        )
        self.background.setAccessibleName("Background")
        self.background.setCheckable(True)
        self.checker = self._button(
            "checkerToggle", "Start checker", "Start or stop the expiry checker (C)"
        )
        self.checker.setAccessibleName("Checker")
        self.checker.setCheckable(True)
        for toggle in (self.background, self.checker):
            toggle.toggled.connect(self._label_toggle)
        self.restart = self._button(
            "restartButton",
            "Restart app",
            "Close the session and construct a new one on the same file: a new session, as "
            "every start of the .NET app makes (Ctrl+R)",
        )
        self.reset = self._button(
            "resetButton",
            "Reset…",
            "Delete the save file and start over as a new user (asks first)",
        )

    def _build_timing(self) -> QGroupBox:
        """The *Timing* box: a field per setting, with its refusal under it."""
        fields = QGroupBox("Timing")
        grid = QGridLayout(fields)
        grid.setColumnStretch(2, 1)
        for row, name in enumerate(SETTING_NAMES):
            box, label, error = self._timing_field(name)
            grid.addWidget(label, 2 * row, 0)
            grid.addWidget(box, 2 * row, 1)
            grid.addWidget(error, 2 * row + 1, 0, 1, 3)
            error.hide()
            self.inputs[name] = box
            self.errors[name] = error
        return fields

    def _timing_field(self, name: str) -> tuple[SecondsInput, QLabel, QLabel]:
        """The field for the setting ``name``, its label, and the label for its refusal."""
        object_name, label_text, tip = _FIELDS[name]
        box = SecondsInput()
        box.setObjectName(object_name)
        box.setAccessibleName(label_text)
        box.setToolTip(tip)
        box.show_value(self._host.setting(name))
        box.committed.connect(self._on_committed)
        box.holds_good.connect(self._on_holds_good)
        box.setProperty("setting", name)
        label = QLabel(label_text)
        label.setBuddy(box)
        error = QLabel("")
        error.setObjectName(object_name.replace("Input", "Error"))
        error.setAccessibleName(f"{label_text} problem")
        error.setWordWrap(True)
        # Wrapped to the width it is given, and as tall as its lines need (the dock
        # scrolls rather than cutting it off).
        error.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
        return box, label, error

    def _build_simulate(self) -> QGroupBox:
        """The *Simulate* box: *Fire event* above two rows of buttons."""
        actions = QGroupBox("Simulate")
        row1 = QHBoxLayout()
        row1.addWidget(self.background)
        row1.addWidget(self.checker)
        row2 = QHBoxLayout()
        row2.addWidget(self.restart)
        row2.addWidget(self.reset)
        box_layout = QVBoxLayout(actions)
        box_layout.addWidget(self.fire)
        box_layout.addLayout(row1)
        box_layout.addLayout(row2)
        return actions

    def _connect(self, host: SessionHost) -> None:
        self.fire.clicked.connect(self.fire_event)
        self.background.toggled.connect(self._on_background)
        self.checker.toggled.connect(self._on_checker)
        self.restart.clicked.connect(self.restartRequested)
        self.reset.clicked.connect(self.resetRequested)
        host.stateChanged.connect(self.show_state)
        host.refused.connect(self._on_refused)

    def _button(self, name: str, text: str, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.setAccessibleName(text.rstrip("…"))
        button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        button.setAutoDefault(True)  # Enter presses the focused button (Space fires an event)
        return button

    @Slot()
    def fire_event(self) -> None:
        event_id = self._host.fire_event()
        if event_id is not None:  # else the refusal says why
            self.message.emit(f"event {event_id[:8]} tracked")

    @Slot()
    def toggle_background(self) -> None:
        self.background.toggle()

    @Slot()
    def toggle_checker(self) -> None:
        self.checker.toggle()

    @Slot(bool)
    def _on_background(self, checked: bool) -> None:
        state = self._snapshot
        if state is None or not state.open or state.background != checked:
            self._host.set_background(checked)

    @Slot(bool)
    def _on_checker(self, checked: bool) -> None:
        state = self._snapshot
        if state is None or not state.open or state.checking != checked:
            self._host.set_checking(checked)

    @Slot()
    def _label_toggle(self) -> None:
        toggle = self.sender()
        if isinstance(toggle, QPushButton):
            self._set_label(toggle)

    @staticmethod
    def _set_label(toggle: QPushButton) -> None:
        """A toggle says what pressing it does, not a state to be read off its look."""
        off, on = _TOGGLE_TEXT[toggle.objectName()]
        toggle.setText(on if toggle.isChecked() else off)

    @Slot(object)
    def _on_refused(self, refusal: Refused) -> None:
        """A request (from here or anywhere) was not carried out: say why, and show again
        what is in force."""
        state = self._snapshot
        if refusal.what in self.errors and state is not None:
            value = getattr(state.settings, refusal.what)
            self.errors[refusal.what].setText(f"{refusal.why}; still {format_seconds(value)}")
            self.errors[refusal.what].show()
            self._refused_with[refusal.what] = value
            self.inputs[refusal.what].show_value(value)
            self.message.emit(f"refused: {refusal.why}")
            return
        if state is not None:
            self.show_state(state)  # a toggle pressed in vain goes back
        self.message.emit(refusal.why)

    @Slot(str)
    def _on_committed(self, text: str) -> None:
        box = self.sender()
        if not isinstance(box, SecondsInput):
            return
        name = str(box.property("setting"))
        if self._host.apply_setting(name, text) is not None:
            return  # the refusal says why
        self._clear_error(name)
        if self._snapshot is not None:  # the value now in force, as the host sent it
            value = getattr(self._snapshot.settings, name)
            self.message.emit(f"{_FIELDS[name][1].lower()} set to {format_seconds(value)}")
            box.show_value(value)

    @Slot()
    def _on_holds_good(self) -> None:
        """A refusal beside a field goes once the field holds a value the engine takes."""
        box = self.sender()
        if isinstance(box, SecondsInput):
            self._clear_error(str(box.property("setting")))

    @Slot(object)
    def show_state(self, snapshot: SessionSnapshot) -> None:
        """Show the toggles and the settings in force."""
        self._snapshot = snapshot
        for toggle, on in (
            (self.background, snapshot.background),
            (self.checker, snapshot.checking),
        ):
            if toggle.isChecked() != on:
                toggle.blockSignals(True)
                toggle.setChecked(on)
                toggle.blockSignals(False)
            self._set_label(toggle)
        self.checker.setEnabled(snapshot.uses_checker)
        self.checker.setToolTip(
            "Start or stop the expiry checker (C)"
            if snapshot.uses_checker
            else f"No checker under the {snapshot.policy} policy: each event decides"
        )
        for name in SETTING_NAMES:
            value = getattr(snapshot.settings, name)
            if not self.inputs[name].editing:  # what someone is typing stays
                self.inputs[name].show_value(value)
            if self._refused_with.get(name, value) != value:  # "still …" is no longer so
                self._clear_error(name)

    def _clear_error(self, name: str) -> None:
        self._refused_with.pop(name, None)
        self.errors[name].clear()
        self.errors[name].hide()

    def apply_colors(self, colors: Colors) -> None:
        for error in self.errors.values():
            error.setStyleSheet(text_style(colors.problem))
