"""The compare view: the dotnet and mobile policies run side by side on one simulated clock.

Two engines (:class:`~snowsession_gui.model.compare_engines.PolicyPair`) on their own save files
in a temporary folder get the same events, background switches and time; their timelines are
drawn one above the other with linked time axes, under a one-line summary of where they differ
and the timeouts both use, which can be changed there. *Play demo* plays with the timeouts the
demo is written for, and says so.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, Slot
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from session import (
    DEFAULTS,
    BackgroundChanged,
    EventTracked,
    SessionStarted,
    Settings,
    SettingsChanged,
    VirtualClock,
)
from snowsession_gui.host.qt_session import SessionBridge
from snowsession_gui.host.sim_clock import SimulationClock
from snowsession_gui.model.compare_engines import (
    COMPARE_DEMO,
    COMPARE_DEMO_END,
    DEMO_SETTINGS,
    DOTNET,
    MOBILE,
    POLICY_PAIR,
    PolicyPair,
)
from snowsession_gui.model.timeline_data import TimelineData
from snowsession_gui.timeline.plot import TimelinePlot
from snowsession_gui.widgets.menus import close_keys
from snowsession_gui.widgets.palette import Colors, colors, is_dark, text_style
from snowsession_gui.widgets.time_controls import TimeControls

from .compare_timeouts import CompareTimeouts
from .panel import describe_policy

__all__ = ["CompareView"]


def _bold(name: str, scale: float, text: str = "") -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(True)
    label.setFont(font)
    return label


class CompareView(QWidget):
    """A window (objectName ``compareView``) comparing the two policies on the same input.

    ``settings`` are the timeouts and interval both engines begin with (the main window's;
    :meth:`set_window_settings` says when those change); the fields change them in both.
    ``clock`` and ``speed`` set its own simulated time (tests pass a paused
    :class:`VirtualClock`). Esc or Ctrl+W closes it.
    """

    def __init__(
        self,
        *,
        settings: Settings = DEFAULTS,
        clock: VirtualClock | None = None,
        speed: float = 60.0,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("compareView")
        self.setWindowTitle("Compare policies: dotnet and mobile")
        self.setAccessibleName("Compare policies")
        self._folder = tempfile.TemporaryDirectory(prefix="snowsession-compare-")
        self._folder_path = Path(self._folder.name)
        self.window_settings = settings
        self.clock = clock if clock is not None else VirtualClock()
        self.sim = SimulationClock(self.clock, speed=0.0, parent=self)
        self.data: dict[str, TimelineData] = {}
        self.plots: dict[str, TimelinePlot] = {}
        self.captions: dict[str, QLabel] = {}
        self._bridges: list[SessionBridge] = []
        self.pair: PolicyPair | None = None
        self.colors: Colors = colors(is_dark(self))

        heading = _bold("compareHeading", 1.3, "The same app under two session rules")
        self.summary = _bold("compareSummary", 1.15)
        self.summary.setAccessibleName("Where the policies differ")
        self.summary.setToolTip("Sessions each policy made from the same events and time")
        self.timeouts = CompareTimeouts(settings)

        self.fire = self._button(
            "compareFireButton", "Fire event", "Track one event in both (Space)"
        )
        self.background = self._button(
            "compareBackgroundToggle", "In background", "Background (checked) or foreground (B)"
        )
        self.background.setCheckable(True)
        self.demo = self._button(
            "compareDemoButton",
            "Play demo",
            "Start over with the demo's own timeouts (the tracker's defaults) and play an hour "
            "of use at once: a short and a long background trip and a long idle period",
        )
        self.restart = self._button(
            "compareStartOverButton",
            "Start over",
            "New save files and empty timelines, with the timeouts shown; time goes on",
        )
        self.lifecycle = QCheckBox("mobile tracks app background/foreground events")
        self.lifecycle.setObjectName("compareLifecycleToggle")
        self.lifecycle.setChecked(True)
        self.lifecycle.setAccessibleName("Mobile tracks lifecycle events")
        self.lifecycle.setToolTip(
            "As the mobile trackers do: an application_background or _foreground event is "
            "tracked before each switch, judged by the timeout in force before it"
        )
        self.time_controls = TimeControls(self.sim, prefix="compare")

        controls = QHBoxLayout()
        for widget in (self.fire, self.background, self.demo, self.restart):
            controls.addWidget(widget)
        controls.addWidget(self.lifecycle)
        controls.addStretch(1)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(controls)
        layout.addWidget(self.time_controls)
        layout.addWidget(self.summary)
        layout.addWidget(self.timeouts)
        for name in POLICY_PAIR:
            caption = QLabel()
            caption.setObjectName(f"{name}Caption")
            caption.setWordWrap(True)
            caption.setTextFormat(Qt.TextFormat.RichText)
            self.captions[name] = caption
            layout.addWidget(caption)
            data = self.data[name] = TimelineData()
            plot = self.plots[name] = TimelinePlot(data, self.sim.now, self)
            plot.plot.setObjectName(f"{name}Plot")
            plot.plot.setAccessibleName(f"{name} session timeline")
            plot.setMinimumHeight(180)
            if name != POLICY_PAIR[0]:
                plot.legend.hide()  # one legend, on the top plot, serves both
            layout.addWidget(plot, 1)
            if name == POLICY_PAIR[0]:
                layout.addWidget(self._rule())
        top, bottom = (self.plots[name] for name in POLICY_PAIR)
        bottom.share_times_with(top)
        top.followChanged.connect(bottom.set_follow)
        bottom.followChanged.connect(top.set_follow)

        self.fire.clicked.connect(self.fire_event)
        self.background.toggled.connect(self._on_background)
        self.demo.clicked.connect(self.play_demo)
        self.restart.clicked.connect(self.start_over)
        self.lifecycle.toggled.connect(self._on_lifecycle)
        self.sim.timeChanged.connect(self._on_time)
        for text, slot in (("Space", self.fire_event), ("B", self.background.toggle)):
            QShortcut(QKeySequence(text), self, slot)
        for sequence in close_keys():
            QShortcut(sequence, self, self.close)
        self.apply_colors(self.colors)  # the same light or dark look as the main window
        self.start_over()
        self.sim.set_speed(speed)
        self.resize(1180, 820)

    def _button(self, name: str, text: str, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.setAccessibleName(text)
        button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        return button

    @staticmethod
    def _rule() -> QFrame:
        line = QFrame(frameShape=QFrame.Shape.HLine, frameShadow=QFrame.Shadow.Sunken)
        return line

    def apply_colors(self, colors: Colors) -> None:
        self.colors = colors
        self.summary.setStyleSheet(text_style(colors.foreground))
        self.timeouts.apply_colors(colors)
        for name, caption in self.captions.items():
            caption.setStyleSheet(
                f"border-left: 4px solid {getattr(colors, name, colors.step)}; "
                "padding-left: 6px; margin-top: 4px;"
            )
        for plot in self.plots.values():
            plot.apply_colors(colors)

    # ------------------------------------------------------------ the engines

    @Slot()
    def start_over(self) -> None:
        """New engines on fresh save files with the timeouts in force, and empty timelines;
        time goes on from now."""
        settings = self.pair.settings if self.pair is not None else self.window_settings
        self._start(settings, self.timeouts.source)

    def _start(self, settings: Settings, source: str) -> None:
        self._close_pair()
        for path in ("dotnet.xml", "mobile.xml"):
            (self._folder_path / path).unlink(missing_ok=True)
        observers = {}
        for name in POLICY_PAIR:
            self.data[name].clear()
            self.plots[name].set_data(self.data[name])
            bridge = SessionBridge(parent=self)
            bridge.sessionStarted.connect(self._on_start)
            bridge.eventTracked.connect(self._on_event)
            bridge.backgroundChanged.connect(self._on_background_changed)
            bridge.settingsChanged.connect(self._on_settings)
            bridge.setProperty("policy", name)
            self._bridges.append(bridge)
            observers[name] = [bridge.notify]
        self.pair = PolicyPair(
            self._folder_path,
            self.clock,
            settings=settings,
            lifecycle_events=self.lifecycle.isChecked(),
            observers=observers,
        )
        for bridge, name in zip(self._bridges, POLICY_PAIR, strict=True):
            bridge.attach(self.pair.sessions[name])
        self.timeouts.attach(self.pair, source)
        self._sync_background()
        self._refresh()

    def set_window_settings(self, settings: Settings) -> None:
        """The main window's timeouts are now ``settings`` (the engines here keep theirs)."""
        self.window_settings = settings
        self.timeouts.set_window_settings(settings)

    def _close_pair(self) -> None:
        for bridge in self._bridges:
            bridge.detach()
            bridge.deleteLater()
        self._bridges.clear()
        if self.pair is not None:
            self.pair.close()
            self.pair = None

    @Slot()
    def fire_event(self) -> None:
        if self.pair is not None:
            self.pair.fire_event()

    @Slot(bool)
    def _on_background(self, background: bool) -> None:
        if self.pair is not None and self.pair.background != background:
            self.pair.set_background(background)

    @Slot(bool)
    def _on_lifecycle(self, on: bool) -> None:
        if self.pair is not None:
            self.pair.lifecycle_events = on
        self._refresh()

    def _sync_background(self) -> None:
        on = self.pair is not None and self.pair.background
        if self.background.isChecked() != on:
            self.background.blockSignals(True)
            self.background.setChecked(on)
            self.background.blockSignals(False)

    @Slot()
    def play_demo(self) -> None:
        """Start over with :data:`DEMO_SETTINGS` and play :data:`COMPARE_DEMO` at once."""
        self.sim.set_speed(0)
        self._start(DEMO_SETTINGS, "demo")
        start = self.sim.now()
        if self.pair is not None:
            self.pair.play(COMPARE_DEMO, COMPARE_DEMO_END)
        self.sim.show_time()
        app = QApplication.instance()
        if app is not None:
            app.processEvents()
        self.show_whole_run(start)

    def show_whole_run(self, start: float = 0.0) -> None:
        """Stop following the present and show everything from ``start`` to the next due check."""
        now = self.sim.now()
        due = self.pair.sessions[DOTNET].expected_new_session_at() if self.pair else None
        right = max(now, due or now)
        margin = (right - start) * 0.04
        for plot in self.plots.values():
            plot.show_range(start - margin, right + margin * 2)

    # ------------------------------------------------------------ engines → views

    # Each engine's SessionBridge sends its notifications on the signals named for them;
    # the sending bridge says which engine spoke.

    def _policy_data(self) -> tuple[str, TimelineData | None]:
        bridge = self.sender()
        name = str(bridge.property("policy")) if bridge is not None else ""
        return name, self.data.get(name)

    def _drawn(self, name: str) -> None:
        self.plots[name].schedule_redraw()
        self._refresh()

    @Slot(SessionStarted)
    def _on_start(self, note: SessionStarted) -> None:
        name, data = self._policy_data()
        if data is not None:
            data.add_start(note)
            data.add_reading(note.at, note.new.session_index)
            self._drawn(name)

    @Slot(EventTracked)
    def _on_event(self, note: EventTracked) -> None:
        name, data = self._policy_data()
        if data is not None:
            data.add_event(note.at, note.state.session_index)
            self._drawn(name)

    @Slot(BackgroundChanged)
    def _on_background_changed(self, note: BackgroundChanged) -> None:
        name, data = self._policy_data()
        if data is not None:
            data.set_background(note.at, note.background)
            self._sync_background()
            self._drawn(name)

    @Slot(SettingsChanged)
    def _on_settings(self, note: SettingsChanged) -> None:
        name, data = self._policy_data()
        if data is not None:
            if name == DOTNET:  # both engines change alike: the fields show it once
                self.timeouts.show_settings(note.settings)
            self._drawn(name)

    @Slot(float)
    def _on_time(self, now: float) -> None:
        for plot in self.plots.values():
            plot.on_time(now)
        self._refresh()

    def _refresh(self) -> None:
        pair = self.pair
        if pair is None:
            return
        text = pair.summary()
        if self.summary.text() != text:
            self.summary.setText(text)
        dotnet = pair.sessions[DOTNET]
        self.plots[DOTNET].set_deadline(dotnet.expected_new_session_at())
        for name in POLICY_PAIR:
            sentence = describe_policy(name, dotnet.check_interval)
            title, _, rest = sentence.partition(": ")
            count = pair.tallies[name].describe(name).partition(": ")[2]
            if name == MOBILE and pair.lifecycle_events:
                rest += " App background/foreground switches are tracked as events."
            accent = getattr(self.colors, name, self.colors.step)
            html = (
                f"<b style='color:{accent}'>{title}</b> — {rest} "
                f"<span style='color:{self.colors.muted}'>({count})</span>"
            )
            if self.captions[name].text() != html:
                self.captions[name].setText(html)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:  # the system or the app turned dark
            self.apply_colors(colors(is_dark(self)))
            self._refresh()
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.sim.stop()
        for plot in self.plots.values():
            plot.stop()
        self._close_pair()
        self._folder.cleanup()
        super().closeEvent(event)
