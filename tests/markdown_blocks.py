"""The fenced code blocks of a Markdown file, to run a document's examples as written.

``python_blocks(path)`` gives each ```` ```python ```` block with the line it starts on;
``run_block(code, folder)`` runs one in a fresh interpreter in ``folder`` (a test's
``tmp_path``), so every example must stand on its own.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

__all__ = ["blocks", "python_blocks", "run_block"]

_FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)


def blocks(path: Path, language: str) -> list[tuple[int, str]]:
    """``(line, code)`` of every fenced block in ``language``."""
    text = path.read_text(encoding="utf-8")
    return [
        (text.count("\n", 0, match.start()) + 1, match.group(2))
        for match in _FENCE.finditer(text)
        if match.group(1) == language
    ]


def python_blocks(path: Path) -> list[tuple[int, str]]:
    return blocks(path, "python")


def run_block(code: str, folder: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run one block with this interpreter in ``folder``; its result, for the test to check."""
    return subprocess.run(
        [sys.executable, "-c", code], cwd=folder, capture_output=True, text=True, timeout=timeout
    )
