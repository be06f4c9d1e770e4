"""session/ is the pure engine: it imports and runs with Qt unavailable. Neither package's
modules form an import circle. The import contracts themselves are in pyproject.toml
(import-linter)."""

from __future__ import annotations

import itertools
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import sys
for name in ("PySide6", "pyqtgraph", "shiboken6", "PyQt5", "PyQt6"):
    sys.modules[name] = None  # any import of these now raises ImportError
import session, session.storage, session.timing, session.policy, session.scenario, session.cli
from session import ClientSession, VirtualClock
clock = VirtualClock()
with ClientSession(sys.argv[1], foreground_timeout=2, check_interval=1, clock=clock) as s:
    s.start_checker(); clock.advance(3)
    assert s.session_index == 2
loaded = [m for m in sys.modules if m.split(".")[0] in ("PySide6", "pyqtgraph", "shiboken6")]
assert all(sys.modules[m] is None for m in loaded), loaded
print("ok")
"""


def test_session_imports_and_runs_with_qt_blocked(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "s.xml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_the_import_contracts_hold() -> None:
    """session never imports Qt, pyqtgraph or the window; the engine's core never imports
    the scenario tooling, the command line or the tracker adapter."""
    linter = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert linter is not None, "import-linter is a test dependency"
    done = subprocess.run([linter], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


@pytest.mark.parametrize("package", ["session", "snowsession_gui"])
def test_no_import_circles(package: str) -> None:
    """No two modules import each other, directly or through others, late imports included."""
    graph = grimp.build_graph(package)
    modules = sorted(m for m in graph.modules if not m.endswith("__init__"))
    packages = {m for m in modules if graph.find_children(m)}
    circles = []
    for a, b in itertools.combinations(sorted(set(modules) - packages), 2):
        if graph.chain_exists(a, b) and graph.chain_exists(b, a):
            circles.append((a, b, graph.find_shortest_chain(a, b), graph.find_shortest_chain(b, a)))
    assert not circles, circles
