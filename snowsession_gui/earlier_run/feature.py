"""View > Earlier run: a run the window left (before a scenario, a scenario after Stop, a
file opened before) drawn under the timeline of the run in force, to compare the two."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Slot

from snowsession_gui.window.main_window import MainWindow

from .view import EarlierRunView

__all__ = ["EarlierRunFeature"]


class EarlierRunFeature(QObject):
    """The ``earlierRunDock`` of one window, fed by its timeline's ``earlierRuns``."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("earlierRunFeature")
        self.view = EarlierRunView()
        self.dock = window.add_dock(
            "earlierRunDock",
            "Earlier run",
            self.view,
            Qt.DockWidgetArea.BottomDockWidgetArea,
            tab_of="eventLogDock",
        )
        window.on_earlier_runs(self.view.set_runs)
        window.paletteChanged.connect(self.view.apply_colors)
        window.closing.connect(self._on_closing)
        self.view.apply_colors(window.colors)

    @Slot()
    def _on_closing(self) -> None:
        self.view.stop()
