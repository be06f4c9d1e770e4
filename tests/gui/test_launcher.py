"""The snowsession-gui command: the screenshot, no display, and bad values."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

import snowsession_gui
from snowsession_gui.launcher import command_here, display_problem, parse_args

OUTSIDE = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "MAKELEVEL", "MAKEFLAGS", "MFLAGS")
"""What a person's shell outside make and without a display lacks (``make test`` sets the
make variables for everything it runs)."""


def run_gui(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None):
    base = {k: v for k, v in os.environ.items() if k not in OUTSIDE}
    base.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "snowsession_gui", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=base,
        cwd=cwd,
    )


def test_screenshot_writes_a_png_and_exits_0(tmp_path):
    png = tmp_path / "shot.png"
    home = {
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    result = run_gui("--offscreen", "--screenshot", str(png), env=home)
    assert result.returncode == 0, result.stderr
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    assert not (tmp_path / "data").exists()  # the demo ran on a temporary save file


def test_without_a_display_it_says_so_in_one_line(tmp_path):
    result = run_gui(str(tmp_path / "s.xml"), env={"HOME": str(tmp_path)})
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "no display" in lines[0] and "xvfb-run" in lines[0] and "--screenshot" in lines[0]
    assert not (tmp_path / "s.xml").exists()


def test_the_picture_command_it_prints_works_where_it_was_typed(tmp_path):
    here = {"PYTHONPATH": str(Path(snowsession_gui.__file__).parent.parent)}  # this checkout's
    result = run_gui(env={"HOME": str(tmp_path)} | here, cwd=tmp_path)
    commands = result.stderr.split("`")[1::2]
    picture = next(command for command in commands if "--screenshot" in command)
    home = {"XDG_DATA_HOME": str(tmp_path / "d"), "XDG_CONFIG_HOME": str(tmp_path / "c")} | here
    env = {k: v for k, v in os.environ.items() if k not in OUTSIDE}
    done = subprocess.run(
        shlex.split(picture), cwd=tmp_path, env=env | home, capture_output=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "shot.png").read_bytes()[:4] == b"\x89PNG"


def test_the_command_named_is_the_one_that_works_from_a_clone(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    program = tmp_path / ".venv" / "bin" / "snowsession-gui"
    clone = {"PATH": "/usr/bin:/bin"}
    command, picture = command_here(clone, str(program))
    assert command == str(Path(".venv/bin/snowsession-gui"))
    assert picture == f"{command} --offscreen --screenshot shot.png"
    assert command_here({"MAKELEVEL": "1"}, str(program)) == (
        "make run",
        "make run ARGS='--offscreen --screenshot shot.png'",
    )
    problem = display_problem(clone | {"MAKELEVEL": "1"})
    assert problem is not None and "`xvfb-run make run`" in problem


def test_a_picture_into_a_missing_folder_says_why_not(tmp_path):
    png = tmp_path / "no such folder" / "shot.png"
    home = {"XDG_DATA_HOME": str(tmp_path / "d"), "XDG_CONFIG_HOME": str(tmp_path / "c")}
    result = run_gui("--offscreen", "--screenshot", str(png), env=home)
    assert result.returncode == 1
    assert "could not write" in result.stderr and "No such file or directory" in result.stderr


def test_an_unreachable_x_display_is_detected_before_qt_starts():
    problem = display_problem({"DISPLAY": ":987"})
    assert problem is not None and "does not answer" in problem
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}) is None
    assert "are not set" in display_problem({})


def test_an_x_display_without_qts_x11_libraries_is_one_clear_line(tmp_path, monkeypatch):
    import ctypes
    import socket

    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(tmp_path / "X5"))
    server.listen(1)
    try:
        display = {"DISPLAY": f"{tmp_path / 'X5'}:5"}
        real = display_problem(display)  # this machine's own answer: loads, or names a library
        assert real is None or "libxcb" in real or "cannot open" in real

        def missing(path, *args, **kwargs):
            raise OSError("libxcb-cursor.so.0: cannot open shared object file")

        monkeypatch.setattr(ctypes, "CDLL", missing)
        problem = display_problem(display)
    finally:
        server.close()
    assert problem is not None and "\n" not in problem
    assert "libxcb-cursor.so.0" in problem and "--screenshot" in problem


@pytest.mark.parametrize(
    "args",
    [
        ["--speed", "fast"],
        ["--speed", "-1"],
        ["--foreground-timeout", "0"],
        ["--background-timeout", "-3"],
        ["--check-interval", "abc"],
        ["--foreground-timeout", "1e99"],
        ["--check-interval", "nan"],
        ["--offscreen", "--screenshot", "picture.jpg"],
        ["--no-such-option"],
    ],
)
def test_bad_values_give_one_clear_line_and_exit_2(args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        parse_args(args)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("snowsession-gui: ")


def test_good_values_parse():
    args = parse_args(
        [
            "s.xml",
            "--foreground-timeout",
            "120",
            "--background-timeout",
            "30",
            "--check-interval",
            "5",
            "--speed",
            "600",
        ]
    )
    assert (args.foreground_timeout, args.background_timeout, args.check_interval) == (120, 30, 5)
    assert args.speed == 600 and args.save_path == Path("s.xml")


def test_a_file_that_is_not_a_save_file_is_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"\0\1\2 junk")
    result = run_gui(str(bad), "--offscreen", "--screenshot", str(tmp_path / "x.png"))
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "does not look like a save file" in result.stderr
    assert bad.read_bytes() == b"\0\1\2 junk"


def test_a_file_another_program_holds_is_one_line_and_exit_2(tmp_path):
    from session import ClientSession, VirtualClock

    path = tmp_path / "held.xml"
    holder = ClientSession(path, clock=VirtualClock())
    try:
        result = run_gui(str(path), "--offscreen", "--screenshot", str(tmp_path / "x.png"))
    finally:
        holder.close()
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "in use by another program" in lines[0]
    assert f"(process {os.getpid()})" in lines[0]  # the holder, named where the OS can tell


def test_importing_the_package_does_not_import_qt():
    code = (
        "import sys, snowsession_gui, snowsession_gui.launcher; "
        "assert 'PySide6' not in sys.modules and 'pyqtgraph' not in sys.modules"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_help_shows_what_is_in_force_not_the_built_in_defaults(capsys):
    """--help says the values the window kept from its last run (those are what a bare
    snowsession-gui uses), and the built-in ones where nothing was kept."""
    from snowsession_gui.app import app_settings

    settings = app_settings()  # isolated in tmp_path by the fixture
    settings.setValue("session/foreground_timeout", 120.0)
    settings.setValue("session/check_interval", 10.0)
    settings.setValue("session/policy", "mobile")
    settings.setValue("time/speed", 60.0)
    settings.sync()
    with pytest.raises(SystemExit) as exit_info:
        parse_args(["--help"])
    assert exit_info.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "foreground (now 120 s, kept from the last run)" in text
    assert "background (now 300 s)" in text
    assert "expiry checks (now 10 s, kept from the last run)" in text
    assert "(now 60)" in text and "(now mobile)" in text
    assert "(600)" not in text and "(15)" not in text


def test_help_in_a_fresh_process_reads_the_kept_settings(tmp_path):
    config = tmp_path / "config" / "snowsession"
    config.mkdir(parents=True)
    (config / "snowsession-gui.ini").write_text("[session]\nbackground_timeout=45\n")
    result = run_gui("--help", env={"XDG_CONFIG_HOME": str(tmp_path / "config")})
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "background (now 45 s, kept from the last run)" in text
    assert "foreground (now 600 s)" in text


def test_pictures_for_the_docs_are_the_same_from_run_to_run(tmp_path):
    pictures = []
    for run in ("first", "second"):
        home = {"XDG_DATA_HOME": str(tmp_path / run), "XDG_CONFIG_HOME": str(tmp_path / run)}
        png = tmp_path / f"{run}.png"
        result = run_gui("--offscreen", "--screenshot", str(png), env=home)
        assert result.returncode == 0, result.stderr
        pictures.append(png.read_bytes())
    assert pictures[0] == pictures[1]  # a clean checkout stays clean after `make screenshot`
