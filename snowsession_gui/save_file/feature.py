"""View > Save file: the window's save file as it is on disk and every save it made, with
what each changed and why (a tab beside the event log)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt

from snowsession_gui.widgets.save_file_view import SaveFileView
from snowsession_gui.window.main_window import MainWindow

__all__ = ["SaveFileFeature"]


class SaveFileFeature(QObject):
    """The ``saveFileDock`` of one window, fed by its host's signals."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("saveFileFeature")
        host = window.host
        self.view = SaveFileView(host.now)
        self.dock = window.add_dock(
            "saveFileDock",
            "Save file",
            self.view,
            Qt.DockWidgetArea.BottomDockWidgetArea,
            tab_of="eventLogDock",
        )
        host.startedOver.connect(self.view.start_run)
        host.sessionStarted.connect(self.view.add_start)
        host.fileRead.connect(self.view.add_reading)
        window.paletteChanged.connect(self.view.apply_colors)
        self.view.apply_colors(window.colors)
