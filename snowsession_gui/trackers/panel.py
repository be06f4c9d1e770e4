"""The Trackers dock: where events come from (the collector's address, or a capture), the
counts, a lane per user with a way to pick one, and the picked user's chain. A large input
(a lake, a Delta table, enriched TSV) shows its summary as pictures above the lanes, and
lists the users to pick from instead of drawing every one.

It draws from what it is given (:meth:`TrackerPanel.show_frame`, :meth:`show_source`,
:meth:`show_progress`) and asks for everything else through its actions and signals. The
lanes and charts (pyqtgraph) are built the first time there is something to draw, so the
window starts without them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QSplitter, QVBoxLayout, QWidget

from session.audit.report import UserReport
from snowsession_gui.model.tracker_data import Frame
from snowsession_gui.model.tracker_setup import Setup
from snowsession_gui.model.tracker_words import counts_html, counts_tip
from snowsession_gui.widgets.palette import LIGHT, Colors, text_style

from .address import AddressBar
from .chain import ChainView
from .panel_parts import (
    counts_label,
    fit_button,
    legend_html,
    legend_label,
    open_buttons,
    placeholder_label,
    problem_label,
    timeouts_row,
)
from .source_line import SourceLine
from .users import UserPicker

if TYPE_CHECKING:
    from .lanes import TrackerLanes
    from .summary import SummaryCharts

__all__ = ["TrackerPanel"]

PICKER_WIDTH = 190
LANES_SHARE = 70
"""Of the dock's body height, the percentage the lanes get at first (the rest: users, chain)."""
SUMMARY_SHARE = 34
"""…and what the summary's pictures get of it, when there are any (the lanes get the rest)."""


class TrackerPanel(QWidget):
    """The dock's content (objectName ``trackerPanel``).

    Signals: ``presetChosen(key)`` when another set of timeouts is picked; ``copied(text)``;
    ``cancelRead()`` when the read under way is given up; for a large input,
    ``usersWanted(search, only_findings)`` when other users should be listed and
    ``userWanted(user_id)`` when a user is picked whose lane is not drawn yet.
    """

    presetChosen = Signal(str)
    copied = Signal(str)
    cancelRead = Signal()
    usersWanted = Signal(str, bool)
    userWanted = Signal(str)

    def __init__(
        self,
        listen: QAction,
        stop: QAction,
        open_capture: QAction,
        open_folder: QAction | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("trackerPanel")
        self.frame = Frame()
        self.colors = LIGHT
        self.selected: str | None = None
        self.lanes: TrackerLanes | None = None
        self.summary: SummaryCharts | None = None
        self._empty_text = "Listen for trackers, or open a capture, to see each user's sessions."
        self._shared = False

        self.source = SourceLine()
        self.source.cancelled.connect(self.cancelRead)
        self.status = self.source.status
        opens = [(listen, "listenButton"), (open_capture, "openCaptureButton")]
        if open_folder is not None:
            opens.append((open_folder, "openFolderButton"))
        buttons = open_buttons(opens)
        self.presets, judging = timeouts_row()
        self.presets.activated.connect(self._on_preset)
        self.address = AddressBar(stop)
        self.address.copied.connect(self.copied)
        self.address.hide()
        self.problem = problem_label()
        self.counts = counts_label()
        self.body = self._build_body()
        self.body.installEventFilter(self)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addLayout(buttons)
        layout.addLayout(judging)
        for widget in (self.source, self.address, self.problem, self.counts):
            layout.addWidget(widget)
        layout.addWidget(self.body, 1)
        self.apply_colors(LIGHT)
        self.show_frame(Frame())

    def _build_body(self) -> QSplitter:
        """The lanes over the dock's whole width (time reads across); under them, the users
        picked beside the chain they pick."""
        self.picker = picker = UserPicker()
        picker.picked.connect(self.pick)
        picker.filterChanged.connect(self._refilter)
        self.filter, self.only_findings, self.users = (
            picker.filter,
            picker.only_findings,
            picker.users,
        )
        self.lane_area = self._build_lane_area()
        self.chain = ChainView()
        self.bottom = QSplitter(Qt.Orientation.Horizontal)
        self.bottom.setObjectName("trackerPickerSplitter")
        self.bottom.addWidget(picker)
        self.bottom.addWidget(self.chain)
        self.bottom.setStretchFactor(1, 1)
        self.bottom.setSizes([PICKER_WIDTH, 600])
        self.bottom.setChildrenCollapsible(False)
        body = QSplitter(Qt.Orientation.Vertical)
        body.setObjectName("trackerBodySplitter")
        body.addWidget(self.lane_area)
        body.addWidget(self.bottom)
        body.setStretchFactor(0, 3)
        body.setStretchFactor(1, 2)
        body.setChildrenCollapsible(False)
        return body

    def _build_lane_area(self) -> QWidget:
        """The legend with *Show all* beside it, over a placeholder the lanes replace."""
        self.legend = legend_label()
        self.fit = fit_button()
        self.fit.clicked.connect(self._on_fit)
        legend_row = QHBoxLayout()
        legend_row.setContentsMargins(0, 0, 0, 0)
        legend_row.addWidget(self.legend, 1)
        legend_row.addWidget(self.fit)
        lane_area = QWidget()
        self.lane_layout = QVBoxLayout(lane_area)
        self.lane_layout.setContentsMargins(0, 0, 0, 0)
        self.lane_layout.addLayout(legend_row)
        self.placeholder = placeholder_label(self._empty_text)
        self.lane_layout.addWidget(self.placeholder, 1)
        return lane_area

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The first time the body has its height, the lanes get their share of it (a
        # splitter otherwise shares by its parts' size hints: a table's is tall).
        if watched is self.body and event.type() == QEvent.Type.Resize and not self._shared:
            self._share()
        return super().eventFilter(watched, event)

    def _share(self) -> None:
        height = self.body.height()
        if height > 200:  # laid out, not a first guess
            self._shared = True
            lanes = height * LANES_SHARE // 100
            sizes = [lanes, height - lanes]
            if self.summary is not None:
                charts = height * SUMMARY_SHARE // 100
                sizes = [charts, lanes - charts, height - lanes]
            self.body.setSizes(sizes)

    def heightForWidth(self, width: int) -> int:
        # The dock's scroll area asks this: the wrapped labels' preferred heights would make
        # the panel as tall as every part's preferred height. It needs only its least.
        return self.minimumSizeHint().height()

    # ------------------------------------------------------------ what it is given

    def ensure_lanes(self) -> TrackerLanes:
        """The lanes, built now if they were not (importing pyqtgraph)."""
        if self.lanes is None:
            from .lanes import TrackerLanes

            lanes = TrackerLanes()
            lanes.apply_colors(self.colors)
            lanes.set_empty_text(self._empty_text)
            lanes.userPicked.connect(self.pick)
            lanes.fitChanged.connect(self._on_fit_changed)
            self.lane_layout.replaceWidget(self.placeholder, lanes)
            self.placeholder.deleteLater()
            lanes.show()  # at once, not at the next turn of the event loop
            self.lanes = lanes
            self.fit.setEnabled(not lanes.fitting)
        return self.lanes

    def ensure_summary(self) -> SummaryCharts:
        """The summary's pictures, built now if they were not (importing pyqtgraph)."""
        if self.summary is None:
            from .summary import SummaryCharts

            self.summary = SummaryCharts()
            self.summary.apply_colors(self.colors)
            self.body.insertWidget(0, self.summary)
            self.body.setCollapsible(0, False)
            self._share()
        return self.summary

    def show_progress(self, share: float | None) -> None:
        """How far a read is (:meth:`SourceLine.show_progress`)."""
        self.source.show_progress(share)

    def set_preset(self, key: str, *, enabled: bool = True, why: str = "") -> None:
        """Show ``key`` as the timeouts in force (``enabled``: whether it can change now)."""
        self.presets.setCurrentIndex(max(0, self.presets.findData(key)))
        self.presets.setEnabled(enabled)
        self.presets.setToolTip(why or "How long idle a session may be before a new one is due")

    def show_source(
        self,
        status: str,
        *,
        address: tuple[str, tuple[Setup, ...], tuple[str, int] | None] | None = None,
        problem: str | None = None,
        empty: str | None = None,
        tip: str = "",
    ) -> None:
        """Where events come from: ``status`` in a line; ``address`` (the URL, the trackers'
        settings, the network warning) while listening; ``problem`` in red beside; ``empty``
        where the lanes are while there are none."""
        self.status.setText(status)
        self.status.setToolTip(tip)
        self.address.setVisible(address is not None)
        if address is not None:
            self.address.show_address(*address)
        self.problem.setText(problem or "")
        self.problem.setVisible(bool(problem))
        if empty is not None:
            self._empty_text = empty
            if self.lanes is not None:
                self.lanes.set_empty_text(empty)
            else:
                self.placeholder.setText(empty)

    def show_setups(self, shown: bool) -> None:
        """Open or fold how to point apps at the address (shown while listening)."""
        self.address.show_setups(shown)

    def show_frame(self, frame: Frame) -> None:
        """Draw ``frame``: the counts, the users, their lanes and the picked one's chain."""
        lake, was = frame.lake, self.frame.lake
        self.frame = frame
        if lake is not None and (was is None or lake.summary is not was.summary):
            self.ensure_summary().show_summary(lake.summary)
        if self.summary is not None:
            self.summary.setVisible(lake is not None)
        if lake is not None and self.selected not in {u.user_id for u in frame.report.users}:
            self.selected = None
        self._show_counts()
        self._fill_users()
        if frame.report.users or self.lanes is not None:
            self._draw()
        self.chain.show_user(self._picked())

    # ------------------------------------------------------------ counts and users

    def _show_counts(self) -> None:
        self.counts.setText(counts_html(self.frame.counts, self.colors.problem))
        self.counts.setToolTip(counts_tip(self.frame.counts, self.frame.rules))

    def shown_users(self) -> list[str]:
        """The users whose lanes are drawn: those the filter lets through, in the report's
        order (first seen first); for a large input, every user asked for."""
        if self.frame.lake is not None:
            return [user.user_id for user in self.frame.report.users]
        return self.picker.shown_users(self.frame.report)

    def _fill_users(self) -> None:
        lake = self.frame.lake
        if lake is not None:
            self.picker.show_listed(lake, self.frame.counts.users, self.selected)
            if self.selected is None and self.frame.report.users:
                self.pick(self.frame.report.users[0].user_id)
            return
        self.picker.show_all()
        wanted = self.picker.show_users(self.frame.report, self.selected)
        if self.selected is None and wanted:  # the first with findings, else the first
            shown = set(wanted)
            everyone = self.frame.report.users
            found = (u.user_id for u in everyone if u.user_id in shown and u.findings)
            self.pick(next(found, wanted[0]))

    @Slot()
    def _refilter(self) -> None:
        if self.frame.lake is not None:
            self.usersWanted.emit(self.filter.text().strip(), self.only_findings.isChecked())
            return
        self._fill_users()
        self._draw()

    def _picked(self) -> UserReport | None:
        return None if self.selected is None else self.frame.report.user(self.selected)

    @Slot(str)
    def pick(self, user_id: str) -> None:
        """Pick ``user_id``: its lane is brought on screen and marked, its chain shown (for a
        large input, asked for first if it is not drawn yet)."""
        self.selected = user_id
        if self.frame.lake is not None and self.frame.report.user(user_id) is None:
            self.chain.show_user(None)
            self.chain.title.setText(f"Reading the events of {user_id}…")
            self.userWanted.emit(user_id)
            return
        self._fill_users()
        self._draw()
        if self.lanes is not None:
            self.lanes.scroll_to(user_id)
        self.chain.show_user(self._picked())

    # ------------------------------------------------------------ lanes

    def _draw(self) -> None:
        self.ensure_lanes().show_frame(self.frame, self.shown_users(), self.selected)

    @Slot()
    def _on_fit(self) -> None:
        self.ensure_lanes().fit()

    @Slot(bool)
    def _on_fit_changed(self, fitting: bool) -> None:
        self.fit.setEnabled(not fitting)

    @Slot(int)
    def _on_preset(self, row: int) -> None:
        self.presetChosen.emit(str(self.presets.itemData(row)))

    # ------------------------------------------------------------ look

    def apply_colors(self, colors: Colors) -> None:
        self.colors = c = colors
        self.problem.setStyleSheet(text_style(c.problem, bold=True))
        self.address.apply_colors(c)
        self.chain.apply_colors(c)
        if self.lanes is not None:
            self.lanes.apply_colors(c)
        if self.summary is not None:
            self.summary.apply_colors(c)

        self.legend.setText(legend_html(c))
        self._show_counts()
        self.picker.apply_colors(c)
