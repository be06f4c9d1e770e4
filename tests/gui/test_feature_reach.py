"""A feature asks the window, it does not reach in: no feature module touches another
widget's parts or looks a widget up by name."""

from __future__ import annotations

import ast
from pathlib import Path

from PySide6.QtWidgets import QWidget

import snowsession_gui

PACKAGE = Path(snowsession_gui.__file__).parent
FEATURE_ROOMS = ("earlier_run", "export", "policy", "save_file", "scenario", "sending", "trackers")
FEATURE_MODULES = sorted(
    [path for room in FEATURE_ROOMS for path in (PACKAGE / room).glob("*.py")]
    + [PACKAGE / "window" / "demo.py", PACKAGE / "window" / "first_run.py"]
)


def _is_window(node: ast.expr) -> bool:
    """``window`` or ``<anything>.window``."""
    return (isinstance(node, ast.Name) and node.id == "window") or (
        isinstance(node, ast.Attribute) and node.attr == "window"
    )


def _reaches(path: Path, widgets: set[str]) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        where = f"{path.parent.name}/{path.name}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Attribute) and node.attr in widgets and _is_window(node.value):
            found.append(f"{where}: window.{node.attr}")
        if isinstance(node, ast.Attribute) and node.attr in ("findChild", "findChildren"):
            found.append(f"{where}: {node.attr}")
    return found


def test_the_check_sees_a_reach_in(tmp_path: Path) -> None:
    module = tmp_path / "reach_example.py"
    source = "def f(self):\n    return self.window.event_log.rows, window.findChild(object)\n"
    module.write_text(source, encoding="utf-8")
    assert len(_reaches(module, {"event_log"})) == 2


def test_no_feature_reaches_into_the_windows_widgets(window) -> None:
    widgets = {name for name, value in vars(window).items() if isinstance(value, QWidget)}
    assert {"timeline", "event_log", "controls", "state_panel"} <= widgets
    found = [reach for module in FEATURE_MODULES for reach in _reaches(module, widgets)]
    assert not found, f"ask the window (window/offers.py) instead: {found}"


QT_OWN_PARTS = ("QTabBar", '"qt_toolbar_ext_button"')
"""Parts Qt makes and offers no handle to (a dock group's tab bar, the toolbar's overflow
button): the frame may look these up, and nothing of the window's own."""


def test_the_frame_keeps_its_actions_rather_than_searching_for_them() -> None:
    frame = PACKAGE / "window" / "frame.py"
    lines = frame.read_text(encoding="utf-8").splitlines()
    ours = [
        reach
        for reach in _reaches(frame, set())
        if not any(part in lines[int(reach.split(":")[1]) - 1] for part in QT_OWN_PARTS)
    ]
    assert not ours
