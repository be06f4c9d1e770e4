"""*Listen for trackers…*: where the window's collector listens and where it keeps events.

This computer only (loopback) is the default; all network interfaces, for a phone or tablet
on the network, is a clear second choice with its warning beside it; one address of this
computer (a VPN's, one network card's) is the third. A collector that cannot start (the port
in use, an address that is not this computer's, a log that cannot be written) says why beside
the field concerned, and the dialog stays open.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from session.trackers.collector import is_loopback
from snowsession_gui.model.tracker_setup import ALL_INTERFACES, LOOPBACK
from snowsession_gui.widgets.palette import LIGHT, Colors, text_style

__all__ = ["Field", "ListenDialog", "StartProblem", "Starter", "start_problem"]

Field = Literal["host", "port", "log"]


@dataclass(frozen=True, slots=True)
class StartProblem:
    """Why the collector did not start, and which field it concerns."""

    field: Field
    message: str


def start_problem(error: OSError, host: str, port: int) -> StartProblem:
    """Why the collector could not start, what to do, and the field it concerns."""
    if isinstance(error, socket.gaierror):
        return StartProblem(
            "host",
            f"“{host}” is not an address: type one of this computer's, such as "
            "192.168.1.20, or choose this computer only.",
        )
    if error.errno == errno.EADDRNOTAVAIL:
        return StartProblem(
            "host",
            f"{host} is not an address of this computer: type one of its own "
            "(ip addr or ipconfig lists them), or choose all network interfaces.",
        )
    if error.errno == errno.EADDRINUSE:
        return StartProblem(
            "port",
            f"Port {port} is in use (another collector, or Snowplow Micro?): choose "
            "another port, or 0 for any free one.",
        )
    if error.filename is not None:
        return StartProblem(
            "log", f"Cannot write the log {error.filename}: {error.strerror or error}."
        )
    if error.errno == errno.EACCES:
        return StartProblem(
            "port", f"Cannot listen on port {port}: permission denied (ports under 1024 need it)."
        )
    if error.errno is None:
        return StartProblem("log", f"Cannot use the log: {error}.")
    return StartProblem("host", f"Cannot listen on {host}:{port}: {error.strerror or error}.")


Starter = Callable[[str, int, str], StartProblem | None]
"""Starts the collector on ``(host, port, log)``; None when it listens, else why not."""

WARNING = (
    "⚠ Anyone who can reach this computer on this port can send events to it and read "
    "them back (/micro/good, /sessions). Use it only on a network you trust."
)


def _error_label(field: Field, colors: Colors) -> QLabel:
    """Where a problem with ``field`` is shown (hidden while there is none)."""
    error = QLabel()
    error.setObjectName(f"listenError:{field}")
    error.setWordWrap(True)
    error.setTextFormat(Qt.TextFormat.PlainText)  # it may quote what was typed
    error.setStyleSheet(text_style(colors.problem))
    error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    error.hide()
    return error


class ListenDialog(QDialog):
    """Choose where to listen and the log; *Listen* starts the collector (objectName
    ``listenDialog``). A problem is shown under its field (``listenError:host``, ``:port``,
    ``:log``)."""

    def __init__(
        self,
        start: Starter,
        *,
        host: str,
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
        self._make_choices(host)
        self.warning = QLabel(WARNING)
        self.warning.setObjectName("listenWarning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(text_style(colors.due, bold=True))
        choose = self._make_fields(port, log)
        self.errors: dict[Field, QLabel] = {
            field: _error_label(field, colors) for field in ("host", "port", "log")
        }
        judged_label = QLabel(f"Idle gaps: {judged} (the Trackers panel changes this).")
        judged_label.setObjectName("listenJudged")
        judged_label.setWordWrap(True)

        one_row = QHBoxLayout()
        one_row.addWidget(self.one)
        one_row.addWidget(self.address, 1)
        form = self._build_form(choose)
        buttons = self._build_buttons()
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Listen on"))
        layout.addWidget(self.loopback)
        layout.addWidget(self.everywhere)
        layout.addLayout(one_row)
        layout.addWidget(self.errors["host"])
        layout.addWidget(self.warning)
        layout.addLayout(form)
        layout.addWidget(judged_label)
        layout.addWidget(buttons)
        for button in (self.loopback, self.everywhere, self.one):
            button.toggled.connect(self._show_warning)
        self._show_warning()
        self.setMinimumWidth(560)
        self.adjustSize()

    def _make_choices(self, host: str) -> None:
        """The three choices of where to listen, ``host`` chosen, and the address field."""
        self.loopback = QRadioButton(
            f"This computer only ({LOOPBACK}): emulators, simulators and browsers here"
        )
        self.loopback.setObjectName("listenLoopback")
        self.everywhere = QRadioButton(
            f"All network interfaces ({ALL_INTERFACES}): phones and tablets on your network"
        )
        self.everywhere.setObjectName("listenAllInterfaces")
        self.one = QRadioButton("One address of this computer:")
        self.one.setObjectName("listenOneAddress")
        self.address = QLineEdit("" if host in (LOOPBACK, ALL_INTERFACES) else host)
        self.address.setObjectName("listenAddress")
        self.address.setAccessibleName("Address to listen on")
        self.address.setPlaceholderText("e.g. 192.168.1.20 (a network card's, a VPN's)")
        self.address.textEdited.connect(self._on_address_edited)
        choice = {LOOPBACK: self.loopback, ALL_INTERFACES: self.everywhere}
        choice.get(host, self.one).setChecked(True)

    def _make_fields(self, port: int, log: str) -> QPushButton:
        """The port and log fields; returns the button that chooses the log."""
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
        return choose

    def _build_form(self, choose: QPushButton) -> QGridLayout:
        """The port and the log, each with its label and its problem under it."""
        log_row = QHBoxLayout()
        log_row.addWidget(self.log, 1)
        log_row.addWidget(choose)
        form = QGridLayout()
        port_label, log_label = QLabel("Port"), QLabel("Log")
        port_label.setBuddy(self.port)
        log_label.setBuddy(self.log)
        form.addWidget(port_label, 0, 0)
        form.addWidget(self.port, 0, 1)
        form.addWidget(self.errors["port"], 1, 1)
        form.addWidget(log_label, 2, 0)
        form.addLayout(log_row, 2, 1)
        form.addWidget(self.errors["log"], 3, 1)
        form.setColumnStretch(1, 1)
        return form

    def _build_buttons(self) -> QDialogButtonBox:
        """*Listen* and *Cancel*."""
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Listen")
        ok.setObjectName("listenStart")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        return buttons

    @property
    def host(self) -> str:
        if self.one.isChecked():
            return self.address.text().strip()
        return ALL_INTERFACES if self.everywhere.isChecked() else LOOPBACK

    @Slot()
    def _show_warning(self, *_: object) -> None:
        self.warning.setVisible(not is_loopback(self.host or LOOPBACK))

    @Slot(str)
    def _on_address_edited(self, _text: str) -> None:
        self.one.setChecked(True)
        self._show_warning()

    @Slot()
    def _choose_log(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Keep the events in", self.log.text(), "Collector logs (*.ndjson);;All (*)"
        )
        if path:
            self.log.setText(path)

    def show_problem(self, problem: StartProblem | None) -> None:
        """Show ``problem`` under its field (None: no problem), and nothing under the others."""
        for field, label in self.errors.items():
            shown = problem is not None and problem.field == field
            label.setText(problem.message if problem is not None and shown else "")
            label.setVisible(shown)
        self.adjustSize()  # a message of two lines gets its two lines

    def problem(self) -> StartProblem | None:
        """What is shown as wrong now (None: nothing)."""
        for field, label in self.errors.items():
            if label.isVisibleTo(self):
                return StartProblem(field, label.text())
        return None

    def accept(self) -> None:
        """Start listening; on failure say why beside the field and stay open."""
        log = self.log.text().strip()
        if self.one.isChecked() and not self.host:
            problem: StartProblem | None = StartProblem(
                "host", "Type an address of this computer, such as 192.168.1.20."
            )
        elif not log:
            problem = StartProblem(
                "log", "Choose a log file: every event is kept there as it arrives."
            )
        else:
            problem = self._start(self.host, self.port.value(), log)
        self.show_problem(problem)
        if problem is None:
            super().accept()
