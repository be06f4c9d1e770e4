"""Fixtures for the window's tests: isolated settings, a paused virtual clock, and leak checks.

Every test here fails if it leaves a ``QTimer`` running or a top-level window open.
"""

from __future__ import annotations

import contextlib
import os
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from session import VirtualClock
from snowsession_gui import create_main_window
from snowsession_gui.window.main_window import MainWindow

if os.environ.get("QT_QPA_PLATFORM") == "offscreen":
    # a desktop's screen (the offscreen plugin's own is 800x800, where the window fills it)
    screen = Path(__file__).with_name("desktop_screen.json")
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={screen}"

_started: list[weakref.ref[QTimer]] = []
_original_start = QTimer.start


def _recording_start(self: QTimer, *args: object) -> None:
    _started.append(weakref.ref(self))
    _original_start(self, *args)


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path) -> Iterator[None]:
    """QSettings go to tmp_path, never to the user's real configuration."""
    folder = tmp_path / "settings"
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, str(folder))
    yield


@pytest.fixture(autouse=True)
def _no_unexpected_modal_dialogs(monkeypatch: pytest.MonkeyPatch) -> None:
    """A modal dialog nobody answers would hang the run: fail the test instead.

    A test that expects one patches the call itself, which overrides this.
    """

    def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError(f"an unexpected modal dialog was opened: {args[1:3]}")

    for name in ("question", "warning", "critical", "information"):
        monkeypatch.setattr(QMessageBox, name, refuse)
    for name in ("getOpenFileName", "getSaveFileName", "getExistingDirectory"):
        monkeypatch.setattr(QFileDialog, name, refuse)


@pytest.fixture(autouse=True)
def _no_leaks(qapp: QApplication) -> Iterator[None]:
    """Fail a test that leaves a QTimer running or a top-level window open.

    Runs its check after pytest-qt has closed the widgets registered with ``qtbot``.
    """
    before = {id(w) for w in QApplication.topLevelWidgets() if w.isVisible()}
    _started.clear()
    QTimer.start = _recording_start  # type: ignore[method-assign]
    try:
        yield
    finally:
        QTimer.start = _original_start  # type: ignore[method-assign]
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    qapp.processEvents()
    open_windows = [
        w for w in QApplication.topLevelWidgets() if w.isVisible() and id(w) not in before
    ]
    running = []
    for ref in _started:
        timer = ref()
        try:
            if timer is not None and timer.isActive():
                running.append(timer)
        except RuntimeError:  # its C++ object is gone: stopped with it
            pass
    for window in open_windows:
        window.close()
    for timer in running:
        timer.stop()
    assert not open_windows, f"top-level windows left open: {open_windows}"
    assert not running, f"QTimers left running: {[t.objectName() or t for t in running]}"


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(wall_start=1_800_000_000.0)


@pytest.fixture
def save_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "session.xml"


@pytest.fixture
def make_window(qtbot, save_path: Path, clock: VirtualClock) -> Iterator[Callable[..., MainWindow]]:
    """Build the real window on the virtual clock, paused unless ``speed`` says otherwise.

    The windows are held until they are closed after the test: a window nobody holds is a
    Python object in reference cycles, which the garbage collector may delete at any moment
    (in the middle of its own closing, say).
    """
    made: list[MainWindow] = []

    def make(path: Path | None = None, **options: object) -> MainWindow:
        options.setdefault("clock", clock)
        options.setdefault("speed", 0)
        window = create_main_window(path or save_path, **options)  # type: ignore[arg-type]
        qtbot.addWidget(window)
        made.append(window)
        return window

    yield make
    for window in made:
        with contextlib.suppress(RuntimeError):  # already deleted
            window.close()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    made.clear()


@pytest.fixture
def window(make_window: Callable[..., MainWindow], qtbot) -> MainWindow:
    window = make_window()
    window.show()
    qtbot.waitExposed(window)
    return window
