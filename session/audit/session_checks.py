"""The checks of each session against the one before it in its user's chain, and against its
own first event and timeout: (kind, condition, message) rows over the ``timed`` step of
:mod:`.checks`, one finding a session at most from the chain, each of the others apart."""

from __future__ import annotations

from .kinds import Kind
from .sql import say, seconds

__all__ = ["early", "session_findings"]

_STATE = "CASE WHEN start_state = 'application_background' THEN 'background' ELSE 'foreground' END"


def _linked() -> list[tuple[str, str, str]]:
    """Each session's place in its chain: (kind, condition, message), at most one a session.

    ``b`` is the session before in index order; ``link`` the session its previousSessionId
    names, where seen. Two sessions with one index: the later one took a new id without
    counting (it links to the other, or nothing says otherwise), or reused an index (it links
    to the session before that index, or a higher index came before it: a state behind, or
    storage lost). A session that links to nothing seen is judged against ``b`` only if ``b``
    arrived first: otherwise ``b`` is the one out of place."""
    same = "coalesce(b_index = session_index, FALSE)"
    behind = (
        "(coalesce(link_index = session_index - 1, FALSE) OR coalesce(high > session_index, FALSE))"
    )
    rose = f"NOT {same} AND coalesce(b_id = session_id, FALSE)"
    linked = f"NOT {same} AND NOT coalesce(b_id = session_id, FALSE) AND link_index IS NOT NULL"
    unlinked = (
        f"NOT {same} AND NOT coalesce(b_id = session_id, FALSE) AND link_index IS NULL AND "
        "b_index IS NOT NULL AND b_seen <= seen_ms"
    )
    before = "b_index = session_index - 1 AND b_seen <= seen_ms"
    return [
        *_one_index(same, behind),
        *_by_link(linked, before),
        *_by_order(unlinked, rose),
    ]


def _one_index(same: str, behind: str) -> list[tuple[str, str, str]]:
    """Two sessions with one index: a new id without counting, or a reused index."""
    return [
        (
            Kind.ID_CHANGED_WITHOUT_INDEX.value,
            f"{same} AND (prev = b_id OR NOT {behind})",
            say(
                "the session id changed ({b_id} to {session_id}) but the index stayed "
                "{session_index}"
            ),
        ),
        (
            Kind.INDEX_REUSED.value,
            f"{same} AND prev <> b_id AND {behind}",
            say("index {session_index} is used by two sessions: {b_id} and {session_id}"),
        ),
    ]


def _by_link(linked: str, before: str) -> list[tuple[str, str, str]]:
    """A session whose previousSessionId names a session seen: where that one stands."""
    return [
        (
            Kind.INDEX_WENT_BACK.value,
            f"{linked} AND link_index > session_index",
            say(
                "session {session_index} ({session_id}) follows session {link_index} ({prev}),"
                " its previousSessionId: the index went back"
            ),
        ),
        (
            Kind.ID_CHANGED_WITHOUT_INDEX.value,
            f"{linked} AND link_index = session_index AND prev <> session_id",
            say(
                "the session id changed ({prev} to {session_id}) but the index stayed "
                "{session_index}"
            ),
        ),
        (
            Kind.BROKEN_CHAIN.value,
            f"{linked} AND link_index < session_index - 1 AND {before}",
            say(
                "session {session_index} ({session_id}) has previousSessionId {prev}, not the "
                "session before it ({b_id})"
            ),
        ),
        (
            Kind.INDEX_GAP.value,
            f"{linked} AND link_index < session_index - 1 AND NOT coalesce({before}, FALSE)",
            say(
                "the index jumped from session {link_index} ({prev}) to {session_index} "
                "({session_id}): {missing} session(s) missing",
                missing="session_index - link_index - 1",
            ),
        ),
        (
            Kind.BROKEN_CHAIN.value,
            f"{linked} AND prev = session_id",
            say("session {session_index} ({session_id}) names itself as its previous session"),
        ),
    ]


def _by_order(unlinked: str, rose: str) -> list[tuple[str, str, str]]:
    """A session that links to nothing seen, judged against the session before it."""
    return [
        (
            Kind.INDEX_GAP.value,
            f"{unlinked} AND b_index < session_index - 1",
            say(
                "the index jumped from session {b_index} ({b_id}) to {session_index} "
                "({session_id}): {missing} session(s) missing",
                missing="session_index - b_index - 1",
            ),
        ),
        (
            Kind.BROKEN_CHAIN.value,
            f"{rose}",
            say(
                "the index rose from {b_index} to {session_index} but the session id "
                "({session_id}) did not change"
            ),
        ),
        (
            Kind.BROKEN_CHAIN.value,
            f"{unlinked} AND b_index = session_index - 1",
            say(
                "session {session_index} ({session_id}) has previousSessionId {shown}, not "
                "the session before it ({b_id})",
                shown="nullif(prev, '')",
            ),
        ),
    ]


def early() -> str:
    return (
        "b_id IS NOT NULL AND b_id <> session_id AND idle_ms IS NOT NULL AND before_ms IS NOT "
        "NULL AND idle_ms < before_ms"
    )


_OTHER_PREV = "nullif(CASE WHEN prev = prev_min THEN prev_max ELSE prev_min END, '')"


def _session_checks() -> list[tuple[str, str, str]]:
    """The checks of a session but its place in the chain: (kind, condition, message)."""
    checks = []
    checks.append(
        (
            Kind.INDEX_STARTS_AT_ZERO.value,
            "session_index = 0",
            say("session {session_id} has index 0: the first session's index is 1"),
        )
    )
    checks.append(
        (
            Kind.BROKEN_CHAIN.value,
            "prev_min <> prev_max",
            "concat("
            + say(
                "session {session_index} ({session_id}) changed its previousSessionId mid-session "
                "from {first} to {other}",
                first="nullif(prev, '')",
                other=_OTHER_PREV,
            )
            + f", CASE WHEN {_OTHER_PREV} IS NULL THEN ': the tracker lost its stored state "
            "(cookies or storage cleared) but kept the session in memory' ELSE '' END)",
        )
    )
    checks.append(
        (
            Kind.FIRST_EVENT_ID_CHANGED.value,
            "fid_min <> fid_max",
            say(
                "session {session_index} ({session_id}) has more than one firstEventId: {fid} "
                "and {other}",
                other="CASE WHEN fid = fid_min THEN fid_max ELSE fid_min END",
            ),
        )
    )
    checks.append(
        (
            Kind.FIRST_EVENT_ID_REUSED.value,
            "fid IS NOT NULL AND fid_owner <> session_id",
            say(
                "session {session_index} ({session_id}) has the firstEventId {fid} of an earlier "
                "session ({fid_owner})"
            ),
        )
    )
    checks.append(
        (
            Kind.EARLY_NEW_SESSION.value,
            f"{early()} AND NOT expect_start AND NOT expect_demand",
            say(
                "a new session (from session {b_index} ({b_id}) to {session_index} ({session_id}))"
                " started after only {idle} s idle, less than the {state} timeout ({timeout} s)",
                idle=seconds("idle_ms"),
                state=_STATE,
                timeout=seconds("before_ms"),
            ),
        )
    )
    return checks


def session_findings() -> str:
    """A row per session finding: its place in the chain (one CASE, since at most one of
    those holds), then each other check."""
    columns = (
        "user_id, session_id, session_index, kind, nullif(first_event, '') AS event_id, "
        "coalesce(first_t, seen_ms) AS at_ms, message, app_id, platform, v_tracker, capture"
    )
    linked = _linked()
    kind = " ".join(f"WHEN {condition} THEN '{name}'" for name, condition, _ in linked)
    message = " ".join(f"WHEN {condition} THEN {text}" for _, condition, text in linked)
    selects = [
        f"SELECT {columns} FROM (SELECT *, CASE {kind} END AS kind, CASE {message} END AS "
        "message FROM timed) AS placed WHERE kind IS NOT NULL"
    ]
    for name, condition, text in _session_checks():
        selects.append(
            f"SELECT {columns} FROM (SELECT *, '{name}' AS kind, {text} AS message FROM timed "
            f"WHERE {condition}) AS {name}"
        )
    return "\nUNION ALL\n".join(selects)
