"""Where the Trackers dock's events come from, in a line: what is shown or being read, and
while a read is under way, how far it is with *Cancel* beside."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

__all__ = ["SourceLine"]


class SourceLine(QWidget):
    """The source's status (``trackerStatus``), the read's progress (``readProgress``) and
    *Cancel* (``cancelReadButton``). Signal ``cancelled()`` when *Cancel* is pressed."""

    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sourceLine")
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # file names, ids, typed text
        self.status.setObjectName("trackerStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress = QProgressBar()
        self.progress.setObjectName("readProgress")
        self.progress.setAccessibleName("How far the read is")
        self.progress.setMaximumWidth(160)
        self.progress.setFormat("%p%")
        self.progress.hide()
        self.cancel = QPushButton("Cancel")
        self.cancel.setObjectName("cancelReadButton")
        self.cancel.setToolTip("Stop reading (what was shown before stays)")
        self.cancel.clicked.connect(self.cancelled)
        self.cancel.hide()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.status, 1)
        row.addWidget(self.progress)
        row.addWidget(self.cancel)

    def show_progress(self, share: float | None) -> None:
        """A read under way: how far (0 to 1; below 0, not known yet), with *Cancel* beside;
        None: no read, both hidden."""
        self.progress.setVisible(share is not None)
        self.cancel.setVisible(share is not None)
        if share is not None:
            self.progress.setRange(0, 0 if share < 0 else 1000)
            self.progress.setValue(max(0, round(share * 1000)))
