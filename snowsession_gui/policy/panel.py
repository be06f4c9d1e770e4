"""The policy panel: what the policy does; the mobile session's own state and controls."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from session import POLICY_NAMES
from snowsession_gui.model.snapshot import SessionSnapshot
from snowsession_gui.model.units import format_seconds

__all__ = ["PolicyPanel", "PolicySelector", "describe_policy", "policy_label"]

_LABELS = {"dotnet": ".NET tracker", "mobile": "Android, iOS"}


def policy_label(policy: str) -> str:
    """``dotnet (.NET tracker)``: the name, and whose rules they are."""
    whose = _LABELS.get(policy)
    return f"{policy} ({whose})" if whose else policy


def describe_policy(policy: str, check_interval: float | None = None) -> str:
    """One sentence on what a policy does, for people."""
    if policy == "mobile":
        return (
            "mobile (Android and iOS trackers): nothing happens while the app is idle; the next "
            "event after an idle gap longer than the timeout starts a new session and is its "
            "first event."
        )
    every = f"every {format_seconds(check_interval)}" if check_interval else "regularly"
    return (
        f"dotnet (.NET tracker): a timer checks {every} and starts a new session once the app "
        "has been idle for the timeout, even if no event ever follows."
    )


def _value(name: str, accessible: str) -> QLabel:
    """A value of the mobile session's state, selectable for copying."""
    label = QLabel("—")
    label.setObjectName(name)
    label.setAccessibleName(accessible)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class PolicySelector(QComboBox):
    """Chooses the engine policy (objectName ``policySelector``); ``chosen(str)`` on a change."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("policySelector")
        self.setAccessibleName("Session policy")
        self.setToolTip(
            "Which tracker's session rules the engine follows. Switching closes the session "
            "and opens a new one with the other policy on the same file (a new session)."
        )
        for name in POLICY_NAMES:
            self.addItem(policy_label(name), name)
            self.setItemData(self.count() - 1, describe_policy(name), Qt.ItemDataRole.ToolTipRole)
        self.currentIndexChanged.connect(self._on_index)

    def policy(self) -> str:
        return str(self.currentData())

    def show_policy(self, policy: str) -> None:
        """Show ``policy`` without emitting ``chosen``."""
        index = self.findData(policy)
        if index >= 0 and index != self.currentIndex():
            self.blockSignals(True)
            self.setCurrentIndex(index)
            self.blockSignals(False)

    @Slot(int)
    def _on_index(self, index: int) -> None:
        self.chosen.emit(str(self.itemData(index)))


class PolicyPanel(QWidget):
    """The policy in words; under ``mobile``, the event index, pause state, foreground and
    background indexes, and the pause/resume and start-new-session controls."""

    pauseToggled = Signal(bool)
    newSessionRequested = Signal()
    compareRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("policyPanel")
        self.description = QLabel()
        self.description.setObjectName("policyDescription")
        self.description.setAccessibleName("What the policy does")
        self.description.setWordWrap(True)
        self.event_index = _value("eventIndexValue", "Event index")
        self.paused = _value("pausedValue", "Paused")
        self.lifecycle = _value("lifecycleIndexValue", "Foreground and background index")
        self._make_buttons()
        self.mobile_group = self._mobile_group()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.description)
        layout.addWidget(self.mobile_group)
        layout.addWidget(self.compare, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        self.pause.toggled.connect(self.pauseToggled)
        self.new_session.clicked.connect(self.newSessionRequested)
        self.compare.clicked.connect(self.compareRequested)

    def _make_buttons(self) -> None:
        self.pause = QPushButton("Pause session")
        self.pause.setObjectName("pauseSessionToggle")
        self.pause.setCheckable(True)
        self.pause.setAccessibleName("Pause session")
        self.pause.setToolTip(
            "Pause (checked) or resume the session: while paused it cannot expire and events "
            "do not refresh its last access"
        )
        self.new_session = QPushButton("Start new session")
        self.new_session.setObjectName("startNewSessionButton")
        self.new_session.setAccessibleName("Start new session")
        self.new_session.setToolTip("Start a new session at the next event (it becomes its first)")
        self.compare = QPushButton("Compare dotnet and mobile…")
        self.compare.setObjectName("openCompareButton")
        self.compare.setAccessibleName("Compare policies")
        self.compare.setToolTip(
            "Open a window that runs both policies side by side on the same events (Ctrl+K)"
        )
        for button in (self.pause, self.new_session, self.compare):
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            button.setAutoDefault(True)

    def _mobile_group(self) -> QGroupBox:
        """The mobile session's own state (titles above values) and its two controls."""
        group = QGroupBox("Mobile session")
        group.setObjectName("mobileGroup")
        grid = QGridLayout(group)
        grid.setContentsMargins(8, 4, 8, 4)
        grid.setVerticalSpacing(2)
        for column, (caption, label) in enumerate(
            (
                ("Event index", self.event_index),
                ("Paused", self.paused),
                ("Fg / bg", self.lifecycle),
            )
        ):
            title = QLabel(caption)
            title.setToolTip(label.accessibleName())
            title.setStyleSheet("color: palette(placeholder-text);")
            grid.addWidget(title, 0, column)
            grid.addWidget(label, 1, column)
        self.lifecycle.setToolTip("How many times the app went to the foreground / background")
        grid.addWidget(self.pause, 2, 0, 1, 2)
        grid.addWidget(self.new_session, 2, 2)
        return group

    @Slot(object)
    def show_state(self, snapshot: SessionSnapshot) -> None:
        """Show the policy in force and, if it has them, its own state and controls."""
        name = snapshot.policy
        text = describe_policy(name, snapshot.settings.check_interval)
        if self.description.text() != text:
            self.description.setText(text)
        own = snapshot.foreground_index is not None  # a policy with pause and lifecycle counts
        self.mobile_group.setVisible(own)
        self.mobile_group.setTitle(f"{name.capitalize()} session")
        if not own:
            return
        self.event_index.setText(str(snapshot.state.event_index))
        self.paused.setText("yes" if snapshot.paused else "no")
        self.lifecycle.setText(f"{snapshot.foreground_index} / {snapshot.background_index}")
        if self.pause.isChecked() != snapshot.paused:
            self.pause.blockSignals(True)
            self.pause.setChecked(snapshot.paused)
            self.pause.blockSignals(False)
        self.pause.setText("Resume session" if snapshot.paused else "Pause session")
