"""A large input's summary as pictures (pyqtgraph): the findings of each kind, day by day,
and by tracker version, stacked in the kinds' colours, with a legend of the kinds' titles.

It draws :meth:`session.audit.result.Result.summary` as it is: every bar is a count from it,
so what is on screen agrees with ``snowsession sessions --format summary``.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Slot
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from session.audit.kinds import Kind
from snowsession_gui.widgets.palette import LIGHT, Colors, series

__all__ = ["MAX_VERSIONS", "OTHER", "SummaryCharts"]

MAX_VERSIONS = 12
"""Tracker versions drawn one bar each; the rest share one bar, :data:`OTHER`."""
OTHER = "other versions"
DAY_LABELS = 8
"""At most this many dates under the days (every day has its bar)."""
BAR = 0.8


def _stack(
    labels: list[str], table: Mapping[str, Mapping[str, int]]
) -> dict[Kind, tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]]:
    """Each kind's counts over ``labels``, and where its bars start (on the kinds before)."""
    base = np.zeros(len(labels))
    stacked = {}
    for kind in Kind:
        heights = np.array([float(table[label].get(kind.value, 0)) for label in labels])
        if heights.any():
            stacked[kind] = (heights, base.copy())
            base += heights
    return stacked


def _versions(by_version: Mapping[str, Mapping[str, int]]) -> dict[str, dict[str, int]]:
    """The versions with most findings, most first; the rest added up as :data:`OTHER`."""
    ranked = sorted(by_version, key=lambda v: (-sum(by_version[v].values()), v))
    shown = {v: dict(by_version[v]) for v in ranked[: MAX_VERSIONS - 1]}
    rest = ranked[MAX_VERSIONS - 1 :]
    if len(rest) == 1:
        shown[rest[0]] = dict(by_version[rest[0]])
    elif rest:
        other: dict[str, int] = {}
        for version in rest:
            for kind, count in by_version[version].items():
                other[kind] = other.get(kind, 0) + count
        shown[f"{OTHER} ({len(rest)})"] = other
    return shown


class SummaryCharts(QWidget):
    """Findings by day (``findingsByDay``) and by tracker version (``findingsByVersion``),
    a heading (``summaryHeading``) and the kinds' legend (``kindLegend``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trackerSummary")
        self.colors = LIGHT
        self.summary: Mapping[str, Any] = {}
        self.days: list[str] = []
        self.versions: list[str] = []
        self._tables: dict[str, dict[str, dict[str, int]]] = {"day": {}, "version": {}}
        self.heading = QLabel()
        self.heading.setObjectName("summaryHeading")
        self.heading.setWordWrap(True)
        self.day_plot = self._plot("findingsByDay", "Findings by day (UTC)")
        self.version_plot = self._plot("findingsByVersion", "Findings by tracker version")
        self.day_bars = {kind: pg.BarGraphItem(x=[], height=[], width=BAR) for kind in Kind}
        self.version_bars = {
            kind: pg.BarGraphItem(x0=[], y=[], width=[], height=BAR) for kind in Kind
        }
        for kind in Kind:
            self.day_plot.getPlotItem().addItem(self.day_bars[kind])
            self.version_plot.getPlotItem().addItem(self.version_bars[kind])
        self.legend = QLabel()
        self.legend.setObjectName("kindLegend")
        self.legend.setWordWrap(True)
        charts = QHBoxLayout()
        charts.setContentsMargins(0, 0, 0, 0)
        charts.addWidget(self.day_plot, 3)
        charts.addWidget(self.version_plot, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addLayout(charts, 1)
        layout.addWidget(self.legend)
        self.setMinimumHeight(150)
        self.apply_colors(LIGHT)

    def _plot(self, name: str, title: str) -> pg.PlotWidget:
        plot = pg.PlotWidget()
        plot.setObjectName(name)
        plot.setAccessibleName(title)
        item = plot.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        item.getViewBox().setMouseEnabled(x=False, y=False)
        plot.setMinimumSize(120, 70)
        plot.setMouseTracking(True)
        plot.scene().sigMouseMoved.connect(self._on_moved)
        return plot

    # ------------------------------------------------------------ data

    def show_summary(self, summary: Mapping[str, Any]) -> None:
        """Draw ``summary`` (:meth:`Result.summary`)."""
        self.summary = summary
        by_day: Mapping[str, Mapping[str, int]] = summary["by"]["day"]
        self.days = sorted(by_day, key=lambda day: (day == "(none)", day))
        versions = _versions(summary["by"]["v_tracker"])
        self.versions = list(versions)
        self._tables = {"day": {d: dict(by_day[d]) for d in self.days}, "version": versions}
        days = _stack(self.days, by_day)
        ranked = _stack(self.versions, versions)
        for kind in Kind:
            heights, base = days.get(kind, (np.zeros(0), np.zeros(0)))
            self.day_bars[kind].setOpts(x=np.arange(len(heights)), height=heights, y0=base)
            self.day_bars[kind].setVisible(kind in days)
            widths, left = ranked.get(kind, (np.zeros(0), np.zeros(0)))
            self.version_bars[kind].setOpts(y=-np.arange(len(widths)), width=widths, x0=left)
            self.version_bars[kind].setVisible(kind in ranked)
        self._axes()
        self._words()

    def _axes(self) -> None:
        step = max(1, -(-len(self.days) // DAY_LABELS))
        labels = [
            (float(i), day[5:] if day[:1].isdigit() else day)
            for i, day in enumerate(self.days)
            if i % step == 0
        ]
        self.day_plot.getPlotItem().getAxis("bottom").setTicks([labels, []])
        self.version_plot.getPlotItem().getAxis("left").setTicks(
            [[(-float(i), version) for i, version in enumerate(self.versions)], []]
        )
        font = QFont()
        font.setPointSize(8)
        widest = max((QFontMetrics(font).horizontalAdvance(v) for v in self.versions), default=0)
        self.version_plot.getPlotItem().getAxis("left").setWidth(min(220, widest + 14))
        totals = [sum(t.values()) for t in self._tables["day"].values()]
        view = self.day_plot.getPlotItem().getViewBox()
        view.setRange(
            xRange=(-0.6, max(0, len(self.days) - 1) + 0.6),
            yRange=(0, max(totals, default=1) * 1.08 or 1),
            padding=0,
        )
        widths = [sum(t.values()) for t in self._tables["version"].values()]
        view = self.version_plot.getPlotItem().getViewBox()
        view.setRange(
            xRange=(0, max(widths, default=1) * 1.08 or 1),
            yRange=(-len(self.versions) + 0.4, 0.6),
            padding=0,
        )

    def _words(self) -> None:
        s, c = self.summary, self.colors
        if not s:
            return
        found: Mapping[str, int] = s["findings"]
        total = sum(found.values())
        self.heading.setText(
            f"The {total:,} finding(s) in {s['sessions']:,} sessions, by day (UTC) and by "
            "tracker version:"
        )
        colors = dict(zip(Kind, series(c), strict=True))
        self.legend.setText(
            " &nbsp; ".join(
                f'<span style="color:{colors[kind]}">■</span>&nbsp;'
                + html.escape(f"{kind.title} {found[kind.value]:,}").replace(" ", "&nbsp;")
                for kind in Kind
                if found.get(kind.value)
            )
            or "No findings."
        )
        self.legend.setToolTip(
            "\n".join(f"{kind.title}: {kind.value}" for kind in Kind if found.get(kind.value))
        )

    def bars(self, chart: str) -> dict[str, dict[str, int]]:
        """What ``chart`` (``day`` or ``version``) draws, read back from its bars: each day's
        (or version's) count of each kind."""
        labels = self.days if chart == "day" else self.versions
        items = self.day_bars if chart == "day" else self.version_bars
        drawn: dict[str, dict[str, int]] = {label: {} for label in labels}
        for kind, item in items.items():
            if not item.isVisible():
                continue
            counts = item.opts["height" if chart == "day" else "width"]
            for label, count in zip(labels, counts, strict=True):
                if count:
                    drawn[label][kind.value] = int(count)
        return drawn

    # ------------------------------------------------------------ pointer

    def tip(self, chart: str, x: float, y: float) -> str | None:
        """What the bar at ``(x, y)`` (in the chart's own units) counts, or None."""
        along, across = (x, y) if chart == "day" else (-y, x)
        labels = self.days if chart == "day" else self.versions
        spot = round(along)
        if not 0 <= spot < len(labels) or abs(along - spot) > BAR / 2:
            return None
        label = labels[spot]
        base = 0.0
        for kind in Kind:
            count = self._tables[chart][label].get(kind.value, 0)
            if count and base <= across <= base + count:
                return f"{label}: {kind.title} ({kind.value}) {count:,}"
            base += count
        return None

    @Slot(object)
    def _on_moved(self, scene: QPointF) -> None:
        for chart, plot in (("day", self.day_plot), ("version", self.version_plot)):
            view = plot.getPlotItem().getViewBox()
            if view.sceneBoundingRect().contains(scene):
                point = view.mapSceneToView(scene)
                plot.setToolTip(self.tip(chart, point.x(), point.y()) or "")

    # ------------------------------------------------------------ look

    def apply_colors(self, colors: Colors) -> None:
        self.colors = c = colors
        font = QFont()
        font.setPointSize(8)
        for plot in (self.day_plot, self.version_plot):
            plot.setBackground(c.q("background"))
            item = plot.getPlotItem()
            for name in ("left", "bottom"):
                axis = item.getAxis(name)
                axis.setPen(pg.mkPen(c.muted))
                axis.setTextPen(pg.mkPen(c.foreground))
                axis.setTickFont(font)
        for kind, color in zip(Kind, series(c), strict=True):
            for bars in (self.day_bars[kind], self.version_bars[kind]):
                bars.setOpts(brush=pg.mkBrush(color), pen=pg.mkPen(c.background, width=0.5))
        self.heading.setStyleSheet(f"color: {c.foreground};")
        self._words()
