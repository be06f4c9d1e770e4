"""The Trackers dock's content and its workers, made when first needed: the collector's web
server and DuckDB, which they import, are most of what the window would otherwise load at its
start, for a dock most runs never open."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from snowsession_gui.model.settings_names import trackers_key
from snowsession_gui.widgets.palette import Colors
from snowsession_gui.window.dock_widths import fit_side_docks

if TYPE_CHECKING:
    from snowsession_gui.window.main_window import MainWindow

    from .panel import TrackerPanel
    from .sources import CaptureReader, TrackerListener

__all__ = ["DOCK_SHARE", "TrackerParts"]

DOCK_SHARE = 0.55
"""Of the window's width, the most the Trackers dock asks for when it first appears."""
RIGHT = Qt.DockWidgetArea.RightDockWidgetArea


class TrackerParts(QObject):
    """A base for the Trackers feature: :attr:`panel`, :attr:`listener` and :attr:`reader`
    are made (and put in the ``trackersDock``) the first time one of them is asked for, or
    the dock is shown; :meth:`connect_parts` then wires them. What the feature keeps between
    runs is read with :meth:`_setting` and kept with :meth:`_keep`."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.panel_actions: tuple[QAction, QAction, QAction, QAction] | None = None
        """Listen, Stop, Open a capture and Open a folder: what the panel's buttons do."""
        self._parts: tuple[TrackerPanel, TrackerListener, CaptureReader] | None = None
        self.dock = window.add_dock(
            "trackersDock", "Trackers", QWidget(), RIGHT, scroll=True, transient=True
        )
        self.dock.hide()
        self.dock.visibilityChanged.connect(self.make_when_shown)

    @property
    def panel(self) -> TrackerPanel:
        return self._made()[0]

    @property
    def listener(self) -> TrackerListener:
        return self._made()[1]

    @property
    def reader(self) -> CaptureReader:
        return self._made()[2]

    @property
    def made(self) -> bool:
        """Whether the dock's content and its workers exist yet."""
        return self._parts is not None

    def listening(self) -> bool:
        """Whether the collector is running (without making it)."""
        return self._parts is not None and self._parts[1].active

    def _made(self) -> tuple[TrackerPanel, TrackerListener, CaptureReader]:
        if self._parts is None:
            from .panel import TrackerPanel
            from .sources import CaptureReader, TrackerListener

            assert self.panel_actions is not None, "the feature gives its actions first"
            panel = TrackerPanel(*self.panel_actions)
            self._parts = (panel, TrackerListener(self), CaptureReader(self))
            self.window.fill_dock("trackersDock", panel)
            self.connect_parts()
        return self._parts

    def connect_parts(self) -> None:
        """Wire the parts just made (the feature's own)."""

    @Slot(bool)
    def make_when_shown(self, visible: bool) -> None:
        """The dock was shown (from the View menu, say): its content is made now."""
        if visible:
            self._made()

    def _show_dock(self) -> None:
        if not self.dock.isVisible():
            self.window.setCorner(Qt.Corner.BottomRightCorner, RIGHT)
            self.dock.show()
            fit_side_docks(self.window, self.dock, DOCK_SHARE)
        self.dock.raise_()

    @Slot(object)
    def apply_colors(self, colors: Colors) -> None:
        if self._parts is not None:
            self._parts[0].apply_colors(colors)

    def close_parts(self) -> None:
        """Stop the collector (its log closed) and give up a read, if they were ever made."""
        if self._parts is not None:
            self._parts[1].close()
            self._parts[2].close()

    def _setting(self, name: str, default: object) -> object:
        settings = self.window.settings
        value = settings.value(trackers_key(name)) if settings is not None else None
        return default if value is None else value

    def _keep(self, **values: object) -> None:
        settings = self.window.settings
        if settings is not None:
            for name, value in values.items():
                settings.setValue(trackers_key(name), value)

    def default_log(self) -> str:
        """Where the events are kept unless chosen otherwise: beside the window's save file."""
        from session.cli.trackers import DEFAULT_LOG

        return str(self.window.host.home.path.parent / DEFAULT_LOG)

    @staticmethod
    def names(paths: tuple[str, ...]) -> str:
        """A few of ``paths`` by their file names, for a line of text."""
        shown = ", ".join(Path(path).name for path in paths[:3])
        return shown + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
