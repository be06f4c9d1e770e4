"""The timeline's marks: new-session triangles, expectation markers, and every label.

:class:`Marks` draws what is in view of :class:`~snowsession_gui.model.timeline_data.TimelineData`
on a pyqtgraph plot item: a green triangle for a session started by an app start, an amber
one for a timeout, a square (holds) or a cross (fails) for each moment expectations were
checked; the deadline's label, jump labels, expectation labels and short reasons placed by
:func:`~snowsession_gui.model.label_places.place` so none covers another, the legend or the edge;
and one tooltip for what the pointer is over, failures first.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor

from snowsession_gui.model.label_places import Label, Rect, Spot, place, tip_for
from snowsession_gui.model.timeline_data import TimelineData
from snowsession_gui.model.units import format_clock
from snowsession_gui.widgets.palette import LIGHT, Colors

from .axes import jump_label

__all__ = ["MAX_LABELS", "MAX_MARKERS", "MAX_REASONS", "Marks"]

MAX_MARKERS = 400
MAX_LABELS = 30
MAX_REASONS = 12

TRIANGLE, SQUARE, CROSS = 12, 16, 14
"""The marks' sizes in pixels: a session's triangle, an expectation's square or cross."""
LIFT = (TRIANGLE + SQUARE) / 2 + 2
"""Pixels an expectation's marker is raised by where a session starts at its point, so that
the session's triangle shows under it."""
LINE_CLEAR = 1.0
"""Pixels kept clear of labels on each side of a line (its half width; labels keep a
further ``GAP / 2``)."""
MAX_SEGMENTS = 400
"""The most steps in view whose lines labels keep clear of (more: no labels for reasons)."""

Request = tuple[pg.TextItem, float, float, int, float, float]
"""A label, the point (data coordinates) it belongs beside, its rank (0 the deadline's, 1 a
jump or a failure, 2 a pass, 3 a reason), half the size of the mark there and how many
pixels that mark is raised by."""


class Marks:
    """The marks and labels of one plot; :meth:`update` after any change of data or view."""

    def __init__(self, item: pg.PlotItem, legend: pg.LegendItem, data: TimelineData) -> None:
        self._item = item
        self._view = item.getViewBox()
        self._legend = legend
        self.data = data
        self.colors: Colors = LIGHT
        self.with_engine = True
        self.deadline: float | None = None
        self.now: float | None = None
        self.mark_rects: list[Rect] = []
        """Where each mark in view is drawn (scene pixels), as labels keep clear of them."""
        self.start_markers = pg.ScatterPlotItem(symbol="t1", size=TRIANGLE, name="new session")
        self.timeout_markers = pg.ScatterPlotItem(symbol="t1", size=TRIANGLE, name="timeout")
        self.expectation_markers = pg.ScatterPlotItem(symbol="s", size=13, name="expectation")
        self.expectation_markers.setZValue(20)
        item.addItem(self.start_markers)
        item.addItem(self.timeout_markers)
        item.addItem(self.expectation_markers)
        legend.removeItem(self.expectation_markers)  # listed only while there are some
        self._expectations_listed = False
        self.deadline_label = pg.TextItem(anchor=(0, 0))
        item.addItem(self.deadline_label, ignoreBounds=True)
        self.deadline_label.hide()
        self.jump_labels: list[pg.TextItem] = []
        self.reason_labels: list[pg.TextItem] = []
        self.check_labels: list[pg.TextItem] = []

    def without_engine(self) -> None:
        self.with_engine = False
        for it in (self.start_markers, self.timeout_markers):
            self._legend.removeItem(it)

    def apply_colors(self, colors: Colors) -> None:
        c = self.colors = colors
        self.start_markers.setBrush(pg.mkBrush(c.start))
        self.start_markers.setPen(pg.mkPen(None))
        self.timeout_markers.setBrush(pg.mkBrush(c.timeout))
        self.timeout_markers.setPen(pg.mkPen(None))
        self.expectation_markers.setBrush(pg.mkBrush(self._see_through(c.passed)))
        self.expectation_markers.setPen(pg.mkPen(c.passed, width=2))  # as the legend shows it
        self.deadline_label.setColor(c.due)

    @staticmethod
    def _see_through(colour: str) -> QColor:
        see_through = QColor(colour)
        see_through.setAlpha(70)
        return see_through

    def list_expectations(self) -> bool:
        """List "expectation" in the legend while there are some; True if that changed."""
        listed = bool(self.data.expectations)
        if listed == self._expectations_listed:
            return False
        self._expectations_listed = listed
        if listed:
            self._legend.addItem(self.expectation_markers, "expectation")
        else:
            self._legend.removeItem(self.expectation_markers)
        return True

    # ------------------------------------------------------------ what is in view

    def _visible_starts(self) -> tuple[int, int]:
        (x0, x1), _ = self._view.viewRange()
        xs = self.data.start_x.view()
        i0 = int(np.searchsorted(xs, x0, side="left"))
        i1 = int(np.searchsorted(xs, x1, side="right"))
        return max(i0, i1 - MAX_MARKERS), i1

    def _visible_checks(self) -> list[tuple[float, float, bool, str, str]]:
        """``(x, y, all passed, label, tooltip)`` for each moment expectations were checked;
        the label has a line per check (narrow, it finds room beside its mark more often)."""
        (x0, x1), _ = self._view.viewRange()
        shown = []
        for (x, y), checks in self.data.expectations.items():
            if x0 <= x <= x1:
                ok = all(c.passed for c in checks)
                text = "\n".join(("✓ " if c.passed else "✗ ") + c.key for c in checks)
                shown.append((x, y, ok, text, "\n".join(c.message for c in checks)))
        return shown[-MAX_LABELS:]

    # ------------------------------------------------------------ drawing

    def _to_scene(
        self, xs: NDArray[np.float64], ys: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Data coordinates to scene pixels, many at once."""
        (x0, x1), (y0, y1) = self._view.viewRange()
        box = self._view.sceneBoundingRect()
        across = box.width() / max(x1 - x0, 1e-12)
        down = box.height() / max(y1 - y0, 1e-12)
        return box.left() + (xs - x0) * across, box.top() + (y1 - ys) * down

    def _lifts(self, checks: list[tuple[float, float, bool, str, str]]) -> list[float]:
        """How many pixels each check's marker is raised by: :data:`LIFT` where a session's
        triangle lies under it, else 0."""
        if not checks or not self.with_engine:
            return [0.0] * len(checks)
        i0, i1 = self._visible_starts()
        tx, ty = self._to_scene(self.data.start_x.view()[i0:i1], self.data.start_y.view()[i0:i1])
        cx, cy = self._to_scene(np.array([c[0] for c in checks]), np.array([c[1] for c in checks]))
        near = (TRIANGLE + SQUARE) / 2
        return [
            LIFT if bool(np.any((abs(tx - x) < near) & (abs(ty - y) < near))) else 0.0
            for x, y in zip(cx, cy, strict=True)
        ]

    def update(self) -> None:
        """Draw the marks and place the labels of what is in view."""
        c, data = self.colors, self.data
        i0, i1 = self._visible_starts()
        xs, ys = data.start_x.view()[i0:i1], data.start_y.view()[i0:i1]
        timeout = np.array(data.start_timeout[i0:i1], dtype=bool)
        if self.with_engine:
            self.timeout_markers.setData(x=xs[timeout], y=ys[timeout])
            self.start_markers.setData(x=xs[~timeout], y=ys[~timeout])
        checks = self._visible_checks()
        lifts = self._lifts(checks)
        passed = self._see_through(c.passed)  # a session's triangle under it still shows
        (_, _), (y0, y1) = self._view.viewRange()
        per_pixel = (y1 - y0) / max(1.0, self._view.sceneBoundingRect().height())
        self.expectation_markers.setData(
            [
                {
                    "pos": (x, y + lift * per_pixel),
                    "symbol": "s" if ok else "x",
                    "size": SQUARE if ok else CROSS,
                    "brush": pg.mkBrush(passed if ok else c.problem),
                    "pen": pg.mkPen(c.passed, width=2) if ok else pg.mkPen(c.background),
                }
                for (x, y, ok, _, _), lift in zip(checks, lifts, strict=True)
            ]
        )
        (x0, x1), (_, top) = self._view.viewRange()
        requests: list[Request] = []
        deadline = self.deadline
        if deadline is None:
            self.deadline_label.hide()
        else:  # beside its line, or at the edge it lies beyond
            due = f"new session due {format_clock(deadline)}"
            text = f"← {due}" if deadline < x0 else f"{due} →" if deadline > x1 else due
            self._text(self.deadline_label, text, c.due)
            requests.append((self.deadline_label, min(max(deadline, x0), x1), top, 0, 0.0, 0.0))
        half = TRIANGLE / 2 if self.with_engine else 0.0
        jumps = [j for j in data.jumps if x0 <= j.at <= x1][-MAX_LABELS:]
        for label, j in zip(self._pool(self.jump_labels, len(jumps)), jumps, strict=True):
            self._text(label, jump_label(j.count, j.index), c.timeout)
            requests.append((label, j.at, j.index, 1, half, 0.0))
        pool = self._pool(self.check_labels, len(checks))
        for label, (x, y, ok, text, _), lift in zip(pool, checks, lifts, strict=True):
            self._text(label, text, c.passed if ok else c.problem)
            requests.append((label, x, y, 2 if ok else 1, (SQUARE + 2) / 2, lift))
        shown = i1 - i0 if i1 - i0 <= MAX_REASONS and self.with_engine else 0
        sx, sy = data.start_x.view(), data.start_y.view()
        pool = self._pool(self.reason_labels, shown)
        for label, i in zip(pool, range(i1 - shown, i1), strict=True):
            self._text(label, data.start_short[i], c.foreground)
            requests.append((label, float(sx[i]), float(sy[i]), 3, half, 0.0))
        self._keep_marks(xs, ys, checks, lifts)
        self._layout(requests)

    def _keep_marks(
        self,
        xs: NDArray[np.float64],
        ys: NDArray[np.float64],
        checks: list[tuple[float, float, bool, str, str]],
        lifts: list[float],
    ) -> None:
        rects: list[Rect] = []
        if self.with_engine:
            px, py = self._to_scene(xs, ys)
            h = TRIANGLE / 2
            rects += [(x - h, y - h, 2 * h, 2 * h) for x, y in zip(px, py, strict=True)]
        if checks:
            cx, cy = self._to_scene(
                np.array([c[0] for c in checks]), np.array([c[1] for c in checks])
            )
            for x, y, (_, _, ok, _, _), lift in zip(cx, cy, checks, lifts, strict=True):
                h = (SQUARE + 2) / 2 if ok else CROSS / 2
                rects.append((x - h, y - lift - h, 2 * h, 2 * h))
        self.mark_rects = rects

    def line_rects(self) -> list[Rect]:
        """The lines in view as thin rectangles (scene pixels): the step line's segments
        (none when more than :data:`MAX_SEGMENTS` steps are in view) and the deadline's
        (the present's is dotted and runs through the latest marks: it is left out)."""
        (x0, x1), _ = self._view.viewRange()
        box = self._view.sceneBoundingRect()
        rects: list[Rect] = []
        at = self.deadline
        if at is not None and x0 <= at <= x1:
            left = float(self._to_scene(np.array([at]), np.array([0.0]))[0][0])
            rects.append((left - LINE_CLEAR, box.top(), 2 * LINE_CLEAR, box.height()))
        xs, ys = self.data.step_x.view(), self.data.step_y.view()
        i0 = max(0, int(np.searchsorted(xs, x0, side="right")) - 1)
        i1 = int(np.searchsorted(xs, x1, side="right"))
        if not len(xs) or i1 - i0 > MAX_SEGMENTS:
            return rects
        end = self.now if self.now is not None else float(xs[-1])
        px, py = self._to_scene(np.append(xs[i0:i1], max(end, float(xs[i1 - 1]))), ys[i0:i1])
        c = LINE_CLEAR
        for k in range(i1 - i0):
            left, right, y = float(px[k]), float(px[k + 1]), float(py[k])
            rects.append((left, y - c, right - left, 2 * c))  # along the index
            if k + 1 < i1 - i0:  # up or down to the next
                low, high = sorted((y, float(py[k + 1])))
                rects.append((right - c, low, 2 * c, high - low))
        return rects

    def _pool(self, pool: list[pg.TextItem], count: int) -> list[pg.TextItem]:
        while len(pool) < count:
            label = pg.TextItem(anchor=(0, 0))
            self._item.addItem(label, ignoreBounds=True)
            pool.append(label)
        for label in pool[count:]:
            label.hide()
        return pool[:count]

    @staticmethod
    def _text(label: pg.TextItem, text: str, color: str) -> None:
        if label.toPlainText() != text:
            label.setText(text)
        label.setColor(color)

    def _layout(self, requests: list[Request]) -> None:
        view = self._view
        box = view.sceneBoundingRect()
        bounds: Rect = (box.left(), box.top(), box.width(), box.height())
        keep: list[Rect] = [*self.mark_rects, *self.line_rects()]
        if self._legend.isVisible():
            legend = self._legend.sceneBoundingRect()
            keep.append((legend.left(), legend.top(), legend.width(), legend.height()))
        labels = []
        for item, x, y, rank, clear, lift in requests:
            point = view.mapViewToScene(QPointF(x, y))
            size = item.boundingRect()
            # The deadline's label hangs from the top edge, beside its line.
            py = point.y() + 2 * size.height() if rank == 0 else point.y() - lift
            # A reason goes below its triangle first: the line runs on above and to the right.
            w, h = size.width(), size.height()
            # The deadline's label belongs to the whole line: it may go far down it.
            slide = 8 if rank == 0 else 1
            labels.append(Label(point.x(), py, w, h, rank, rank != 3, clear, slide))
        for request, rect in zip(requests, place(labels, bounds, keep), strict=True):
            item = request[0]
            if rect is None:
                item.hide()
                continue
            item.setPos(view.mapSceneToView(QPointF(rect[0], rect[1])))
            item.show()

    # ------------------------------------------------------------ tooltips

    def tip_at(self, scene_x: float, scene_y: float) -> str | None:
        """What the pointer at a scene position is over, failures first (None: nothing)."""
        view, data = self._view, self.data
        spots: list[Spot] = []

        def distance(x: float, y: float, lift: float = 0.0) -> float:
            point = view.mapViewToScene(QPointF(x, y))
            return math.hypot(point.x() - scene_x, point.y() - lift - scene_y)

        checks = self._visible_checks()
        for (x, y, ok, _, message), lift in zip(checks, self._lifts(checks), strict=True):
            text = ("expectation holds — " if ok else "expectation FAILS — ") + message
            spots.append(Spot(min(distance(x, y), distance(x, y, lift)), 1 if ok else 0, text))
        if self.with_engine:
            i0, i1 = self._visible_starts()
            sx, sy = data.start_x.view(), data.start_y.view()
            for i in range(i0, i1):
                spots.append(Spot(distance(float(sx[i]), float(sy[i])), 2, data.start_text[i]))
        return tip_for(spots)
