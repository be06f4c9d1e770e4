"""``snowsession sessions`` on the varied log: the table, the JSON, the JUnit XML and the
warnings, byte for byte as they were when the outputs below were recorded.

Every finding kind, every bad reason and every kind of unreadable line is in the log
(:mod:`.varied_log`), so a change to how logs are read that changes any report shows here.
After a change meant to alter the report, record it again and read the diff:
``SNOWSESSION_RECORD_OUTPUTS=1 pytest tests/audit/test_outputs.py``.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from trackers import varied_log

from session.audit.kinds import FINDING_KINDS
from session.audit.output import write_json
from session.audit.report import ChainReport, Finding, SessionSummary, UserReport
from session.cli import main

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


_TIMES = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([0.0, 1.8e9, 1e16])


@st.composite
def _reports(draw: st.DrawFn) -> ChainReport:
    """Reports with any times; half of them with what orjson refuses too (lone surrogates,
    integers over 64 bits)."""
    hostile = draw(st.booleans())
    text = st.text(st.characters(codec=None if hostile else "utf-8"), max_size=12)
    integers = st.integers(-(2**70), 2**70) if hostile else st.integers(0, 2**31 - 1)

    def session() -> SessionSummary:
        return SessionSummary(
            draw(integers),
            draw(text),
            draw(st.none() | text),
            draw(st.none() | text),
            draw(st.integers(0, 10**6)),
            draw(_TIMES),
            draw(_TIMES),
            draw(st.none() | _TIMES),
            draw(st.sampled_from([None, "foreground", "background"])),
        )

    def finding() -> Finding:
        kind = draw(st.sampled_from(FINDING_KINDS))
        return Finding(kind, "u", draw(st.none() | text), draw(_TIMES), draw(text))

    users = tuple(
        UserReport(
            draw(text),
            tuple(session() for _ in range(draw(st.integers(0, 3)))),
            tuple(finding() for _ in range(draw(st.integers(0, 2)))),
            draw(st.integers(0, 99)),
        )
        for _ in range(draw(st.integers(0, 3)))
    )
    return ChainReport(users, draw(st.dictionaries(text, st.integers(0, 9))), (draw(text),))


@settings(max_examples=300, deadline=None)
@given(_reports())
def test_the_json_is_the_standard_librarys_text_for_any_report(report: ChainReport) -> None:
    out = io.StringIO()
    write_json(report, out)
    assert out.getvalue() == json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
