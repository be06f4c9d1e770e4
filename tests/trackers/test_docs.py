"""docs/trackers.md: every Python example runs as written, in a fresh folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_blocks import python_blocks, run_block

DOC = Path(__file__).resolve().parents[2] / "docs" / "trackers.md"
BLOCKS = python_blocks(DOC)


def test_the_page_has_examples() -> None:
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize(("line", "code"), BLOCKS, ids=[f"line {line}" for line, _ in BLOCKS])
def test_each_python_example_runs_as_written(line: int, code: str, tmp_path: Path) -> None:
    done = run_block(code, tmp_path)
    assert done.returncode == 0, f"docs/trackers.md line {line}:\n{done.stderr}"


def test_the_finding_table_names_every_kind_and_the_cli_its_options() -> None:
    from session.audit.kinds import FINDING_KINDS

    text = DOC.read_text(encoding="utf-8")
    for kind in FINDING_KINDS:
        assert f"| `{kind}` |" in text, kind
    for option in ("--foreground-timeout", "--background-timeout", "--check-interval", "--junit"):
        assert option in text
