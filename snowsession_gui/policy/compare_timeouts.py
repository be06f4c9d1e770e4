"""The compare view's timeouts: the foreground and background timeouts and the check interval
both engines use, editable, with whose they are (the main window's, the demo's own, set here).

A typed value is handed to the compare host (:meth:`CompareHost.apply_setting`), which applies
it to both engines; the fields show the settings the host's lead route sends with each
snapshot (the deadline and the captions follow the same snapshots). A refused value comes back
as ``refused`` on that route and is said beside the fields, in the problem colour, until the
field holds a value the engines take or the setting changes; nothing else changes.
"""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from session import SETTING_NAMES, Settings
from snowsession_gui.host.route import Refused
from snowsession_gui.model.compare_engines import whose_timeouts
from snowsession_gui.model.settings_names import SETTING_WORDS
from snowsession_gui.model.snapshot import SessionSnapshot
from snowsession_gui.model.units import format_seconds
from snowsession_gui.widgets.palette import LIGHT, Colors, text_style
from snowsession_gui.widgets.seconds_input import SecondsInput

from .compare_host import CompareHost

__all__ = ["CompareTimeouts"]

_FIELDS = {
    "foreground_timeout": ("compareForegroundTimeoutInput", "foreground"),
    "background_timeout": ("compareBackgroundTimeoutInput", "background"),
    "check_interval": ("compareCheckIntervalInput", "a check every"),
}


class CompareTimeouts(QWidget):
    """``Timeouts: foreground [600 s] background [300 s] a check every [15 s] (whose)``.

    Asks ``host`` to change the engines' timeouts and shows what its lead route sends.
    objectNames: ``compareTimeouts``, the three ``compare…Input`` fields,
    ``compareTimeoutsSource`` (whose), ``compareTimeoutsError`` and
    ``compareWindowTimeoutsButton`` (*Use the main window's*, shown when they differ).
    """

    def __init__(self, window: Settings, host: CompareHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compareTimeouts")
        self.setAccessibleName("Timeouts both policies use")
        self.window_settings = window
        self.source = "window"
        """Where the timeouts in force came from: ``window``, ``demo`` or ``here``."""
        self._host = host
        self._settings: Settings | None = None
        """The engines' settings, as the last snapshot sent them."""
        self._refused: tuple[str, float] | None = None
        """The field whose typed value was refused, and the value then in force."""
        self.inputs: dict[str, SecondsInput] = {}
        row = self._row()
        self.error = self._error_line()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.error)
        self.apply_colors(LIGHT)
        host.lead.stateChanged.connect(self._on_state)
        host.lead.refused.connect(self._on_refused)

    def _row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Timeouts:"))
        for name in SETTING_NAMES:
            box = self.inputs[name] = self._field(name)
            label = QLabel(_FIELDS[name][1])
            label.setBuddy(box)
            row.addSpacing(8)
            row.addWidget(label)
            row.addWidget(box)
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
        return row

    def _field(self, name: str) -> SecondsInput:
        accessible = SETTING_WORDS[name].title
        box = SecondsInput()
        box.setObjectName(_FIELDS[name][0])
        box.setAccessibleName(accessible)
        box.setToolTip(f"{accessible} of both engines (seconds); Enter or leaving applies it")
        box.setProperty("setting", name)
        box.committed.connect(self._on_committed)
        box.holds_good.connect(self._on_holds_good)
        return box

    @staticmethod
    def _error_line() -> QLabel:
        error = QLabel()
        error.setObjectName("compareTimeoutsError")
        error.setAccessibleName("Timeout problem")
        error.setWordWrap(True)
        error.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
        error.hide()
        return error

    def set_source(self, source: str) -> None:
        """The timeouts about to come are from ``source``; a refusal said here goes."""
        self.source = source
        self._problem(None)

    @Slot(object)
    def _on_state(self, snapshot: SessionSnapshot) -> None:
        self.show_settings(snapshot.settings)

    def show_settings(self, settings: Settings) -> None:
        """Show ``settings`` (those in force, as the host sent them)."""
        self._settings = settings
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
        if self._refused is not None:
            name, value = self._refused
            if getattr(settings, name) != value:  # "still …" is no longer so
                self._problem(None)

    def set_window_settings(self, settings: Settings) -> None:
        """The main window's timeouts are now ``settings``; the engines here keep theirs."""
        self.window_settings = settings
        if self._settings is not None:
            self.show_settings(self._settings)

    @Slot(str)
    def _on_committed(self, text: str) -> None:
        box = self.sender()
        if not isinstance(box, SecondsInput) or self._settings is None:
            return
        before, source = self._settings, self.source
        self.source = "here"
        self._problem(None)
        self._host.apply_setting(str(box.property("setting")), text)  # sent back at once
        if self._settings == before:  # refused, or the value already in force
            self.source = source
        self.show_settings(self._settings)
        box.show_value(getattr(self._settings, str(box.property("setting"))))

    @Slot(object)
    def _on_refused(self, refusal: Refused) -> None:
        """Say why beside the fields, with the value still in force, in the field too."""
        box, settings = self.inputs.get(refusal.what), self._settings
        if box is None or settings is None:
            return
        value = getattr(settings, refusal.what)
        self._problem(f"{refusal.why}; still {format_seconds(value)}")
        self._refused = (refusal.what, value)
        box.show_value(value)

    @Slot()
    def _on_holds_good(self) -> None:
        """The refusal goes once the field it was about holds a value the engines take."""
        box = self.sender()
        if self._refused is not None and box is self.inputs[self._refused[0]]:
            self._problem(None)

    @Slot()
    def use_window_settings(self) -> None:
        """Give both engines the main window's timeouts."""
        self.source = "window"
        self._problem(None)
        self._host.apply_settings(self.window_settings)
        if self._settings is not None:
            self.show_settings(self._settings)

    def _problem(self, text: str | None) -> None:
        if text:
            self.error.setText(text)
            self.error.show()
        else:
            self._refused = None
            self.error.clear()
            self.error.hide()

    def apply_colors(self, colors: Colors) -> None:
        self.whose.setStyleSheet(text_style(colors.muted))
        self.error.setStyleSheet(text_style(colors.problem))
