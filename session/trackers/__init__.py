"""Sessions of real trackers (no Qt, no engine): what the Snowplow trackers send, read and checked.

- :mod:`.protocol` decodes the tracker protocol (GET ``/i``, POST ``tp2``);
- :mod:`.entity` finds and validates the ``client_session`` entity;
- :mod:`.record`: an event as the live report takes it; :mod:`.analysis`, the collector's
  live report, runs the audit's checks (:mod:`session.audit`) over what it has taken;
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
    from .analysis import Analysis
    from .collector import Collector
    from .record import Record

__all__ = ["Analysis", "Collector", "Record"]

_WHERE = {"Analysis": "analysis", "Collector": "collector", "Record": "record"}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'session.trackers' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)
