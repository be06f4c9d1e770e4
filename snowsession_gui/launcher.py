"""``snowsession-gui``: parse the command line, check for a display, run the window."""

from __future__ import annotations

import argparse
import ctypes
import os
import shutil
import socket
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NoReturn

from session import DEFAULTS, POLICY_NAMES, SETTING_NAMES
from snowsession_gui.model.settings_names import SETTING_WORDS
from snowsession_gui.model.units import (
    DEFAULT_POLICY,
    DEFAULT_SPEED,
    MAX_SPEED,
    format_seconds,
    parse_seconds,
    parse_speed,
)

__all__ = ["XCB_PACKAGES", "command_here", "display_problem", "in_force", "main", "parse_args"]

XCB_PACKAGES = (
    "sudo apt install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 "
    "libxcb-render-util0 libxcb-shape0 libxcb-randr0 libxkbcommon-x11-0"
)
"""What Qt's X11 plugin needs beyond a plain Debian or Ubuntu desktop (the README says it too)."""

NO_DISPLAY = (
    "snowsession-gui: no display available (DISPLAY and WAYLAND_DISPLAY {detail}); run it "
    "under a display server, e.g. `{under_xvfb}`{xvfb}, or write a picture with `{picture}`"
)


XCB_MISSING = (
    "snowsession-gui: Qt cannot use the X display: {error}; install Qt's X11 libraries "
    f"(Debian and Ubuntu: {XCB_PACKAGES}), or write a picture with `{{picture}}`"
)


def command_here(
    environ: Mapping[str, str] = os.environ, argv0: str = sys.argv[0]
) -> tuple[str, str]:
    """How to start the window again from where the person stands, and how to ask it for a
    picture instead: ``make run`` under make, else the program as it was started (a clone's
    ``.venv/bin/snowsession-gui``, ``python -m snowsession_gui``, or the installed command)."""
    if environ.get("MAKELEVEL"):
        return "make run", "make run ARGS='--offscreen --screenshot shot.png'"
    program = Path(argv0)
    if program.name == "__main__.py":  # python -m snowsession_gui
        command = f"{_shown(Path(sys.executable), environ)} -m snowsession_gui"
    else:
        command = _shown(program, environ)
    return command, f"{command} --offscreen --screenshot shot.png"


def _shown(program: Path, environ: Mapping[str, str]) -> str:
    """``program`` as it can be typed here: its bare name where PATH finds this very file,
    else its path (relative to the current folder when it lies under it)."""
    found = shutil.which(program.name, path=environ.get("PATH"))
    if found is not None and Path(found).resolve() == program.resolve():
        return program.name
    absolute = program.absolute()
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


def _no_display(detail: str, environ: Mapping[str, str]) -> str:
    command, picture = command_here(environ)
    has_xvfb = shutil.which("xvfb-run", path=environ.get("PATH")) is not None
    xvfb = "" if has_xvfb else " (xvfb-run is in Debian's and Ubuntu's xvfb package)"
    return NO_DISPLAY.format(
        detail=detail, under_xvfb=f"xvfb-run {command}", xvfb=xvfb, picture=picture
    )


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"snowsession-gui: {message} (see --help)\n")


def _seconds(text: str) -> float:
    try:
        return parse_seconds(text, repr(text))
    except (TypeError, ValueError) as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _speed(text: str) -> float:
    try:
        return parse_speed(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _asks_for_help(argv: Sequence[str]) -> bool:
    return any(a == "-h" or (a.startswith("--h") and "--help".startswith(a)) for a in argv)


def in_force() -> dict[str, str]:
    """What is in force when the command line leaves it out, for ``--help``: the values the
    window kept from its last run, else the defaults."""
    values = {name: format_seconds(getattr(DEFAULTS, name)) for name in SETTING_NAMES}
    values |= {"policy": DEFAULT_POLICY, "speed": f"{DEFAULT_SPEED:g}"}
    try:
        from .app import stored  # Qt: only when help is asked for

        kept = stored()
    except ImportError:  # without the window's extra, the built-in defaults are in force
        return values
    for name in SETTING_NAMES:
        now, default = getattr(kept.timeouts, name), getattr(DEFAULTS, name)
        values[name] = format_seconds(now) + ("" if now == default else ", kept from the last run")
    values["policy"] = kept.policy
    values["speed"] = f"{kept.speed:g}"
    return values


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser(in_force() if _asks_for_help(argv) else {})
    args = parser.parse_args(argv)
    if args.monitor is not None and args.save_path is not None:
        parser.error("give either SAVE_PATH (to run a session) or --monitor SAVE_FILE, not both")
    if args.screenshot is not None and args.screenshot.suffix.lower() != ".png":
        parser.error(f"--screenshot needs a .png file name, got {str(args.screenshot)!r}")
    return args


def _parser(now: Mapping[str, str]) -> _Parser:
    """The command line; ``now`` (asked for only with ``--help``) is what is in force."""

    def default(name: str) -> str:
        return f" (now {now[name]})" if name in now else ""

    parser = _Parser(
        prog="snowsession-gui",
        description="Watch, drive and simulate a Snowplow client session on a virtual clock. "
        "What the command line leaves out is what the window used last, else the defaults.",
    )
    parser.add_argument(
        "save_path",
        nargs="?",
        metavar="SAVE_PATH",
        type=Path,
        help="the save file (default: session.xml in your data folder)",
    )
    for name in SETTING_NAMES:
        parser.add_argument(
            "--" + name.replace("_", "-"),
            type=_seconds,
            metavar="S",
            help=SETTING_WORDS[name].about + default(name),
        )
    parser.add_argument(
        "--speed",
        type=_speed,
        metavar="X",
        help=f"simulated seconds per real second, 0 (paused) to {MAX_SPEED:g}" + default("speed"),
    )
    parser.add_argument(
        "--policy",
        choices=POLICY_NAMES,
        help="the session rules: the .NET tracker's or the mobile trackers'" + default("policy"),
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
    return parser


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


def display_problem(environ: Mapping[str, str] = os.environ) -> str | None:
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
            return xcb_plugin_problem(environ)
        return _no_display(f"point to {display!r}, which does not answer", environ)
    return _no_display("are not set", environ)


def xcb_plugin_problem(environ: Mapping[str, str] = os.environ) -> str | None:
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
        return XCB_MISSING.format(error=error, picture=command_here(environ)[1])
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
