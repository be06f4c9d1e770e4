"""The ``client_session`` context attached to every tracked event, and its bundled schemas.

The schemas in ``session/schemas`` are Iglu Central's
``com.snowplowanalytics.snowplow/client_session`` 1-0-0, 1-0-1 and 1-0-2 (Apache 2.0), unchanged.
The engine sends 1-0-1 and 1-0-2; :mod:`session.trackers` checks what real trackers send against
all three.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from .state import SessionState

__all__ = [
    "SCHEMA_1_0_0",
    "SCHEMA_1_0_1",
    "SCHEMA_1_0_2",
    "SCHEMA_URIS",
    "SessionContext",
    "load_schema",
    "schema_errors",
    "validator",
]

SCHEMA_1_0_0 = "iglu:com.snowplowanalytics.snowplow/client_session/jsonschema/1-0-0"
SCHEMA_1_0_1 = "iglu:com.snowplowanalytics.snowplow/client_session/jsonschema/1-0-1"
SCHEMA_1_0_2 = "iglu:com.snowplowanalytics.snowplow/client_session/jsonschema/1-0-2"
SCHEMA_URIS = (SCHEMA_1_0_0, SCHEMA_1_0_1, SCHEMA_1_0_2)
"""Every ``client_session`` version with a bundled schema, oldest first."""
STORAGE_MECHANISM = "LOCAL_STORAGE"


class SessionContext:
    """A self-describing ``client_session`` entity: ``schema`` and read-only ``data``.

    It is immutable, so the engine can hand the same object to every event of a session and a
    caller can never change the engine's state through it. :meth:`to_json` gives the compact
    JSON text the .NET tracker sends, key order included.
    """

    __slots__ = ("_data", "_json", "_schema")

    def __init__(self, schema: str, data: Mapping[str, Any]) -> None:
        self._schema = schema
        self._data: Mapping[str, Any] = MappingProxyType(dict(data))
        self._json: str | None = None

    @classmethod
    def for_state(cls, state: SessionState) -> SessionContext:
        """The 1-0-1 context of the .NET tracker for ``state``."""
        return cls(
            SCHEMA_1_0_1,
            {
                "userId": state.user_id,
                "sessionId": state.session_id,
                "previousSessionId": state.previous_session_id,
                "sessionIndex": state.session_index,
                "storageMechanism": STORAGE_MECHANISM,
                "firstEventId": state.first_event_id,
            },
        )

    @classmethod
    def mobile(cls, state: SessionState) -> SessionContext:
        """The 1-0-2 context of the mobile trackers: with ``eventIndex`` and
        ``firstEventTimestamp``; optional fields that are unset are left out."""
        data: dict[str, Any] = {
            "userId": state.user_id,
            "sessionId": state.session_id,
            "previousSessionId": state.previous_session_id,
            "sessionIndex": state.session_index,
            "storageMechanism": STORAGE_MECHANISM,
        }
        if state.first_event_id is not None:
            data["firstEventId"] = state.first_event_id
        if state.first_event_timestamp is not None:
            data["firstEventTimestamp"] = state.first_event_timestamp
        if state.event_index:
            data["eventIndex"] = state.event_index
        return cls(SCHEMA_1_0_2, data)

    @property
    def schema(self) -> str:
        return self._schema

    @property
    def data(self) -> Mapping[str, Any]:
        return self._data

    def to_dict(self) -> dict[str, Any]:
        """A new plain ``{"schema": …, "data": {…}}`` dict, free to change."""
        return {"schema": self._schema, "data": dict(self._data)}

    def to_json(self) -> str:
        """Compact JSON, byte for byte the .NET tracker's form."""
        if self._json is None:
            self._json = json.dumps(self.to_dict(), separators=(",", ":"), ensure_ascii=False)
        return self._json

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SessionContext):
            return NotImplemented
        return self._schema == other._schema and dict(self._data) == dict(other._data)

    def __hash__(self) -> int:
        return hash(self.to_json())

    def __repr__(self) -> str:
        return f"SessionContext({self.to_json()})"


@cache
def _schema_text(version: str) -> str:
    name = f"client_session-{version}.json"
    return resources.files("session").joinpath("schemas", name).read_text(encoding="utf-8")


def schema_errors(schema: str, data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Where ``data`` breaks the bundled schema ``schema``: ``(key, message)`` pairs, empty
    when it is valid. Formats (``uuid``, ``date-time``) are checked."""
    errors = []
    for error in validator(schema).iter_errors(dict(data)):
        key = str(error.path[0]) if error.path else "(entity)"
        errors.append((key, error.message))
    return errors


def validator(schema: str) -> Any:
    """The validator for the bundled schema ``schema`` (an Iglu URI or a bare version), formats
    checked; made once per version."""
    return _validator(schema.rsplit("/", 1)[-1])


@cache
def _validator(version: str) -> Any:
    import jsonschema  # on first use: importing it costs as much as the rest of the engine

    schema = load_schema(version)
    kind = jsonschema.validators.validator_for(schema, default=jsonschema.Draft4Validator)
    return kind(schema, format_checker=jsonschema.FormatChecker())


def load_schema(schema: str = SCHEMA_1_0_1) -> dict[str, Any]:
    """The bundled JSON schema for an Iglu URI (or a bare version such as ``"1-0-2"``)."""
    version = schema.rsplit("/", 1)[-1]
    try:
        text = _schema_text(version)
    except FileNotFoundError:
        raise ValueError(f"no bundled client_session schema for {schema!r}") from None
    result: dict[str, Any] = json.loads(text)
    return result
