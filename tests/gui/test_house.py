"""The window's house rules: small modules, one copy of each fact, red only for problems."""

from __future__ import annotations

import colorsys
import inspect
import re
from pathlib import Path

import pytest
from house_rules import LONGEST_MODULE, long_functions, module_lines

import session
import snowsession_gui
from session import MAX_SECONDS, check_seconds
from snowsession_gui.model import units
from snowsession_gui.widgets import palette
from snowsession_gui.widgets.palette import DARK, LIGHT, TEXT_ROLES, Colors

PACKAGE = Path(snowsession_gui.__file__).parent
MODULES = sorted(PACKAGE.rglob("*.py"))
ROOMS = sorted(path.parent for path in PACKAGE.glob("*/__init__.py"))
FORMAT_SKIPS = 2
"""The most ``# fmt: skip`` (or ``fmt: off``) markers: a few real tables (the palette's
series), never a way to squeeze code under the line limit."""


def test_the_window_has_rooms() -> None:
    """At most eight modules at the top; each feature in a room of at most sixteen."""
    top = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert len(top) <= 8, top
    for room in ROOMS:
        modules = [path.name for path in room.glob("*.py") if path.name != "__init__.py"]
        assert 0 < len(modules) <= 16, (room.name, modules)
        assert not list(room.glob("*/*.py")), f"{room.name} has rooms inside it"


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_is_over_400_lines(module: Path) -> None:
    lines = module_lines(module)
    assert lines <= LONGEST_MODULE, f"{module.relative_to(PACKAGE)} has {lines} lines"


def test_no_function_is_over_60_lines() -> None:
    """Widgets are built from small named parts, not one long ``__init__``."""
    long = long_functions(MODULES, PACKAGE)
    assert not long, long


def test_the_formatter_is_skipped_only_for_a_few_tables() -> None:
    skips = [
        f"{module.relative_to(PACKAGE)}:{number}: {line.strip()}"
        for module in MODULES
        for number, line in enumerate(module.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"#\s*fmt:\s*(skip|off)\b", line)
    ]
    assert len(skips) <= FORMAT_SKIPS, skips


def test_every_colour_is_the_palettes() -> None:
    """No colour is written anywhere but palette.py (the alarm red was in seven files)."""
    colour = re.compile(r"#[0-9a-fA-F]{6}\b|\bQColor\(\s*\d|\b(?:red|crimson)\b\s*[;\"']")
    found = [
        f"{module.relative_to(PACKAGE)}:{number}: {line.strip()}"
        for module in MODULES
        if module.name != "palette.py"
        for number, line in enumerate(module.read_text(encoding="utf-8").splitlines(), 1)
        if colour.search(line)
    ]
    assert not found, found


def _hsv(hex_colour: str) -> tuple[float, float, float]:
    r, g, b = (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    h, s, v = colorsys.rgb_to_hsv(r, g, b)
    return h * 360, s, v


def _is_red(hex_colour: str) -> bool:
    hue, saturation, value = _hsv(hex_colour)
    return saturation > 0.35 and value > 0.3 and (hue < 18 or hue > 340)


def _luminance(hex_colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(hex_colour[i : i + 2], 16) / 255) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.mark.parametrize("colors", [LIGHT, DARK], ids=["light", "dark"])
def test_red_is_kept_for_problems(colors: Colors) -> None:
    """A timeout, the deadline, a pending send are normal states: none of them is red."""
    reds = {
        role
        for role in palette.ROLES
        if len(getattr(colors, role)) == 7 and _is_red(getattr(colors, role))
    }
    assert reds <= {"problem", "badge_invalid"}, reds
    assert _is_red(colors.problem)


@pytest.mark.parametrize("colors", [LIGHT, DARK], ids=["light", "dark"])
def test_every_text_colour_reads_on_its_background(colors: Colors) -> None:
    for role in TEXT_ROLES:
        ratio = _contrast(getattr(colors, role), colors.background)
        assert ratio >= 4.5, f"{role} on the background: {ratio:.2f}"
    for badge in ("badge_none", "badge_valid", "badge_invalid", "info"):
        ratio = _contrast(colors.on_strong, getattr(colors, badge))
        assert ratio >= 4.5, f"text on {badge}: {ratio:.2f}"


def test_the_default_policy_is_the_engines() -> None:
    engine_default = inspect.signature(session.ClientSession).parameters["policy"].default
    assert engine_default == units.DEFAULT_POLICY


@pytest.mark.parametrize("text", ["0", "-5", "1e12", "nan", str(MAX_SECONDS + 1)])
def test_typed_seconds_are_checked_by_the_engines_own_check(text: str) -> None:
    """The input field and the launcher refuse exactly what the engine refuses, in its words,
    naming the number as it was typed (a whole number stays one: -5, not -5.0)."""
    number = int(text) if text.lstrip("-").isdigit() else float(text)
    with pytest.raises(ValueError) as engine:
        check_seconds("the value", number)
    with pytest.raises(ValueError) as typed:
        units.parse_seconds(text, "the value")
    assert str(typed.value) == str(engine.value)


def test_every_window_turns_dark_with_the_palette(window, qapp, tmp_path):
    from PySide6.QtGui import QColor, QPalette

    from session import ClientSession, VirtualClock
    from snowsession_gui.monitor.window import MonitorWindow
    from snowsession_gui.policy.compare_view import CompareView

    ClientSession(tmp_path / "watched.xml", clock=VirtualClock()).close()
    compare = CompareView(clock=VirtualClock(), speed=0)
    monitor = MonitorWindow(tmp_path / "watched.xml", poll_ms=0)
    light = qapp.palette()
    dark = QPalette(light)
    dark.setColor(QPalette.ColorRole.Window, QColor("#202124"))
    try:
        qapp.setPalette(dark)
        qapp.processEvents()
        assert window.colors is DARK and compare.colors is DARK and monitor.colors is DARK
        assert compare.plots["dotnet"].colors is DARK
        assert monitor.timeline.ensure_plot().colors is DARK
    finally:
        qapp.setPalette(light)
        qapp.processEvents()
        compare.close()
        monitor.close()
    assert window.colors is LIGHT and compare.colors is LIGHT
