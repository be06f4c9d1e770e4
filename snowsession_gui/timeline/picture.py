"""The timeline as a picture to send: a chosen size, a heading above the plot, PNG bytes.

The picture is drawn at the size asked for whatever the window's size: the heading is wrapped
to the width (never cut short) and the plot is drawn in what is left.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, QRect, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QImageWriter, QPainter
from PySide6.QtWidgets import QWidget

from snowsession_gui.widgets.palette import Colors

__all__ = [
    "MAX_SIZE",
    "MIN_SIZE",
    "PICTURE_BASE",
    "PRESETS",
    "Heading",
    "check_size",
    "picture_scale",
    "png_bytes",
    "render_scaled",
    "titled",
]

PRESETS = ((1280, 720), (1600, 900), (1920, 1080))
"""The sizes offered first (16:9, as slides and screens are)."""
MIN_SIZE = (640, 360)
"""The smallest picture whose labels and legend all fit."""
MAX_SIZE = (7680, 4320)
PICTURE_BASE = (1280, 720)
"""A plot up to this size is drawn with the window's text; a larger one is laid out at this
size and drawn scaled up whole, so that its text grows with the picture."""


@dataclass(frozen=True, slots=True)
class Heading:
    """What is written above the plot: a title and a line of what is in force."""

    title: str
    subtitle: str = ""


def check_size(width: int, height: int) -> str | None:
    """Why ``width`` x ``height`` cannot be drawn, or None if it can."""
    (w0, h0), (w1, h1) = MIN_SIZE, MAX_SIZE
    if not w0 <= width <= w1:
        return f"the width must be {w0} to {w1} pixels"
    if not h0 <= height <= h1:
        return f"the height must be {h0} to {h1} pixels"
    return None


def picture_scale(width: int, height: int) -> float:
    """How much larger than on screen a plot's text is drawn in a ``width`` x ``height``
    picture (1 up to :data:`PICTURE_BASE`, 1.5 at 1920 x 1080)."""
    return max(1.0, min(width / PICTURE_BASE[0], height / PICTURE_BASE[1]))


def render_scaled(widget: QWidget, width: int, height: int, background: QColor) -> QImage:
    """``widget`` (laid out at its own size) drawn to fill ``width`` x ``height`` pixels."""
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(background)
    painter = QPainter(image)
    try:
        painter.setRenderHints(
            QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
        )
        painter.scale(width / max(1, widget.width()), height / max(1, widget.height()))
        widget.render(painter, QPoint(0, 0))
    finally:
        painter.end()
    return image


def _font(base: QFont, pixels: int, bold: bool) -> QFont:
    font = QFont(base)
    font.setPixelSize(max(1, pixels))
    font.setBold(bold)
    return font


def titled(
    plot: Callable[[int, int], QImage],
    width: int,
    height: int,
    heading: Heading | None,
    colors: Colors,
    base_font: QFont,
) -> QImage:
    """A ``width`` x ``height`` picture: ``heading`` on top, then ``plot(width, rest)``."""
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(colors.q("background"))
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        top = 0
        if heading is not None:
            size = max(16, min(44, round(height * 0.034)))
            margin = round(size * 0.8)
            wrap = int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignLeft)
            top = margin
            for text, font, color in (
                (heading.title, _font(base_font, size, True), colors.foreground),
                (heading.subtitle, _font(base_font, round(size * 0.62), False), colors.muted),
            ):
                if not text:
                    continue
                box = QFontMetrics(font).boundingRect(
                    QRect(margin, top, width - 2 * margin, height), wrap, text
                )
                painter.setFont(font)
                painter.setPen(QColor(color))
                painter.drawText(QRect(margin, top, width - 2 * margin, box.height()), wrap, text)
                top += box.height() + round(size * 0.3)
            top = min(top + margin // 2, height // 2)  # the plot keeps at least half
        painter.drawImage(0, top, plot(width, height - top))
    finally:
        painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    """``image`` as PNG. Raises OSError when it cannot be encoded."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QImageWriter(buffer, QByteArray(b"png"))
    if not writer.write(image):
        raise OSError(f"could not draw the timeline: {writer.errorString()}")
    return bytes(buffer.data().data())
