"""The window's size on the screen it opens on: its preferred size where that fits, else the
whole available area (a 720p projector, a small laptop), and a saved geometry only within it."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

__all__ = ["PREFERRED", "SHARE", "available_area", "fit_to_screen", "fits", "restore_on_screen"]

PREFERRED = QSize(1280, 800)
"""The window's least size on a screen with room for it."""
SHARE = 0.9
"""How much of a larger screen the window takes: on 1600x1000, 1440x900, so that the Trackers
dock, the state panel and the timeline each have their whole width side by side."""
DECORATION = QSize(16, 48)
"""Room kept for the window manager's frame and title bar, which are not known before the
window is first shown."""


def available_area(window: QWidget) -> QRect:
    """The part of the window's screen that windows may use (less panels and task bars)."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(0, 0, 1920, 1080)


def fits(frame: QRect, area: QRect) -> bool:
    """Whether ``frame`` (a window's outer rectangle) lies wholly inside ``area``."""
    return area.contains(frame)


def fit_to_screen(window: QWidget) -> None:
    """Give ``window`` its preferred size, centred, where the screen has room for it with its
    frame; on a smaller screen, the whole available area (maximized), so that nothing of it
    (the docks along the bottom, the status bar) is ever below the edge."""
    area = available_area(window)
    room = area.size() - DECORATION
    if room.width() >= PREFERRED.width() and room.height() >= PREFERRED.height():
        window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMaximized)
        share = QSize(int(area.width() * SHARE), int(area.height() * SHARE))
        size = share.expandedTo(PREFERRED).boundedTo(room)
        window.resize(size)
        spare = area.size() - size
        window.move(area.topLeft() + QPoint(spare.width() // 2, spare.height() // 2))
    else:
        window.setGeometry(area)  # also where no window manager maximizes (a kiosk, Xvfb)
        window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)


def restore_on_screen(window: QWidget, geometry: QByteArray) -> bool:
    """Put back a saved geometry if it fits the screen the window is on now; else (a window
    kept on a larger screen, or off the edge) fit the window afresh. Whether it was put back."""
    if window.restoreGeometry(geometry):
        maximized = bool(window.windowState() & Qt.WindowState.WindowMaximized)
        if maximized or fits(window.frameGeometry(), available_area(window)):
            return True
    fit_to_screen(window)
    return False
