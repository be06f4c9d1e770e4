"""A pytest plugin: the ``snowsession_collector`` fixture, a collector on a free port for a
project's own end-to-end tests.

::

    def test_the_app_keeps_one_session(snowsession_collector):
        app = start_my_app(collector=snowsession_collector.url)
        app.tap("home"); app.tap("settings")
        snowsession_collector.wait_for_events(2)
        assert len(snowsession_collector.sessions()) == 1
        snowsession_collector.assert_no_session_faults()

Installed with snowsession (an entry point), so any test can ask for the fixture. Loading the
plugin imports nothing but pytest; the collector is imported when a test first uses it. The
timeouts its report judges by come from the ini options ``snowsession_foreground_timeout``,
``snowsession_background_timeout`` and ``snowsession_check_interval``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ..audit.report import ChainReport, Finding, SessionSummary
    from .collector import Collector

__all__ = ["SessionsCollector", "snowsession_collector"]

_OPTIONS = {
    "snowsession_foreground_timeout": "the foreground timeout (s) the sessions are judged by",
    "snowsession_background_timeout": "the background timeout (s) the sessions are judged by",
    "snowsession_check_interval": "the check interval (s): the slack past a timeout",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    for name, help in _OPTIONS.items():
        parser.addini(name, help=help, default=None)


class SessionsCollector:
    """A running collector with helpers for assertions on the sessions it has seen."""

    def __init__(self, collector: Collector) -> None:
        self.collector = collector

    @property
    def url(self) -> str:
        """Where to point a tracker: ``http://127.0.0.1:PORT``."""
        return self.collector.url

    @property
    def port(self) -> int:
        return self.collector.port

    @property
    def log_path(self) -> Path | None:
        """The NDJSON log of every event, kept with the test's temporary files."""
        return None if self.collector.log_path is None else Path(self.collector.log_path)

    def report(self) -> ChainReport:
        """The sessions report of everything received so far."""
        return self.collector.snapshot()

    def events(self) -> list[dict[str, Any]]:
        """The good events received, oldest first, in Snowplow Micro's ``/micro/good`` shape."""
        return list(reversed(self.collector.micro.good()))

    def bad_events(self) -> list[dict[str, Any]]:
        """The bad events, oldest first, in Micro's ``/micro/bad`` shape (``errors`` says why)."""
        return list(reversed(self.collector.micro.bad()))

    def sessions(self, user_id: str | None = None) -> tuple[SessionSummary, ...]:
        """One user's chain of sessions; without ``user_id``, the only user's."""
        report = self.report()
        if user_id is None:
            if len(report.users) > 1:
                users = ", ".join(user.user_id for user in report.users)
                raise AssertionError(f"several users sent events ({users}): name one")
            return report.users[0].sessions if report.users else ()
        user = report.user(user_id)
        return () if user is None else user.sessions

    def findings(self, kind: str | None = None) -> tuple[Finding, ...]:
        return tuple(f for f in self.report().findings if kind is None or f.kind == kind)

    def wait_for_events(self, count: int, timeout: float = 10.0) -> None:
        """Wait until ``count`` events (good or bad) have arrived; trackers send in the
        background. Fails with what did arrive."""
        deadline = time.monotonic() + timeout
        while self.collector.micro.summary()["total"] < count:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"waited {timeout} s for {count} event(s) at {self.url}, got "
                    f"{self.collector.micro.summary()}: is the tracker pointed here?"
                )
            time.sleep(0.02)

    def assert_no_session_faults(self, allow_bad: bool = False) -> None:
        """Fail with every finding (and bad event) listed, each with when and why."""
        report = self.report()
        lines = []
        for user in report.users:
            for finding in user.findings:
                lines.append(
                    f"  user {user.user_id}, session {finding.session_index} "
                    f"({finding.session_id}) at {_iso(finding.time)}: "
                    f"{finding.kind}: {finding.message}"
                )
        if not allow_bad:
            for bad in self.bad_events():
                lines.append(f"  a bad event: {bad['errors'][0]}")
        if lines:
            where = f"; every event is in {self.log_path}" if self.log_path else ""
            raise AssertionError(
                f"{len(lines)} session fault(s) in what the tracker sent{where}:\n"
                + "\n".join(lines)
            )

    def reset(self) -> None:
        """Forget every event received so far (the log keeps them)."""
        self.collector.reset()


def _iso(seconds: float) -> str:
    from ..audit.report import iso_time

    return iso_time(seconds) or ""


def _seconds(config: pytest.Config, name: str) -> float | None:
    value = config.getini(name)
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise pytest.UsageError(f"{name} must be a number of seconds, got {value!r}") from None


@pytest.fixture
def snowsession_collector(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[SessionsCollector]:
    """A collector on 127.0.0.1 and a free port, stopped after the test."""
    from ..audit.rules import Rules
    from .collector import Collector

    config = request.config
    rules = Rules.of(
        _seconds(config, "snowsession_foreground_timeout"),
        _seconds(config, "snowsession_background_timeout"),
        _seconds(config, "snowsession_check_interval") or 0.0,
    )
    collector = Collector(port=0, log=tmp_path / "snowsession-events.ndjson", rules=rules)
    collector.start()
    try:
        yield SessionsCollector(collector)
    finally:
        collector.stop()
