"""One user's chain of sessions and its findings, as ``snowsession sessions`` reports them:
a session a row (index, ids whole, events, first and last event times in UTC, the idle time
before it and the timeout it exceeded), then each finding with its message."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from session.audit.report import UserReport, iso_time
from snowsession_gui.model.tracker_words import duration, finding_line, finding_text
from snowsession_gui.widgets.palette import LIGHT, Colors

__all__ = ["COLUMNS", "ChainView"]

COLUMNS = (
    "Index",
    "Session",
    "Previous session",
    "First event",
    "Events",
    "First event time (UTC)",
    "Last event time (UTC)",
    "Idle before",
    "Timeout exceeded",
)


class ChainView(QWidget):
    """The chain of the user given to :meth:`show_user` (objectNames ``chainTable``,
    ``findingsList``, ``chainTitle``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chainView")
        self.user: UserReport | None = None
        self.colors = LIGHT
        self.title = QLabel("Pick a user to see its chain of sessions.")
        self.title.setTextFormat(Qt.TextFormat.PlainText)  # file names, ids, typed text
        self.title.setObjectName("chainTitle")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.title.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("chainTable")
        self.table.setAccessibleName("Chain of sessions")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setMinimumHeight(70)
        self.findings = QListWidget()
        self.findings.setMinimumHeight(70)
        self.findings.setObjectName("findingsList")
        self.findings.setAccessibleName("Findings")
        self.findings.setWordWrap(True)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("chainTabs")
        self.tabs.addTab(self.table, "Sessions")
        self.tabs.addTab(self.findings, "Findings")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.tabs, 1)

    def show_user(self, user: UserReport | None) -> None:
        """Show ``user``'s chain (None: nobody picked); nothing is redone when it is unchanged."""
        if user == self.user and user is not None:
            return
        self.user = user
        if user is None:
            self.title.setText("Pick a user to see its chain of sessions.")
            self.table.setRowCount(0)
            self.findings.clear()
            self.tabs.setTabText(1, "Findings")
            return
        repeats = f", {user.duplicates} repeated event(s) dropped" if user.duplicates else ""
        self.title.setText(
            f"User {user.user_id}: {len(user.sessions)} session(s), {user.events} event(s)"
            f"{repeats}, {len(user.findings)} finding(s)"
        )
        self.table.setRowCount(len(user.sessions))
        for row, s in enumerate(user.sessions):
            cells = (
                str(s.index),
                s.session_id,
                s.previous_session_id or "-",
                s.first_event_id or "-",
                str(s.events),
                iso_time(s.first_time) or "",
                iso_time(s.last_time) or "",
                "" if s.idle_before is None else duration(s.idle_before),
                s.exceeded or "",
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column in (0, 4, 7):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if column == 7 and s.idle_before is not None:
                    item.setData(Qt.ItemDataRole.UserRole, s.idle_before)
                self.table.setItem(row, column, item)
        self.findings.clear()
        for finding in user.findings:
            line = QListWidgetItem(f"⚠ {finding_line(finding)}")
            line.setToolTip(finding_text(finding))
            line.setData(Qt.ItemDataRole.UserRole, finding.kind)
            line.setForeground(QBrush(QColor(self.colors.problem)))
            self.findings.addItem(line)
        self.tabs.setTabText(1, f"Findings ({len(user.findings)})")

    def rows(self) -> list[list[str]]:
        """The table's text, a row a session (for tests and automation)."""
        return [
            [self._cell(row, column) for column in range(self.table.columnCount())]
            for row in range(self.table.rowCount())
        ]

    def _cell(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return "" if item is None else item.text()

    def apply_colors(self, colors: Colors) -> None:
        self.colors = colors
        for row in range(self.findings.count()):
            self.findings.item(row).setForeground(QBrush(QColor(colors.problem)))
