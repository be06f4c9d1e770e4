"""session/ is the pure engine: it must import and run with Qt unavailable."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = """
import sys
for name in ("PySide6", "pyqtgraph", "shiboken6", "PyQt5", "PyQt6"):
    sys.modules[name] = None  # any import of these now raises ImportError
import session, session.savefile, session.storage, session.timing, session.policy
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


def test_no_module_in_session_mentions_qt() -> None:
    root = Path(__file__).parent.parent / "session"
    for source in root.rglob("*.py"):
        text = source.read_text()
        for name in ("PySide6", "pyqtgraph", "QtCore"):
            assert f"import {name}" not in text and f"from {name}" not in text, source
