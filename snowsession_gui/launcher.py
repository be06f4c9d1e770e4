"""``snowsession-gui``: parse the command line, check for a display, run the window."""

from __future__ import annotations

import argparse
import ctypes
import math
import os
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from session import MAX_SECONDS

__all__ = ["display_problem", "main", "parse_args"]

NO_DISPLAY = (
    "snowsession-gui: no display available (DISPLAY and WAYLAND_DISPLAY {detail}); run it "
    "under a display server, e.g. `xvfb-run snowsession-gui`, or write a picture with "
    "`snowsession-gui --offscreen --screenshot FILE.png`"
)


XCB_MISSING = (
    "snowsession-gui: Qt cannot use the X display: {error}; install Qt's X11 libraries "
    "(Debian and Ubuntu: apt install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 "
    "libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-randr0 libxkbcommon-x11-0), or "
    "write a picture with `snowsession-gui --offscreen --screenshot FILE.png`"
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"snowsession-gui: {message} (see --help)\n")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value <= 0 or value > MAX_SECONDS:
        raise argparse.ArgumentTypeError(
            f"{text!r} must be more than 0 and at most {MAX_SECONDS} seconds"
        )
    return value


def _speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or not 0 <= value <= 3600:
        raise argparse.ArgumentTypeError(f"{text!r} must be between 0 (paused) and 3600")
    return value


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = _Parser(
        prog="snowsession-gui",
        description="Watch, drive and simulate a Snowplow client session on a virtual clock.",
    )
    parser.add_argument(
        "save_path",
        nargs="?",
        metavar="SAVE_PATH",
        type=Path,
        help="the save file (default: session.xml in your data folder)",
    )
    parser.add_argument(
        "--foreground-timeout",
        type=_seconds,
        metavar="S",
        help="idle seconds before a new session in the foreground (600)",
    )
    parser.add_argument(
        "--background-timeout",
        type=_seconds,
        metavar="S",
        help="idle seconds before a new session in the background (300)",
    )
    parser.add_argument(
        "--check-interval", type=_seconds, metavar="S", help="seconds between expiry checks (15)"
    )
    parser.add_argument(
        "--speed",
        type=_speed,
        metavar="X",
        help="simulated seconds per real second (0 pauses; default 1)",
    )
    parser.add_argument(
        "--policy",
        choices=("dotnet", "mobile"),
        help="the session rules: the .NET tracker's or the mobile trackers' (default: the last "
        "one used, else dotnet)",
    )
    parser.add_argument(
        "--monitor",
        type=Path,
        metavar="SAVE_FILE",
        help="watch a save file another program writes, read-only: never writes it, never "
        "takes its lock",
    )
    parser.add_argument(
        "--offscreen", action="store_true", help="draw without a display (with --screenshot)"
    )
    parser.add_argument(
        "--screenshot",
        type=Path,
        metavar="FILE.png",
        help="run a few simulated minutes, write the window as a PNG and exit",
    )
    args = parser.parse_args(argv)
    if args.monitor is not None and args.save_path is not None:
        parser.error("give either SAVE_PATH (to run a session) or --monitor SAVE_FILE, not both")
    if args.screenshot is not None and args.screenshot.suffix.lower() != ".png":
        parser.error(f"--screenshot needs a .png file name, got {str(args.screenshot)!r}")
    return args


def _x11_reachable(display: str) -> bool:
    host, _, rest = display.rpartition(":")
    number = rest.split(".", 1)[0]
    if not number.isdigit():
        return False
    if host in ("", "unix") or host.startswith("/"):
        paths = [host] if host.startswith("/") else [f"/tmp/.X11-unix/X{number}"]
        for path in paths:
            for address in (path, "\0" + path):
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                    sock.settimeout(1.0)
                    try:
                        sock.connect(address)
                        return True
                    except OSError:
                        continue
        if host:
            return False
        host = "localhost"
    try:
        with socket.create_connection((host, 6000 + int(number)), timeout=1.0):
            return True
    except OSError:
        return False


def display_problem(environ: dict[str, str] | os._Environ[str] = os.environ) -> str | None:
    """Why Qt could not open a window here (one line), or None if it can.

    Only Linux and other X11/Wayland systems are checked; the xcb plugin aborts the process
    when it cannot connect, so this must be known before a ``QApplication`` exists.
    """
    if sys.platform in ("win32", "darwin"):
        return None
    platform = environ.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith(("xcb", "wayland")):
        return None  # offscreen, vnc, eglfs, …: Qt does not need a display server
    wayland = environ.get("WAYLAND_DISPLAY")
    if wayland:
        runtime = environ.get("XDG_RUNTIME_DIR", "")
        if os.path.isabs(wayland) or not runtime or os.path.exists(os.path.join(runtime, wayland)):
            return None
    display = environ.get("DISPLAY")
    if display:
        if _x11_reachable(display):
            return xcb_plugin_problem()
        return NO_DISPLAY.format(detail=f"point to {display!r}, which does not answer")
    return NO_DISPLAY.format(detail="are not set")


def xcb_plugin_problem() -> str | None:
    """Why Qt's X11 plugin would not load (one line), or None if it loads.

    Qt aborts the process when the plugin is missing a system library (a machine without
    ``libxcb-cursor0``, say), so the plugin is loaded here first and the loader's own words,
    which name the missing library, are passed on.
    """
    try:
        import PySide6
    except ImportError:
        return None
    plugin = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    if not plugin.is_file():
        return None
    try:
        ctypes.CDLL(str(plugin))
    except OSError as error:
        return XCB_MISSING.format(error=error)
    return None


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.screenshot is not None and not args.offscreen and display_problem() is not None:
        args.offscreen = True  # a screenshot needs no display
    if args.offscreen:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    else:
        problem = display_problem()
        if problem:
            print(problem, file=sys.stderr)
            return 1
    from .run import run

    return run(args)
