"""``snowsession sessions`` on the varied log: the table, the JSON, the JUnit XML and the
warnings, byte for byte as they were when the outputs below were recorded.

Every finding kind, every bad reason and every kind of unreadable line is in the log
(:mod:`.varied_log`), so a change to how logs are read that changes any report shows here.
After a change meant to alter the report, record it again and read the diff:
``SNOWSESSION_RECORD_OUTPUTS=1 pytest tests/trackers/test_report_outputs.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from session.cli import main
from session.trackers.report import FINDING_KINDS

from . import varied_log

EXPECTED = Path(__file__).parents[1] / "data" / "trackers"
RECORD = os.environ.get("SNOWSESSION_RECORD_OUTPUTS") == "1"


def _captures(folder: Path) -> list[str]:
    varied_log.write(folder / "varied.ndjson", seed=0, crowd=300)
    varied_log.write(folder / "more.ndjson", seed=1, crowd=100)
    return ["varied.ndjson", "more.ndjson"]


def _check(name: str, text: str) -> None:
    path = EXPECTED / name
    data = text.encode("utf-8", "surrogatepass")
    if RECORD:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    assert data == path.read_bytes(), f"{name} differs from what was recorded"


@pytest.mark.parametrize("output", ["table", "json"])
def test_the_report_of_the_varied_log_is_as_recorded(
    output: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    captures = _captures(tmp_path)
    status = main(
        ["sessions", *captures, *varied_log.OPTIONS, "--format", output, "--junit", "junit.xml"]
    )
    out, err = capsys.readouterr()
    assert status == 1
    _check(f"varied.{output}", out)
    _check("varied.stderr", err)
    _check("varied.junit.xml", (tmp_path / "junit.xml").read_text(encoding="utf-8"))
    if output == "json":
        for kind in FINDING_KINDS:
            assert f'"kind": "{kind}"' in out, kind
        for reason in ("unreadable_line", "no_session_entity", "invalid_entity", "not_json"):
            assert f'"{reason}"' in out, reason
