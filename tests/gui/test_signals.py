"""SIGTERM, SIGINT and SIGHUP close the window cleanly: real child processes, really signalled.

A window killed without closing can lose the session it has just shown (the engine writes
behind, on its writer thread). Closed cleanly, the save file holds the last state shown, the
lock is free, the settings are kept, and the process says which signal ended it.
``SNOWSESSION_SIGNAL_KILLS`` sets the kills per signal of the slow variant (default 8).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from session import ClientSession, VirtualClock, read_save_file

SIGNALS = [signal.SIGTERM, signal.SIGINT, signal.SIGHUP]
SEED = int(os.environ.get("SNOWSESSION_SEED", "7"))

# A window that starts new sessions as fast as it can (an event, then past the one-second
# timeout: each saved behind, on the writer thread) and prints each index it shows.
BUSY_WINDOW = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import QSettings, QTimer
    from session import VirtualClock
    from snowsession_gui import create_main_window
    from snowsession_gui.run import application, close_on_signals

    app = application()
    settings = QSettings(sys.argv[2], QSettings.Format.IniFormat)
    window = create_main_window(
        sys.argv[1], clock=VirtualClock(), speed=0, foreground_timeout=1, check_interval=1,
        settings=settings, restore=False,
    )
    window.show()

    def step():
        window.controls.fire_event()
        window.host.sim.skip(2.5)
        print(window.state_panel.index_value.text(), flush=True)

    timer = QTimer()
    timer.timeout.connect(step)
    timer.start(2)
    sys.exit(close_on_signals(app, app.exec))
    """
)


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        HOME=str(tmp_path),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
    )
    return env


def _caught(pid: int) -> set[int]:
    """The signals the process has a handler for (Linux: SigCgt in /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigCgt:"):
            mask = int(line.split()[1], 16)
            return {n for n in range(1, 65) if mask & (1 << (n - 1))}
    return set()


def _lock_is_free(path: Path) -> bool:
    try:
        ClientSession(path, clock=VirtualClock()).close()
    except Exception:
        return False
    return True


def _kill_busy_windows(tmp_path: Path, number: int, kills: int) -> None:
    rng = random.Random(SEED * 100 + number)
    for kill in range(kills):
        folder = tmp_path / f"kill{kill}"
        folder.mkdir()
        path, ini = folder / "session.xml", folder / "settings.ini"
        child = subprocess.Popen(
            [sys.executable, "-c", BUSY_WINDOW, str(path), str(ini)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(folder),
        )
        assert child.stdout is not None
        first = child.stdout.readline()  # the event loop is running: the handlers are in
        assert first.strip().isdigit(), child.stderr.read() if child.stderr else first
        time.sleep(rng.uniform(0.0, 0.4))
        child.send_signal(number)
        out, err = child.communicate(timeout=30)
        shown = [int(line) for line in (first + out).split()]
        assert child.returncode == 128 + number, err
        assert "Traceback" not in err, err
        saved = read_save_file(path).saved
        assert saved is not None and saved.session_index == shown[-1], (shown[-3:], saved)
        assert _lock_is_free(path)
        assert ini.exists() and "geometry" in ini.read_text()  # the window closed itself
        assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize("number", SIGNALS, ids=lambda n: signal.Signals(n).name)
def test_a_busy_window_signalled_at_any_moment_keeps_the_last_session_it_showed(
    tmp_path: Path, number: int
) -> None:
    _kill_busy_windows(tmp_path, number, kills=2)


@pytest.mark.slow
@pytest.mark.parametrize("number", SIGNALS, ids=lambda n: signal.Signals(n).name)
def test_many_signals_at_random_moments(tmp_path: Path, number: int) -> None:
    """Without the clean close, about one kill in three loses the last session shown."""
    _kill_busy_windows(tmp_path, number, int(os.environ.get("SNOWSESSION_SIGNAL_KILLS", "8")))


@pytest.mark.parametrize("number", SIGNALS, ids=lambda n: signal.Signals(n).name)
def test_the_window_command_closes_cleanly_on_a_signal(tmp_path: Path, number: int) -> None:
    path = tmp_path / "session.xml"
    child = subprocess.Popen(
        [sys.executable, "-m", "snowsession_gui", str(path), "--offscreen", "--speed", "600"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(tmp_path),
    )
    try:
        deadline = time.monotonic() + 30
        while not {signal.SIGTERM, signal.SIGHUP} <= _caught(child.pid):
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "the window never took its signals"
            time.sleep(0.05)
        time.sleep(0.3)
        assert not _lock_is_free(path)  # the window holds its file
        child.send_signal(number)
        _, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 128 + number, err
    assert "Traceback" not in err, err
    saved = read_save_file(path).saved
    assert saved is not None and saved.session_index == 1
    assert _lock_is_free(path)
    kept = tmp_path / "config" / "snowsession" / "snowsession-gui.ini"
    assert "speed=600" in kept.read_text()  # its settings were saved as it closed


@pytest.mark.parametrize("number", SIGNALS, ids=lambda n: signal.Signals(n).name)
def test_monitor_mode_ends_cleanly_on_a_signal(tmp_path: Path, number: int) -> None:
    path = tmp_path / "watched.xml"
    ClientSession(path, clock=VirtualClock()).close()
    before = path.read_bytes()
    child = subprocess.Popen(
        [sys.executable, "-m", "snowsession_gui", "--monitor", str(path), "--offscreen"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(tmp_path),
    )
    try:
        deadline = time.monotonic() + 30
        while not {signal.SIGTERM, signal.SIGHUP} <= _caught(child.pid):
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "the monitor never took its signals"
            time.sleep(0.05)
        child.send_signal(number)
        _, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 128 + number, err
    assert "Traceback" not in err, err
    assert path.read_bytes() == before
    assert _lock_is_free(path)
