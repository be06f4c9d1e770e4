"""The embedding API under ``mypy --strict``: typed observers, the status snapshot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent / "typing"
ROOT = Path(__file__).parents[1]


def mypy(path: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    config = ["--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(tmp_path)]
    command = [sys.executable, "-m", "mypy", "--strict", *config, str(path)]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_observers_typed_for_their_kinds_are_accepted(tmp_path: Path) -> None:
    done = mypy(HERE / "subscribe_ok.py", tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_an_observer_given_other_kinds_is_refused(tmp_path: Path) -> None:
    done = mypy(HERE / "subscribe_wrong.py", tmp_path)
    lines = [line for line in done.stdout.splitlines() if ": error:" in line]
    assert [line.split(":")[1] for line in lines] == ["13", "14"], done.stdout
