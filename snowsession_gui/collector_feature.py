"""The "send events to a collector" setting: its dialog, the event log's Status column, and the
status bar message when the collector cannot be reached."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QIdentityProxyModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Slot,
)
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from session import EventTracked, Notification

from .collector import INSTALL_HINT, CollectorSender, check_url, snowplow_available

if TYPE_CHECKING:
    from .main_window import MainWindow

__all__ = ["CollectorDialog", "CollectorFeature", "StatusColumn"]

DEFAULT_URL = "http://localhost:9090"
_Index = QModelIndex | QPersistentModelIndex
_COLORS = {"sending": "#a16207", "sent": "#15803d", "failed": "#dc2626"}


class StatusColumn(QIdentityProxyModel):
    """The event log's model with one more column: each event's send status."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.statuses: dict[str, tuple[str, str]] = {}

    def _extra(self) -> int:
        source = self.sourceModel()
        return source.columnCount() if source is not None else 0

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._extra() + 1

    def index(self, row: int, column: int, parent: _Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if column == self._extra() and not parent.isValid() and 0 <= row < self.rowCount():
            return self.createIndex(row, column)
        return super().index(row, column, parent)

    def parent(self, child: _Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        return QModelIndex()

    def mapToSource(self, index: _Index) -> QModelIndex:
        if index.isValid() and index.column() == self._extra():
            return QModelIndex()
        return super().mapToSource(index)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if index.isValid() and index.column() == self._extra():
            return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return super().flags(index)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.column() != self._extra():
            return super().data(index, role)
        event_id = self.event_id(index.row())
        status, detail = self.statuses.get(event_id, ("", ""))
        if role == Qt.ItemDataRole.DisplayRole:
            return status
        if role == Qt.ItemDataRole.ToolTipRole:
            return detail or None
        if role == Qt.ItemDataRole.ForegroundRole and status:
            return QColor(_COLORS[status])
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and section == self._extra():
            return "Status" if role == Qt.ItemDataRole.DisplayRole else None
        return super().headerData(section, orientation, role)

    def event_id(self, row: int) -> str:
        source = self.sourceModel()
        return str(source.data(source.index(row, 1))) if source is not None else ""

    def set_status(self, event_id: str, status: str, detail: str) -> None:
        self.statuses[event_id] = (status, detail)
        column = self._extra()
        for row in range(self.rowCount() - 1, -1, -1):  # the newest rows are the likely ones
            if self.event_id(row) == event_id:
                index = self.index(row, column)
                self.dataChanged.emit(index, index)
                break


class CollectorDialog(QDialog):
    """Turn sending on or off and set the collector's address (objectName ``collectorDialog``)."""

    def __init__(self, enabled: bool, url: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("collectorDialog")
        self.setWindowTitle("Send events to a collector")
        available = snowplow_available()
        self.enabled = QCheckBox("Send each fired event to a Snowplow collector")
        self.enabled.setObjectName("collectorEnabled")
        self.enabled.setAccessibleName("Send events to a collector")
        self.enabled.setToolTip("Off by default; events are tracked by the engine either way")
        self.enabled.setChecked(enabled and available)
        self.url = QLineEdit(url)
        self.url.setObjectName("collectorUrl")
        self.url.setAccessibleName("Collector address")
        self.url.setPlaceholderText(DEFAULT_URL)
        self.url.setToolTip(
            "The collector's address, e.g. a local Snowplow Micro at " + DEFAULT_URL
        )
        self.error = QLabel()
        self.error.setObjectName("collectorUrlError")
        self.error.setStyleSheet("color: #dc2626;")
        self.error.setWordWrap(True)
        self.error.hide()
        hint = QLabel(
            "Each event goes through the Snowplow Python tracker with its client_session "
            "entity, on a worker thread; the event log's Status column shows sending, sent "
            "or failed. Snowplow Micro (a collector for testing) listens on "
            f"{DEFAULT_URL} by default."
        )
        hint.setWordWrap(True)
        self.install_hint = QLabel(
            f"The Snowplow tracker is not installed. Install it with <code>{INSTALL_HINT}</code> "
            "and start snowsession-gui again."
        )
        self.install_hint.setObjectName("collectorInstallHint")
        self.install_hint.setWordWrap(True)
        self.install_hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.install_hint.setVisible(not available)
        for widget in (self.enabled, self.url):
            widget.setEnabled(available)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (self.install_hint, self.enabled, QLabel("Collector address"), self.url):
            layout.addWidget(widget)
        layout.addWidget(self.error)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        self.setMinimumWidth(480)
        self.adjustSize()

    def accept(self) -> None:
        """Refuse an address that cannot be a collector, with the reason beside the field."""
        if self.enabled.isChecked():
            problem = check_url(self.url.text())
            if problem:
                self.error.setText(problem)
                self.error.show()
                return
        super().accept()


class CollectorFeature(QObject):
    """Wires a :class:`CollectorSender` into the window: settings, log column, status bar."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("collectorFeature")
        self.window = window
        self.sender_ = CollectorSender(self)
        settings = window.settings
        url = settings.value("collector/url") if settings is not None else None
        self.url = str(url) if url else DEFAULT_URL
        on = settings is not None and str(settings.value("collector/enabled", "false")) == "true"

        log = window.event_log
        self.column = StatusColumn(self)
        self.column.setSourceModel(log.log_model)
        widths = [log.columnWidth(i) for i in range(log.log_model.columnCount())]
        log.setModel(self.column)
        for i, width in enumerate(widths):
            log.setColumnWidth(i, width)
        extra = len(widths)
        log.setColumnWidth(extra, 70)
        log.horizontalHeader().moveSection(extra, 1)  # beside the time, where it is seen

        self.label = QLabel()
        self.label.setObjectName("collectorStatus")
        self.label.setAccessibleName("Collector")
        window.statusBar().addPermanentWidget(self.label)

        self.action = QAction("Send events to a c&ollector…", window)
        self.action.setObjectName("collectorAction")
        self.action.setToolTip("Send each fired event to a Snowplow collector (off by default)")
        self.action.triggered.connect(self.open_dialog)
        window.addAction(self.action)
        self.dialog: CollectorDialog | None = None

        self.sender_.status.connect(self.column.set_status)
        self.sender_.problem.connect(self._on_problem)
        self.sender_.recovered.connect(self._on_recovered)
        window.host.notified.connect(self._on_note)
        self.set_enabled(on and snowplow_available(), self.url, save=False)

    @property
    def enabled(self) -> bool:
        return self.sender_.url is not None

    def set_enabled(self, on: bool, url: str | None = None, *, save: bool = True) -> None:
        """Turn sending on (to ``url``) or off, and keep the choice in the settings."""
        if url is not None:
            self.url = url.strip()
        if on and check_url(self.url) is not None:
            raise ValueError(check_url(self.url))
        self.sender_.set_url(self.url if on else None)
        self.window.event_log.setColumnHidden(self.column._extra(), not on)
        self._show_label(f"events → {self.url}" if on else "", problem=False)
        settings = self.window.settings
        if save and settings is not None:
            settings.setValue("collector/url", self.url)
            settings.setValue("collector/enabled", "true" if on else "false")

    @Slot()
    def open_dialog(self) -> CollectorDialog:
        if self.dialog is None:
            self.dialog = CollectorDialog(self.enabled, self.url, self.window)
            self.dialog.accepted.connect(self._on_accepted)
            self.dialog.finished.connect(self._forget_dialog)
        self.dialog.open()
        return self.dialog

    @Slot()
    def _on_accepted(self) -> None:
        dialog = self.dialog
        if dialog is None:
            return
        on = dialog.enabled.isChecked()
        self.set_enabled(on, dialog.url.text() or self.url)
        self.window.show_message(
            f"events are sent to {self.url}" if on else "events are no longer sent to a collector"
        )

    @Slot()
    def _forget_dialog(self, *_: object) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
            self.dialog = None

    @Slot(object)
    def _on_note(self, note: Notification) -> None:
        if not isinstance(note, EventTracked) or not self.enabled:
            return
        session = self.window.host.session
        if session is None:
            return
        self.sender_.send(note.event_id, session.policy.context(note.state))

    @Slot(str)
    def _on_problem(self, message: str) -> None:
        self._show_label(f"⚠ {message}", problem=True)
        self.window.show_message(message)

    @Slot(str)
    def _on_recovered(self, url: str) -> None:
        self._show_label(f"events → {url}", problem=False)
        self.window.show_message(f"the collector at {url} answers again")

    def _show_label(self, text: str, *, problem: bool) -> None:
        self.label.setText(text)
        self.label.setToolTip(text)
        self.label.setStyleSheet("color: #dc2626; font-weight: bold;" if problem else "")
        self.label.setVisible(bool(text))

    def shutdown(self) -> None:
        if self.dialog is not None:
            self.dialog.close()
        self.sender_.close()
