"""*Listen for trackers…*: where the window's collector listens and where it keeps events.

This computer only (loopback) is the default; all network interfaces, for a phone or tablet
on the network, is a clear second choice with its warning beside it. A collector that cannot
start (the port in use, a log that cannot be written) says why beside the fields, and the
dialog stays open.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from .palette import LIGHT, Colors, text_style
from .tracker_setup import ALL_INTERFACES, LOOPBACK

__all__ = ["ListenDialog", "Starter"]

Starter = Callable[[str, int, str], str | None]
"""Starts the collector on ``(host, port, log)``; None when it listens, else why not."""

WARNING = (
    "⚠ Anyone who can reach this computer on this port can send events to it and read "
    "them back (/micro/good, /sessions). Use it only on a network you trust."
)


class ListenDialog(QDialog):
    """Choose where to listen and the log; *Listen* starts the collector (objectName
    ``listenDialog``)."""

    def __init__(
        self,
        start: Starter,
        *,
        all_interfaces: bool,
        port: int,
        log: str,
        judged: str,
        colors: Colors = LIGHT,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("listenDialog")
        self.setWindowTitle("Listen for trackers")
        self._start = start
        self.loopback = QRadioButton(
            f"This computer only ({LOOPBACK}): emulators, simulators and browsers here"
        )
        self.loopback.setObjectName("listenLoopback")
        self.everywhere = QRadioButton(
            f"All network interfaces ({ALL_INTERFACES}): phones and tablets on your network"
        )
        self.everywhere.setObjectName("listenAllInterfaces")
        (self.everywhere if all_interfaces else self.loopback).setChecked(True)
        self.warning = QLabel(WARNING)
        self.warning.setObjectName("listenWarning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(text_style(colors.due, bold=True))
        self.port = QSpinBox()
        self.port.setObjectName("listenPort")
        self.port.setAccessibleName("Port")
        self.port.setRange(0, 65535)
        self.port.setSpecialValueText("any free port")
        self.port.setValue(port)
        self.port.setToolTip("The port trackers send to (0: any free port)")
        self.log = QLineEdit(log)
        self.log.setObjectName("listenLog")
        self.log.setAccessibleName("Log file")
        self.log.setToolTip("Every event is appended here as it arrives, before it is shown")
        choose = QPushButton("Choose…")
        choose.setObjectName("listenChooseLog")
        choose.clicked.connect(self._choose_log)
        self.error = QLabel()
        self.error.setObjectName("listenError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(text_style(colors.problem))
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        judged_label = QLabel(f"Idle gaps: {judged} (the Trackers panel changes this).")
        judged_label.setObjectName("listenJudged")
        judged_label.setWordWrap(True)

        log_row = QHBoxLayout()
        log_row.addWidget(self.log, 1)
        log_row.addWidget(choose)
        form = QFormLayout()
        form.addRow("Port", self.port)
        form.addRow("Log", log_row)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Listen")
        ok.setObjectName("listenStart")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Listen on"))
        for widget in (self.loopback, self.everywhere, self.warning):
            layout.addWidget(widget)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(judged_label)
        layout.addWidget(buttons)
        self.everywhere.toggled.connect(self._show_warning)
        self._show_warning()
        self.setMinimumWidth(540)
        self.adjustSize()

    @property
    def host(self) -> str:
        return ALL_INTERFACES if self.everywhere.isChecked() else LOOPBACK

    @Slot()
    def _show_warning(self, *_: object) -> None:
        self.warning.setVisible(self.everywhere.isChecked())

    @Slot()
    def _choose_log(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Keep the events in", self.log.text(), "Collector logs (*.ndjson);;All (*)"
        )
        if path:
            self.log.setText(path)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))

    def accept(self) -> None:
        """Start listening; on failure say why beside the fields and stay open."""
        log = self.log.text().strip()
        if not log:
            self.show_error("Choose a log file: every event is kept there as it arrives.")
            return
        problem = self._start(self.host, self.port.value(), log)
        if problem:
            self.show_error(problem)
            return
        super().accept()
