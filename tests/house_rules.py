"""The size rules every package of the project keeps: no module over 400 lines, no function
over 60. The engine's house and the window's each apply them to their own modules."""

from __future__ import annotations

import ast
from pathlib import Path

LONGEST_MODULE = 400
LONGEST_FUNCTION = 60


def module_lines(module: Path) -> int:
    return module.read_text(encoding="utf-8").count("\n")


def long_functions(modules: list[Path], package: Path) -> list[str]:
    """Every function of ``modules`` over :data:`LONGEST_FUNCTION` lines, as
    ``path:line name (n lines)`` relative to ``package``."""
    return [
        f"{module.relative_to(package)}:{node.lineno} {node.name} ({length} lines)"
        for module in modules
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and (length := (node.end_lineno or node.lineno) - node.lineno + 1) > LONGEST_FUNCTION
    ]
