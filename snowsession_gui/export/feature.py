"""File > Export: the timeline as PNG or CSV, the event log as CSV or JSON.

Each is offered beside the window's own save file (never in a scenario's scratch folder,
which is deleted when the scenario stops), written whole or not at all, and a failure is a
message, never a traceback.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtWidgets import QFileDialog

from snowsession_gui.model.exports import event_log_csv, event_log_json, write_text
from snowsession_gui.model.units import format_clock, format_seconds
from snowsession_gui.timeline.picture import Heading, png_bytes
from snowsession_gui.timeline.view import EXPORT_SIZE
from snowsession_gui.widgets.menus import Section, make_action
from snowsession_gui.widgets.palette import LIGHT
from snowsession_gui.window.main_window import MainWindow

from .png_dialog import PngDialog

if TYPE_CHECKING:
    from snowsession_gui.model.html_report import RunReport

__all__ = ["REPORT_SIZE", "ExportFeature"]

REPORT_SIZE = (1200, 600)
"""The report's picture: about the width of the page, so its labels read at their size."""


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
            ("Export &report (HTML)…", self.choose_report, "exportReportAction"),
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
    def choose_timeline_png(self) -> PngDialog:
        """Ask for the size and title, then where to write it."""
        dialog = PngDialog(self.default_title(), self.window.colors, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(partial(self._png_chosen, dialog))
        self.window.keep_dialog(dialog)
        dialog.open()
        return dialog

    def _png_chosen(self, dialog: PngDialog) -> None:
        size, title = dialog.size_chosen(), dialog.title.text().strip()
        assert size is not None  # the dialog accepts only a size it can draw
        self._choose(
            "Export the timeline",
            "timeline.png",
            "PNG (*.png)",
            lambda path: self.export_png(path, size, title),
        )

    def default_title(self) -> str:
        """The scenario's name while one is in charge, else the save file's."""
        scenario = self.window.host.scenario
        return scenario.name if scenario is not None else self.window.host.home.path.name

    def heading(self, title: str) -> Heading:
        """``title`` and a line saying what is in force and which times are shown."""
        host = self.window.host
        snapshot = host.snapshot
        policy = snapshot.policy if snapshot is not None else host.policy
        s = host.settings
        # what the picture shows, but never past the run's own ends (the picture has margins)
        left, right = self.window.picture_range()
        start, end = self.window.run_range()
        left, right = max(left, start), min(right, end)
        return Heading(
            title,
            f"{policy} policy · foreground timeout {format_seconds(s.foreground_timeout)} · "
            f"background timeout {format_seconds(s.background_timeout)} · "
            f"check every {format_seconds(s.check_interval)} · "
            f"simulated time {format_clock(max(0.0, left))} to {format_clock(max(0.0, right))}",
        )

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

    def export_png(
        self, path: str | Path, size: tuple[int, int] = EXPORT_SIZE, title: str | None = None
    ) -> bool:
        """The timeline at ``size`` with a heading (``title``, default :meth:`default_title`;
        an empty one: no heading)."""
        text = self.default_title() if title is None else title
        heading = self.heading(text) if text else None
        shown = self.window.picture_range()
        return self._export(
            path, lambda: self.window.export_timeline_png(path, size, heading, shown)
        )

    def export_csv(self, path: str | Path) -> bool:
        return self._export(path, lambda: self.window.export_timeline_csv(path))

    def export_log_csv(self, path: str | Path) -> bool:
        return self._export(path, lambda: write_text(path, event_log_csv(self.window.event_rows())))

    def export_log_json(self, path: str | Path) -> bool:
        return self._export(
            path, lambda: write_text(path, event_log_json(self.window.event_rows()))
        )

    @Slot()
    def choose_report(self) -> None:
        self._choose(
            "Export a report of the run", "report.html", "HTML (*.html)", self.export_report
        )

    def export_report(self, path: str | Path) -> bool:
        """A self-contained HTML page of the run: picture, settings, sessions, expectations."""
        return self._export(path, lambda: write_text(path, self.report_page()))

    def report_page(self, made_at: datetime | None = None) -> str:
        from snowsession_gui.model.html_report import report_html  # made when first asked for

        return report_html(self.run_report(made_at), dataclasses.asdict(LIGHT))

    def run_report(self, made_at: datetime | None = None) -> RunReport:
        """What the report says about the run in force now (raises OSError if its picture
        cannot be drawn)."""
        from snowsession_gui.model.html_report import Expectation, RunReport, session_rows

        host, window = self.window.host, self.window
        shown = window.whole_run_range()
        picture = png_bytes(window.timeline_picture(REPORT_SIZE, None, LIGHT, shown))
        snapshot, scenario, run = host.snapshot, host.scenario, host.run
        starts = window.session_starts()
        left = 0
        if run is not None and not run.done:
            left = sum(1 for step in run.scenario.steps if step.last > run.time)
        return RunReport(
            title=self.default_title(),
            made_at=made_at or datetime.now(UTC),
            save_file=(
                f"a scratch file of the scenario ({host.save_path.name})"
                if scenario is not None
                else str(host.save_path)
            ),
            policy=snapshot.policy if snapshot is not None else host.policy,
            settings=host.settings,
            span=window.run_range(),
            sessions=session_rows(starts, window.event_rows()),
            picture=picture,
            scenario=scenario.name if scenario is not None else None,
            description=run.scenario.description if run is not None else "",
            expectations=[Expectation.of(r) for r in run.expectations] if run else [],
            steps_left=left,
        )

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
