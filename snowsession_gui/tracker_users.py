"""The users of the tracker lanes, to find and pick one: a filter by part of the id, *Only
with findings*, and a list (a user a row: its short id, sessions and findings)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from session.trackers import Report, UserReport

from .palette import LIGHT, Colors
from .tracker_words import short_id

__all__ = ["UserPicker"]


class UserPicker(QWidget):
    """Finds and picks a user (objectNames ``userFilter``, ``onlyFindings``, ``userList``).

    Signals: ``picked(user_id)`` when a row is chosen; ``filterChanged()`` when the users
    let through may have changed.
    """

    picked = Signal(str)
    filterChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("userPicker")
        self.colors = LIGHT
        self.report = Report()
        self.filter = QLineEdit()
        self.filter.setObjectName("userFilter")
        self.filter.setPlaceholderText("Find a user")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._on_filter)
        self.only_findings = QCheckBox("Only with findings")
        self.only_findings.setObjectName("onlyFindings")
        self.only_findings.toggled.connect(self._on_filter)
        self.users = QListWidget()
        self.users.setObjectName("userList")
        self.users.setAccessibleName("Users")
        self.users.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.users.setMinimumHeight(60)
        self.users.currentItemChanged.connect(self._on_current)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.filter, self.only_findings, self.users):
            layout.addWidget(widget)
        self.setMinimumWidth(150)

    def shown_users(self, report: Report) -> list[str]:
        """The users of ``report`` the filter lets through, in its order (first seen first)."""
        text = self.filter.text().strip().lower()
        only = self.only_findings.isChecked()
        return [
            user.user_id
            for user in report.users
            if (not text or text in user.user_id.lower()) and (not only or user.findings)
        ]

    def show_users(self, report: Report, selected: str | None) -> list[str]:
        """List the users of ``report`` the filter lets through, ``selected`` current; returns
        them. Rows are reused and ``picked`` is not emitted."""
        self.report = report
        wanted = self.shown_users(report)
        users = self.users
        users.blockSignals(True)
        try:
            while users.count() > len(wanted):
                users.takeItem(users.count() - 1)
            for row, user_id in enumerate(wanted):
                item = users.item(row) if row < users.count() else None
                if item is None:
                    item = QListWidgetItem()
                    users.addItem(item)
                self._describe(item, report.user(user_id))
            users.setCurrentRow(wanted.index(selected) if selected in wanted else -1)
        finally:
            users.blockSignals(False)
        return wanted

    def _describe(self, item: QListWidgetItem, user: UserReport | None) -> None:
        if user is None:
            return
        found = len(user.findings)
        text = f"{short_id(user.user_id)}\n{len(user.sessions)} session(s) · " + (
            f"⚠ {found} finding(s)" if found else "no findings"
        )
        if item.text() != text:
            item.setText(text)
            item.setData(Qt.ItemDataRole.UserRole, user.user_id)
            item.setToolTip(user.user_id)
        color = self.colors.problem if found else self.colors.foreground
        item.setForeground(QBrush(QColor(color)))

    @Slot()
    def _on_filter(self, *_: object) -> None:
        self.filterChanged.emit()

    @Slot(object, object)
    def _on_current(self, current: QListWidgetItem | None, _previous: object) -> None:
        if current is not None:
            self.picked.emit(str(current.data(Qt.ItemDataRole.UserRole)))

    def apply_colors(self, colors: Colors) -> None:
        self.colors = colors
        for row in range(self.users.count()):
            item = self.users.item(row)
            self._describe(item, self.report.user(str(item.data(Qt.ItemDataRole.UserRole))))
