"""The "send events to a collector" setting: its dialog, the event log's Status column, and the
status bar message when the collector cannot be reached."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from session import EventTracked
from session.trackers.protocol import DEFAULT_PORT
from snowsession_gui.model.settings_names import COLLECTOR_ENABLED_KEY, COLLECTOR_URL_KEY
from snowsession_gui.widgets.event_log import ColumnHandle
from snowsession_gui.widgets.menus import Section
from snowsession_gui.widgets.palette import LIGHT, Colors, text_style
from snowsession_gui.window.main_window import MainWindow

from .sender import INSTALL_HINT, CollectorSender, check_url, snowplow_available

__all__ = ["CollectorDialog", "CollectorFeature", "StatusColumn"]

DEFAULT_URL = f"http://localhost:{DEFAULT_PORT}"


class StatusColumn:
    """The event log's *Status* column: each event's send status, its reason on hover."""

    title = "Status"

    def __init__(self) -> None:
        self.statuses: dict[str, tuple[str, str]] = {}
        self.colors: Colors = LIGHT

    def text(self, event_id: str) -> str:
        return self.statuses.get(event_id, ("", ""))[0]

    def tooltip(self, event_id: str) -> str | None:
        return self.statuses.get(event_id, ("", ""))[1] or None

    def color(self, event_id: str) -> str | None:
        status = self.text(event_id)
        c = self.colors
        return {"sending": c.pending, "sent": c.passed, "failed": c.problem}.get(status)


class CollectorDialog(QDialog):
    """Turn sending on or off and set the collector's address (objectName ``collectorDialog``)."""

    def __init__(
        self, enabled: bool, url: str, colors: Colors = LIGHT, parent: QWidget | None = None
    ) -> None:
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
        self.error.setStyleSheet(text_style(colors.problem))
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
        self.enabled.setEnabled(available)
        self.url.setEnabled(available)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        caption = QLabel("Collector address")
        caption.setBuddy(self.url)
        widgets: tuple[QWidget, ...] = (self.install_hint, self.enabled, caption, self.url)
        for widget in widgets:
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
    """Wires a :class:`CollectorSender` into the window: settings, log column, status bar.

    It sends the events of the window's own session; a scenario's events (on a scratch file,
    thousands at a time) are not sent.
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("collectorFeature")
        self.window = window
        self.sender_ = CollectorSender(self)
        settings = window.settings
        url = settings.value(COLLECTOR_URL_KEY) if settings is not None else None
        self.url = str(url) if url else DEFAULT_URL
        on = settings is not None and str(settings.value(COLLECTOR_ENABLED_KEY, "false")) == "true"

        self.column = StatusColumn()
        self.handle: ColumnHandle = window.add_event_column(self.column, position=1)

        self.label = QLabel()
        self.label.setObjectName("collectorStatus")
        self.label.setAccessibleName("Collector")
        window.add_status_widget(self.label)

        self.action = QAction("Send events to a c&ollector…", window)
        self.action.setObjectName("collectorAction")
        self.action.setToolTip("Send each fired event to a Snowplow collector (off by default)")
        self.action.triggered.connect(self.open_dialog)
        window.add_menu_action(Section.SIMULATE_POLICY, self.action)
        self.dialog: CollectorDialog | None = None
        self._problem = False

        self.sender_.status.connect(self._on_status)
        self.sender_.problem.connect(self._on_problem)
        self.sender_.recovered.connect(self._on_recovered)
        window.host.eventsTracked.connect(self._on_events)
        window.paletteChanged.connect(self.apply_colors)
        window.closing.connect(self.shutdown)
        self.apply_colors(window.colors)
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
        self.handle.set_visible(on)
        self._show_label(f"events → {self.url}" if on else "", problem=False)
        settings = self.window.settings
        if save and settings is not None:
            settings.setValue(COLLECTOR_URL_KEY, self.url)
            settings.setValue(COLLECTOR_ENABLED_KEY, "true" if on else "false")

    @Slot()
    def open_dialog(self) -> CollectorDialog:
        if self.dialog is None:
            self.dialog = CollectorDialog(self.enabled, self.url, self.window.colors, self.window)
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
    def _on_events(self, notes: Sequence[EventTracked]) -> None:
        if not self.enabled or self.window.host.scenario is not None:
            return
        for note in notes:
            self.sender_.send(note.event_id, note.context)

    @Slot(str, str, str)
    def _on_status(self, event_id: str, status: str, detail: str) -> None:
        self.column.statuses[event_id] = (status, detail)
        self.handle.changed(event_id)

    @Slot(str)
    def _on_problem(self, message: str) -> None:
        self._show_label(f"⚠ {message}", problem=True)
        self.window.show_message(message)

    @Slot(str)
    def _on_recovered(self, url: str) -> None:
        self._show_label(f"events → {url}", problem=False)
        self.window.show_message(f"the collector at {url} answers again")

    def _show_label(self, text: str, *, problem: bool) -> None:
        self._problem = problem
        self.label.setText(text)
        self.label.setToolTip(text)
        colors = self.column.colors
        self.label.setStyleSheet(text_style(colors.problem, bold=True) if problem else "")
        self.label.setVisible(bool(text))

    @Slot(object)
    def apply_colors(self, colors: Colors) -> None:
        self.column.colors = colors
        if self._problem:
            self.label.setStyleSheet(text_style(colors.problem, bold=True))

    @Slot()
    def shutdown(self) -> None:
        if self.dialog is not None:
            self.dialog.close()
        self.sender_.close()
