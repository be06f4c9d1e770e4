"""The pytest plugin, used as a project of its own would use it (pytester)."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytest_plugins = ["pytester"]

SENDER = """
import json, time, urllib.request, uuid

USER = "0f8fad5b-d9cb-469f-a165-70867728950e"
CONTEXTS = "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-1"
PAYLOAD = "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4"


def send(url, session, index, previous, at):
    # One page view, made ``at`` ms from now (0 or less: a tracker sends what it made).
    entity = {
        "schema": "iglu:com.snowplowanalytics.snowplow/client_session/jsonschema/1-0-1",
        "data": {
            "userId": USER, "sessionId": session, "sessionIndex": index,
            "previousSessionId": previous, "storageMechanism": "SQLITE",
        },
    }
    event = {
        "e": "pv", "eid": str(uuid.uuid4()), "dtm": str(round(time.time() * 1000) + at),
        "co": json.dumps({"schema": CONTEXTS, "data": [entity]}),
    }
    body = json.dumps({"schema": PAYLOAD, "data": [event]})
    request = urllib.request.Request(
        url + "/com.snowplowanalytics.snowplow/tp2", data=body.encode(),
        headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(request).read()
"""


def test_a_project_asserts_on_the_sessions_its_app_makes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(sender=SENDER)
    pytester.makeini("[pytest]\nsnowsession_foreground_timeout = 600\n")
    pytester.makepyfile(
        test_app="""
import pytest
from sender import USER, send

A, B = "7c9e6679-7425-40de-944b-e07fc1f90ae7", "9a1f6c2e-3b4d-4e5f-8a6b-7c8d9e0f1a2b"


def test_clean(snowsession_collector):
    send(snowsession_collector.url, A, 1, None, -700_000)
    send(snowsession_collector.url, B, 2, A, 0)
    snowsession_collector.wait_for_events(2)
    assert [s.index for s in snowsession_collector.sessions(USER)] == [1, 2]
    assert [s.index for s in snowsession_collector.sessions()] == [1, 2]
    assert len(snowsession_collector.events()) == 2
    snowsession_collector.assert_no_session_faults()
    snowsession_collector.reset()
    assert snowsession_collector.sessions() == ()


def test_faulty(snowsession_collector):
    send(snowsession_collector.url, A, 1, None, -100_000)
    send(snowsession_collector.url, B, 3, A, 0)
    snowsession_collector.assert_no_session_faults()


def test_waiting_for_what_never_comes(snowsession_collector):
    snowsession_collector.wait_for_events(1, timeout=0.2)
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*2 session fault(s) in what the tracker sent; every event is in *events.ndjson*",
            "*user 0f8fad5b-d9cb-469f-a165-70867728950e, session 3 (9a1f6c2e-*) at *: index_gap: *",
            "*early_new_session: a new session * after only 100 s idle, less than the *",
            "*waited 0.2 s for 1 event(s) at http://127.0.0.1:*: is the tracker pointed here?",
        ]
    )


def test_a_bad_ini_timeout_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nsnowsession_background_timeout = soon\n")
    pytester.makepyfile(test_x="def test_x(snowsession_collector):\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["*snowsession_background_timeout must be a number of seconds*"])


def test_loading_the_plugin_imports_nothing_heavy() -> None:
    code = (
        "import sys, session.trackers.pytest_plugin\n"
        "print(sorted(m for m in ('aiohttp', 'asyncio', 'jsonschema', 'session.trackers.collector')"
        " if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "[]", done
