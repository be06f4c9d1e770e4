"""Nothing cut off, nothing on top of anything else, at any size the window allows."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QFontMetrics, QImage
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QDockWidget

from session import VirtualClock
from session.scenario import example_scenarios

from .gui_helpers import label_rect, scenarios, settle

LAPTOP = (1366, 768)
"""A small laptop screen; with a task bar about 1280x700 is left for a window."""

CROWDED = """\
[session]
foreground_timeout = 60
check_interval = 10

[[step]]
at = 0
every = 20
until = 300
do = "event"

[[step]]
at = 0
do = "expect"
session_index = 1
checking = false

[[step]]
at = 60
do = "restart"

[[step]]
at = 60
do = "expect"
session_index = 5
background = false
checking = true

[[step]]
at = 62
do = "expect"
session_index = 2

[[step]]
at = 120
do = "restart"

[[step]]
at = 120
do = "expect"
session_index = 9
"""


def has_colour(image: QImage, colour: str) -> bool:
    """Whether some pixels of ``image`` are ``colour`` (antialiasing aside)."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    pixels = np.frombuffer(rgb.constBits(), np.uint8)
    pixels = pixels.reshape(rgb.height(), rgb.bytesPerLine())[:, : rgb.width() * 3]
    pixels = pixels.reshape(rgb.height(), rgb.width(), 3).astype(int)
    target = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(pixels - target).sum(axis=2) < 24).sum()) >= 10


def visible_docks(window) -> list[QDockWidget]:
    """The docks on screen (a dock behind another's tab is moved out of the window)."""
    return [
        d
        for d in window.findChildren(QDockWidget)
        if d.isVisible() and not d.isFloating() and window.rect().contains(d.geometry())
    ]


def overlaps(window) -> list[tuple[str, str]]:
    found = []
    docks = visible_docks(window)
    areas = [(d.objectName(), d.geometry()) for d in docks]
    areas.append(("timeline", QRect(window.centralWidget().geometry())))
    for (a, ra), (b, rb) in itertools.combinations(areas, 2):
        if ra.intersects(rb):
            found.append((a, b))
    return found


def labels_in_view(window) -> list[tuple[str, QRectF]]:
    plot = window.timeline.ensure_plot()
    marks = plot.marks
    items = [("deadline", marks.deadline_label)]
    for name, pool in (
        ("jump", marks.jump_labels),
        ("check", marks.check_labels),
        ("reason", marks.reason_labels),
    ):
        items += [(name, label) for label in pool]
    return [
        (f"{name}: {label.toPlainText()}", label_rect(plot, label))
        for name, label in items
        if label.isVisible()
    ]


def test_the_window_fits_a_small_laptop(make_window, qtbot):
    window = make_window()
    window.show()
    hint = window.minimumSizeHint()
    assert hint.width() <= 1280 and hint.height() <= 700, hint
    window.resize(1280, 700)
    qtbot.waitUntil(lambda: window.width() == 1280 and window.height() == 700, timeout=2000)
    QApplication.processEvents()
    assert overlaps(window) == []
    assert window.timeline.width() >= 480 and window.timeline.height() >= 240


def test_forced_smaller_nothing_draws_over_anything(make_window, qtbot):
    window = make_window()
    window.show()
    window.resize(700, 400)  # below the minimum: the window keeps its minimum
    QApplication.processEvents()
    assert window.width() >= window.minimumSizeHint().width() - 1
    assert overlaps(window) == []
    assert window.timeline.width() >= 480


def test_a_two_line_message_beside_a_field_is_shown_whole_and_the_docks_stay(window, qtbot):
    window.resize(1280, 720)
    QApplication.processEvents()
    before = {d.objectName(): d.geometry() for d in visible_docks(window)}
    box = window.findChild(QAbstractSpinBox, "foregroundTimeoutInput")
    box.setFocus()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), "an hour and a half, more or less")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    error = window.controls.errors["foreground_timeout"]
    QApplication.processEvents()
    assert error.isVisible() and error.text().count(" ") > 8
    assert error.height() >= error.heightForWidth(error.width())  # every line of it
    assert error.heightForWidth(error.width()) > error.fontMetrics().height() * 1.5  # two lines
    assert {d.objectName(): d.geometry() for d in visible_docks(window)} == before
    box.setFocus()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), "600")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    QApplication.processEvents()
    assert not error.isVisible()
    assert {d.objectName(): d.geometry() for d in visible_docks(window)} == before


def test_labels_never_cover_each_other_or_leave_the_plot(window, tmp_path):
    window.resize(1280, 720)
    path = tmp_path / "crowded.toml"
    path.write_text(CROWDED, encoding="utf-8")
    run = scenarios(window).play_file(path)
    assert run is not None
    window.host.sim.skip(run.end)
    assert run.done and run.failures  # some hold, some fail, several at a session start
    settle(window)
    plot = window.timeline.ensure_plot()
    plot.show_range(-10, 200)
    shown = labels_in_view(window)
    assert len(shown) >= 5, shown
    view = plot.view.sceneBoundingRect()
    legend = plot.legend.sceneBoundingRect()
    for (a, ra), (b, rb) in itertools.combinations(shown, 2):
        assert not ra.intersects(rb), (a, b)
    for name, rect in shown:
        assert view.contains(rect), name
        assert not rect.intersects(legend), name
    assert view.contains(legend)


def test_a_failure_at_a_session_start_says_the_failure_first(window, tmp_path):
    path = tmp_path / "crowded.toml"
    path.write_text(CROWDED, encoding="utf-8")
    run = scenarios(window).play_file(path)
    window.host.sim.skip(run.end)
    settle(window)
    plot = window.timeline.ensure_plot()
    plot.show_range(-10, 200)
    # the restart at 00:01:00 starts session 2; the expectation there fails (5 expected)
    where = plot.view.mapViewToScene(QPointF(60, 2))
    tip = plot.tip_at(where.x(), where.y())
    assert tip is not None
    first, _, rest = tip.partition("\n\n")
    assert first.startswith("expectation FAILS") and "session_index expected 5" in first
    assert "app start" in rest  # and then the session it falls on


@pytest.mark.parametrize("size", [(1280, 720), (1600, 1000)])
def test_with_the_scenario_dock_nothing_in_the_plot_is_clipped(window, size):
    window.resize(*size)
    run = scenarios(window).play_file(example_scenarios()["restarts"])
    window.host.sim.skip(run.end)
    settle(window)
    assert scenarios(window).dock.isVisible()
    QApplication.processEvents()
    plot = window.timeline.ensure_plot()
    view = plot.view.sceneBoundingRect()
    assert view.contains(plot.legend.sceneBoundingRect())
    for name, rect in labels_in_view(window):
        assert view.contains(rect), name


def test_an_exported_picture_is_large_whatever_the_window(window, tmp_path):
    window.resize(1280, 720)
    scenarios(window).play_file(example_scenarios()["restarts"])
    window.host.sim.skip(90)
    settle(window)
    assert window.timeline.width() < 900
    picture = tmp_path / "timeline.png"
    window.timeline.export_png(picture)
    image = QImage(str(picture))
    assert (image.width(), image.height()) == (1600, 900)
    for role in ("step", "start", "passed"):  # the line, a start triangle, an expectation
        assert has_colour(image, getattr(window.colors, role)), role


def test_the_scenario_dock_goes_when_the_scenario_does_and_stays_gone(make_window, tmp_path):
    from PySide6.QtCore import QSettings

    settings = QSettings(str(tmp_path / "kept.ini"), QSettings.Format.IniFormat)
    window = make_window(settings=settings)
    window.show()
    feature = scenarios(window)
    assert not feature.dock.isVisible()
    feature.play_file(example_scenarios()["restarts"])
    assert feature.dock.isVisible()
    assert feature.dock.width() <= 340  # not a third of the window
    feature.stop()
    assert not feature.dock.isVisible()
    feature.dock.toggleViewAction().trigger()  # shown by hand, then the app quits
    assert feature.dock.isVisible()
    window.close()
    again = make_window(Path(window.host.home.path), settings=settings, clock=VirtualClock())
    again.show()
    assert not scenarios(again).dock.isVisible()


def test_the_event_log_shows_every_short_session_id_whole(window):
    for _ in range(3):
        window.controls.fire_event()
        window.restart()  # another session id each time
    window.controls.fire_event()
    QApplication.processEvents()
    log = window.event_log
    column = 3
    for row in range(log.model().rowCount()):
        text = log.model().index(row, column).data()
        font = log.model().index(row, column).data(Qt.ItemDataRole.FontRole) or log.font()
        assert QFontMetrics(font).horizontalAdvance(text) < log.columnWidth(column) - 4, text
