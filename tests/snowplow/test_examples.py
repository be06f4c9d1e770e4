"""The adapter's examples (its section of docs/engine.md and the module's docstring) run as
written, in a fresh folder, with the collector address pointing at a collector on loopback, or
at a port where nothing listens."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import session.snowplow.tracker
from session.snowplow import BACKGROUND_SCHEMA

from .helpers import Collector, self_describing, session_entity

PAGE = Path(__file__).resolve().parents[2] / "docs" / "engine.md"
SECTION = "## Sending events with the Snowplow Python tracker"
ADDRESS = "http://localhost:9090"


def readme_example() -> str:
    """The first Python block of the page's section on the Snowplow tracker."""
    text = PAGE.read_text(encoding="utf-8")
    section = text[text.index(SECTION) :]
    found = re.search(r"^```python\n(.*?)^```$", section, re.DOTALL | re.MULTILINE)
    assert found, f"no Python block under {SECTION!r}"
    return found.group(1)


def docstring_example() -> str:
    """The indented block after the first ``::`` of the adapter module's docstring."""
    doc = session.snowplow.tracker.__doc__ or ""
    after = doc[doc.index("::\n") + 3 :]
    block = re.match(r"(?:\n|    .*\n)+", after)
    assert block, "no example in the adapter's docstring"
    return textwrap.dedent(block.group(0))


def run(example: str, folder: Path, address: str) -> subprocess.CompletedProcess[str]:
    """Run ``example`` as a script in ``folder``, its collector address replaced by ``address``."""
    assert example.count(ADDRESS) == 1, f"the example should name {ADDRESS} once"
    script = folder / "example.py"
    script.write_text(example.replace(ADDRESS, address), encoding="utf-8")
    return subprocess.run(
        [sys.executable, script.name],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "NO_PROXY": "*"},  # loopback, never a proxy
    )


def test_the_readme_example_sends_two_events_of_one_session(
    tmp_path: Path, collector: Collector
) -> None:
    done = run(readme_example(), tmp_path, collector.url)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    opened, background = collector.events
    assert (opened["e"], opened["se_ca"], opened["se_ac"]) == ("se", "nav", "open")
    assert self_describing(background) == {
        "schema": BACKGROUND_SCHEMA,
        "data": {"backgroundIndex": 1},
    }
    data = [session_entity(event)["data"] for event in (opened, background)]
    assert [(d["sessionIndex"], d["eventIndex"]) for d in data] == [(1, 1), (1, 2)]
    assert {d["firstEventId"] for d in data} == {opened["eid"]}
    saved = (tmp_path / "session.xml").read_text(encoding="utf-8")
    assert data[0]["sessionId"] in saved and data[0]["userId"] in saved


def test_the_readme_example_ends_at_once_when_no_collector_listens(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a loopback port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    done = run(readme_example(), tmp_path, f"http://127.0.0.1:{port}")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert time.monotonic() - started < 30
    assert "Connection refused" in done.stderr  # the emitter's own log says why
    assert (tmp_path / "session.xml").is_file()  # the session is kept all the same


def test_the_docstring_example_sends_a_screen_view_with_the_session(
    tmp_path: Path, collector: Collector
) -> None:
    done = run(docstring_example(), tmp_path, collector.url)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    (screen,) = collector.events
    assert self_describing(screen)["data"]["name"] == "home"
    assert session_entity(screen)["data"]["firstEventId"] == screen["eid"]
