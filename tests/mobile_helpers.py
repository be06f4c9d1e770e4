"""Shared checks for the mobile policy tests: schema validation and invariant bookkeeping."""

from __future__ import annotations

import itertools
import re
import uuid
from typing import Any

import jsonschema

from session import SCHEMA_1_0_2, ClientSession, SessionContext, SessionStarted, load_schema

VALIDATOR = jsonschema.Draft4Validator(
    load_schema(SCHEMA_1_0_2), format_checker=jsonschema.FormatChecker()
)
ISO_MILLIS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def check_context(context: SessionContext | dict[str, Any]) -> dict[str, Any]:
    """Validate a 1-0-2 entity (with formats) and the mobile trackers' conventions."""
    entity = context.to_dict() if isinstance(context, SessionContext) else context
    assert entity["schema"] == SCHEMA_1_0_2
    data = entity["data"]
    VALIDATOR.validate(data)
    assert "" not in data.values(), data  # never "" for a missing id
    assert data["eventIndex"] >= 1
    assert ISO_MILLIS.fullmatch(data["firstEventTimestamp"]), data
    assert "previousSessionId" in data  # null, present
    return dict(data)


def event(session: ClientSession) -> dict[str, Any]:
    """Track one event with a fresh UUID and return its checked context data."""
    event_id = str(uuid.uuid4())
    data = check_context(session.get_session_context(event_id))
    if data["eventIndex"] == 1:
        assert data["firstEventId"] == event_id
    return data


def check_chain(notes: list[SessionStarted]) -> None:
    """Each new session has the index one above, and the previous id, of the one before."""
    for before, after in itertools.pairwise(notes):
        assert after.new.session_index == before.new.session_index + 1
        assert after.new.previous_session_id == before.new.session_id
        assert after.old is not None and after.old.session_id == before.new.session_id
