"""The monitor windows a main window opened (each deletes itself when closed)."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt

if TYPE_CHECKING:
    from .window import MonitorWindow

__all__ = ["Monitors"]


class Monitors(QObject):
    """Opens read-only monitor windows and closes them all when asked."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.windows: list[MonitorWindow] = []

    def open(self, path: str | Path) -> MonitorWindow:
        from .window import MonitorWindow  # made when first asked for, not at the start

        window = MonitorWindow(path)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.destroyed.connect(partial(self._forget, window))
        self.windows.append(window)
        window.show()
        return window

    def _forget(self, window: MonitorWindow, *_: object) -> None:
        if window in self.windows:
            self.windows.remove(window)

    def close_all(self) -> None:
        for window in list(self.windows):
            window.close()
