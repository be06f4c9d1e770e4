"""snowsession's engine: the Snowplow client session in pure Python (no Qt).

>>> from session import ClientSession, VirtualClock
>>> clock = VirtualClock()
>>> s = ClientSession("session.xml", clock=clock)        # doctest: +SKIP
>>> s.get_session_context("an-event-id").to_json()        # doctest: +SKIP
"""

from .client import ClientSession, SessionClosedError
from .context import SCHEMA_1_0_1, SCHEMA_1_0_2, SessionContext, load_schema
from .events import (
    BackgroundChanged,
    CheckerChanged,
    EventTracked,
    Notification,
    Observer,
    PausedChanged,
    Reason,
    SessionRequested,
    SessionStarted,
    SettingsChanged,
    StorageProblem,
    StorageRecovered,
    only,
)
from .policy import (
    DEFAULT_POLICY,
    POLICY_NAMES,
    DotNetPolicy,
    MobilePolicy,
    Policy,
    PolicyError,
)
from .settings import DEFAULTS, MAX_SECONDS, SETTING_NAMES, Timeouts, check_seconds
from .state import INT32_MAX, SessionState
from .status import SessionStatus
from .storage import (
    FileState,
    NotASaveFileError,
    Report,
    SaveFileBusyError,
    SaveFileError,
    SaveFileUnreadableError,
    SaveFileWriteError,
    read_save_file,
)
from .timing import Clock, Scheduler, SystemClock, ThreadScheduler, Timer, VirtualClock

__all__ = [
    "DEFAULTS",
    "DEFAULT_POLICY",
    "INT32_MAX",
    "MAX_SECONDS",
    "POLICY_NAMES",
    "SCHEMA_1_0_1",
    "SCHEMA_1_0_2",
    "SETTING_NAMES",
    "BackgroundChanged",
    "CheckerChanged",
    "ClientSession",
    "Clock",
    "DotNetPolicy",
    "EventTracked",
    "FileState",
    "MobilePolicy",
    "NotASaveFileError",
    "Notification",
    "Observer",
    "PausedChanged",
    "Policy",
    "PolicyError",
    "Reason",
    "Report",
    "SaveFileBusyError",
    "SaveFileError",
    "SaveFileUnreadableError",
    "SaveFileWriteError",
    "Scheduler",
    "SessionClosedError",
    "SessionContext",
    "SessionRequested",
    "SessionStarted",
    "SessionState",
    "SessionStatus",
    "SettingsChanged",
    "StorageProblem",
    "StorageRecovered",
    "SystemClock",
    "ThreadScheduler",
    "Timeouts",
    "Timer",
    "VirtualClock",
    "check_seconds",
    "load_schema",
    "only",
    "read_save_file",
]
