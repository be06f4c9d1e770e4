"""Run the window (or draw the screenshot) once the command line has been checked."""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QMessageLogContext, QSettings, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QWidget

from session import VirtualClock

from .app import APPLICATION, ORGANIZATION, create_main_window
from .demo import play_demo
from .host import CannotOpen, FileBusy

__all__ = ["run"]

log = logging.getLogger("snowsession_gui")
ICON = Path(__file__).parent / "resources" / "snowsession.svg"


_QT_NOISE = ("This plugin does not support propagateSizeHints()",)


def _quiet_qt_messages(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """Qt's own messages go to stderr as usual, less the offscreen plugin's harmless notes."""
    if message not in _QT_NOISE:
        print(message, file=sys.stderr)


def _application() -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        qInstallMessageHandler(_quiet_qt_messages)
        app = QApplication([sys.argv[0]])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("snowsession")
    if ICON.exists():
        app.setWindowIcon(QIcon(str(ICON)))
    return app


def _excepthook(kind: type[BaseException], error: BaseException, trace: TracebackType | None):
    """Log an unexpected error and carry on: the window never shows a traceback dialog."""
    log.error("unexpected error:\n%s", "".join(traceback.format_exception(kind, error, trace)))
    for widget in QApplication.topLevelWidgets():
        show = getattr(widget, "show_message", None)
        if callable(show):
            show(f"unexpected error: {error} (details in the log)")


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app = _application()
    options = {
        "foreground_timeout": args.foreground_timeout,
        "background_timeout": args.background_timeout,
        "check_interval": args.check_interval,
        "policy": getattr(args, "policy", None),
    }
    if getattr(args, "monitor", None) is not None:
        from .monitor_window import run_monitor

        return run_monitor(app, args.monitor, args.screenshot)
    if args.screenshot is not None:
        return _screenshot(app, args, options)
    sys.excepthook = _excepthook
    try:
        window = create_main_window(args.save_path, speed=args.speed, **options)
    except FileBusy as error:
        print(f"snowsession-gui: {error} (snowsession-gui --monitor {error.path})", file=sys.stderr)
        return 2
    except CannotOpen as error:
        print(f"snowsession-gui: {error}", file=sys.stderr)
        return 2
    window.show()
    return app.exec()


def _screenshot(app: QApplication, args: argparse.Namespace, options: dict) -> int:
    with tempfile.TemporaryDirectory(prefix="snowsession-shot-") as folder:
        save_path = args.save_path or Path(folder) / "session.xml"
        settings = QSettings(str(Path(folder) / "settings.ini"), QSettings.Format.IniFormat)
        try:
            window = create_main_window(
                save_path,
                clock=VirtualClock(),
                speed=0,
                settings=settings,
                restore=False,
                **options,
            )
        except CannotOpen as error:
            print(f"snowsession-gui: {error}", file=sys.stderr)
            return 2
        window.show()
        return write_picture(app, window, args.screenshot, lambda: play_demo(window))


def write_picture(
    app: QApplication, window: QWidget, path: Path, prepare: Callable[[], object]
) -> int:
    """Run ``prepare``, grab ``window`` to the PNG ``path``, close it, say so in one line.

    Returns the command's exit status.
    """
    try:
        prepare()
        ok = window.grab().save(str(path), "PNG")
    finally:
        window.close()
        window.deleteLater()
        app.processEvents()
    if not ok:
        print(f"snowsession-gui: could not write {path}", file=sys.stderr)
        return 1
    print(f"snowsession-gui: wrote {path}")
    return 0
