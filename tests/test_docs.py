"""Every example in the README and in docs/ runs as written, in a fresh folder."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from docs_examples import Block, blocks

import session.cli.commands as cli_commands

# A Qt example ends with app.exec(), which runs until the window is closed: here the event loop
# is ended after a second, so the example runs as written and then exits.
QUIT_QT_SOON = """
import os
try:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
except ImportError:
    pass
else:
    _exec = QApplication.exec

    def _exec_briefly():
        QTimer.singleShot(1000, QApplication.quit)
        return _exec()

    QApplication.exec = staticmethod(_exec_briefly)
"""


def _run(code: str, folder: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    if "exec()" in code:
        (folder / "sitecustomize.py").write_text(QUIT_QT_SOON)
        env["PYTHONPATH"] = str(folder)
    return subprocess.run(
        [sys.executable, *argv],
        input=code,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=folder,
        env=env,
    )


@pytest.mark.parametrize("block", blocks("python"), ids=lambda b: b.name)
def test_every_python_example_runs(block: Block, tmp_path: Path) -> None:
    done = _run(block.text, tmp_path, "-")
    assert done.returncode == 0, f"{block.name} failed:\n{done.stderr}"
    assert "Traceback" not in done.stderr, done.stderr


TIMEOUTS_PAGE = "audit.md"
"""The page whose TOML blocks are timeouts files, not scenarios."""


@pytest.mark.parametrize(
    "block", [b for b in blocks("toml") if b.page.name != TIMEOUTS_PAGE], ids=lambda b: b.name
)
def test_every_scenario_example_holds_its_expectations(block: Block, tmp_path: Path) -> None:
    scenario = tmp_path / "example.toml"
    scenario.write_text(block.text, encoding="utf-8")
    done = _run("", tmp_path, "-m", "session.cli", "simulate", str(scenario))
    assert done.returncode == 0, f"{block.name}:\n{done.stdout}\n{done.stderr}"
    assert " 0 failed" in done.stdout


@pytest.mark.parametrize(
    "block", [b for b in blocks("toml") if b.page.name == TIMEOUTS_PAGE], ids=lambda b: b.name
)
def test_every_timeouts_file_example_is_read_as_written(block: Block, tmp_path: Path) -> None:
    from session.audit.rules import load_rules

    path = tmp_path / "timeouts.toml"
    path.write_text(block.text, encoding="utf-8")
    rules = load_rules(path)
    assert rules.default.foreground_timeout is not None and (rules.apps or rules.platforms)


def _commands() -> list[tuple[str, list[str]]]:
    """The ``snowsession …`` lines of the shell blocks that are commands to paste (not usage
    lines with placeholders such as ``simulate SCENARIO [--out FILE]``)."""
    found = []
    for block in blocks("sh"):
        text = block.text.replace("\\\n", " ")
        for number, line in enumerate(text.splitlines()):
            words = shlex.split(line, comments=True)
            for at, word in enumerate(words):  # the command ends at a shell operator
                if word in ("&", "&&", "||", "|", ";", ">", ">>", "2>&1"):
                    words = words[:at]
                    break
            placeholders = any(word.isupper() or "|" in word for word in words)
            if words[:1] == ["snowsession"] and not placeholders:
                found.append((f"{block.name}+{number}", words[1:]))
    return found


@pytest.mark.parametrize(("where", "argv"), _commands(), ids=[w for w, _ in _commands()])
def test_every_command_line_example_is_a_valid_command(where: str, argv: list[str]) -> None:
    """Each `snowsession …` line in a shell block names a command and options that exist."""
    args = cli_commands.parser().parse_args(argv)
    assert args.command, where


def test_the_pages_have_examples() -> None:
    assert len(blocks("python")) >= 6 and blocks("toml") and _commands()
