"""The scenario dock: what is playing, where it is, and each expectation with pass or fail;
and the expectations drawn on the timeline (green holds, red fails, the message on hover)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from session.scenario.run import ScenarioRun
from session.scenario.timeline import ExpectationResult

from .sim_clock import format_clock

if TYPE_CHECKING:
    from .timeline import Timeline

__all__ = ["FAIL", "PASS", "ExpectationMarks", "ScenarioPanel"]

PASS = QColor("#16a34a")
FAIL = QColor("#dc2626")


class ExpectationMarks:
    """Expectation markers and labels on the timeline's plot (kept apart from its data).

    Expectations checked at the same time and index share one marker and one label
    (``✓ session_index, ✗ checking``), red when any of them fails; hovering shows each message.
    """

    def __init__(self, timeline: Timeline) -> None:
        self._timeline = timeline
        self._scatter: Any = None
        self._groups: dict[tuple[float, float], tuple[Any, list[tuple[bool, str, str]]]] = {}
        self.points: list[tuple[float, float, bool, str]] = []
        """``(x, y, passed, message)`` for each expectation shown."""

    def _plot_item(self) -> Any:
        return self._timeline.ensure_plot().plot.getPlotItem()

    def _ensure(self) -> Any:
        if self._scatter is None:
            import pyqtgraph as pg

            self._scatter = pg.ScatterPlotItem(
                size=13, hoverable=True, tip=lambda x, y, data: str(data), name="expectation"
            )
            self._scatter.setZValue(20)
            self._plot_item().addItem(self._scatter)
        return self._scatter

    def add(self, x: float, y: float, result: ExpectationResult) -> None:
        import pyqtgraph as pg

        verdict = "holds" if result.passed else "FAILS"
        message = f"expectation {verdict} — {result.message}"
        self.points.append((x, y, result.passed, message))
        group = self._groups.get((x, y))
        if group is None:
            label = pg.TextItem(anchor=(1.05, -0.15))  # left of the marker, clear of reasons
            label.setPos(x, y)
            self._plot_item().addItem(label, ignoreBounds=True)
            group = self._groups[(x, y)] = (label, [])
        label, members = group
        members.append((result.passed, result.key, message))
        ok = all(passed for passed, _, _ in members)
        label.setText(", ".join(("✓ " if p else "✗ ") + key for p, key, _ in members))
        label.setColor(PASS if ok else FAIL)
        label.setToolTip("\n".join(m for _, _, m in members))
        self._draw(pg)

    def _draw(self, pg: Any) -> None:
        spots = []
        for (x, y), (_, members) in self._groups.items():
            ok = all(passed for passed, _, _ in members)
            color = PASS if ok else FAIL
            spots.append(
                {
                    "pos": (x, y),
                    "data": "\n".join(m for _, _, m in members),
                    "symbol": "s" if ok else "x",
                    "brush": pg.mkBrush(color),
                    "pen": pg.mkPen(color.darker(130), width=1.5),
                }
            )
        self._ensure().setData(spots)

    def clear(self) -> None:
        self.points.clear()
        if self._scatter is not None:
            self._scatter.clear()
        for label, _ in self._groups.values():
            view = label.getViewBox()
            if view is not None:
                view.removeItem(label)
        self._groups.clear()


class ScenarioPanel(QWidget):
    """Name and progress of the scenario, a summary, and the list of expectation results."""

    stopRequested = Signal()
    nextStepRequested = Signal()
    saveRecordingRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scenarioPanel")
        self.title = QLabel("No scenario")
        self.title.setObjectName("scenarioTitle")
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.progress = QLabel("")
        self.progress.setObjectName("scenarioProgress")
        self.summary = QLabel("")
        self.summary.setObjectName("scenarioSummary")
        self.summary.setAccessibleName("Scenario result")
        self.results = QListWidget()
        self.results.setObjectName("scenarioResults")
        self.results.setAccessibleName("Expectations")
        self.results.setToolTip("Each expect step of the scenario: green holds, red fails")
        self.results.setWordWrap(True)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.next_button = self._button("nextStepButton", "Next step", "Skip to the next step")
        self.save_button = self._button(
            "saveRecordingButton", "Save recording…", "Save what you did as a scenario file"
        )
        self.stop_button = self._button(
            "stopScenarioButton", "Stop", "End the scenario and go back to your save file"
        )
        self.next_button.clicked.connect(self.nextStepRequested)
        self.save_button.clicked.connect(self.saveRecordingRequested)
        self.stop_button.clicked.connect(self.stopRequested)
        buttons = QHBoxLayout()
        for button in (self.next_button, self.save_button, self.stop_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.progress)
        layout.addWidget(self.summary)
        layout.addWidget(self.results, 1)
        layout.addLayout(buttons)
        self._run: ScenarioRun | None = None
        self._recording = False
        self.show_idle()

    def _button(self, name: str, text: str, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.setAccessibleName(tip)
        return button

    def show_idle(self) -> None:
        self._run = None
        self.title.setText("No scenario")
        self.progress.setText("File > Open scenario… plays one; File > Record… records one.")
        self.summary.clear()
        self.results.clear()
        for button in (self.next_button, self.save_button, self.stop_button):
            button.setEnabled(False)

    def start(self, run: ScenarioRun, name: str, recording: bool) -> None:
        self._run = run
        self._recording = recording
        self.results.clear()
        self.title.setText(f"Recording: {name}" if recording else f"Scenario: {name}")
        if run.scenario.description:
            self.title.setToolTip(run.scenario.description)
        self.next_button.setEnabled(not recording)
        self.save_button.setEnabled(recording)
        self.save_button.setVisible(recording)
        self.next_button.setVisible(not recording)
        self.stop_button.setEnabled(True)
        self.refresh()

    def add_result(self, result: ExpectationResult) -> None:
        item = QListWidgetItem(("✓ " if result.passed else "✗ ") + result.message)
        item.setForeground(QBrush(PASS if result.passed else FAIL))
        item.setToolTip(result.message)
        self.results.addItem(item)
        self.results.scrollToBottom()
        self.refresh()

    def show_error(self, message: str) -> None:
        self.summary.setText(message)
        self.summary.setStyleSheet(f"color: {FAIL.name()}; font-weight: bold;")

    @Slot()
    def refresh(self) -> None:
        run = self._run
        if run is None:
            return
        if self._recording:
            self.progress.setText(
                f"at {format_clock(run.time)} — {len(run.performed)} actions recorded"
            )
            self.summary.setText("Events, switches, settings and restarts are being recorded.")
            self.summary.setStyleSheet("")
            return
        end = format_clock(run.end)
        state = "finished" if run.done else f"next step at {format_clock(run.next_step_at)}"
        self.progress.setText(f"at {format_clock(run.time)} of {end} — {state}")
        results = run.expectations
        failed = len(run.failures)
        if not results:
            self.summary.setText("No expectation checked yet")
            self.summary.setStyleSheet("")
        elif failed:
            self.summary.setText(f"✗ {failed} of {len(results)} expectations fail")
            self.summary.setStyleSheet(f"color: {FAIL.name()}; font-weight: bold;")
        else:
            count = f"all {len(results)}" if run.done else str(len(results))
            self.summary.setText(f"✓ {count} expectations hold")
            self.summary.setStyleSheet(f"color: {PASS.name()}; font-weight: bold;")
