"""``snowsession collect``'s options as a child process: a wrong port or host is one line and
exit 2, a run that never listened leaves the log as it was, ``--ready-file`` says when it
listens, and the CI recipe of docs/trackers.md never loses the log."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from markdown_blocks import blocks

from .child import CollectProcess
from .helpers import T0, body, entity, fields

DOC = Path(__file__).resolve().parents[2] / "docs" / "trackers.md"
ROOT = DOC.parents[1]


def collect(*options: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "session.cli", "collect", *options],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
    )


@pytest.mark.parametrize(
    ("options", "says"),
    [
        (["--port", "99999"], "--port must be from 0 to 65535, got 99999"),
        (["--port", "-1"], "--port must be from 0 to 65535, got -1"),
        (["--host", ""], "--host is empty"),
        (["--host", "  "], "--host is empty"),
        (["--allow-origin", "*"], "--allow-origin takes an origin"),
        (["--allow-origin", "http://x/path"], "without a path"),
    ],
)
def test_a_wrong_address_is_one_line_and_exit_2_and_no_log(
    tmp_path: Path, options: list[str], says: str
) -> None:
    done = collect(*options, "--log", str(tmp_path / "run.ndjson"))
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert says in done.stderr and "unexpected" not in done.stderr
    assert not (tmp_path / "run.ndjson").exists()


def test_a_run_that_never_listened_leaves_the_log_as_it_was(tmp_path: Path) -> None:
    log = tmp_path / "run.ndjson"
    log.write_text('{"snowsession": "collect", "format": 1, "started": "x"}\n')
    before = log.read_bytes()
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    try:
        done = collect("--port", str(holder.getsockname()[1]), "--log", str(log))
        fresh = collect("--port", str(holder.getsockname()[1]), "--log", str(tmp_path / "new"))
    finally:
        holder.close()
    assert done.returncode == 2 and "the port is in use" in done.stderr
    assert log.read_bytes() == before
    assert fresh.returncode == 2 and not (tmp_path / "new").exists()


def test_the_ready_file_holds_the_url_once_listening_and_goes_on_stopping(tmp_path: Path) -> None:
    ready = tmp_path / "ready.txt"
    log = tmp_path / "run.ndjson"
    child = CollectProcess(log, "--ready-file", str(ready))
    try:
        assert ready.read_text() == child.url + "\n"
        assert json.loads(log.read_text().splitlines()[0])["snowsession"] == "collect"
    finally:
        status, _, err = child.stop()
    assert status == 0 and err == "" and not ready.exists()


def test_a_ready_file_that_cannot_be_written_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = collect("--port", "0", "--no-log", "--ready-file", str(tmp_path / "no" / "ready"))
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert "cannot write the ready file" in done.stderr


def _recipe() -> str:
    (recipe,) = [code for _, code in blocks(DOC, "sh") if "--ready-file" in code]
    return recipe


@pytest.mark.realtime
def test_the_ci_recipe_with_a_fast_script_never_loses_the_log(tmp_path: Path) -> None:
    """The docs' recipe as written, with ``snowsession`` this checkout's, an app test that
    sends one event and the collector stopped at once after: the log is whole every time."""
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    shim = bin_ / "snowsession"
    shim.write_text(f'#!/bin/sh\nexec {sys.executable} -m session.cli "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IEXEC)
    (tmp_path / "event.json").write_bytes(body(fields(entity(1), T0)))
    app = tmp_path / "run-the-app-tests.sh"
    app.write_text(
        "#!/bin/sh\ncurl -sf -o /dev/null -H 'Content-Type: application/json' "
        '--data-binary @event.json "$(cat collector.url)/com.snowplowanalytics.snowplow/tp2"\n'
    )
    app.chmod(app.stat().st_mode | stat.S_IEXEC)
    recipe = _recipe().replace("--port 9090", "--port 0")
    env = {**os.environ, "PATH": f"{bin_}:{os.environ['PATH']}", "PYTHONPATH": str(ROOT)}
    for run in range(3):
        started = time.monotonic()
        done = subprocess.run(
            ["bash", "-e", "-c", recipe], cwd=tmp_path, env=env, capture_output=True, text=True
        )
        assert done.returncode in (0, 1), done.stderr  # 1: sessions found something
        assert '"good":1' in done.stdout.replace(" ", ""), (run, done.stdout, done.stderr)
        lines = (tmp_path / "run.ndjson").read_text().splitlines()
        assert len(lines) == 2 * (run + 1), lines  # a header and the event, every run
        assert time.monotonic() - started < 30
        assert not (tmp_path / "collector.url").exists()
