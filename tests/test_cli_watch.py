"""``snowsession watch``: each change of a save file, read-only, bounded for tests."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import session.cli as cli
import session.cli.savefiles as cli_savefiles
from session import ClientSession, VirtualClock
from session.storage.report import SETTLE

DATA = Path(__file__).parent / "data"
FIRST = (DATA / "dotnet-first-save.xml").read_bytes()
LATER = (DATA / "dotnet-later-save.xml").read_bytes()


def _replace(path: Path, data: bytes) -> None:
    temp = path.with_name(path.name + ".tmp")
    temp.write_bytes(data)
    os.replace(temp, path)


def _watch(path: Path, changes: list[Callable[[], None]], **options: object) -> list[str]:
    """Run watch on a clock that moves only when it sleeps; each sleep makes the next change
    instead of waiting."""
    pending = list(changes)
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds
        if pending:
            pending.pop(0)()

    out = io.StringIO()
    status = cli_savefiles.watch(
        path,
        out,
        interval=0.01,
        sleep=sleep,
        monotonic=lambda: now[0],
        **options,  # type: ignore[arg-type]
    )
    assert status == 0
    return [line.split("  ", 1)[1] for line in out.getvalue().splitlines()]


def test_each_change_is_printed(tmp_path: Path) -> None:
    path = tmp_path / "session.xml"
    path.write_bytes(FIRST)
    lines = _watch(
        path,
        [
            lambda: _replace(path, LATER),
            lambda: None,  # nothing changed: nothing printed
            lambda: path.unlink(),
            lambda: path.write_bytes(FIRST[:200]),
            lambda: None,  # still damaged at the second look: now it is reported
            lambda: _replace(path, FIRST),
            lambda: _replace(path, FIRST),
        ],
        count=5,
    )
    assert lines[0] == (
        f"watching {path} (read-only): index 1, session 7c9e6679, previous (none), user 0f8fad5b"
    )
    assert lines[1] == "new session: index 2, session 9a1f6c2e, previous 7c9e6679, user 0f8fad5b"
    assert lines[2] == "the file is gone"
    assert lines[3].startswith("the file is back: index ?, session (none)")
    assert "DAMAGED: " in lines[3] and "(a .NET app refuses it)" in lines[3]
    assert lines[4].startswith("the file is sound again: index 1, session 7c9e6679")
    assert lines[5] == (
        "the file was replaced with the same content: index 1, session 7c9e6679, "
        "previous (none), user 0f8fad5b"
    )
    assert len(lines) == 6


def test_sessions_from_a_live_engine(tmp_path: Path) -> None:
    path = tmp_path / "session.xml"
    clock = VirtualClock()
    session = ClientSession(path, foreground_timeout=10, check_interval=5, clock=clock)
    session.flush()

    def jump(seconds: float) -> Callable[[], None]:
        def act() -> None:
            clock.advance(seconds)
            session.flush()

        return act

    session.start_checker()
    try:
        lines = _watch(path, [jump(10), jump(30)], count=2)
    finally:
        session.close()
    assert lines[1].startswith("new session: index 2,")
    assert lines[2].startswith("3 new sessions since the last look (2 to 5): index 5,")


def test_a_new_user_is_called_out(tmp_path: Path) -> None:
    path = tmp_path / "session.xml"
    path.write_bytes(FIRST)
    other = FIRST.replace(
        b"0f8fad5b-d9cb-469f-a165-70867728950e", b"11111111-d9cb-469f-a165-70867728950e"
    )
    lines = _watch(path, [lambda: _replace(path, other)], count=1)
    assert lines[1].startswith("A NEW USER (was 0f8fad5b): index 1")


def test_a_missing_file_is_waited_for(tmp_path: Path) -> None:
    path = tmp_path / "later.xml"
    lines = _watch(path, [lambda: path.write_bytes(FIRST)], count=1)
    assert lines == [
        f"watching {path} (read-only): no file",
        "the file is back: index 1, session 7c9e6679, previous (none), user 0f8fad5b",
    ]


def test_timeout_stops_it(tmp_path: Path) -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    out = io.StringIO()
    status = cli_savefiles.watch(
        tmp_path / "x.xml", out, interval=0.4, timeout=1.0, sleep=sleep, monotonic=lambda: now[0]
    )
    assert status == 0 and slept == pytest.approx([0.4, 0.4, 0.2])


def test_ctrl_c_exits_0(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_savefiles.time, "sleep", interrupted)
    assert cli.main(["watch", str(tmp_path / "x.xml")]) == 0
    out, err = capsys.readouterr()
    assert "watching" in out and err == ""


def test_a_bad_interval_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["watch", str(tmp_path / "x.xml"), "--interval", "0"]) == 2
    assert capsys.readouterr().err == "snowsession: --interval must be more than 0 seconds\n"


@pytest.mark.realtime
def test_watch_as_a_command(tmp_path: Path) -> None:
    path = tmp_path / "session.xml"
    path.write_bytes(FIRST)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "session.cli",
            "watch",
            str(path),
            "--interval",
            "0.02",
            "--count",
            "1",
            "--timeout",
            "20",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    first = process.stdout.readline()  # the watcher has looked once
    assert "watching" in first and "index 1" in first
    time.sleep(0.05)  # a whole-second mtime must not hide the change: content is compared
    _replace(path, LATER)
    out, err = process.communicate(timeout=20)
    assert process.returncode == 0 and err == ""
    assert "new session: index 2" in out
    assert path.read_bytes() == LATER and not Path(f"{path}.lock").exists()


def test_a_write_in_place_caught_mid_way_is_not_called_damage(tmp_path: Path) -> None:
    """The .NET tracker writes its file in place: a look may find it empty or half written
    for a few milliseconds. The watcher looks again before calling it damaged, and the new
    index is reported as a new session."""
    path = tmp_path / "session.xml"
    path.write_bytes(FIRST)
    waits: list[float] = []
    now = [0.0]
    pending = [
        lambda: path.write_bytes(b""),  # truncated: the writer has not written yet
        lambda: path.write_bytes(LATER[:150]),  # half written
        lambda: path.write_bytes(LATER),  # done
    ]

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds
        if pending:
            pending.pop(0)()

    out = io.StringIO()
    status = cli_savefiles.watch(
        path, out, interval=0.5, sleep=sleep, monotonic=lambda: now[0], count=1
    )
    assert status == 0
    lines = [line.split("  ", 1)[1] for line in out.getvalue().splitlines()]
    assert lines[1:] == ["new session: index 2, session 9a1f6c2e, previous 7c9e6679, user 0f8fad5b"]
    assert "DAMAGED" not in out.getvalue()
    assert waits == [0.5, SETTLE, SETTLE]  # a second look soon after each damaged one


def test_damage_that_stays_is_reported_and_a_session_begun_meanwhile_is_new(
    tmp_path: Path,
) -> None:
    from session.storage.report import Watcher

    path = tmp_path / "session.xml"
    path.write_bytes(FIRST)
    now = [0.0]
    watcher = Watcher(path, clock=lambda: now[0])
    path.write_bytes(FIRST[:200])
    assert watcher.poll() is None and watcher.unsettled
    assert watcher.poll() is None and watcher.unsettled  # too soon to be sure
    now[0] += SETTLE / 2
    assert watcher.poll() is None and watcher.unsettled  # still too soon
    now[0] += SETTLE / 2
    change = watcher.poll()  # the same bytes a moment later: damaged for real
    assert change is not None and "DAMAGED" in change.text and not watcher.unsettled
    path.write_bytes(LATER)
    change = watcher.poll()
    assert change is not None
    assert change.text == (
        "new session: index 2, session 9a1f6c2e, previous 7c9e6679, user 0f8fad5b "
        "(the file is sound again)"
    )
