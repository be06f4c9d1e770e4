"""A first run that explains itself: while the timeline has no events, a card over it says what
to do and offers a short demo.

The card (objectName ``firstRunHint``) says which key fires an event and what the timeline will
show; it goes at the first event and comes back whenever the timeline is empty again (a reset,
another save file) unless it was hidden, which is kept between runs. It is not shown while a
scenario plays. *Play demo* plays :func:`~snowsession_gui.window.demo.demo_scenario` at once through
the host, as any scenario: on a scratch save file and its own clock, so the person's own file
is left alone; the Scenario dock, the title and the status bar say it is the demo, and Stop
goes back to the window's own session as it was.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QSize, Qt, Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from snowsession_gui.model.drivers import ScenarioDriver
from snowsession_gui.model.snapshot import SessionSnapshot
from snowsession_gui.widgets.palette import Colors, text_style

from .demo import DEMO_NAME, demo_scenario, play_run_at_once
from .main_window import MainWindow

__all__ = ["FirstRun", "FirstRunHint"]

HIDDEN_KEY = "firstRun/hidden"


class FirstRunHint(QFrame):
    """The card: what to do first, *Play demo* and *Hide*."""

    def __init__(self, fire_key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("firstRunHint")
        self.setAccessibleName("What to do first")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.title = QLabel("Nothing tracked yet")
        self.title.setObjectName("firstRunTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.title.setFont(font)
        key = f"<b>{fire_key}</b> (or <i>Fire event</i>)" if fire_key else "<i>Fire event</i>"
        self.text = QLabel(
            f"Press {key} to track an event: it joins the session shown by the line, and "
            "the save file is read back at every change. Go to the background, or skip "
            "time ahead, and watch a timeout start a new session."
        )
        self.text.setObjectName("firstRunText")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.demo = QPushButton("Play demo")
        self.demo.setObjectName("firstRunDemoButton")
        self.demo.setAccessibleName("Play the demo")
        self.demo.setToolTip(
            "Play half an hour of use at once, as a scenario on a scratch save file (yours "
            "is left alone): an idle spell and a long background trip each end a session. "
            "Stop goes back to your session."
        )
        self.hide_button = QPushButton("Hide")
        self.hide_button.setObjectName("firstRunHideButton")
        self.hide_button.setToolTip("Hide this card (it stays hidden)")
        self.hide_button.setAccessibleName("Hide what to do first")
        buttons = QHBoxLayout()
        buttons.addWidget(self.demo)
        buttons.addWidget(self.hide_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.addWidget(self.title)
        layout.addWidget(self.text)
        layout.addLayout(buttons)
        self.setMaximumWidth(560)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        hint.setWidth(min(560, max(hint.width(), 420)))
        return hint

    def apply_colors(self, colors: Colors) -> None:
        self.setStyleSheet(
            f"#firstRunHint {{ background: {colors.background}; "
            f"border: 1px solid {colors.muted}; border-radius: 6px; }}"
        )
        self.title.setStyleSheet(text_style(colors.foreground))
        self.text.setStyleSheet(text_style(colors.foreground))


class FirstRun(QObject):
    """Installs the card over the timeline and the demo's note in the status bar."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("firstRun")
        self.window = window
        self.host = window.host
        self.demo_driver: ScenarioDriver | None = None
        settings = window.settings
        self.hidden = settings is not None and str(settings.value(HIDDEN_KEY, "")) == "true"
        self.hint = FirstRunHint(window.key_of("fireEventAction"))
        window.add_overlay(self.hint)
        self.note = QLabel("▶ Demo on a scratch file (yours is left alone; Stop goes back)")
        self.note.setObjectName("demoNote")
        self.note.setAccessibleName("The demo is playing")
        self.note.setToolTip("File > Stop scenario (or Stop in the Scenario dock) goes back")
        self.note.hide()
        window.add_status_widget(self.note)
        self.hint.demo.clicked.connect(self.play_demo)
        self.hint.hide_button.clicked.connect(self.dismiss)
        self.host.stateChanged.connect(self.show_state)
        window.paletteChanged.connect(self.apply_colors)
        self.apply_colors(window.colors)
        self.show_state(self.host.snapshot)

    @property
    def demo_playing(self) -> bool:
        driver = self.host.scenario
        return driver is not None and driver is self.demo_driver

    @Slot(object)
    def show_state(self, _snapshot: SessionSnapshot | None = None) -> None:
        """After every change: the card while the window's own timeline is empty."""
        empty = not self.window.shows_events()
        self.hint.setVisible(not self.hidden and empty and self.host.scenario is None)
        self.note.setVisible(self.demo_playing)

    @Slot()
    def play_demo(self) -> ScenarioDriver | None:
        """Play the demo at once as a scenario (a scenario before it ends first)."""
        try:
            driver = self.host.play(demo_scenario(), name=DEMO_NAME)
        except (OSError, ValueError) as error:
            self.window.show_error("Cannot play the demo", str(error))
            return None
        self.demo_driver = driver
        play_run_at_once(self.host)
        self.show_state()
        self.window.show_message("the demo played at once")
        return driver

    @Slot()
    def dismiss(self) -> None:
        self.hidden = True
        settings = self.window.settings
        if settings is not None:
            settings.setValue(HIDDEN_KEY, "true")
        self.show_state()

    @Slot(object)
    def apply_colors(self, colors: Colors) -> None:
        self.hint.apply_colors(colors)
        self.note.setStyleSheet(text_style(colors.step, bold=True))
