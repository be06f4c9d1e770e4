"""The collector's address, ready to copy, and the settings to paste into each tracker."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QAction, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from snowsession_gui.model.tracker_setup import Setup
from snowsession_gui.widgets.palette import LIGHT, Colors, text_style

__all__ = ["AddressBar"]

NETWORK_WARNING = (
    "⚠ Listening on every network interface: anyone who can reach {host} on port {port} "
    "can send events and read them back. Use it only on a network you trust."
)


class AddressBar(QWidget):
    """The address (``collectorAddress``) with *Copy*, *Stop*, and *How to point apps here*
    (``setupTabs``: Android, iOS, JavaScript, .NET, each with its own *Copy*).

    Signal ``copied(text)`` after anything is put on the clipboard.
    """

    copied = Signal(str)

    def __init__(self, stop: QAction, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("addressBar")
        self.colors = LIGHT
        self.setups: tuple[Setup, ...] = ()
        self.address = QLineEdit()
        self.address.setObjectName("collectorAddress")
        self.address.setAccessibleName("Collector address")
        self.address.setReadOnly(True)
        self.address.setToolTip("Point trackers here (select it, or press Copy)")
        self.copy = QPushButton("Copy")
        self.copy.setObjectName("copyAddressButton")
        self.copy.setToolTip("Copy the address to the clipboard")
        self.copy.clicked.connect(self._copy_address)
        self.stop = QToolButton()
        self.stop.setObjectName("stopListeningButton")
        self.stop.setDefaultAction(stop)
        self.toggle = QToolButton()
        self.toggle.setObjectName("setupToggle")
        self.toggle.setText("How to point apps here")
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.toggle.toggled.connect(self._on_toggled)
        self.toggle.setCheckable(True)
        self.toggle.setToolTip(
            "The settings to paste into the Android, iOS, JavaScript and .NET trackers"
        )
        self.tabs = QTabWidget()
        self.tabs.setObjectName("setupTabs")
        self.tabs.setDocumentMode(True)
        self.toggle.toggled.connect(self.tabs.setVisible)
        self.tabs.hide()
        self.warning = QLabel()
        self.warning.setTextFormat(Qt.TextFormat.PlainText)  # file names, ids, typed text
        self.warning.setObjectName("networkWarning")
        self.warning.setWordWrap(True)
        self.warning.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        caption = QLabel("Listening on")
        caption.setBuddy(self.address)
        for widget in (caption, self.address, self.copy, self.stop):
            row.addWidget(widget, 1 if widget is self.address else 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.warning)
        layout.addWidget(self.toggle)
        layout.addWidget(self.tabs)

    def show_address(
        self, url: str, setups: tuple[Setup, ...], network: tuple[str, int] | None
    ) -> None:
        """Show ``url``, the trackers' settings, and (``network``: host and port) the warning
        that devices on the network can reach it."""
        self.address.setText(url)
        self.address.setCursorPosition(0)
        if self.warning.isVisible() != (network is not None):
            self.warning.setVisible(network is not None)
        if network is not None:
            host, port = network
            self.warning.setText(NETWORK_WARNING.format(host=host, port=port))
        if setups != self.setups:
            self.setups = setups
            current = self.tabs.currentIndex()
            self.tabs.clear()
            for setup in setups:
                self.tabs.addTab(self._tab(setup), setup.tracker)
            self.tabs.setCurrentIndex(max(0, current))

    def _tab(self, setup: Setup) -> QWidget:
        tab = QWidget()
        code = QPlainTextEdit(setup.code)
        code.setObjectName(f"setupCode:{setup.tracker}")
        code.setReadOnly(True)
        code.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        lines = setup.code.count("\n") + 1
        code.setFixedHeight(code.fontMetrics().lineSpacing() * lines + 14)
        copy = QPushButton("Copy")
        copy.setObjectName(f"copySetup:{setup.tracker}")
        copy.setToolTip(f"Copy the {setup.tracker} setting to the clipboard")
        copy.clicked.connect(partial(self._put, setup.code))
        note = QLabel(f"Endpoint {setup.endpoint}. {setup.note}")
        note.setWordWrap(True)
        note.setObjectName(f"setupNote:{setup.tracker}")
        row = QHBoxLayout()
        row.addWidget(code, 1)
        row.addWidget(copy)
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(row)
        layout.addWidget(note)
        return tab

    def show_setups(self, shown: bool) -> None:
        """Open or fold the trackers' settings under the address."""
        self.toggle.setChecked(shown)

    @Slot(bool)
    def _on_toggled(self, shown: bool) -> None:
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)

    @Slot()
    def _copy_address(self) -> None:
        self._put(self.address.text())

    def _put(self, text: str, *_: object) -> None:
        QGuiApplication.clipboard().setText(text)
        self.copied.emit(text)

    def apply_colors(self, colors: Colors) -> None:
        self.colors = colors
        self.warning.setStyleSheet(text_style(colors.due, bold=True))
