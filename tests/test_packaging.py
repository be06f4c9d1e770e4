"""What a plain ``pip install`` gives: the engine and the command line, without Qt."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from session.util.install import install_hint

ROOT = Path(__file__).resolve().parent.parent

BLOCK_QT = (
    "import sys\n"
    "for name in ('PySide6', 'pyqtgraph', 'shiboken6'):\n"
    "    sys.modules[name] = None  # as if the gui extra were not installed\n"
)


def test_the_window_without_its_extra_says_how_to_get_it_in_one_line() -> None:
    code = BLOCK_QT + "from snowsession_gui.__main__ import main\nsys.exit(main())\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("snowsession-gui: the window needs PySide6, pyqtgraph")
    assert install_hint("gui") in done.stderr


@pytest.mark.slow
def test_a_plain_install_is_the_engine_and_the_command_line_without_qt(tmp_path: Path) -> None:
    """Build the wheel as a user would get it, install it into a new virtual environment and
    use it there: no Qt or numpy comes with it, and nothing in the build warns."""
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PYTHONWARNINGS": ""}
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(tmp_path / "dist"), "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert built.returncode == 0, built.stderr
    assert "Warning" not in built.stdout + built.stderr, built.stdout + built.stderr
    wheel = next((tmp_path / "dist").glob("snowsession_tools-*.whl"))
    _check_wheel_contents(wheel)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    bin_ = venv / "bin"
    installed = subprocess.run(
        [str(bin_ / "python"), "-m", "pip", "install", "--quiet", str(wheel)],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert installed.returncode == 0, installed.stderr
    frozen = subprocess.run(
        [str(bin_ / "python"), "-m", "pip", "freeze"], capture_output=True, text=True, check=True
    ).stdout.lower()
    for heavy in ("pyside6", "shiboken6", "pyqtgraph", "numpy"):
        assert heavy not in frozen, frozen

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            argv, capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env
        )

    version = run(str(bin_ / "snowsession"), "--version")
    assert version.returncode == 0 and version.stdout.startswith("snowsession "), version
    listed = run(str(bin_ / "snowsession"), "examples")
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) == 6, listed
    simulated = run(str(bin_ / "snowsession"), "simulate", "dotnet-timing-test")
    assert simulated.returncode == 0 and "0 failed" in simulated.stdout, simulated
    every_module = (
        "import importlib, pkgutil, session\n"
        "names = [m.name for m in pkgutil.walk_packages(session.__path__, 'session.')\n"
        "         if not m.name.startswith('session.snowplow')\n"
        "         and m.name != 'session.trackers.pytest_plugin'\n"
        "         and not m.name.endswith('__main__')]\n"
        "for name in names: importlib.import_module(name)\n"
        "print(len(names))\n"
    )
    imported = run(str(bin_ / "python"), "-c", every_module)
    assert imported.returncode == 0 and int(imported.stdout) > 20, imported
    collected = _collect_one_event(bin_, tmp_path, env)
    assert collected["users"][0]["sessions"][0]["index"] == 1, collected
    formats = (  # the schema's formats are checked in a plain install too, not only in the tests
        "import json\n"
        "from session.context import SCHEMA_1_0_2, schema_errors\n"
        "data = {'userId': '0f8fad5b-d9cb-469f-a165-70867728950e',\n"
        "        'sessionId': 'not-a-uuid', 'previousSessionId': None, 'sessionIndex': 1,\n"
        "        'storageMechanism': 'LOCAL_STORAGE', 'eventIndex': 1,\n"
        "        'firstEventId': '7c9e6679-7425-40de-944b-e07fc1f90ae7',\n"
        "        'firstEventTimestamp': 'not-a-date'}\n"
        "print(json.dumps(sorted(key for key, _ in schema_errors(SCHEMA_1_0_2, data))))\n"
    )
    checked = run(str(bin_ / "python"), "-c", formats)
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout) == ["firstEventTimestamp", "sessionId"]
    window = run(str(bin_ / "snowsession-gui"))
    assert window.returncode == 1 and window.stderr.count("\n") == 1, window
    assert install_hint("gui") in window.stderr


def _check_wheel_contents(wheel: Path) -> None:
    """Every package of the source tree is in the wheel, and both packages say they are
    typed (``py.typed``), so ``mypy --strict`` in an app that imports them checks their types."""
    with zipfile.ZipFile(wheel) as built:
        names = set(built.namelist())
    for top in ("session", "snowsession_gui"):
        assert f"{top}/py.typed" in names, f"{top} ships no py.typed"
        for init in (ROOT / top).rglob("__init__.py"):
            path = init.relative_to(ROOT).as_posix()
            assert path in names, f"{path} is not in the wheel: list its package in pyproject"


def _collect_one_event(bin_: Path, folder: Path, env: dict[str, str]) -> dict[str, object]:
    """Start the installed ``snowsession collect``, send it one event, stop it with SIGTERM,
    and read its log back with the installed ``snowsession sessions``."""
    import json
    import re
    import signal
    import urllib.request

    log = folder / "events.ndjson"
    child = subprocess.Popen(
        [str(bin_ / "snowsession"), "collect", "--port", "0", "--log", str(log)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**env, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert child.stdout is not None
        url = re.search(r"collecting on (http://\S+)", child.stdout.readline())
        assert url, child.stderr
        entity = {
            "schema": "iglu:com.snowplowanalytics.snowplow/client_session/jsonschema/1-0-2",
            "data": {
                "userId": "0f8fad5b-d9cb-469f-a165-70867728950e",
                "sessionId": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
                "sessionIndex": 1,
                "previousSessionId": None,
                "storageMechanism": "SQLITE",
                "firstEventTimestamp": "2027-01-15T08:00:00.000Z",
            },
        }
        contexts = {"schema": "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-1"}
        query = {"e": "pv", "eid": "9a1f6c2e-3b4d-4e5f-8a6b-7c8d9e0f1a2b"}
        query["co"] = json.dumps({**contexts, "data": [entity]})
        from urllib.parse import urlencode

        with urllib.request.urlopen(f"{url.group(1)}/i?{urlencode(query)}", timeout=30) as answer:
            assert answer.status == 200
    finally:
        child.send_signal(signal.SIGTERM)
        child.communicate(timeout=60)
    assert child.returncode == 0
    done = subprocess.run(
        [str(bin_ / "snowsession"), "sessions", str(log), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_no_install_hint_names_the_stranger_on_pypi() -> None:
    """``snowsession`` on PyPI is another project: no doc, docstring or message tells anyone
    to install it, and the one wording is the checkout's."""
    assert install_hint("gui") == (
        "pip install '.[gui]' in the snowsession folder (snowsession-tools is not on PyPI)"
    )
    files = [ROOT / "README.md", *ROOT.glob("docs/*.md")]
    files += [*ROOT.glob("session/**/*.py"), *ROOT.glob("snowsession_gui/**/*.py")]
    for path in files:
        text = path.read_text(encoding="utf-8")
        for wrong in ("pip install snowsession", "pip install 'snowsession[", '"snowsession['):
            assert wrong not in text, f"{path.relative_to(ROOT)} says {wrong}"
