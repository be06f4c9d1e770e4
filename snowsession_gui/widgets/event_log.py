"""The event log: one row per tracked event, kept in a model so long runs stay cheap.

Each row keeps what an export needs: the full ids, whether the app was in the background, and
why the event's session started. The log keeps the rows of every run, so the window's own
come back when a scenario stops. Features add columns of their own with
:meth:`EventLog.add_column` (the window's ``add_event_column``): a column says, for an event
id, its text, tooltip and colour, and the handle it gets back tells the log when a row of it
changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Slot
from PySide6.QtGui import QColor, QFont, QFontDatabase
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from session import EventTracked, SessionStarted
from snowsession_gui.model.exports import Row
from snowsession_gui.model.reasons import why_started
from snowsession_gui.model.runs import PerRun, Run
from snowsession_gui.model.units import format_clock

__all__ = ["ColumnHandle", "EventColumn", "EventLog", "EventLogModel", "Row"]

_Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Simulated time", "Event id", "Session index", "Session", "App")


@dataclass(slots=True)
class _RunLog:
    """What the log keeps of one run."""

    rows: list[Row] = field(default_factory=list)
    reasons: dict[str, tuple[str, str]] = field(default_factory=dict)
    """What started each session seen, and why in words, by session id."""


class EventColumn(Protocol):
    """A column a feature adds to the event log, keyed by event id."""

    title: str

    def text(self, event_id: str) -> str: ...

    def tooltip(self, event_id: str) -> str | None: ...

    def color(self, event_id: str) -> str | None:
        """The text colour (``#rrggbb``), or None for the usual one."""
        ...


class EventLogModel(QAbstractTableModel):
    """The rows, and the columns features added after the four of its own."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[Row] = []
        self.columns: list[EventColumn] = []
        self._row_of: dict[str, int] = {}
        self._mono: QFont = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS) + len(self.columns)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = index.column()
        if column >= len(COLUMNS):
            return self._extra(self.columns[column - len(COLUMNS)], row.event_id, role)
        if role == Qt.ItemDataRole.DisplayRole:
            where = "background" if row.background else "foreground"
            shown = (format_clock(row.at), row.event_id, str(row.session_index))
            return (*shown, row.short_session_id, where)[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and column in (1, 3):
            return self._mono  # ids: every one as wide as the next, none cut short
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        return None

    @staticmethod
    def _tooltip(row: Row, column: int) -> str | None:
        if column == 1:
            return row.event_id + (" (its session's first event)" if row.first else "")
        if column == 3:
            why = f"\nstarted by {row.why}" if row.why else ""
            return f"session {row.session_id}\nprevious {row.previous_session_id or 'none'}{why}"
        return None

    @staticmethod
    def _extra(column: EventColumn, event_id: str, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(event_id)
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.tooltip(event_id)
        if role == Qt.ItemDataRole.ForegroundRole:
            color = column.color(event_id)
            return QColor(color) if color else None
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            if section < len(COLUMNS):
                return COLUMNS[section]
            return self.columns[section - len(COLUMNS)].title
        return None

    def add_column(self, column: EventColumn) -> int:
        """Add ``column`` after the others; returns its position in the model."""
        position = self.columnCount()
        self.beginInsertColumns(QModelIndex(), position, position)
        self.columns.append(column)
        self.endInsertColumns()
        return position

    def row_changed(self, column: int, event_id: str) -> None:
        row = self._row_of.get(event_id)
        if row is not None:
            index = self.index(row, column)
            self.dataChanged.emit(index, index)

    def extend(self, rows: Sequence[Row]) -> None:
        """Add the rows of one batch of events, in order."""
        if not rows:
            return
        first = len(self.rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        for offset, row in enumerate(rows):
            self.rows.append(row)
            self._row_of[row.event_id] = first + offset
        self.endInsertRows()

    def show_rows(self, rows: list[Row]) -> None:
        """Show ``rows`` (another run's) in place of those shown now."""
        self.beginResetModel()
        self.rows = rows
        self._row_of = {row.event_id: number for number, row in enumerate(rows)}
        self.endResetModel()


class ColumnHandle:
    """What a feature keeps of the column it added: say a row changed, show or hide it."""

    def __init__(self, log: EventLog, position: int) -> None:
        self._log = log
        self.position = position

    def changed(self, event_id: str) -> None:
        """The column's value for ``event_id`` changed: redraw that cell."""
        self._log.log_model.row_changed(self.position, event_id)

    def set_visible(self, visible: bool) -> None:
        self._log.setColumnHidden(self.position, not visible)

    @property
    def visible(self) -> bool:
        return not self._log.isColumnHidden(self.position)


class EventLog(QTableView):
    """A table of tracked events (objectName ``eventLog``) that keeps the newest in view."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("eventLog")
        self.setAccessibleName("Event log")
        self.setToolTip("Every tracked event with the session it belongs to")
        self.log_model = EventLogModel(self)
        self.setModel(self.log_model)
        self._runs: PerRun[_RunLog] = PerRun(_RunLog)
        self.log_model.rows = self._runs.current.rows
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(22)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # a narrow dock keeps both ends
        header = self.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)  # the event id

    def add_column(self, column: EventColumn, position: int | None = None) -> ColumnHandle:
        """Add a column; ``position`` is where it is shown (default: last)."""
        index = self.log_model.add_column(column)
        header = self.horizontalHeader()
        header.setSectionResizeMode(index, QHeaderView.ResizeMode.ResizeToContents)
        if position is not None:
            header.moveSection(header.visualIndex(index), position)
        return ColumnHandle(self, index)

    @Slot(object)
    def start_run(self, run: Run) -> None:
        """Show the rows of ``run`` (kept from before, or none yet)."""
        if self._runs.switch(run):
            self.log_model.show_rows(self._runs.current.rows)
            self.scrollToBottom()

    @Slot(object)
    def add_start(self, note: SessionStarted) -> None:
        """A new session: its events will say why it started."""
        self._runs.current.reasons[note.new.session_id] = (note.reason.value, why_started(note))

    @Slot(object)
    def add_events(self, notes: Sequence[EventTracked]) -> None:
        """The events of one batch (the host's ``eventsTracked``)."""
        bar = self.verticalScrollBar()
        at_end = bar.value() >= bar.maximum() - 2
        first = not self.log_model.rows
        reasons = self._runs.current.reasons
        rows = [
            Row(
                note.at,
                note.event_id,
                note.state.session_index,
                note.state.session_id,
                note.state.previous_session_id,
                note.state.user_id,
                note.background,
                note.first,
                *reasons.get(note.state.session_id, ("", "")),
            )
            for note in notes
        ]
        self.log_model.extend(rows)
        if first and notes:  # the columns fit the rows, not only their titles
            header = self.horizontalHeader()
            for column in range(self.log_model.columnCount()):
                if header.sectionResizeMode(column) == QHeaderView.ResizeMode.ResizeToContents:
                    self.resizeColumnToContents(column)
        if at_end:
            self.scrollToBottom()

    @property
    def rows(self) -> list[Row]:
        """The rows of the run in force."""
        return self.log_model.rows
