"""``snowsession sessions``: every kind of capture, bounded reads, the outputs and exit codes."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from trackers.helpers import T0, USER, body, entity, fields, query, received, sid

from session.audit.duck import DuckAudit
from session.audit.kinds import FINDING_KINDS
from session.audit.rules import Rules
from session.cli import main
from session.storage import encode
from session.trackers.logfile import LogWriter, bad_line, event_line
from session.trackers.protocol import decode_fields


def write_log(path: Path, items: list[dict[str, str]], bad: int = 0) -> Path:
    log = LogWriter(path, started=T0)
    log.write([event_line(received(item), decode_fields(item)) for item in items])
    log.write([bad_line(T0, "not_json", "the body is not JSON", "{oops")] * bad)
    log.close()
    return path


def clean(n: int = 3) -> list[dict[str, str]]:
    return [fields(entity(i, event_index=1), T0 + 700 * i) for i in range(1, n + 1)]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_a_clean_log_exits_0_with_its_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = write_log(tmp_path / "events.ndjson", clean(), bad=2)
    status, out, err = run(capsys, "sessions", str(log), "--foreground-timeout", "600")
    assert status == 0, err
    assert f"user {USER}: 3 session(s), 3 event(s)" in out
    assert sid(3) in out and "foreground" in out
    assert out.rstrip().endswith("1 user(s), 3 event(s), 0 finding(s); bad: 2 not_json")


def test_findings_exit_1_and_the_json_shape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    items = [*clean(2), fields(entity(4, previous=2), T0 + 2800)]
    log = write_log(tmp_path / "events.ndjson", items)
    status, out, _ = run(capsys, "sessions", str(log), "--format", "json")
    assert status == 1
    report = json.loads(out)
    assert report["findings"] == 1
    (user,) = report["users"]
    assert set(user) >= {"user_id", "sessions", "findings"}
    (finding,) = user["findings"]
    assert finding["kind"] == "index_gap" and finding["session_id"] == sid(4)
    assert finding["message"] and finding["time"].endswith("Z")
    assert [s["index"] for s in user["sessions"]] == [1, 2, 4]
    assert set(user["sessions"][0]) == {
        "index",
        "session_id",
        "previous_session_id",
        "first_event_id",
        "events",
        "first_event_time",
        "last_event_time",
        "idle_before",
        "exceeded",
        "expected",
        "duplicates",
    }


def test_junit_is_a_suite_per_capture_and_a_case_per_user_and_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = write_log(tmp_path / "one.ndjson", clean(2))
    second = write_log(tmp_path / "two.ndjson", [fields(entity(3, previous=1), T0 + 2100)])
    status, _, _ = run(
        capsys, "sessions", str(first), str(second), "--junit", str(tmp_path / "j.xml")
    )
    assert status == 1
    root = ET.parse(tmp_path / "j.xml").getroot()
    assert root.tag == "testsuites" and root.get("tests") == str(2 * len(FINDING_KINDS) + 1)
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [
        "sessions: inputs read",
        f"sessions: {first}",
        f"sessions: {second}",
    ]
    assert suites[0].get("failures") == "0"  # every line was read
    suites = suites[1:]
    for suite in suites:
        cases = suite.findall("testcase")
        assert len(cases) == len(FINDING_KINDS) == int(suite.get("tests", "-1"))
        assert all(c.get("classname") == f"sessions.user {USER}" and c.get("name") for c in cases)
        assert {"tests", "failures", "errors", "skipped", "time"} <= set(suite.keys())
    assert suites[0].get("failures") == "0"
    (failure,) = suites[1].iter("failure")
    assert failure.get("type") == "broken_chain" and failure.get("message")
    assert sid(3) in (failure.text or "")


def test_junit_holds_any_text_a_ci_server_can_parse(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile = entity(1)
    hostile["data"]["userId"] = "bad\x00\x1b]0;\udcff<&>\"'"
    log = write_log(tmp_path / "events.ndjson", [fields(hostile, T0)])
    status, out, err = run(capsys, "sessions", str(log), "--junit", "-")
    assert status == 1, err
    xml = out[: out.index("</testsuites>") + len("</testsuites>")]
    root = ET.fromstring(xml.encode("utf-8"))
    assert root.find("testsuite/testcase/failure").get("type") == "invalid_entity"  # type: ignore[union-attr]


def test_a_log_cut_by_a_kill_is_read_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = write_log(tmp_path / "events.ndjson", clean(2))
    with log.open("ab") as handle:
        handle.write(b'{"received": 1, "fields": {"e": "pv", "cx"')  # no end, no newline
    again = LogWriter(log)  # the next run starts on a line of its own
    again.write([event_line(T0, decode_fields(fields(entity(3, event_index=1), T0 + 2100)))])
    again.close()
    status, out, err = run(capsys, "sessions", str(log))
    assert status == 0
    assert "3 session(s)" in out and "1 line(s) could not be read" in err


def test_a_huge_line_is_skipped_and_counted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = write_log(tmp_path / "events.ndjson", clean(2))
    with log.open("a") as handle:
        handle.write('{"received": 1, "pad": "' + "x" * (8 << 20) + '"}\n')
    status, out, err = run(capsys, "sessions", str(log))
    assert status == 0 and "2 session(s)" in out and "bad: 1 unreadable_line" in out, err
    assert "1 line(s) could not be read" in err


def test_a_time_of_digits_that_are_not_decimal_is_no_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = write_log(tmp_path / "events.ndjson", [{**fields(entity(1), T0 + 5), "dtm": "1²"}])
    status, out, err = run(capsys, "sessions", str(log), "--format", "json")
    assert status == 0, err
    (session,) = json.loads(out)["users"][0]["sessions"]
    assert session["first_event_time"] == "2027-01-15T08:00:00.050Z"  # when it arrived


def har(entries: list[dict]) -> dict:
    return {"log": {"version": "1.2", "creator": {"name": "test"}, "entries": entries}}


def test_a_har_file_with_get_and_post_requests(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    get = fields(entity(1, event_index=1), T0)
    posts = [fields(entity(1, event_index=2), T0 + 1), fields(entity(2, event_index=1), T0 + 900)]
    document = har(
        [
            {
                "startedDateTime": "2027-01-15T08:00:00.000Z",
                "request": {"method": "GET", "url": f"https://c.example/i?{query(get)}"},
            },
            {
                "startedDateTime": "2027-01-15T08:00:01.000Z",
                "request": {"method": "GET", "url": "https://example.com/logo.png"},
            },
            {
                "startedDateTime": "2027-01-15T08:00:02.000Z",
                "request": {
                    "method": "POST",
                    "url": "https://c.example/com.snowplowanalytics.snowplow/tp2",
                    "postData": {"mimeType": "application/json", "text": body(*posts).decode()},
                },
            },
            {
                "startedDateTime": "2027-01-15T08:00:03.000Z",
                "request": {
                    "method": "POST",
                    "url": "https://c.example/com.snowplowanalytics.snowplow/tp2",
                    "postData": {"mimeType": "application/json", "text": "{"},
                },
            },
            "not an entry",
        ]
    )
    path = tmp_path / "app.har"
    path.write_text(json.dumps(document))
    status, out, _ = run(capsys, "sessions", str(path), "--format", "json")
    report = json.loads(out)
    assert status == 0 and report["bad"] == {"not_json": 1}
    assert [s["events"] for s in report["users"][0]["sessions"]] == [2, 1]


def test_micro_good_json_with_raw_events_or_enriched_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = fields(entity(1), T0), fields(entity(2), T0 + 900)
    raw = {
        "rawEvent": {"parameters": {**first, "nothing": None}},
        "event": {"collector_tstamp": "2027-01-15T08:00:00.000Z"},
    }
    ent = json.loads(json.dumps(entity(2)))
    enriched = {
        "event": {
            "event": "page_view",
            "event_id": second["eid"],
            "dvce_created_tstamp": "2027-01-15T08:15:00.000Z",
            "contexts": {
                "schema": "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0",
                "data": [ent],
            },
        }
    }
    path = tmp_path / "good.json"
    path.write_text(json.dumps([enriched, raw, 7]))  # Micro: newest first
    status, out, _ = run(capsys, "sessions", str(path), "--format", "json")
    report = json.loads(out)
    assert status == 0 and report["bad"] == {"malformed": 1}
    assert [s["index"] for s in report["users"][0]["sessions"]] == [1, 2]


def test_save_files_are_a_chain_of_snapshots(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = []
    for number, (index, previous) in enumerate([(1, None), (2, 1), (4, 2)], start=1):
        path = tmp_path / f"session-{number}.xml"
        path.write_bytes(
            encode(
                [
                    ("userId", USER),
                    ("sessionId", sid(index)),
                    ("previousSessionId", previous and sid(previous)),
                    ("sessionIndex", index),
                ]
            )
        )
        os.utime(path, (T0 + 1000 * number, T0 + 1000 * number))
        paths.append(str(path))
    status, out, _ = run(capsys, "sessions", *paths, "--format", "json")
    assert status == 1
    assert [f["kind"] for f in json.loads(out)["users"][0]["findings"]] == ["index_gap"]


def test_a_damaged_save_file_is_an_invalid_entity(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "session.xml"
    path.write_bytes(encode([("userId", USER), ("sessionId", "nope"), ("sessionIndex", 1)]))
    status, out, err = run(capsys, "sessions", str(path))
    assert status == 1 and "invalid_entity" in out and "sessionId is not a valid id" in err


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda p: p.mkdir(), "is a folder"),
        (lambda p: os.mkfifo(p), "not a regular file"),
        (lambda p: p.write_text("hello, world\n"), "is not a capture"),
        (lambda p: p.write_text('{"no": "log"}'), "not a HAR file"),
        (lambda p: p.write_text("[1, 2"), "is not JSON"),
        (lambda p: p.write_text("<" + "a" * 2_000_000), "not a save file"),
        (lambda p: None, "no file"),
    ],
)
def test_what_is_not_a_capture_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: object, words: str
) -> None:
    path = tmp_path / "capture"
    make(path)  # type: ignore[operator]
    started = time.monotonic()
    status, out, err = run(capsys, "sessions", str(path))
    assert status == 2 and out == "" and err.count("\n") == 1 and words in err, err
    assert time.monotonic() - started < 5


def test_a_device_is_refused_unread(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "sessions", "/dev/zero")
    assert status == 2 and "not a regular file" in err


def test_a_json_document_over_the_limit_is_refused_unread(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from session.audit import inputs

    monkeypatch.setattr(inputs, "MAX_DOCUMENT_BYTES", 1 << 20)
    path = tmp_path / "big.har"
    path.write_text(json.dumps(har([{"pad": "x" * (2 << 20)}])))
    status, _, err = run(capsys, "sessions", str(path))
    assert status == 2 and "over the 1048576 byte limit" in err


@pytest.mark.slow
def test_a_har_file_of_200_mb_is_read(tmp_path: Path) -> None:
    """Browser exports hold every response body: a big one is read, in bounded memory."""
    get = fields(entity(1, event_index=1), T0)
    entries = [{"request": {"method": "GET", "url": f"https://c.example/i?{query(get)}"}}]
    entries += [
        {
            "request": {"method": "GET", "url": "https://x.example/"},
            "response": {"content": {"text": "y" * (1 << 20)}},
        }
    ] * 200
    path = tmp_path / "big.har"
    path.write_text(json.dumps(har(entries)))
    audit = DuckAudit(Rules())
    assert audit.add(path, print).kind == "har"
    assert audit.run().counts()["events"] == 1


def test_timeouts_are_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = write_log(tmp_path / "events.ndjson", clean(1))
    for argv, words in [
        (["--foreground-timeout", "0"], "--foreground-timeout must be more than 0"),
        (["--background-timeout", "nan"], "--background-timeout must be"),
        (["--check-interval", "-1"], "--check-interval must be from 0"),
    ]:
        status, _, err = run(capsys, "sessions", str(log), *argv)
        assert status == 2 and words in err, err


@pytest.mark.parametrize(
    "text",
    [
        "<!doctype html><html><head><title>Shop</title></head><body>hi</body></html>\n",
        '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>\n',
    ],
)
def test_a_web_page_or_foreign_xml_is_not_a_capture(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    path = tmp_path / "page.xml"
    path.write_text(text)
    status, out, err = run(capsys, "sessions", str(path))
    assert status == 2 and out == "" and err.count("\n") == 1, err
    assert "not a .NET save file" in err


def test_a_log_with_no_valid_event_fails_rather_than_passing_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = write_log(tmp_path / "events.ndjson", [], bad=3)
    status, out, err = run(capsys, "sessions", str(log), "--junit", str(tmp_path / "j.xml"))
    assert status == 2 and out == "", out
    assert "no event with a client_session entity was read" in err and "3 not_json" in err
    assert not (tmp_path / "j.xml").exists()


def test_skipped_lines_fail_a_case_of_their_own_in_junit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    items = [fields(entity(1, event_index=i), T0 + i) for i in range(1, 1001)]
    log = write_log(tmp_path / "events.ndjson", items, bad=40)
    with log.open("a") as handle:
        handle.write("not json at all\n" * 60)
    status, _, err = run(capsys, "sessions", str(log), "--junit", str(tmp_path / "j.xml"))
    assert status == 0 and "60 line(s) could not be read" in err
    root = ET.parse(tmp_path / "j.xml").getroot()
    assert root.get("failures") == "1"
    (failure,) = root.iter("failure")
    assert failure.get("type") == "unread"
    assert failure.get("message") == "100 skipped: 40 not_json, 60 unreadable_line"


@pytest.mark.parametrize("option", ["--junit", "--findings-out"])
def test_output_to_a_fifo_is_refused_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str
) -> None:
    log = write_log(tmp_path / "events.ndjson", clean(1))
    fifo = tmp_path / "out.csv"
    os.mkfifo(fifo)
    started = time.monotonic()
    status, _, err = run(capsys, "sessions", str(log), option, str(fifo))
    assert status == 2 and "is not a regular file" in err, err
    assert time.monotonic() - started < 10


def test_an_unreadable_first_line_is_skipped_and_counted_like_any_other(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = write_log(tmp_path / "events.ndjson", clean(2))
    text = log.read_text()
    log.write_text('{"received": 1, "fields": {"e": "pv", "cx"\n' + text)
    status, out, err = run(capsys, "sessions", str(log))
    assert status == 0, err
    assert "2 session(s)" in out and "bad: 1 unreadable_line" in out


@pytest.mark.parametrize("limit", ["1MB", "20MB"])
def test_running_out_of_memory_says_what_to_do_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], limit: str
) -> None:
    """DuckDB's own out-of-memory, while it reads or while it checks: not a fault of the
    input, and never a traceback."""
    from trackers import varied_log

    log = varied_log.write(tmp_path / "varied.ndjson", seed=0, crowd=300)
    status, out, err = run(capsys, "sessions", str(log), "--memory-limit", limit)
    assert status == 2 and out == ""
    lines = [line for line in err.splitlines() if not line.startswith("snowsession: warning")]
    assert len(lines) == 1, err
    assert f"more memory than --memory-limit {limit}" in lines[0]
    assert "--engine spark" in lines[0] and "varied.ndjson" not in lines[0]
