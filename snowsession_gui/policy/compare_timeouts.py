"""The compare view's timeouts: the foreground and background timeouts and the check interval
both engines use, editable, with whose they are (the main window's, the demo's own, set here).

A typed value is applied to both engines (:meth:`PolicyPair.set_setting`); the engines
notify the change and the view shows it with :meth:`CompareTimeouts.show_settings` (the
fields, the deadline and the captions all follow the same notification). A refused value is
said beside the fields, in the problem colour, and nothing changes.
"""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from session import SETTING_NAMES, Settings
from snowsession_gui.model.compare_engines import PolicyPair, whose_timeouts
from snowsession_gui.model.settings_names import SETTING_LABELS, SETTING_WORDS
from snowsession_gui.model.units import format_seconds, parse_seconds
from snowsession_gui.widgets.palette import LIGHT, Colors, text_style
from snowsession_gui.widgets.seconds_input import SecondsInput

__all__ = ["CompareTimeouts"]

_FIELDS = {
    "foreground_timeout": ("compareForegroundTimeoutInput", "foreground"),
    "background_timeout": ("compareBackgroundTimeoutInput", "background"),
    "check_interval": ("compareCheckIntervalInput", "a check every"),
}


class CompareTimeouts(QWidget):
    """``Timeouts: foreground [600 s] background [300 s] a check every [15 s] (whose)``.

    objectNames: ``compareTimeouts``, the three ``compare…Input`` fields,
    ``compareTimeoutsSource`` (whose), ``compareTimeoutsError`` and
    ``compareWindowTimeoutsButton`` (*Use the main window's*, shown when they differ).
    """

    def __init__(self, window: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compareTimeouts")
        self.setAccessibleName("Timeouts both policies use")
        self.window_settings = window
        self.source = "window"
        """Where the timeouts in force came from: ``window``, ``demo`` or ``here``."""
        self.pair: PolicyPair | None = None
        self.inputs: dict[str, SecondsInput] = {}
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Timeouts:"))
        for name in SETTING_NAMES:
            object_name, caption = _FIELDS[name]
            accessible = SETTING_WORDS[name].title
            box = SecondsInput()
            box.setObjectName(object_name)
            box.setAccessibleName(accessible)
            box.setToolTip(f"{accessible} of both engines (seconds); Enter or leaving applies it")
            box.setProperty("setting", name)
            box.committed.connect(self._on_committed)
            label = QLabel(caption)
            label.setBuddy(box)
            row.addSpacing(8)
            row.addWidget(label)
            row.addWidget(box)
            self.inputs[name] = box
        self.whose = QLabel()
        self.whose.setObjectName("compareTimeoutsSource")
        self.whose.setAccessibleName("Whose timeouts these are")
        row.addSpacing(8)
        row.addWidget(self.whose)
        self.reset = QPushButton("Use the main window's")
        self.reset.setObjectName("compareWindowTimeoutsButton")
        self.reset.setToolTip("Give both engines the main window's timeouts now")
        self.reset.setAccessibleName("Use the main window's timeouts")
        self.reset.clicked.connect(self.use_window_settings)
        row.addWidget(self.reset)
        row.addStretch(1)
        self.error = QLabel()
        self.error.setObjectName("compareTimeoutsError")
        self.error.setAccessibleName("Timeout problem")
        self.error.setWordWrap(True)
        self.error.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
        self.error.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.error)
        self.apply_colors(LIGHT)

    def attach(self, pair: PolicyPair, source: str) -> None:
        """Edit ``pair``'s timeouts from now on; they came from ``source``."""
        self.pair, self.source = pair, source
        self._problem(None)
        self.show_settings(pair.settings)

    def show_settings(self, settings: Settings) -> None:
        """Show ``settings`` (those in force, from the engines' notification)."""
        for name, box in self.inputs.items():
            if not box.editing:  # what someone is typing stays
                box.show_value(getattr(settings, name))
        window = self.window_settings
        text = f"({whose_timeouts(settings, window, self.source)})"
        if self.whose.text() != text:
            self.whose.setText(text)
        self.reset.setVisible(settings != window)
        self.reset.setToolTip(
            "Give both engines the main window's timeouts now: "
            + " · ".join(format_seconds(getattr(window, name)) for name in SETTING_NAMES)
        )

    def set_window_settings(self, settings: Settings) -> None:
        """The main window's timeouts are now ``settings``; the engines here keep theirs."""
        self.window_settings = settings
        if self.pair is not None:
            self.show_settings(self.pair.settings)

    @Slot(str)
    def _on_committed(self, text: str) -> None:
        box, pair = self.sender(), self.pair
        if not isinstance(box, SecondsInput) or pair is None:
            return
        name = str(box.property("setting"))
        try:
            seconds = parse_seconds(text, SETTING_LABELS[name])
            if seconds != getattr(pair.settings, name):
                self.source = "here"
                pair.set_setting(name, seconds)  # the engines notify: show_settings follows
            problem = None
        except (TypeError, ValueError) as error:
            problem = f"{error}; still {format_seconds(getattr(pair.settings, name))}"
        box.show_value(getattr(pair.settings, name))  # the value in force, typed or refused
        self.show_settings(pair.settings)
        self._problem(problem)

    @Slot()
    def use_window_settings(self) -> None:
        """Give both engines the main window's timeouts."""
        pair = self.pair
        if pair is None:
            return
        self.source = "window"
        for name in SETTING_NAMES:
            seconds = getattr(self.window_settings, name)
            if getattr(pair.settings, name) != seconds:
                pair.set_setting(name, seconds)
        self.show_settings(pair.settings)
        self._problem(None)

    def _problem(self, text: str | None) -> None:
        if text:
            self.error.setText(text)
            self.error.show()
        else:
            self.error.clear()
            self.error.hide()

    def apply_colors(self, colors: Colors) -> None:
        self.whose.setStyleSheet(text_style(colors.muted))
        self.error.setStyleSheet(text_style(colors.problem))
