"""snowsession-gui: the Qt window that monitors and simulates a client session.

Public:

- :func:`create_main_window` builds the window without entering the event loop.
- :class:`QtScheduler`, :class:`SessionBridge` and :func:`follow_application_state` (from
  :mod:`snowsession_gui.host.qt_session`) run a ``ClientSession`` in any Qt application.
- :class:`SaveFileWatcher` (from :mod:`snowsession_gui.host.save_watcher`) says, read-only, each
  time a save file another program writes changes.

Qt is imported only when one of these is used, so ``snowsession_gui.launcher`` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_main_window
    from .host.qt_session import QtScheduler, SessionBridge, follow_application_state
    from .host.save_watcher import SaveFileWatcher

__all__ = [
    "QtScheduler",
    "SaveFileWatcher",
    "SessionBridge",
    "create_main_window",
    "follow_application_state",
]


def __getattr__(name: str) -> Any:
    if name == "create_main_window":
        from .app import create_main_window

        return create_main_window
    if name in ("QtScheduler", "SessionBridge", "follow_application_state"):
        from .host import qt_session

        return getattr(qt_session, name)
    if name == "SaveFileWatcher":
        from .host.save_watcher import SaveFileWatcher

        return SaveFileWatcher
    raise AttributeError(f"module 'snowsession_gui' has no attribute {name!r}")
