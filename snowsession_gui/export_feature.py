"""File > Export: the timeline as PNG or CSV, the event log as CSV or JSON.

Each is offered beside the window's own save file (never in a scenario's scratch folder,
which is deleted when the scenario stops), written whole or not at all, and a failure is a
message, never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QFileDialog

from session import SessionStarted

from .exports import Row, event_log_csv, event_log_json, session_starts, write_text
from .main_window import MainWindow
from .menus import Section, make_action

__all__ = ["ExportFeature"]


class ExportFeature(QObject):
    """The four exports of one window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("exportFeature")
        self.window = window
        for text, slot, name in (
            ("Export timeline as &PNG…", self.choose_timeline_png, "exportPngAction"),
            ("Export timeline as &CSV…", self.choose_timeline_csv, "exportCsvAction"),
            ("Export event log as CS&V…", self.choose_log_csv, "exportLogCsvAction"),
            ("Export event log as &JSON…", self.choose_log_json, "exportLogJsonAction"),
        ):
            window.add_menu_action(Section.FILE_EXPORT, make_action(window, text, slot, None, name))

    def folder(self) -> Path:
        """Where exports are offered: beside the window's own save file."""
        return self.window.host.home.path.parent

    def _choose(self, title: str, name: str, kind: str, write: Callable[[Path], bool]) -> None:
        path, _ = QFileDialog.getSaveFileName(self.window, title, str(self.folder() / name), kind)
        if path:
            write(Path(path))

    @Slot()
    def choose_timeline_png(self) -> None:
        self._choose("Export the timeline", "timeline.png", "PNG (*.png)", self.export_png)

    @Slot()
    def choose_timeline_csv(self) -> None:
        self._choose("Export the timeline", "timeline.csv", "CSV (*.csv)", self.export_csv)

    @Slot()
    def choose_log_csv(self) -> None:
        self._choose("Export the event log", "event-log.csv", "CSV (*.csv)", self.export_log_csv)

    @Slot()
    def choose_log_json(self) -> None:
        self._choose(
            "Export the event log", "event-log.json", "JSON (*.json)", self.export_log_json
        )

    def export_png(self, path: str | Path) -> bool:
        return self._export(path, lambda: self.window.timeline.export_png(path))

    def export_csv(self, path: str | Path) -> bool:
        return self._export(path, lambda: self.window.timeline.export_csv(path))

    def export_log_csv(self, path: str | Path) -> bool:
        return self._export(path, lambda: write_text(path, event_log_csv(*self._log())))

    def export_log_json(self, path: str | Path) -> bool:
        return self._export(path, lambda: write_text(path, event_log_json(*self._log())))

    def _log(self) -> tuple[list[Row], dict[str, SessionStarted]]:
        """The events, and the start of each of their sessions (from the timeline's data)."""
        return self.window.event_log.rows, session_starts(self.window.timeline.data.starts)

    def _export(self, path: str | Path, write: Callable[[], None]) -> bool:
        try:
            write()
        except OSError as error:
            self.window.show_error(
                "Export failed", f"could not write {path}: {error.strerror or error}"
            )
            return False
        self.window.show_message(f"exported {path}")
        return True
