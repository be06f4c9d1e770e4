"""snowsession-gui: the Qt window that monitors and simulates a client session.

Public:

- :func:`create_main_window` builds the window without entering the event loop.
- :class:`QtScheduler` and :class:`SessionBridge` (from :mod:`snowsession_gui.qt_session`) run
  a ``ClientSession`` in any Qt application.

Qt is imported only when one of these is used, so ``snowsession_gui.cli`` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_main_window
    from .qt_session import QtScheduler, SessionBridge

__all__ = ["QtScheduler", "SessionBridge", "create_main_window"]


def __getattr__(name: str) -> Any:
    if name == "create_main_window":
        from .app import create_main_window

        return create_main_window
    if name in ("QtScheduler", "SessionBridge"):
        from . import qt_session

        return getattr(qt_session, name)
    raise AttributeError(f"module 'snowsession_gui' has no attribute {name!r}")
