"""The PNG export: a size chosen in a small dialog (presets or typed) and a title above the
plot, drawn at that size whatever the window's size."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QAction, QColor, QImage
from PySide6.QtWidgets import QDialogButtonBox

from snowsession_gui.export.png_dialog import CUSTOM, PngDialog
from snowsession_gui.model.units import format_clock
from snowsession_gui.timeline.picture import picture_scale

from .gui_helpers import exports, settle


@pytest.fixture
def save_to(monkeypatch):
    answers: list[Path] = []

    def answer(_parent, _title, default, _filter):
        return (str(answers.pop(0)), "") if answers else ("", "")

    monkeypatch.setattr("snowsession_gui.export.feature.QFileDialog.getSaveFileName", answer)
    return answers


def dark_rows(
    image: QImage, top: int, bottom: int, background: QColor, columns: tuple[float, float] = (0, 1)
) -> int:
    """How many rows between ``top`` and ``bottom`` have a pixel far from ``background``
    (in the share ``columns`` of the width)."""
    rows = 0
    for y in range(top, bottom):
        for x in range(int(image.width() * columns[0]), int(image.width() * columns[1]), 2):
            pixel = image.pixelColor(x, y)
            if abs(pixel.lightness() - background.lightness()) > 100:
                rows += 1
                break
    return rows


def run_a_little(window) -> None:
    for _ in range(3):
        window.controls.fire_event()
        window.time_controls.skip_one_minute()
    settle(window)


def test_the_dialog_offers_presets_and_takes_a_typed_size(window, tmp_path, save_to, qtbot):
    run_a_little(window)
    window.resize(700, 600)  # smaller than the picture asked for
    dialog = exports(window).choose_timeline_png()
    assert isinstance(dialog, PngDialog) and dialog in window.dialogs
    presets = [dialog.preset.itemText(i) for i in range(dialog.preset.count())]
    assert presets == ["1280 x 720", "1600 x 900", "1920 x 1080", CUSTOM]
    assert dialog.size_chosen() == (1600, 900)
    dialog.preset.setCurrentIndex(0)
    assert (dialog.width_field.text(), dialog.height_field.text()) == ("1280", "720")
    qtbot.keyClicks(dialog.height_field, "0")  # 7200: too tall
    assert dialog.preset.currentText() == CUSTOM
    assert dialog.error.isVisibleTo(dialog)
    assert dialog.error.text() == "the height must be 360 to 4320 pixels"
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()
    dialog.accept()  # refused: nothing written, the dialog stays
    assert dialog.result() == 0 and not list(tmp_path.glob("*.png"))
    dialog.height_field.clear()
    qtbot.keyClicks(dialog.height_field, "800")
    assert not dialog.error.isVisibleTo(dialog) and ok.isEnabled()
    dialog.title.setText("Sign-off <run 7> 🎉")
    save_to.append(tmp_path / "picture.png")
    ok.click()
    image = QImage(str(tmp_path / "picture.png"))
    assert (image.width(), image.height()) == (1280, 800)
    assert "exported" in window.statusBar().currentMessage()


def test_letters_in_a_size_are_a_message_beside_it(window, qtbot):
    dialog = exports(window).choose_timeline_png()
    dialog.width_field.clear()
    qtbot.keyClicks(dialog.width_field, "wide")
    assert dialog.error.text() == "type the width and height as whole numbers of pixels"
    assert dialog.size_chosen() is None
    qtbot.keyClicks(dialog.width_field, "\b\b\b\b639")
    assert dialog.error.text() == "the width must be 640 to 7680 pixels"
    dialog.close()


@pytest.mark.parametrize("size", [(640, 360), (1920, 1080)])
def test_the_picture_is_the_size_asked_for_with_its_heading_on_top(window, tmp_path, size):
    run_a_little(window)
    window.resize(1280, 760)
    feature = exports(window)
    assert feature.export_png(tmp_path / "with.png", size, "session.xml")
    assert feature.export_png(tmp_path / "without.png", size, "")
    titled, bare = QImage(str(tmp_path / "with.png")), QImage(str(tmp_path / "without.png"))
    assert (titled.width(), titled.height()) == (bare.width(), bare.height()) == size
    background = QColor(window.colors.background)
    band = max(16, round(size[1] * 0.034))  # the title's height in pixels
    assert dark_rows(titled, 0, 2 * band, background, (0, 0.3)) >= band // 2  # the title
    margin = round(10 * picture_scale(*size))  # the plot's own margin, scaled with it
    assert dark_rows(bare, 0, margin, background, (0.3, 0.7)) == 0  # no heading: the margin
    # the axis title at the very bottom is drawn whole in both (the plot fits what is left)
    assert dark_rows(titled, size[1] - 30, size[1], background) > 3
    assert dark_rows(bare, size[1] - 30, size[1], background) > 3


def test_the_heading_says_what_is_in_force_and_which_times(window):
    window.host.apply_setting("foreground_timeout", "120")
    run_a_little(window)
    heading = exports(window).heading("session.xml")
    assert heading.title == "session.xml"
    assert heading.subtitle.startswith("dotnet policy · foreground timeout 120 s · ")
    assert "background timeout 300 s" in heading.subtitle
    now = window.host.now()
    assert window.timeline.picture_times()[1] > now  # the picture has a margin; the words not
    assert heading.subtitle.endswith(f"simulated time 00:00:00 to {format_clock(now)}")


def test_the_menu_action_opens_the_dialog(window):
    window.findChild(QAction, "exportPngAction").trigger()
    (dialog,) = [d for d in window.dialogs if isinstance(d, PngDialog)]
    assert dialog.title.text() == window.host.save_path.name
    dialog.reject()


def test_the_longest_title_wraps_above_the_plot_at_the_smallest_size(window, tmp_path, qtbot):
    from snowsession_gui.export.png_dialog import TITLE_MAX

    run_a_little(window)
    dialog = exports(window).choose_timeline_png()
    dialog.title.clear()
    qtbot.keyClicks(dialog.title, "a long title " * 20)
    assert len(dialog.title.text()) == TITLE_MAX
    title = dialog.title.text()
    dialog.close()
    assert exports(window).export_png(tmp_path / "long.png", (640, 360), title)
    image = QImage(str(tmp_path / "long.png"))
    background = QColor(window.colors.background)
    assert (image.width(), image.height()) == (640, 360)
    assert dark_rows(image, 360 - 30, 360, background) > 3  # the plot's axis, still drawn


def axis_column(image: QImage, background: QColor) -> int:
    """The column of the plot's left axis line: the first one dark from 30 % to 70 % down."""
    rows = range(int(image.height() * 0.3), int(image.height() * 0.7), 7)
    for x in range(image.width()):
        dark = [
            abs(image.pixelColor(x, y).lightness() - background.lightness()) > 100 for y in rows
        ]
        if all(dark):
            return x
    raise AssertionError("no axis line")


def test_the_plot_text_grows_with_the_picture(window, tmp_path):
    run_a_little(window)
    feature = exports(window)
    background = QColor(window.colors.background)
    columns = []
    for size in ((1280, 720), (1920, 1080)):
        assert feature.export_png(tmp_path / "p.png", size, "")
        columns.append(axis_column(QImage(str(tmp_path / "p.png")), background))
    small, large = columns
    assert large == pytest.approx(1.5 * small, abs=3)  # the index labels beside it, 1.5 x


def test_the_picture_holds_the_whole_run_unless_a_span_was_chosen(window, tmp_path):
    session = window.host.session
    session.start_checker()
    window.controls.fire_event()
    for _ in range(6):  # seven sessions over more than an hour, far beyond the 15 min shown
        window.host.sim.skip(615)
        settle(window)
    assert session.session_index == 7
    x0, _x1 = window.timeline.visible_range()
    assert x0 > 1800
    feature = exports(window)
    left, right = window.timeline.picture_times()
    assert left <= 0 and right >= window.host.now()
    now = format_clock(window.host.now())
    assert feature.heading("t").subtitle.endswith(f"simulated time 00:00:00 to {now}")
    assert feature.export_png(tmp_path / "whole.png", (1920, 1080), "t")
    window.findChild(QAction, "span300Action").trigger()  # a span chosen: what is on screen
    window.timeline.redraw()
    assert window.timeline.picture_times() == window.timeline.visible_range()
    assert window.timeline.picture_times()[0] > 3000
