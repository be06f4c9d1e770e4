"""The monitor's *File state* form: what the save file holds, as the last look found it."""

from __future__ import annotations

import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from session.storage.report import Report
from snowsession_gui.widgets.palette import LIGHT, Colors, text_style
from snowsession_gui.widgets.state_panel import session_index_label

__all__ = ["FileStateForm", "wall_text"]

_FIELDS = (
    ("userIdValue", "User id"),
    ("sessionIdValue", "Session id"),
    ("previousSessionIdValue", "Previous session id"),
    ("fileChangedValue", "File changed"),
    ("fileProblemValue", "Problem"),
    ("dotnetVerdictValue", "A .NET app"),
)
"""The fields after the session index: objectName, title."""


def wall_text(stamp: float | None) -> str:
    """A wall-clock time for people (``—`` for none)."""
    if stamp is None:
        return "—"
    return datetime.datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M:%S")


def _field(name: str, title: str) -> QLabel:
    """A value of the form; ids read whole, in the state panel's font."""
    label = QLabel("—")
    label.setObjectName(name)
    label.setAccessibleName(title)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if name.endswith("IdValue"):
        label.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    else:
        label.setWordWrap(True)
    return label


class FileStateForm(QWidget):
    """The session index, ids, change time, problems and the .NET verdict of one look
    (objectName ``monitorState``; each value keeps its own objectName)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("monitorState")
        self.index_value = session_index_label(self)
        self.fields: dict[str, QLabel] = {}
        self._colors: Colors = LIGHT
        self._bad = False
        form = QFormLayout(self)
        form.addRow("Session index", self.index_value)
        for name, title in _FIELDS:
            label = self.fields[name] = _field(name, title)
            form.addRow(title, label)

    def show_report(self, report: Report) -> None:
        """Show what ``report`` found."""
        saved = report.saved
        index = saved.session_index if saved is not None else None
        self.index_value.setText("—" if index is None else str(index))
        f = self.fields
        f["userIdValue"].setText((saved.user_id if saved else None) or "—")
        f["sessionIdValue"].setText((saved.session_id if saved else None) or "—")
        f["previousSessionIdValue"].setText((saved.previous_session_id if saved else None) or "—")
        f["fileChangedValue"].setText(wall_text(report.modified))
        problems = report.problems
        f["fileProblemValue"].setText("; ".join(problems) if problems else "none")
        f["dotnetVerdictValue"].setText(report.dotnet_verdict)
        self._bad = bool(problems)
        self.apply_colors(self._colors)

    def apply_colors(self, colors: Colors) -> None:
        self._colors = colors
        style = text_style(colors.problem) if self._bad else ""
        self.fields["fileProblemValue"].setStyleSheet(style)
