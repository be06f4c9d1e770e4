"""The ``mobile`` policy: the Android (6.x) and iOS (6.x) trackers' session rules.

Expiry is decided when an event is tracked, never by a timer: an event starts a new session
(and becomes its first event) when a new session was requested, when the session has been idle
for more than the timeout in force, or when the clock went backwards. No events, no new
sessions, so a long idle period adds at most one. Contexts use ``client_session`` 1-0-2, with
``eventIndex`` and ``firstEventTimestamp``. The policy gives the controls the mobile trackers
have: ``pause()``/``resume()``, ``start_new_session()`` and the switch counts
(``on_session_update`` is offered under every policy).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime

from ..context import SCHEMA_1_0_2, SessionContext, schema_errors
from ..events import Reason
from ..state import INT32_MAX, SessionState
from ..storage.decode import TypedValue
from ..storage.fields import SavedSession
from ..util.text import quote
from .base import Control, Moment, Policy, Resumed, Trigger

__all__ = ["MOBILE_KEYS", "MobilePolicy", "iso_millis"]

MOBILE_KEYS = ("firstEventId", "firstEventTimestamp", "eventIndex", "lastAccessTime")
"""The keys saved after the five .NET ones with ``continue_session_on_restart``.
``lastAccessTime`` is wall-clock Unix seconds: the engine's elapsed clock restarts at boot."""


def iso_millis(wall_time: float) -> str:
    """Unix seconds as ISO 8601 UTC with milliseconds: ``2027-01-15T08:00:00.000Z``."""
    stamp = datetime.fromtimestamp(math.floor(wall_time * 1000) / 1000, tz=UTC)
    return stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class MobilePolicy(Policy):
    """Expiry decided at each event, as the mobile trackers do.

    Parameters
    ----------
    continue_session_on_restart
        Save the state (with the event index and the wall-clock time of the last access) at
        every event, and resume the saved session at the next start if it has not expired.
        By default every start is a new session.
    """

    name = "mobile"
    controls = frozenset(Control)

    def __init__(self, *, continue_session_on_restart: bool = False) -> None:
        if not isinstance(continue_session_on_restart, bool):
            raise TypeError(
                "continue_session_on_restart must be True or False, "
                f"got {continue_session_on_restart!r}"
            )
        self.continue_session_on_restart = continue_session_on_restart

    def ends(self, moment: Moment, trigger: Trigger) -> Reason | None:
        """Why the session ends before this event, or None.

        Paused: never. A session without events yet: never (the event becomes its first, which
        also answers a pending request), so no session is ever left without events. A check
        never ends a session: this policy has none.
        """
        if trigger is not Trigger.EVENT or moment.paused or moment.state.first_event_id is None:
            return None
        if moment.pending is not None:
            return moment.pending
        if moment.now < moment.last_access:
            return Reason.CLOCK_BACKWARDS
        if moment.idle > moment.timeout:
            return Reason.TIMEOUT
        return None

    def count(self, state: SessionState, event_id: str, wall: float) -> SessionState:
        if state.first_event_id is None:
            return replace(
                state,
                first_event_id=event_id,
                first_event_timestamp=iso_millis(wall),
                event_index=1,
            )
        # Every event: built directly, dataclasses.replace costs several times more.
        return SessionState(
            state.user_id,
            state.session_id,
            state.previous_session_id,
            state.session_index,
            state.first_event_id,
            state.started_at,
            min(state.event_index + 1, INT32_MAX),
            state.first_event_timestamp,
        )

    def next_check(self, moment: Moment, ended: bool) -> float | None:
        return None  # only an event decides: no checker runs

    def forecast(self, moment: Moment, next_check: float | None) -> float | None:
        return None  # only an event starts a session

    def context(self, state: SessionState) -> SessionContext:
        return SessionContext.mobile(state)

    def saved_entries(
        self, state: SessionState, wall_accessed: float
    ) -> Iterable[tuple[str, object]]:
        entries = list(super().saved_entries(state, wall_accessed))
        if self.continue_session_on_restart:
            entries += [
                ("firstEventId", state.first_event_id),
                ("firstEventTimestamp", state.first_event_timestamp),
                ("eventIndex", state.event_index),
                ("lastAccessTime", wall_accessed),
            ]
        return entries

    def resume(
        self, saved: SavedSession, user_id: str, now: float, wall: float
    ) -> Resumed | str | None:
        """The saved session, if ``continue_session_on_restart`` and every field of its
        record checks out: the ids, index and timestamps as the 1-0-2 schema wants them, the
        event index and the last access.

        Its last access is placed on the engine clock by the wall-clock time since it was
        saved, so the next event judges the whole gap; a wall clock that went backwards since
        then ends the session at the next event, as in the mobile trackers.
        """
        if not self.continue_session_on_restart:
            return None
        if saved.session_id is None or saved.session_index is None:
            return None
        fields = {key: saved.extras.get(key) for key in MOBILE_KEYS}
        if all(value is None for value in fields.values()):
            return None  # a file from the .NET tracker or without resume: nothing to go on with
        problem = _field_problem(fields)
        if problem is not None:
            return problem
        first_id, stamp, index, accessed = (fields[key] for key in MOBILE_KEYS)
        assert first_id is not None and stamp is not None and index is not None
        assert accessed is not None
        state = SessionState(
            user_id,
            saved.session_id,
            saved.previous_session_id,
            saved.session_index,
            first_id.value,
            now,
            index.value,
            stamp.value,
        )
        for key, message in schema_errors(SCHEMA_1_0_2, self.context(state).data):
            if key != "userId":  # the user id follows the save file's rules (any .NET keeps)
                return f"the saved {key} is not valid for client_session 1-0-2 ({message[:80]})"
        gap = wall - accessed.value
        pending = None
        if gap < 0:
            pending, gap = Reason.CLOCK_BACKWARDS, 0.0
        return Resumed(replace(state, started_at=now - gap), now - gap, pending)


def _field_problem(fields: dict[str, TypedValue | None]) -> str | None:
    """What is wrong with the saved mobile fields, naming the key; None when they check out."""
    missing = [key for key, value in fields.items() if value is None]
    if missing:
        return f"the saved session has no {', '.join(missing)}"
    first_id, stamp, index, accessed = (fields[key] for key in MOBILE_KEYS)
    assert first_id is not None and stamp is not None and index is not None
    assert accessed is not None
    if first_id.type not in ("null", "string") or first_id.value == "":
        return f"the saved firstEventId is not an id ({first_id.type} {quote(first_id.value)})"
    if stamp.type not in ("null", "string"):
        return f"the saved firstEventTimestamp is not text ({stamp.type} {quote(stamp.value)})"
    if index.type != "int" or not 0 <= index.value <= INT32_MAX:
        return f"the saved eventIndex is not a count ({index.type} {quote(index.value)})"
    if accessed.type != "double" or not math.isfinite(accessed.value) or accessed.value < 0:
        return f"the saved lastAccessTime is not a time ({accessed.type} {quote(accessed.value)})"
    if (first_id.value is None) != (index.value == 0) or (first_id.value is None) != (
        stamp.value is None
    ):
        return (
            "the saved firstEventId, firstEventTimestamp and eventIndex disagree "
            f"({quote(first_id.value)}, {quote(stamp.value)}, {index.value})"
        )
    return None
