"""Real trackers in the window: File > Listen for trackers… (Ctrl+L), Stop listening, Open a
tracker capture… (Ctrl+Shift+L), Open a lake folder or Delta table…, and the Trackers dock
with a lane per user.

The collector runs inside the window on its own thread (:mod:`.tracker_sources`); every
event is in its log before it is shown. Inputs are read by the audit on a worker thread,
with their progress beside them and a way to cancel: a capture (the collector's log, a HAR
file, Micro's JSON, .NET save files) shows every user's lane; a large one (lake Parquet, a
Delta table, enriched TSV) shows its summary and the lanes of the users picked, each asked
of it when picked (:mod:`.tracker_lake`). An input that cannot be read says why beside the
lanes. The timeouts idle gaps are judged by, the address, port and log are kept between runs.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QLabel

from session.audit.report import iso_time
from session.audit.rules import Rules
from session.trackers.protocol import DEFAULT_PORT
from snowsession_gui.model.tracker_setup import (
    ALL_INTERFACES,
    DEFAULT_PRESET,
    LOOPBACK,
    network_address,
    preset,
)
from snowsession_gui.model.tracker_setup import setups as tracker_setups
from snowsession_gui.model.tracker_words import stopped_words, timeouts_text
from snowsession_gui.widgets.menus import Section, make_action
from snowsession_gui.window.main_window import MainWindow

from .parts import TrackerParts

if TYPE_CHECKING:  # the collector, DuckDB and the panel: imported when first needed
    from snowsession_gui.model.tracker_data import Frame

    from .lake import LakeUsers
    from .listen_dialog import ListenDialog, StartProblem
    from .sources import CaptureResult

__all__ = ["TrackersFeature"]

CAPTURES = (
    "Tracker captures, lake Parquet, enriched TSV (*.ndjson *.jsonl *.log *.har *.json *.xml "
    "*.parquet *.tsv *.gz);;Lake Parquet (*.parquet);;Enriched TSV (*.tsv *.gz);;All files (*)"
)


class TrackersFeature(TrackerParts):
    """Listening, captures and the Trackers dock of one window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("trackersFeature")
        w = window
        actions = self._make_actions(w)
        for action in actions:
            w.add_menu_action(Section.FILE_MONITOR, action)
        self.lake: LakeUsers | None = None  # a large input's users, asked of it when wanted
        self.panel_actions = actions
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # file names, ids, typed text
        self.label.setObjectName("trackerListening")
        self.label.setAccessibleName("Listening for trackers")
        self.label.hide()
        w.add_status_widget(self.label)
        self.dialog: ListenDialog | None = None
        self.preset_key = str(self._setting("timeouts", DEFAULT_PRESET))
        self.captures: tuple[str, ...] = ()
        self.stopped_log: str | None = None
        self.url = ""
        """The address trackers are given (this machine's on its network, for all of them)."""
        w.paletteChanged.connect(self.apply_colors)
        w.closing.connect(self.shutdown)
        self._enable()

    def _make_actions(self, w: MainWindow) -> tuple[QAction, QAction, QAction, QAction]:
        """Listen, Stop, Open a capture and Open a folder (the menu's words; the panel's
        buttons say less)."""
        self.listen_action = make_action(
            w,
            "Listen for &trackers…",
            self.open_listen_dialog,
            "Ctrl+L",
            "listenAction",
            tip="Start a collector here and see the sessions real trackers make",
        )
        self.stop_action = make_action(
            w,
            "Stop &listening",
            self.stop_listening,
            None,
            "stopListeningAction",
            tip="Stop the collector (every event stays in its log)",
        )
        self.stop_action.setIconText("Stop")
        self.listen_action.setIconText("Listen for trackers…")
        self.open_action = make_action(
            w,
            "Open a tracker &capture…",
            self.choose_captures,
            "Ctrl+Shift+L",
            "openCaptureAction",
            tip="Show the sessions in a collector log, HAR file, Micro JSON, .NET save file, "
            "lake Parquet file or enriched TSV",
        )
        self.open_action.setIconText("Open a capture…")
        self.folder_action = make_action(
            w,
            "Open a lake &folder or Delta table…",
            self.choose_folder,
            None,
            "openFolderAction",
            tip="Show the summary and the worst users of a folder of lake Parquet files or a "
            "Delta table",
        )
        self.folder_action.setIconText("Open a folder…")
        return (self.listen_action, self.stop_action, self.open_action, self.folder_action)

    def connect_parts(self) -> None:
        panel, reader = self.panel, self.reader
        self.listener.frameChanged.connect(self._on_frame)
        reader.finished.connect(self._on_capture)
        reader.failed.connect(self._on_capture_failed)
        reader.progress.connect(self._on_progress)
        panel.presetChosen.connect(self.set_preset)
        panel.copied.connect(self._on_copied)
        panel.cancelRead.connect(self.cancel_read)
        panel.apply_colors(self.window.colors)
        self._enable()

    # ------------------------------------------------------------ listening

    @Slot()
    def open_listen_dialog(self) -> ListenDialog:
        if self.dialog is None:
            from .listen_dialog import ListenDialog

            try:
                port = int(str(self._setting("port", DEFAULT_PORT)))
            except ValueError:
                port = DEFAULT_PORT
            self.dialog = ListenDialog(
                self.start_listening,
                host=str(self._setting("host", LOOPBACK)) or LOOPBACK,
                port=port if 0 <= port <= 65535 else DEFAULT_PORT,
                log=str(self._setting("log", "")) or self.default_log(),
                judged=timeouts_text(self.rules),
                colors=self.window.colors,
                parent=self.window,
            )
            self.dialog.finished.connect(self._forget_dialog)
        self.dialog.open()
        return self.dialog

    @Slot()
    def _forget_dialog(self, *_: object) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
            self.dialog = None

    @property
    def rules(self) -> Rules:
        """What idle gaps are judged by now."""
        return preset(self.preset_key).rules

    def start_listening(self, host: str, port: int, log: str) -> StartProblem | None:
        """Start the collector; None when it listens, else why not (nothing changes then)."""
        from session.trackers.collector import is_loopback

        from .listen_dialog import start_problem

        try:
            listening = self.listener.start(host, port, log, self.rules)
        except OSError as error:
            return start_problem(error, host, port)
        self.reader.cancel()
        self.panel.show_progress(None)
        self._close_lake()
        self.captures, self.stopped_log = (), None
        self._keep(host=host, port=port, log=log)
        # Devices are given an address they can reach: this machine's on its network when
        # every interface listens, the one chosen when it is one.
        network = network_address() if host == ALL_INTERFACES else None
        if host != ALL_INTERFACES and not is_loopback(host):
            network = host
        url = listening.url if network is None else f"http://{network}:{listening.port}"
        since = iso_time(time.time())
        self.panel.show_source(
            f"Listening since {since}; every event is kept in {Path(log).name} first.",
            tip=f"The log: {log}",
            address=(
                url,
                tracker_setups(listening.port, network),
                None if is_loopback(host) else (network or host, listening.port),
            ),
            empty=f"Waiting for events at {url} … (How to point apps here shows "
            "what to paste into each tracker)",
        )
        self.panel.show_setups(True)
        self.url = url
        self.label.setText(f"● trackers → {url}")
        self.label.setToolTip(f"Listening for trackers on {url}; log {log}")
        self.label.show()
        self._show_dock()
        self._enable()
        self.window.show_message(f"listening for trackers on {url}")
        return None

    @Slot()
    def stop_listening(self) -> None:
        if not self.listening():
            return
        listening = self.listener.listening
        if listening is None:
            return
        self.listener.stop()
        self.stopped_log = listening.log
        self.label.hide()
        status, empty = stopped_words(self.url, listening.log)
        self.panel.show_source(status, empty=empty)
        self._enable()
        self.window.show_message(f"stopped listening on {self.url}")

    @Slot(object)
    def _on_frame(self, frame: Frame) -> None:
        self.panel.show_frame(frame)
        if frame.report.users:
            self.panel.show_setups(False)  # the settings served their turn

    # ------------------------------------------------------------ captures

    def _may_stop(self, what: str) -> bool:
        """Whether the collector may stop for ``what`` (it is asked, while listening)."""
        return not self.listening() or self.window.confirm(
            "Stop listening?",
            f"Opening {what} stops the collector. Every event it took stays in its log.",
        )

    @Slot()
    def choose_captures(self) -> None:
        if not self._may_stop("a capture"):
            return
        folder = str(self._setting("folder", "")) or str(self.window.host.home.path.parent)
        paths, _ = QFileDialog.getOpenFileNames(
            self.window, "Open tracker captures", folder, CAPTURES
        )
        if paths:
            self.open_captures(paths)

    @Slot()
    def choose_folder(self) -> None:
        if not self._may_stop("a folder"):
            return
        folder = str(self._setting("folder", "")) or str(self.window.host.home.path.parent)
        path = QFileDialog.getExistingDirectory(
            self.window, "Open a lake folder or Delta table", folder
        )
        if path:
            self.open_captures([path])

    def open_captures(self, paths: list[str] | tuple[str, ...]) -> None:
        """Read ``paths`` (in order) on a worker thread and show their lanes."""
        names = tuple(str(path) for path in paths)
        if not names:
            return
        self.stop_listening()
        self._keep(folder=str(Path(names[0]).parent))
        self.reader.read(names, self.rules)
        self.panel.show_source(f"Reading {self.names(names)}…")
        self.panel.show_progress(-1.0)
        self._show_dock()
        self._enable()

    @Slot()
    def cancel_read(self) -> None:
        """Give up the read under way; what was shown before stays, and says so."""
        if not self.reader.cancel():
            return
        self.panel.show_progress(None)
        shown = f"Still showing {self.names(self.captures)}." if self.captures else "Nothing shown."
        what = self.names(self.reader.paths)
        self.panel.show_source(f"Cancelled reading {what}. {shown}")
        self.window.show_message(f"cancelled reading {what}")

    @Slot(float)
    def _on_progress(self, share: float) -> None:
        doing = "checking the sessions" if share >= 0 else "opening"
        self.panel.show_source(f"Reading {self.names(self.reader.paths)}… {doing}")
        self.panel.show_progress(share)

    @Slot(object)
    def _on_capture(self, result: CaptureResult) -> None:
        self.captures, self.stopped_log = result.paths, None
        self.panel.show_progress(None)
        self._close_lake()
        if result.audit is not None and result.result is not None:
            from .lake import LakeUsers

            self.lake = LakeUsers(self.panel, result.audit, result.result, self)
            self.lake.failed.connect(self._on_lake_failed)
        pairs = zip(result.paths, result.kinds, strict=True)
        kinds = ", ".join(f"{Path(path).name} ({kind})" for path, kind in pairs)
        self.panel.show_source(
            f"Capture: {kinds}",
            problem="\n".join(f"⚠ {w}" for w in result.warnings) or None,
            empty="This capture holds no events with a client_session entity.",
        )
        self.panel.show_frame(result.frame)
        self._enable()
        self.window.show_message(f"opened {self.names(result.paths)}")

    @Slot(str)
    def _on_capture_failed(self, message: str) -> None:
        self.panel.show_progress(None)
        shown = f"Still showing {self.names(self.captures)}." if self.captures else ""
        self.panel.show_source(
            f"Cannot open {self.names(self.reader.paths)}. {shown}".strip(), problem=f"⚠ {message}"
        )
        self._enable()
        self.window.show_message(message)

    @Slot(str)
    def _on_lake_failed(self, message: str) -> None:
        self.panel.show_source(self.panel.status.text(), problem=f"⚠ {message}")
        self.window.show_message(message)

    def _close_lake(self, wait: bool = False) -> None:
        lake, self.lake = self.lake, None
        if lake is not None:
            lake.close(wait)
            lake.deleteLater()

    # ------------------------------------------------------------ timeouts

    @Slot(str)
    def set_preset(self, key: str) -> None:
        """Judge idle gaps by the timeouts ``key`` names; what is shown is read again by them."""
        if self.listening():
            self.panel.set_preset(self.preset_key, enabled=False)
            return
        self.preset_key = preset(key).key
        self._keep(timeouts=self.preset_key)
        self.panel.set_preset(self.preset_key)
        again = self.captures or ((self.stopped_log,) if self.stopped_log else ())
        if again:
            self.open_captures(again)

    # ------------------------------------------------------------ the rest

    def _enable(self) -> None:
        active = self.listening()
        self.listen_action.setEnabled(not active)
        self.stop_action.setEnabled(active)
        if not self.made:
            return
        self.panel.set_preset(
            self.preset_key,
            enabled=not active,
            why="Fixed while listening: stop, then choose, and the log is judged again"
            if active
            else "",
        )

    @Slot(str)
    def _on_copied(self, text: str) -> None:
        first = text.splitlines()[0] if text else ""
        self.window.show_message(f"copied {first}" + (" …" if "\n" in text else ""))

    @Slot()
    def shutdown(self) -> None:
        """The window closes: the collector stops (its log closed), a read is given up."""
        if self.dialog is not None:
            self.dialog.close()
        self.close_parts()
        self._close_lake(wait=True)
