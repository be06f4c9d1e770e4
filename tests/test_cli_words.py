"""What the command line says in smaller matters: the timeouts a simulation starts with, a
save file that is temporary, every error in a scenario file, and the benchmarks' words on
Ctrl-C and on a missed target."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import session.cli as cli

ROOT = Path(__file__).resolve().parent.parent

SET_LATER = """\
[session]
foreground_timeout = 60

[[step]]
at = 0
do = "event"

[[step]]
at = 10
do = "set"
foreground_timeout = 900
"""

MANY_ERRORS = """\
[session]
foreground_timeout = -5
bogus = 1

[[step]]
at = "0:10"
do = "fly"

[[step]]
at = "0:20"
do = "event"

[[step]]
at = "0:05"
do = "event"
"""


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_the_header_gives_the_starting_timeout_not_a_later_set_steps(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "s.toml"
    scenario.write_text(SET_LATER)
    status, out, _ = run_cli(capsys, "simulate", str(scenario))
    assert status == 0
    header = out.splitlines()[1]
    assert "foreground timeout 60 s" in header and "900" not in header


def test_a_save_file_deleted_on_exit_is_said_to_be_temporary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "s.toml"
    scenario.write_text(SET_LATER)
    _, out, _ = run_cli(capsys, "simulate", str(scenario))
    assert "(temporary: deleted on exit)" in out.splitlines()[1]
    kept = tmp_path / "kept.xml"
    _, out, _ = run_cli(capsys, "simulate", str(scenario), "--save-path", str(kept))
    assert "temporary" not in out and kept.exists()
    _, out, _ = run_cli(capsys, "simulate", str(scenario), "--format", "json")
    assert '"save_path_temporary":true' in out


def test_check_reports_every_error_in_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "s.toml"
    scenario.write_text(MANY_ERRORS)
    status, out, err = run_cli(capsys, "check", str(scenario))
    lines = err.splitlines()
    assert status == 2 and out == "" and len(lines) == 4, err
    assert [line.rsplit(".toml:", 1)[1].split(":")[0] for line in lines] == ["2", "3", "7", "14"]
    assert all(line.startswith("snowsession: ") for line in lines) and "(and" not in err
    # simulate stops at the first, in one line, and says there are more
    status, _, err = run_cli(capsys, "simulate", str(scenario))
    assert status == 2 and err.count("\n") == 1 and "(and 3 more error(s) in the file)" in err


@pytest.mark.realtime
@pytest.mark.parametrize("under_make", [False, True])
def test_ctrl_c_during_the_benchmarks_is_one_line(under_make: bool) -> None:
    """As in a terminal: SIGINT to the whole process group. Under ``make bench`` the one line
    is make's own (``make: *** [Makefile:37: bench] Interrupt``)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("MAKELEVEL", None)
    if under_make:
        env["MAKELEVEL"] = "1"
    child = subprocess.Popen(
        [sys.executable, "-m", "benchmarks"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env=env,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == ""
    assert child.stdout.readline().startswith("=== benchmarks.engine")
    time.sleep(1)
    os.killpg(child.pid, signal.SIGINT)
    _, err = child.communicate(timeout=60)
    said = "" if under_make else "benchmarks: stopped by Ctrl-C\n"
    assert child.returncode == 130 and err == said, err


def test_the_engine_benchmark_says_missed_for_a_missed_target() -> None:
    from benchmarks.engine import verdict

    assert verdict(1.2, 1.5) == "target <= 1.5x: met"
    assert verdict(1.7, 1.5) == "target <= 1.5x: missed"
