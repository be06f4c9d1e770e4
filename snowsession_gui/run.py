"""Run the window, the monitor or the screenshot once the command line has been checked.

A window run this way closes cleanly on SIGTERM, SIGINT and SIGHUP: its windows close (the
main window closes its sessions, so the save file holds the last state and its lock is
released) and the process exits with 128 plus the signal's number.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import random
import signal
import socket
import sys
import tempfile
import traceback
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType, TracebackType

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QMessageLogContext,
    QSettings,
    QSocketNotifier,
    Qt,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QWidget

from session import VirtualClock
from snowsession_gui.host.session_host import CannotOpen, FileBusy
from snowsession_gui.model.exports import write_bytes
from snowsession_gui.monitor.window import MonitorWindow
from snowsession_gui.window.demo import play_demo
from snowsession_gui.window.main_window import MainWindow
from snowsession_gui.window.screen_fit import PREFERRED

from .app import APPLICATION, ORGANIZATION, create_main_window

__all__ = ["SIGNALS", "application", "close_on_signals", "run", "run_monitor", "write_picture"]

log = logging.getLogger("snowsession_gui")
ICON = Path(__file__).parent / "resources" / "snowsession.svg"
SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGINT", "SIGHUP") if hasattr(signal, name)
)
"""The signals that close the window cleanly (SIGHUP where the system has it)."""

PICTURE_WALL_START = 1_798_794_000.0
"""The wall clock a picture's run starts at (2027-01-01 09:00 UTC): the same in every picture."""

_QT_NOISE = ("This plugin does not support propagateSizeHints()",)


def _quiet_qt_messages(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """Qt's own messages go to stderr as usual, less the offscreen plugin's harmless notes."""
    if message not in _QT_NOISE:
        print(message, file=sys.stderr)


def application() -> QApplication:
    """The QApplication, made once and named for snowsession (the window and its settings)."""
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


def _excepthook(
    kind: type[BaseException], error: BaseException, trace: TracebackType | None
) -> None:
    """Log an unexpected error and carry on: the window never shows a traceback dialog."""
    log.error("unexpected error:\n%s", "".join(traceback.format_exception(kind, error, trace)))
    for widget in QApplication.topLevelWidgets():
        show = getattr(widget, "show_message", None)
        if callable(show):
            show(f"unexpected error: {error} (details in the log)")


def _ignore(number: int, frame: FrameType | None) -> None:
    """The Python side of the handler: the work is done when the event loop wakes up."""


def close_on_signals(app: QApplication, loop: Callable[[], int]) -> int:
    """Run ``loop`` (the event loop); on any of :data:`SIGNALS`, close every window and end it.

    Returns the loop's status, or 128 plus the number of the signal that ended it. A signal
    wakes the event loop through a socket (``signal.set_wakeup_fd``), since Python handlers do
    not run while Qt's loop has the main thread.
    """
    wake, woken = socket.socketpair()
    wake.setblocking(False)
    woken.setblocking(False)
    notifier = QSocketNotifier(woken.fileno(), QSocketNotifier.Type.Read)
    received: list[int] = []

    def on_wake() -> None:
        with contextlib.suppress(BlockingIOError):
            received.extend(n for n in woken.recv(64) if n in SIGNALS)
        if received:
            notifier.setEnabled(False)
            app.closeAllWindows()  # the main window closes its sessions and saves its settings
            app.exit(128 + received[0])

    notifier.activated.connect(on_wake)
    before = signal.set_wakeup_fd(wake.fileno(), warn_on_full_buffer=False)
    handlers = {number: signal.signal(number, _ignore) for number in SIGNALS}
    try:
        return loop()
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)
        signal.set_wakeup_fd(before)
        notifier.setEnabled(False)
        wake.close()
        woken.close()


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app = application()
    if args.monitor is not None:
        return run_monitor(app, args.monitor, args.screenshot)
    if args.screenshot is not None:
        return _screenshot(app, args)
    sys.excepthook = _excepthook
    try:
        window = _window(args, args.save_path, speed=args.speed)
    except FileBusy as error:
        print(f"snowsession-gui: {error} (snowsession-gui --monitor {error.path})", file=sys.stderr)
        return 2
    except CannotOpen as error:
        print(f"snowsession-gui: {error}", file=sys.stderr)
        return 2
    window.show()
    return close_on_signals(app, app.exec)


def run_monitor(app: QApplication, path: Path, screenshot: Path | None = None) -> int:
    """``snowsession-gui --monitor SAVE_FILE``: the monitor window, or its picture and exit."""
    window = MonitorWindow(path)
    window.show()
    if screenshot is None:
        return close_on_signals(app, app.exec)
    return write_picture(app, window, screenshot, window.timeline.redraw)


def _window(
    args: argparse.Namespace,
    save_path: Path | None,
    *,
    speed: float | None,
    clock: VirtualClock | None = None,
    settings: QSettings | None = None,
    restore: bool = True,
) -> MainWindow:
    """The window the command line asks for (what it leaves out: the settings kept)."""
    return create_main_window(
        save_path,
        clock=clock,
        speed=speed,
        foreground_timeout=args.foreground_timeout,
        background_timeout=args.background_timeout,
        check_interval=args.check_interval,
        policy=args.policy,
        settings=settings,
        restore=restore,
    )


def _screenshot(app: QApplication, args: argparse.Namespace) -> int:
    """The window after the demo, as a PNG: the same picture from run to run (its size, its
    clock, its ids), so that a picture for the docs changes only when the window does."""
    picture, given = args.screenshot.absolute(), args.save_path and args.save_path.absolute()
    with (
        tempfile.TemporaryDirectory(prefix="snowsession-shot-") as folder,
        contextlib.chdir(folder),  # the scratch file is shown as "session.xml", nowhere else
        fixed_ids(),
    ):
        save_path = given or Path("session.xml")
        settings = QSettings(str(Path(folder) / "settings.ini"), QSettings.Format.IniFormat)
        clock = VirtualClock(wall_start=PICTURE_WALL_START)
        try:
            window = _window(
                args, save_path, speed=0, clock=clock, settings=settings, restore=False
            )
        except CannotOpen as error:
            print(f"snowsession-gui: {error}", file=sys.stderr)
            return 2
        window.setWindowState(Qt.WindowState.WindowNoState)  # whatever the screen
        window.resize(PREFERRED)
        window.show()
        return write_picture(app, window, picture, lambda: play_demo(window))


@contextlib.contextmanager
def fixed_ids(seed: int = 19) -> Iterator[None]:
    """While a picture is made, the random ids the engine and the window draw (``uuid4``)
    come from a seeded generator: the same ids, the same picture."""
    draw = random.Random(seed)
    real = uuid.uuid4
    uuid.uuid4 = lambda: uuid.UUID(int=draw.getrandbits(128), version=4)
    try:
        yield
    finally:
        uuid.uuid4 = real


def write_picture(
    app: QApplication, window: QWidget, path: Path, prepare: Callable[[], object]
) -> int:
    """Run ``prepare``, grab ``window`` to the PNG ``path``, close it, say so in one line.

    Returns the command's exit status.
    """
    data = QByteArray()
    try:
        app.processEvents()
        prepare()
        app.processEvents()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        ok = window.grab().save(buffer, "PNG")
    finally:
        window.close()
        window.deleteLater()
        app.processEvents()
    try:
        if not ok:
            raise OSError("the picture could not be made")
        write_bytes(path, bytes(data.data()))
    except OSError as error:
        print(
            f"snowsession-gui: could not write {path}: {error.strerror or error}", file=sys.stderr
        )
        return 1
    print(f"snowsession-gui: wrote {path}")
    return 0
