"""The toolbar at a projector's width, light and dark: the policy selector stays with its
caption, and where the toolbar is really too narrow its overflow button can be seen."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QComboBox, QLabel, QToolButton, QWidget


@pytest.fixture(params=["light", "dark"])
def theme(request, qapp) -> Iterator[str]:
    light = qapp.palette()
    if request.param == "dark":
        dark = QPalette(light)
        for role, color in (
            (QPalette.ColorRole.Window, "#202124"),
            (QPalette.ColorRole.WindowText, "#e8eaed"),
            (QPalette.ColorRole.Button, "#303134"),
            (QPalette.ColorRole.ButtonText, "#e8eaed"),
        ):
            dark.setColor(role, QColor(color))
        qapp.setPalette(dark)
    try:
        yield request.param
    finally:
        qapp.setPalette(light)
        qapp.processEvents()


def shown_whole(window, widget) -> bool:
    if not widget.isVisible():
        return False
    corner = widget.mapTo(window.toolbar, widget.rect().topLeft())
    return window.toolbar.rect().contains(corner.x(), corner.y()) and (
        corner.x() + widget.width() <= window.toolbar.width()
    )


def test_at_1280_the_policy_selector_is_in_the_toolbar(window, theme, qtbot):
    window.resize(1280, 720)
    qtbot.waitUntil(lambda: window.toolbar.width() == 1280)
    selector = window.findChild(QComboBox, "policySelector")
    assert shown_whole(window, selector)
    caption = window.findChild(QWidget, "policySelectorItem").findChild(QLabel)
    assert caption.isVisible() and caption.buddy() is selector


def test_too_narrow_the_caption_and_the_selector_go_together_behind_a_visible_arrow(
    window, theme, qtbot
):
    window.setMinimumSize(QSize(0, 0))
    narrow = window.toolbar.sizeHint().width() - 200
    window.resize(narrow, 720)
    qtbot.waitUntil(lambda: window.toolbar.width() < narrow + 50)
    selector = window.findChild(QComboBox, "policySelector")
    item = window.findChild(QWidget, "policySelectorItem")
    assert item is not None and selector.parentWidget() is item
    assert not item.isVisible()  # the caption and its selector, both in the overflow menu
    button = window.toolbar.findChild(QToolButton, "qt_toolbar_ext_button")
    assert button.isVisible() and button.width() >= 16
    image = button.icon().pixmap(16, 16).toImage()
    background = window.palette().color(QPalette.ColorRole.Window)
    strongest = max(
        abs(QColor(image.pixel(x, y)).lightness() - background.lightness())
        for x in range(16)
        for y in range(16)
        if QColor.fromRgba(image.pixel(x, y)).alpha() > 128
    )
    assert strongest > 100, theme  # the arrow stands out from the toolbar, light or dark
