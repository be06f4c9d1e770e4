"""Small helpers shared by the window's tests."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QRectF

from snowsession_gui.export.feature import ExportFeature
from snowsession_gui.policy.feature import PolicyFeature
from snowsession_gui.scenario.feature import ScenarioFeature
from snowsession_gui.sending.feature import CollectorFeature
from snowsession_gui.timeline.plot import TimelinePlot
from snowsession_gui.window.main_window import MainWindow


def settle(window: MainWindow) -> None:
    """Let the save reach the disk and the timeline read it, then draw (no waiting on timers).

    Changes made on the engine directly (not through the window) reach the views at the next
    turn of the event loop: that turn is taken here too.
    """
    QCoreApplication.processEvents()
    session = window.host.session
    assert session is not None
    assert session.flush(5.0)
    window.host.watcher.read_now()
    window.timeline.redraw()


def scenarios(window: MainWindow) -> ScenarioFeature:
    return window.feature(ScenarioFeature)


def policies(window: MainWindow) -> PolicyFeature:
    return window.feature(PolicyFeature)


def exports(window: MainWindow) -> ExportFeature:
    return window.feature(ExportFeature)


def collector(window: MainWindow) -> CollectorFeature:
    return window.feature(CollectorFeature)


def label_rect(plot: TimelinePlot, label: object) -> QRectF:
    """Where a timeline label is, in the plot's scene (its pixels, from its position)."""
    from pyqtgraph import TextItem

    assert isinstance(label, TextItem)
    return QRectF(plot.view.mapViewToScene(label.pos()), label.boundingRect().size())


def axis_labels(axis: object) -> list[str]:
    """The tick labels an axis draws at its size now (those it leaves out for want of room
    are not in the list)."""
    from pyqtgraph import AxisItem
    from PySide6.QtGui import QImage, QPainter

    assert isinstance(axis, AxisItem)
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        specs = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    assert specs is not None
    return [text for _rect, _flags, text in specs[2] if text]
