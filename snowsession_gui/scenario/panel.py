"""The scenario dock: what is playing, where it is, and each expectation with pass or fail.

It draws from the host's signals (a run beginning or ending, each expectation checked, time
moving); its buttons are the very actions of the File and Simulate menus, so a button and its
menu entry are never in two states.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QAction, QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from session.scenario.run import ScenarioRun
from snowsession_gui.host.session_host import SessionHost
from snowsession_gui.model.drivers import ExpectationMark
from snowsession_gui.model.units import format_clock
from snowsession_gui.widgets.palette import LIGHT, Colors, text_style

__all__ = ["ScenarioPanel", "outcome"]


def outcome(run: ScenarioRun) -> str:
    """How a played run's expectations went so far, in the Scenario dock's words."""
    results = run.expectations
    failed = len(run.failures)
    if not results:
        return "No expectation checked" + ("" if run.done else " yet")
    if failed:
        return f"✗ {failed} of {len(results)} expectations fail"
    count = f"all {len(results)}" if run.done else str(len(results))
    return f"✓ {count} expectations hold"


class ScenarioPanel(QWidget):
    """Name and progress of the run, a summary, and the list of expectation results."""

    def __init__(
        self,
        host: SessionHost,
        actions: tuple[QAction, QAction, QAction],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("scenarioPanel")
        self._host = host
        self.colors: Colors = LIGHT
        self.title = QLabel("No scenario")
        self.title.setObjectName("scenarioTitle")
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.progress = QLabel("")
        self.progress.setObjectName("scenarioProgress")
        self.progress.setWordWrap(True)
        self.summary = QLabel("")
        self.summary.setObjectName("scenarioSummary")
        self.summary.setAccessibleName("Scenario result")
        self.summary.setWordWrap(True)
        self.results = QListWidget()
        self.results.setObjectName("scenarioResults")
        self.results.setAccessibleName("Expectations")
        self.results.setToolTip("Each expect step of the scenario: green holds, red fails")
        self.results.setWordWrap(True)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.setResizeMode(QListWidget.ResizeMode.Adjust)
        buttons = QHBoxLayout()
        self.buttons: list[QToolButton] = []
        for action, name in zip(
            actions, ("nextStepButton", "saveRecordingButton", "stopScenarioButton"), strict=True
        ):
            button = QToolButton()
            button.setObjectName(name)
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setAccessibleName(action.toolTip())
            buttons.addWidget(button)
            self.buttons.append(button)
        self.next_button, self.save_button, self.stop_button = self.buttons
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.progress)
        layout.addWidget(self.summary)
        layout.addWidget(self.results, 1)
        layout.addLayout(buttons)
        host.startedOver.connect(self.start_over)
        host.expectationChecked.connect(self.add_result)
        host.recorded.connect(self.refresh)
        host.timeChanged.connect(self.refresh)
        self.show_idle()

    @Slot(object)
    def start_over(self, _run: object = None) -> None:
        driver = self._host.scenario
        if driver is None:
            self.show_idle()
            return
        self.results.clear()
        recording = driver.recording
        self.title.setText(f"Recording: {driver.name}" if recording else f"Scenario: {driver.name}")
        self.title.setToolTip(driver.run.scenario.description)
        self.next_button.setVisible(not recording)
        self.save_button.setVisible(recording)
        self.refresh()

    def show_idle(self) -> None:
        self.title.setText("No scenario")
        self.title.setToolTip("")
        self.progress.setText("File > Open scenario… plays one; File > Record… records one.")
        self.summary.clear()
        self.summary.setStyleSheet("")
        self.results.clear()

    @Slot(object)
    def add_result(self, mark: ExpectationMark) -> None:
        result = mark.result
        item = QListWidgetItem(("✓ " if result.passed else "✗ ") + result.message)
        color = self.colors.passed if result.passed else self.colors.problem
        item.setForeground(QBrush(QColor(color)))
        item.setData(Qt.ItemDataRole.UserRole, result.passed)
        item.setToolTip(result.message)
        self.results.addItem(item)
        self.results.scrollToBottom()
        self.refresh()

    def show_error(self, message: str) -> None:
        self.summary.setText(message)
        self.summary.setStyleSheet(text_style(self.colors.problem, bold=True))

    @Slot()
    @Slot(object)
    @Slot(float)
    def refresh(self, *_: object) -> None:
        driver = self._host.scenario
        if driver is None:
            return
        run = driver.run
        if driver.recording:
            self._set(
                self.progress,
                f"at {format_clock(run.time)} — {len(run.performed)} actions recorded",
            )
            self._set(self.summary, "Events, switches, settings and restarts are being recorded.")
            self.summary.setStyleSheet("")
            return
        end = format_clock(run.end)
        if run.done:  # time may go on after the last step: the run's length is its own
            progress = f"finished at {end}; now {format_clock(run.time)}"
        else:
            progress = f"at {format_clock(run.time)} of {end} — next step at "
            progress += format_clock(run.next_step_at)
        self._set(self.progress, progress)
        self._set(self.summary, outcome(run))
        if not run.expectations:
            self.summary.setStyleSheet("")
        else:
            color = self.colors.problem if run.failures else self.colors.passed
            self.summary.setStyleSheet(text_style(color, bold=True))

    def apply_colors(self, colors: Colors) -> None:
        self.colors = colors
        for row in range(self.results.count()):
            item = self.results.item(row)
            passed = bool(item.data(Qt.ItemDataRole.UserRole))
            item.setForeground(QBrush(QColor(colors.passed if passed else colors.problem)))
        self.refresh()

    @staticmethod
    def _set(label: QLabel, text: str) -> None:
        if label.text() != text:
            label.setText(text)
