"""snowsession's engine: the Snowplow client session in pure Python (no Qt).

>>> from session import ClientSession, VirtualClock
>>> clock = VirtualClock()
>>> s = ClientSession("session.xml", clock=clock)        # doctest: +SKIP
>>> s.get_session_context("an-event-id").to_json()        # doctest: +SKIP
"""

from .context import SCHEMA_1_0_1, SCHEMA_1_0_2, SessionContext, load_schema
from .engine import MAX_SECONDS, ClientSession, SessionClosedError
from .events import (
    BackgroundChanged,
    CheckerChanged,
    EventTracked,
    Notification,
    Observer,
    Reason,
    SessionStarted,
    StorageProblem,
    StorageRecovered,
)
from .mobile import MobilePolicy
from .policy import DotNetPolicy, Policy, PolicyError
from .state import INT32_MAX, SessionState
from .storage import SaveFileBusyError, read_save_file
from .timing import Clock, Scheduler, SystemClock, ThreadScheduler, Timer, VirtualClock

__all__ = [
    "INT32_MAX",
    "MAX_SECONDS",
    "SCHEMA_1_0_1",
    "SCHEMA_1_0_2",
    "BackgroundChanged",
    "CheckerChanged",
    "ClientSession",
    "Clock",
    "DotNetPolicy",
    "EventTracked",
    "MobilePolicy",
    "Notification",
    "Observer",
    "Policy",
    "PolicyError",
    "Reason",
    "SaveFileBusyError",
    "Scheduler",
    "SessionClosedError",
    "SessionContext",
    "SessionStarted",
    "SessionState",
    "StorageProblem",
    "StorageRecovered",
    "SystemClock",
    "ThreadScheduler",
    "Timer",
    "VirtualClock",
    "load_schema",
    "read_save_file",
]
