"""The ``client_session`` entity of an event: found, checked against the bundled schema, read.

Validation is jsonschema's, with its format checks, against the Iglu schema of the entity's
own version (1-0-0, 1-0-1 or 1-0-2). Every event of a session carries nearly the same entity,
so results are kept per entity without its ``eventIndex``, which is checked on its own against
the schema's own definition of it: a million events cost a few hundred validations.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import jsonschema

from ..context import SCHEMA_URIS, load_schema, validator
from .protocol import PayloadError

__all__ = ["SessionEntity", "find_entity", "read_entity"]

_CACHE_LIMIT = 100_000


@dataclass(frozen=True, slots=True)
class SessionEntity:
    """The fields of a valid ``client_session`` entity but ``eventIndex`` (snake_case; absent
    fields are None). Every event of a session shares one of these."""

    version: str
    user_id: str
    session_id: str
    session_index: int
    previous_session_id: str | None
    storage_mechanism: str
    first_event_id: str | None = None
    first_event_timestamp: str | None = None


@cache
def _event_index_validator(uri: str) -> jsonschema.protocols.Validator | None:
    schema = load_schema(uri)
    part = schema.get("properties", {}).get("eventIndex")
    if part is None:
        return None
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft4Validator)
    return cls(part, format_checker=jsonschema.FormatChecker())


def find_entity(contexts: tuple[Mapping[str, Any], ...]) -> Mapping[str, Any]:
    """The one ``client_session`` entity among ``contexts``, or a :class:`PayloadError`."""
    found = [
        item
        for item in contexts
        if isinstance(item.get("schema"), str) and "/client_session/jsonschema/" in item["schema"]
    ]
    if not found:
        raise PayloadError("no_session_entity", "the event has no client_session entity")
    if len(found) > 1:
        raise PayloadError("invalid_entity", f"the event has {len(found)} client_session entities")
    return found[0]


_checked: dict[tuple[Any, ...], SessionEntity | str] = {}
_checked_index: dict[tuple[Any, ...], str | None] = {}


def _problem(
    validator: jsonschema.protocols.Validator, data: Any, name: str = "the entity"
) -> str | None:
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is None:
        return None
    where = "/".join(str(part) for part in error.absolute_path) or name
    return f"{where}: {error.message}"[:300]


def _remember(table: dict[Any, Any], key: Any, value: Any) -> None:
    if len(table) >= _CACHE_LIMIT:
        table.clear()
    table[key] = value


def _key(uri: str, data: Mapping[str, Any]) -> tuple[Any, ...]:
    """The cache key of an entity's data without its ``eventIndex``. The values' types are in
    it, since ``True == 1`` and ``1.0 == 1`` would otherwise share a key and a result."""
    rest = dict(data)
    rest.pop("eventIndex", None)
    key = (uri, tuple(rest.items()), tuple(map(type, rest.values())))
    try:
        hash(key)
    except TypeError:  # a list or object where a string belongs: key it by its JSON text
        try:
            return (uri, json.dumps(rest, sort_keys=True))
        except (TypeError, ValueError, RecursionError) as error:
            raise PayloadError("invalid_entity", f"the client_session entity: {error}") from None
    return key


def read_entity(entity: Mapping[str, Any]) -> tuple[SessionEntity, int | None]:
    """Check a ``client_session`` entity against its schema; its fields and its ``eventIndex``.

    Raises :class:`PayloadError` (``invalid_entity``) saying what is wrong.
    """
    uri = entity.get("schema")
    if uri not in SCHEMA_URIS:
        raise PayloadError("invalid_entity", f"unknown client_session schema {uri!r:.120}")
    assert isinstance(uri, str)
    data = entity.get("data")
    if not isinstance(data, dict):
        raise PayloadError("invalid_entity", "the client_session entity's data is not an object")
    key = _key(uri, data)
    known = _checked.get(key)
    if known is None:
        rest = {name: value for name, value in data.items() if name != "eventIndex"}
        problem = _problem(validator(uri), rest)
        known = problem if problem is not None else _entity(uri, rest)
        _remember(_checked, key, known)
    if isinstance(known, str):
        raise PayloadError("invalid_entity", f"client_session {uri.rsplit('/', 1)[-1]}: {known}")
    if "eventIndex" not in data:
        return known, None
    index = data["eventIndex"]
    index_key = (uri, type(index), index if type(index) in (int, str) else repr(index))
    if index_key not in _checked_index:
        part = _event_index_validator(uri)
        _remember(
            _checked_index,
            index_key,
            "eventIndex: not in this schema version"
            if part is None
            else _problem(part, index, "eventIndex"),
        )
    problem = _checked_index[index_key]
    if problem is not None:
        raise PayloadError("invalid_entity", f"client_session {uri.rsplit('/', 1)[-1]}: {problem}")
    return known, index


def _entity(uri: str, data: Mapping[str, Any]) -> SessionEntity:
    return SessionEntity(
        version=uri.rsplit("/", 1)[-1],
        user_id=data["userId"],
        session_id=data["sessionId"],
        session_index=data["sessionIndex"],
        previous_session_id=data.get("previousSessionId"),
        storage_mechanism=data["storageMechanism"],
        first_event_id=data.get("firstEventId"),
        first_event_timestamp=data.get("firstEventTimestamp"),
    )
