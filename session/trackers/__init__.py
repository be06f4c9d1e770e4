"""Sessions of real trackers (no Qt, no engine): what the Snowplow trackers send, read and checked.

- :mod:`.protocol` decodes the tracker protocol (GET ``/i``, POST ``tp2``);
- :mod:`.entity` finds and validates the ``client_session`` entity;
- :mod:`.record`, :mod:`.chain` and :mod:`.report`: the session-chain analysis and its report;
- :mod:`.capture` reads captures (the collector's log, HAR, Micro JSON, .NET save files),
  a big log in parts by two processes (:mod:`.logparts`);
- :mod:`.output` writes the report as a table, JSON or JUnit XML;
- :mod:`.collector` is the HTTP collector: :mod:`.ingest` takes events into its log
  (:mod:`.logfile`), :mod:`.read_api` serves Micro's API (:mod:`.micro` its shapes,
  :mod:`.micro_store` what it lists) and the live report, :mod:`.access` says who may use
  what, :mod:`.serving` bounds connections and says faults once;
- :mod:`.pytest_plugin` is the ``snowsession_collector`` fixture.

The names below are imported on first use, so ``import session.trackers`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .analysis import Analysis, Timeouts
    from .capture import CaptureError, read_capture
    from .collector import Collector
    from .record import Record
    from .report import FINDING_KINDS, Finding, Report, SessionSummary, UserReport

__all__ = [
    "FINDING_KINDS",
    "Analysis",
    "CaptureError",
    "Collector",
    "Finding",
    "Record",
    "Report",
    "SessionSummary",
    "Timeouts",
    "UserReport",
    "read_capture",
]

_WHERE = {
    "CaptureError": "capture",
    "read_capture": "capture",
    "Analysis": "analysis",
    "Timeouts": "chain",
    "Collector": "collector",
    "Record": "record",
    "FINDING_KINDS": "report",
    "Finding": "report",
    "Report": "report",
    "SessionSummary": "report",
    "UserReport": "report",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'session.trackers' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)
