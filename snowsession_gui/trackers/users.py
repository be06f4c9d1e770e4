"""The users of the tracker lanes, to find and pick one: a filter by part of the id, *Only
with findings*, and a list (a user a row: its short id, sessions and findings). For a large
input the list is what was asked of it (the worst users, or those found), not every user."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from session.audit.report import ChainReport, UserReport
from session.audit.result import UserCount
from snowsession_gui.model.tracker_data import Lake
from snowsession_gui.model.tracker_words import short_user_id
from snowsession_gui.widgets.palette import LIGHT, Colors

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
        self.report = ChainReport()
        self.filter = QLineEdit()
        self.filter.setObjectName("userFilter")
        self.filter.setPlaceholderText("Find a user")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._on_filter)
        self.only_findings = QCheckBox("Only with findings")
        self.only_findings.setObjectName("onlyFindings")
        self.only_findings.toggled.connect(self._on_filter)
        self.note = QLabel()
        self.note.setObjectName("userListNote")
        self.note.setWordWrap(True)
        self.note.hide()
        self.users = QListWidget()
        self.users.setObjectName("userList")
        self.users.setAccessibleName("Users")
        self.users.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.users.setMinimumHeight(60)
        self.users.currentItemChanged.connect(self._on_current)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.listed: tuple[UserCount, ...] | None = None
        """A large input's users as asked of it (None: the report's own users are listed)."""
        for widget in (self.filter, self.only_findings, self.note, self.users):
            layout.addWidget(widget)
        self.setMinimumWidth(150)

    def shown_users(self, report: ChainReport) -> list[str]:
        """The users of ``report`` the filter lets through, in its order (first seen first)."""
        text = self.filter.text().strip().lower()
        only = self.only_findings.isChecked()
        return [
            user.user_id
            for user in report.users
            if (not text or text in user.user_id.lower()) and (not only or user.findings)
        ]

    def show_users(self, report: ChainReport, selected: str | None) -> list[str]:
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

    def show_listed(self, lake: Lake, users: int, selected: str | None) -> None:
        """List the users a large input gave (worst first, of ``users`` in all), ``selected``
        current, and say which they are. ``picked`` is not emitted."""
        self.listed = lake.users
        listed = len(lake.users)
        self.note.setText(
            f"{listed} user(s) whose id holds “{lake.search}”, most findings first"
            if lake.search
            else f"The {listed} user(s) with most findings, of {users:,}"
        )
        self.note.show()
        rows = self.users
        rows.blockSignals(True)
        try:
            rows.clear()
            for user in self.listed:
                item = QListWidgetItem()
                self._describe(item, user)
                rows.addItem(item)
            ids = [user.user_id for user in self.listed]
            rows.setCurrentRow(ids.index(selected) if selected in ids else -1)
        finally:
            rows.blockSignals(False)

    def show_all(self) -> None:
        """List the report's users again (a capture, or the collector)."""
        self.listed = None
        self.note.hide()

    def _describe(self, item: QListWidgetItem, user: UserReport | UserCount | None) -> None:
        if user is None:
            return
        if isinstance(user, UserCount):
            found, sessions = user.findings, user.sessions
        else:
            found, sessions = len(user.findings), len(user.sessions)
        text = f"{short_user_id(user.user_id)}\n{sessions} session(s) · " + (
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
        listed = {user.user_id: user for user in self.listed or ()}
        for row in range(self.users.count()):
            item = self.users.item(row)
            user_id = str(item.data(Qt.ItemDataRole.UserRole))
            self._describe(item, listed.get(user_id) or self.report.user(user_id))
