"""The event log: one row per tracked event, kept in a model so long runs stay cheap."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Slot,
)
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from session import EventTracked, Notification

from .sim_clock import format_clock

__all__ = ["EventLog", "EventLogModel"]

_Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Simulated time", "Event id", "Session index", "Session")


class EventLogModel(QAbstractTableModel):
    """Rows of ``(time, event id, session index, short session id)``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[tuple[float, str, int, str]] = []

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        at, event_id, session_index, session = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (format_clock(at), event_id, str(session_index), session)[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column == 1:
            return event_id
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def append(self, note: EventTracked) -> None:
        row = len(self.rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self.rows.append(
            (note.at, note.event_id, note.state.session_index, note.state.short_session_id)
        )
        self.endInsertRows()

    def extend(self, rows: list[tuple[float, str, int, str]]) -> None:
        """Add many rows at once (a scenario's events, after each step of time)."""
        if rows:
            first = len(self.rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self.rows.extend(rows)
            self.endInsertRows()

    def clear(self) -> None:
        self.beginResetModel()
        self.rows.clear()
        self.endResetModel()


class EventLog(QTableView):
    """A table of tracked events (objectName ``eventLog``) that keeps the newest in view."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("eventLog")
        self.setAccessibleName("Event log")
        self.setToolTip("Every tracked event with the session it belongs to")
        self.log_model = EventLogModel(self)
        self.setModel(self.log_model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(22)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # a narrow dock keeps both ends

    def setModel(self, model: QAbstractItemModel | None) -> None:
        """Every model (the log's, or a proxy adding columns) gets the same column sizing."""
        super().setModel(model)
        header = self.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)  # the event id

    @Slot(object)
    def on_note(self, note: Notification) -> None:
        if isinstance(note, EventTracked):
            bar = self.verticalScrollBar()
            at_end = bar.value() >= bar.maximum() - 2
            self.log_model.append(note)
            if at_end:
                self.scrollToBottom()

    def clear(self) -> None:
        self.log_model.clear()
