"""The compare view: the dotnet and mobile policies run side by side on one simulated clock.

Two engines (:class:`~snowsession_gui.model.compare_engines.PolicyPair`) on their own save files
in a temporary folder get the same events, background switches and time; their timelines are
drawn one above the other with linked time axes, under a one-line summary of where they differ
and the timeouts both use, which can be changed there. *Play demo* plays with the timeouts the
demo is written for, and says so.

The view asks its host (:class:`~.compare_host.CompareHost`) and draws only what the host's
routes send, one per engine, as the main window draws what its host's route sends.
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
    VirtualClock,
)
from snowsession_gui.host.sim_clock import SimulationClock
from snowsession_gui.model.compare_engines import (
    COMPARE_DEMO,
    COMPARE_DEMO_END,
    DEMO_SETTINGS,
    DOTNET,
    MOBILE,
    POLICY_PAIR,
    PolicyPair,
    Tally,
    summarise,
)
from snowsession_gui.model.runs import Run
from snowsession_gui.model.snapshot import SessionSnapshot
from snowsession_gui.model.timeline_data import TimelineData
from snowsession_gui.timeline.plot import TimelinePlot
from snowsession_gui.widgets.menus import close_keys
from snowsession_gui.widgets.palette import Colors, colors, is_dark, text_style
from snowsession_gui.widgets.time_controls import TimeControls

from .compare_host import LEAD, CompareHost
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


def _button(name: str, text: str, tip: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setToolTip(tip)
    button.setAccessibleName(text)
    button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    return button


def _caption(name: str) -> QLabel:
    caption = QLabel()
    caption.setObjectName(f"{name}Caption")
    caption.setWordWrap(True)
    caption.setTextFormat(Qt.TextFormat.RichText)
    return caption


def _rule() -> QFrame:
    return QFrame(frameShape=QFrame.Shape.HLine, frameShadow=QFrame.Shadow.Sunken)


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
        self.window_settings = settings
        self.clock = clock if clock is not None else VirtualClock()
        self.host = CompareHost(Path(self._folder.name), self.clock, parent=self)
        self.sim = SimulationClock(self.host, speed=0.0, parent=self)
        self.data: dict[str, TimelineData] = {}
        self.plots: dict[str, TimelinePlot] = {}
        self.captions: dict[str, QLabel] = {}
        self.tallies = {name: Tally() for name in POLICY_PAIR}
        """Each engine's sessions, counted from the notifications its route sent."""
        self.snapshots: dict[str, SessionSnapshot] = {}
        """Each engine's last snapshot, as its route sent it."""
        self.colors: Colors = colors(is_dark(self))
        self._make_controls()
        self.summary = _bold("compareSummary", 1.15)
        self.summary.setAccessibleName("Where the policies differ")
        self.summary.setToolTip("Sessions each policy made from the same events and time")
        self.timeouts = CompareTimeouts(settings, self.host)
        self._lay_out()
        self._connect()
        self.apply_colors(self.colors)  # the same light or dark look as the main window
        self.start_over()
        self.sim.set_speed(speed)
        self.resize(1180, 820)

    @property
    def pair(self) -> PolicyPair | None:
        """The engines running now (the host's; the view draws from its routes)."""
        return self.host.pair

    # ------------------------------------------------------------ the parts

    def _make_controls(self) -> None:
        self.fire = _button("compareFireButton", "Fire event", "Track one event in both (Space)")
        self.background = _button(
            "compareBackgroundToggle", "In background", "Background (checked) or foreground (B)"
        )
        self.background.setCheckable(True)
        self.demo = _button(
            "compareDemoButton",
            "Play demo",
            "Start over with the demo's own timeouts (the tracker's defaults) and play an hour "
            "of use at once: a short and a long background trip and a long idle period",
        )
        self.restart = _button(
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

    def _lay_out(self) -> None:
        controls = QHBoxLayout()
        for widget in (self.fire, self.background, self.demo, self.restart):
            controls.addWidget(widget)
        controls.addWidget(self.lifecycle)
        controls.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(_bold("compareHeading", 1.3, "The same app under two session rules"))
        layout.addLayout(controls)
        layout.addWidget(self.time_controls)
        layout.addWidget(self.summary)
        layout.addWidget(self.timeouts)
        for name in POLICY_PAIR:
            self.captions[name] = _caption(name)
            layout.addWidget(self.captions[name])
            layout.addWidget(self._plot(name), 1)
            if name == POLICY_PAIR[0]:
                layout.addWidget(_rule())
        top, bottom = (self.plots[name] for name in POLICY_PAIR)
        bottom.share_times_with(top)
        top.followChanged.connect(bottom.set_follow)
        bottom.followChanged.connect(top.set_follow)

    def _plot(self, name: str) -> TimelinePlot:
        data = self.data[name] = TimelineData()
        plot = self.plots[name] = TimelinePlot(data, self.sim.now, self)
        plot.plot.setObjectName(f"{name}Plot")
        plot.plot.setAccessibleName(f"{name} session timeline")
        plot.setMinimumHeight(180)
        if name != POLICY_PAIR[0]:
            plot.legend.hide()  # one legend, on the top plot, serves both
        return plot

    def _connect(self) -> None:
        self.fire.clicked.connect(self.fire_event)
        self.background.toggled.connect(self._on_background)
        self.demo.clicked.connect(self.play_demo)
        self.restart.clicked.connect(self.start_over)
        self.lifecycle.toggled.connect(self._on_lifecycle)
        self.sim.timeChanged.connect(self._on_time)
        for route in self.host.routes.values():
            route.startedOver.connect(self._on_started_over)
            route.sessionStarted.connect(self._on_start)
            route.eventsTracked.connect(self._on_events)
            route.backgroundChanged.connect(self._on_background_changed)
            route.stateChanged.connect(self._on_state)
        for text, slot in (("Space", self.fire_event), ("B", self.background.toggle)):
            QShortcut(QKeySequence(text), self, slot)
        for sequence in close_keys():
            QShortcut(sequence, self, self.close)

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

    # ------------------------------------------------------------ requests to the host

    @Slot()
    def start_over(self) -> None:
        """New engines on fresh save files with the timeouts in force, and empty timelines;
        time goes on from now."""
        lead = self.snapshots.get(LEAD)
        settings = lead.settings if lead is not None else self.window_settings
        self._start(settings, self.timeouts.source)

    def _start(self, settings: Settings, source: str) -> None:
        self.timeouts.set_source(source)
        self.host.start(settings, lifecycle_events=self.lifecycle.isChecked())

    def set_window_settings(self, settings: Settings) -> None:
        """The main window's timeouts are now ``settings`` (the engines here keep theirs)."""
        self.window_settings = settings
        self.timeouts.set_window_settings(settings)

    @Slot()
    def fire_event(self) -> None:
        self.host.fire_event()

    @Slot(bool)
    def _on_background(self, background: bool) -> None:
        lead = self.snapshots.get(LEAD)
        if lead is None or lead.background != background:
            self.host.set_background(background)

    @Slot(bool)
    def _on_lifecycle(self, on: bool) -> None:
        self.host.set_lifecycle_events(on)
        self._refresh()

    @Slot()
    def play_demo(self) -> None:
        """Start over with :data:`DEMO_SETTINGS` and play :data:`COMPARE_DEMO` at once."""
        self.sim.set_speed(0)
        self._start(DEMO_SETTINGS, "demo")
        start = self.sim.now()
        self.host.play(COMPARE_DEMO, COMPARE_DEMO_END)
        self.sim.show_time()
        app = QApplication.instance()
        if app is not None:
            app.processEvents()
        self.show_whole_run(start)

    def show_whole_run(self, start: float = 0.0) -> None:
        """Stop following the present and show everything from ``start`` to the next due check."""
        now = self.sim.now()
        lead = self.snapshots.get(DOTNET)
        right = max(now, (lead.due if lead is not None else None) or now)
        margin = (right - start) * 0.04
        for plot in self.plots.values():
            plot.show_range(start - margin, right + margin * 2)

    # ------------------------------------------------------------ routes → views

    # Each engine has its own route; the sending route's ``policy`` says which engine spoke.

    def _policy(self) -> str:
        route = self.sender()
        return str(route.property("policy")) if route is not None else ""

    @Slot(Run)
    def _on_started_over(self, _run: Run) -> None:
        name = self._policy()
        if name in self.data:
            self.data[name].clear()
            self.plots[name].set_data(self.data[name])
            self.tallies[name] = Tally()
            self.snapshots.pop(name, None)

    @Slot(SessionStarted)
    def _on_start(self, note: SessionStarted) -> None:
        name = self._policy()
        if name in self.data:
            self.tallies[name](note)
            self.data[name].add_start(note)
            self.data[name].add_reading(note.at, note.new.session_index)
            self.plots[name].schedule_redraw()

    @Slot(tuple)
    def _on_events(self, notes: tuple[EventTracked, ...]) -> None:
        name = self._policy()
        if name in self.data:
            for note in notes:
                self.data[name].add_event(note.at, note.state.session_index)
            self.plots[name].schedule_redraw()

    @Slot(BackgroundChanged)
    def _on_background_changed(self, note: BackgroundChanged) -> None:
        name = self._policy()
        if name in self.data:
            self.data[name].set_background(note.at, note.background)
            self.plots[name].schedule_redraw()

    @Slot(SessionSnapshot)
    def _on_state(self, snapshot: SessionSnapshot) -> None:
        name = self._policy()
        if name not in self.data:
            return
        self.snapshots[name] = snapshot
        if name == LEAD:
            self.plots[name].set_deadline(snapshot.due)
            if self.background.isChecked() != snapshot.background:
                self.background.blockSignals(True)
                self.background.setChecked(snapshot.background)
                self.background.blockSignals(False)
        self.plots[name].schedule_redraw()
        self._refresh()

    @Slot(float)
    def _on_time(self, now: float) -> None:
        for plot in self.plots.values():
            plot.on_time(now)

    def _refresh(self) -> None:
        """The summary and the captions, from the tallies and the lead's settings."""
        text = summarise(self.tallies)
        if self.summary.text() != text:
            self.summary.setText(text)
        lead = self.snapshots.get(LEAD)
        interval = lead.settings.check_interval if lead is not None else None
        for name in POLICY_PAIR:
            sentence = describe_policy(name, interval)
            title, _, rest = sentence.partition(": ")
            count = self.tallies[name].describe(name).partition(": ")[2]
            if name == MOBILE and self.lifecycle.isChecked():
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
        self.host.close()
        self._folder.cleanup()
        super().closeEvent(event)
