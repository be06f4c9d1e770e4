"""The engine's house: a small entrance hall, the works in a room, small modules and
functions in every room (the tooling's too)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import session
from session.client import ClientSession

PACKAGE = Path(session.__file__).parent
MODULES = sorted(PACKAGE.rglob("*.py"))


def test_the_engine_has_a_small_entrance_hall() -> None:
    """At most eight modules at session/'s top: the facade and the values people use."""
    top = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert len(top) <= 8, top
    assert session.ClientSession is ClientSession  # the facade, in client.py
    assert (PACKAGE / "engine" / "core.py").is_file()  # the works, in a room of their own


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_is_over_400_lines(module: Path) -> None:
    lines = module.read_text(encoding="utf-8").count("\n")
    assert lines <= 400, f"{module.relative_to(PACKAGE)} has {lines} lines"


def test_no_function_is_over_60_lines() -> None:
    long = [
        f"{module.relative_to(PACKAGE)}:{node.lineno} {node.name} ({length} lines)"
        for module in MODULES
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and (length := (node.end_lineno or node.lineno) - node.lineno + 1) > 60
    ]
    assert not long, long
