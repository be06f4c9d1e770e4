"""The oldest and the newest releases of the libraries we build on, as ``pyproject.toml`` claims.

Each release is installed from PyPI into a folder of its own that shadows the installed one
(``PYTHONPATH``), and the tests that use the library run again in a new interpreter with it:
the Snowplow adapter's and the window's collector's with the oldest and the newest
``snowplow-tracker`` we accept, the recorder's with the oldest ``tomli-w``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent


def claimed(name: str) -> Requirement:
    """The requirement on ``name`` in ``pyproject.toml`` (its dependencies or extras)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = [*project["dependencies"]]
    for extra in project["optional-dependencies"].values():
        lines += extra
    (found,) = [r for r in map(Requirement, lines) if r.name == name]  # one copy of the fact
    return found


def floor(requirement: Requirement) -> str:
    (lowest,) = [s.version for s in requirement.specifier if s.operator == ">="]
    return lowest


def install(requirement: str, folder: Path) -> Path:
    """``requirement`` installed into ``folder`` on its own (what it needs is installed here)."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            folder,
            requirement,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    assert done.returncode == 0, done.stderr
    return folder


def shadowed_env(folder: Path) -> dict[str, str]:
    """The environment of a new interpreter that imports from ``folder`` first."""
    paths = [str(folder), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


def in_use(name: str, module: str, folder: Path) -> tuple[Version, Path]:
    """The version of ``name`` a new interpreter imports with ``folder`` first, and where from;
    checks that what that release needs is installed."""
    code = (
        "import importlib, importlib.metadata as m, sys\n"
        "from packaging.requirements import Requirement\n"
        f"mod = importlib.import_module({module!r})\n"
        f"for line in m.requires({name!r}) or []:\n"
        "    need = Requirement(line)\n"
        "    if need.marker is None or need.marker.evaluate({'extra': ''}):\n"
        "        have = m.version(need.name)\n"
        "        assert need.specifier.contains(have, prereleases=True), (line, have)\n"
        f"print(m.version({name!r}))\n"
        "print(mod.__file__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env=shadowed_env(folder),
        check=True,
    )
    version, where = done.stdout.splitlines()
    return Version(version), Path(where)


def run_tests(folder: Path, *tests: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**shadowed_env(folder), "QT_QPA_PLATFORM": "offscreen"},
    )
    tail = done.stdout[-3000:] + done.stderr[-2000:]
    assert done.returncode == 0, tail
    assert " passed" in done.stdout and "skipped" not in done.stdout, tail


@pytest.mark.slow
@pytest.mark.parametrize("which", ["oldest", "newest"])
def test_the_snowplow_adapter_works_with_the_oldest_and_newest_tracker(
    tmp_path: Path, which: str
) -> None:
    requirement = claimed("snowplow-tracker")
    oldest = Version(floor(requirement))
    wanted = f"snowplow-tracker=={oldest}" if which == "oldest" else str(requirement)
    folder = install(wanted, tmp_path / "site")
    version, where = in_use("snowplow-tracker", "snowplow_tracker", folder)
    assert where.is_relative_to(folder)
    assert version in requirement.specifier
    if which == "oldest":
        assert version == oldest
    else:  # the newest release we accept, and a different one, or the two runs are one
        assert version > oldest
    run_tests(folder, "tests/snowplow", "tests/gui/test_collector.py")  # the window's sender too


@pytest.mark.slow
def test_the_recorder_works_with_the_oldest_tomli_w(tmp_path: Path) -> None:
    requirement = claimed("tomli-w")
    oldest = Version(floor(requirement))
    folder = install(f"tomli-w=={oldest}", tmp_path / "site")
    version, where = in_use("tomli-w", "tomli_w", folder)
    assert (version, where.is_relative_to(folder)) == (oldest, True)
    run_tests(folder, "tests/test_scenario_record.py")
