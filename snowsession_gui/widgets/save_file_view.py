"""The save file view: the file on disk now (its XML, indented, and what a .NET app would do
with it) and every save seen, with what it changed (old → new) and why.

Used by the main window (fed by the host's ``fileRead`` and ``sessionStarted``, one history
per run) and by the monitor (fed by its watcher). Selecting a save shows the file as it was
then. It only reads what it is given; it never opens the file itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelection,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Slot,
)
from PySide6.QtGui import QColor, QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from session import SessionStarted
from session.storage.report import FileState, Report
from snowsession_gui.model.reasons import why_started
from snowsession_gui.model.runs import PerRun, Run
from snowsession_gui.model.save_history import SaveEntry, SaveHistory
from snowsession_gui.model.units import format_clock

from .palette import LIGHT, Colors, text_style

__all__ = ["SaveFileView", "SaveHistoryModel"]

_Index = QModelIndex | QPersistentModelIndex
HEADERS = ("Time", "What changed", "What happened")


class SaveHistoryModel(QAbstractTableModel):
    """The saves of one :class:`SaveHistory`, oldest first."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history = SaveHistory()
        self.colors: Colors = LIGHT

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.history.entries)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        entry = self.history.entries[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (format_clock(entry.at), entry.changed_text(), entry.what)[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 1:
                return "\n".join(c.whole() for c in entry.changes) or None
            return f"{entry.what}\nA .NET app {entry.dotnet}"
        if role == Qt.ItemDataRole.ForegroundRole and entry.state not in (
            FileState.OK,
            FileState.MISSING,
        ):
            return QColor(self.colors.problem)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None

    def show_history(self, history: SaveHistory) -> None:
        self.beginResetModel()
        self.history = history
        self.endResetModel()

    def add(self, at: float, report: Report, what: str | None) -> SaveEntry | None:
        count = len(self.history.entries)
        entry = self.history.add(at, report, what)
        if entry is not None:
            self.beginInsertRows(QModelIndex(), count, count)
            self.endInsertRows()
        return entry


def _header_text(report: Report) -> str:
    name = report.path.name
    if report.state == FileState.MISSING:
        return f"{name}: no file yet · a .NET app {report.dotnet_verdict}"
    if report.state in (FileState.UNREADABLE, FileState.FOREIGN):
        return f"{name}: {report.error}"
    size = f"{report.size:,} bytes" if report.size is not None else "size unknown"
    lines = (report.data or b"").count(b"\n")
    shape = "one line, as the .NET serializer writes it" if not lines else f"{lines + 1} lines"
    return (
        f"{name} · {size}, {shape} · a .NET app {report.dotnet_verdict} · this engine "
        f"{report.engine_verdict}"
    )


class SaveFileView(QWidget):
    """``saveFileHeader``, the ``saveHistory`` table and the ``saveFileXml`` text.

    ``now`` gives the time each look is stamped with (the timeline's time).
    """

    def __init__(self, now: Callable[[], float], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("saveFileView")
        self._now = now
        self._runs: PerRun[SaveHistory] = PerRun(SaveHistory)
        self.colors: Colors = LIGHT
        self.header = QLabel("")
        self.header.setObjectName("saveFileHeader")
        self.header.setAccessibleName("The save file now")
        self.header.setWordWrap(True)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.model = SaveHistoryModel(self)
        self.model.history = self._runs.current
        self.table = QTableView()
        self.table.setObjectName("saveHistory")
        self.table.setAccessibleName("Every save seen, with what it changed")
        self.table.setToolTip("Each save seen: when, what happened and which values changed")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(22)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.resizeSection(1, 220)
        self.caption = QLabel("")
        self.caption.setObjectName("saveXmlCaption")
        self.caption.setWordWrap(True)
        self.xml = QPlainTextEdit()
        self.xml.setObjectName("saveFileXml")
        self.xml.setAccessibleName("The save file's XML")
        self.xml.setReadOnly(True)
        self.xml.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.xml.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.xml.setPlaceholderText("No file yet: the engine writes one at its first session.")
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.caption)
        right_layout.addWidget(self.xml, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self.header)
        layout.addWidget(self.splitter, 1)
        self.table.selectionModel().selectionChanged.connect(self._on_selected)

    @property
    def history(self) -> SaveHistory:
        """The saves of the run in force."""
        return self.model.history

    # ------------------------------------------------------------ feeding

    @Slot(object)
    def start_run(self, run: Run) -> None:
        """Show the saves of ``run`` (kept from before, or none yet)."""
        if self._runs.switch(run):
            self.model.show_history(self._runs.current)
            self._show_now()

    @Slot(object)
    def add_start(self, note: SessionStarted) -> None:
        """Why a session started, shown with the save that holds it."""
        self.history.reasons[note.new.session_index] = why_started(note)
        self.history.started[note.new.session_index] = note.at

    @Slot(object)
    def add_reading(self, report: Report, what: str | None = None) -> None:
        """A look at the file: a row if it changed, and the file now."""
        bar = self.table.verticalScrollBar()
        at_end = bar.value() >= bar.maximum() - 2
        if self.model.add(self._now(), report, what) is None:
            return
        if at_end:
            self.table.scrollToBottom()
        if not self.table.selectionModel().hasSelection():
            self._show_now()

    # ------------------------------------------------------------ showing

    def _show_now(self) -> None:
        report = self.history.last
        self._show_header(report)
        entries = self.history.entries
        self.caption.setText("On disk now (select a save to see it as it was then)")
        self._set_xml(entries[-1].xml if entries else None)

    def _show_header(self, report: Report | None) -> None:
        self.header.setText("" if report is None else _header_text(report))
        bad = report is not None and report.state not in (FileState.OK, FileState.MISSING)
        self.header.setStyleSheet(text_style(self.colors.problem, bold=True) if bad else "")

    def _set_xml(self, text: str | None) -> None:
        text = text or ""
        if self.xml.toPlainText() != text:
            self.xml.setPlainText(text)

    @Slot(QItemSelection, QItemSelection)
    def _on_selected(self, *_: object) -> None:
        rows = self.table.selectionModel().selectedRows()
        entries = self.history.entries
        if not rows or rows[0].row() >= len(entries):
            self._show_now()
            return
        number = rows[0].row()
        entry = entries[number]
        latest = number == len(entries) - 1
        when = "On disk now" if latest else f"As saved at {format_clock(entry.at)}"
        kept = "" if entry.xml is not None else " (too old: only what it changed is kept)"
        self.caption.setText(f"{when}{kept}")
        self._set_xml(entry.xml)

    def apply_colors(self, colors: Colors) -> None:
        self.colors = self.model.colors = colors
        self._show_header(self.history.last)
        self.table.viewport().update()
