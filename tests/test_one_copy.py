"""Each fact once: a default, a key, a schema or a label is written in one module and imported
everywhere else, so no test has to keep two copies in step."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import session
import snowsession_gui
from session.audit.kinds import FINDING_KINDS
from session.trackers.protocol import BAD_REASONS

PACKAGES = (Path(session.__file__).parent, Path(snowsession_gui.__file__).parent)
ROOT = PACKAGES[0].parent
BENCHMARKS = ROOT / "benchmarks"


def _docstrings(tree: ast.Module) -> set[int]:
    """The ids of the nodes that are docstrings (of modules, classes, functions, names)."""
    found: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if not isinstance(body, list):
            continue
        for statement in body:
            if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
                found.add(id(statement.value))
    return found


def constants() -> Iterator[tuple[str, int, object]]:
    """Every constant in the code of both packages, docstrings left out: (where, line, value)."""
    for package in (*PACKAGES, BENCHMARKS):
        for path in sorted(package.rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            skip = _docstrings(tree)
            where = str(path.relative_to(ROOT))
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and id(node) not in skip:
                    yield where, node.lineno, node.value


def places(match: re.Pattern[str]) -> list[str]:
    """Where a string constant holds ``match``."""
    return [
        f"{where}:{line}"
        for where, line, value in constants()
        if isinstance(value, str) and match.search(value)
    ]


def test_the_collectors_port_is_written_once() -> None:
    numbers = [f"{where}:{line}" for where, line, value in constants() if value == 9090]
    assert [where.split(":")[0] for where in numbers] == ["session/trackers/protocol.py"], numbers
    assert places(re.compile(r":9090\b")) == []


def test_each_lifecycle_schema_is_written_once() -> None:
    for event in ("application_background", "application_foreground"):
        found = places(re.compile(rf"/{event}/jsonschema/"))
        assert [where.split(":")[0] for where in found] == ["session/trackers/protocol.py"], found


def test_each_session_entity_schema_is_written_once() -> None:
    """The data generator and the benchmarks wrote the client_session schema again."""
    found = places(re.compile(r"/client_session/jsonschema/1-0-\d"))
    assert len(found) == 3 and len({where.split(":")[0] for where in found}) == 1, found


def test_every_settings_key_is_written_in_one_module() -> None:
    """``session/policy`` was written in three modules; every key now has one home."""
    key = re.compile(r"^(session|window|time|collector|firstRun|scenario|trackers)/\w*$")
    found = {where.split(":")[0] for where in places(key)}
    assert found == {"snowsession_gui/model/settings_names.py"}, found


def test_each_settings_title_is_written_once() -> None:
    """The settings' titles were written in five modules (fields, compare, report, help)."""
    title = re.compile(r"^(the )?(foreground timeout|background timeout|check interval)$", re.I)
    found = {where.split(":")[0] for where in places(title)}
    assert found == {"snowsession_gui/model/settings_names.py"}, found


def test_the_finding_kinds_are_named_in_their_table_only() -> None:
    """The checks, the outputs, the window and the generator name a kind through
    :class:`session.audit.kinds.Kind`; its name is written nowhere else. (``invalid_entity``
    is also a bad-event reason, a name of the tracker protocol.)"""
    names = "|".join(kind for kind in FINDING_KINDS if kind not in BAD_REASONS)
    kind = re.compile(rf"^({names})$|'({names})'")
    found = [where for where in places(kind) if not where.startswith("session/audit/kinds.py")]
    assert found == [], found


def _definitions(kind: type[ast.AST]) -> dict[str, list[str]]:
    """The public names each module of both packages defines at its top, by name."""
    found: dict[str, list[str]] = {}
    for package in PACKAGES:
        for path in sorted(package.rglob("*.py")):
            for node in ast.parse(path.read_text(encoding="utf-8")).body:
                if isinstance(node, kind) and not getattr(node, "name", "_").startswith("_"):
                    found.setdefault(getattr(node, "name", ""), []).append(
                        str(path.relative_to(ROOT))
                    )
    return found


def test_one_name_shortens_one_kind_of_id() -> None:
    """``short_id`` cut a session id to its first block, and a user id to both ends."""
    functions = _definitions(ast.FunctionDef)
    assert len(functions["short_id"]) == 1 and functions["short_id"][0].startswith("session/")
    assert functions["short_user_id"] == ["snowsession_gui/model/tracker_words.py"]


def test_each_class_name_means_one_thing() -> None:
    """``Report``, ``Timeline``, ``Decoded`` and ``Problem`` each named two different things."""
    twice = {name: where for name, where in _definitions(ast.ClassDef).items() if len(where) > 1}
    assert twice == {}, twice


def test_the_engines_settings_are_called_settings() -> None:
    """``Timeouts`` held the check interval too, and the audit's timeouts are its rules: the
    engine's three settings are :class:`session.Settings`; the old name still imports."""
    assert session.Settings() == session.DEFAULTS and session.Timeouts is session.Settings
    assert len(_definitions(ast.ClassDef)["Settings"]) == 1
