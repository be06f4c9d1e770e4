"""Every kind of finding in a session chain, once: its name, title, check and cause.

The audit's query (:mod:`session.audit.checks`) finds them, and the table, JSON and JUnit
outputs, the collector's ``/sessions`` and the window's lanes all word them from here.
"""

from __future__ import annotations

from enum import Enum
from typing import NamedTuple

__all__ = ["FINDING_KINDS", "Kind", "KindWords"]


class KindWords(NamedTuple):
    """How a kind of finding is told: a short title, what should hold, what usually causes it."""

    title: str
    check: str
    cause: str


class Kind(Enum):
    """A kind of finding, by the name that tests and CI rely on (its ``value``; a finding
    holds the name as text, ``Kind(finding.kind)`` finds its words)."""

    INDEX_GAP = "index_gap"
    INDEX_WENT_BACK = "index_went_back"
    INDEX_REUSED = "index_reused"
    ID_CHANGED_WITHOUT_INDEX = "id_changed_without_index"
    BROKEN_CHAIN = "broken_chain"
    INDEX_STARTS_AT_ZERO = "index_starts_at_zero"
    FIRST_EVENT_ID_REUSED = "first_event_id_reused"
    FIRST_EVENT_ID_CHANGED = "first_event_id_changed"
    EVENT_INDEX_REPEATED = "event_index_repeated"
    EARLY_NEW_SESSION = "early_new_session"
    MISSED_EXPIRY = "missed_expiry"
    INVALID_ENTITY = "invalid_entity"

    @property
    def words(self) -> KindWords:
        return _WORDS[self]

    @property
    def title(self) -> str:
        return _WORDS[self].title

    @property
    def check(self) -> str:
        return _WORDS[self].check

    @property
    def cause(self) -> str:
        return _WORDS[self].cause


_WORDS = {
    Kind.INDEX_GAP: KindWords(
        "Sessions are missing",
        "the index rises by one from session to session",
        "The tracker counted sessions that sent nothing here: a restart that starts two "
        "sessions (Android tracker #184), or events lost on the way.",
    ),
    Kind.INDEX_WENT_BACK: KindWords(
        "The session index went back",
        "a session's index is above the index of the session it names as previous",
        "After a restart the app read an old saved state, or two apps or trackers send with "
        "one user id.",
    ),
    Kind.INDEX_REUSED: KindWords(
        "One index, two sessions",
        "each index belongs to one session",
        "A restart read a saved state that was behind, or the stored state was lost and the "
        "count started again, so two sessions got one number.",
    ),
    Kind.ID_CHANGED_WITHOUT_INDEX: KindWords(
        "A new session id kept the old index",
        "a new session id comes with a new index",
        "The tracker took a new session id without counting a new session (JavaScript "
        "tracker #451, #590).",
    ),
    Kind.BROKEN_CHAIN: KindWords(
        "The chain of sessions is broken",
        "previousSessionId is the session before",
        "previousSessionId should name the session before. If it changed mid-session, the "
        "tracker lost its stored state (cookies or storage cleared).",
    ),
    Kind.INDEX_STARTS_AT_ZERO: KindWords(
        "The first session is numbered 0",
        "the index starts at 1",
        "Trackers number the first session 1 (iOS tracker #616).",
    ),
    Kind.FIRST_EVENT_ID_REUSED: KindWords(
        "A session repeats an earlier first event",
        "each session has its own firstEventId",
        "The tracker kept the first event of an earlier session when it started this one.",
    ),
    Kind.FIRST_EVENT_ID_CHANGED: KindWords(
        "A session changed its first event",
        "a session keeps its firstEventId",
        "The tracker forgot the session's first event, usually with its stored state "
        "(cookies or storage cleared).",
    ),
    Kind.EVENT_INDEX_REPEATED: KindWords(
        "The event count did not rise",
        "each event of a session has its own eventIndex",
        "Two trackers share one session (two tabs, two processes), or the tracker restarted "
        "its event count within the session because its stored state was lost.",
    ),
    Kind.EARLY_NEW_SESSION: KindWords(
        "A new session came before the timeout",
        "no new session before the timeout in force",
        "A restart, or a new session asked for (startNewSession, newSession()): expected "
        "where the timeouts file says so, and from the .NET tracker at every app start.",
    ),
    Kind.MISSED_EXPIRY: KindWords(
        "The session went on past the timeout",
        "a session expires after the timeout in force",
        "The timeout was not applied: the index kept rising in the background (Android #192, "
        "iOS #273) or the background timeout was never used (iOS #667, Android #499).",
    ),
    Kind.INVALID_ENTITY: KindWords(
        "The session entity is invalid",
        "every client_session entity is valid",
        "The client_session entity fails its schema, so the event is left out of the chain.",
    ),
}

FINDING_KINDS: tuple[str, ...] = tuple(kind.value for kind in Kind)
"""Every kind's name, in the table's order."""
