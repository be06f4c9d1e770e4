"""The engine's house: a small entrance hall, the works in a room, small modules and
functions in every room (the tooling's too)."""

from __future__ import annotations

from pathlib import Path

import pytest
from house_rules import LONGEST_MODULE, long_functions, module_lines

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
    lines = module_lines(module)
    assert lines <= LONGEST_MODULE, f"{module.relative_to(PACKAGE)} has {lines} lines"


def test_no_function_is_over_60_lines() -> None:
    long = long_functions(MODULES, PACKAGE)
    assert not long, long
