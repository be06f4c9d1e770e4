"""The ``client_session`` entity of an event: found, checked against the bundled schema, read.

Validation is jsonschema's, with its format checks, against the Iglu schema of the entity's
own version (1-0-0, 1-0-1 or 1-0-2). Each bundled schema is an object of independent
properties and no others, so an entity is valid exactly when it has the required properties
and each value is valid by its property's own definition: each value is checked once, and the
whole schema is consulted only to say what is wrong with an invalid entity. Every event of a
session carries nearly the same entity, so results are also kept per entity without its
``eventIndex``: a million events cost a few thousand checks of single values.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import jsonschema
import orjson

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
def _properties(uri: str) -> tuple[dict[str, jsonschema.protocols.Validator], frozenset[str]]:
    """A validator for each property of the schema, and the required ones."""
    schema = load_schema(uri)
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft4Validator)
    checker = jsonschema.FormatChecker()
    parts = {name: cls(part, format_checker=checker) for name, part in schema["properties"].items()}
    return parts, frozenset(schema.get("required", ()))


def find_entity(contexts: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
    """The one ``client_session`` entity among ``contexts``, or a :class:`PayloadError`."""
    found = []
    for item in contexts:
        schema = item.get("schema")
        if isinstance(schema, str) and "/client_session/jsonschema/" in schema:
            found.append(item)
    if not found:
        raise PayloadError("no_session_entity", "the event has no client_session entity")
    if len(found) > 1:
        raise PayloadError("invalid_entity", f"the event has {len(found)} client_session entities")
    return found[0]


_checked: dict[tuple[Any, ...], tuple[dict[str, Any], SessionEntity | str]] = {}
_checked_values: dict[tuple[Any, ...], tuple[str | None]] = {}
_UNSEEN = object()


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


def _key(uri: str, rest: dict[str, Any]) -> tuple[Any, ...]:
    """The cache key of an entity's data without its ``eventIndex``: its JSON text, which tells
    ``true``, ``1`` and ``1.0`` apart (they are equal in Python). orjson writes NaN and
    infinities as ``null``, so a hit is also checked to be equal (:func:`read_entity`)."""
    try:
        # A copy: orjson's own bytes keep the whole buffer it wrote into (kilobytes for a
        # few hundred bytes of text), and a hundred thousand keys are kept.
        return (uri, bytes(bytearray(orjson.dumps(rest))))
    except TypeError:  # a lone surrogate, a huge number, a deep nest: the standard library's
        pass
    key = (uri, tuple(rest.items()), tuple(map(type, rest.values())))
    try:
        hash(key)
    except TypeError:  # a list or object where a string belongs: key it by its JSON text
        try:
            return (uri, json.dumps(rest, sort_keys=True))
        except (TypeError, ValueError, RecursionError) as error:
            raise PayloadError("invalid_entity", f"the client_session entity: {error}") from None
    return key


def _value_problem(uri: str, name: str, value: Any) -> str | None:
    """What is wrong with one property's value by its own definition (None: nothing). Keyed
    with its type, since ``True == 1`` and ``1.0 == 1``."""
    key = (uri, name, type(value), value if type(value) in (int, str) else repr(value))
    checked = _checked_values.get(key)
    if checked is None:
        part = _properties(uri)[0].get(name)
        checked = (
            f"{name}: not in this schema version" if part is None else _problem(part, value, name),
        )
        _remember(_checked_values, key, checked)
    return checked[0]


def _entity_problem(uri: str, data: dict[str, Any]) -> str | None:
    """What is wrong with an entity's data by the whole schema (None: nothing)."""
    if _properties(uri)[1] <= data.keys() and all(
        _value_problem(uri, name, value) is None for name, value in data.items()
    ):
        return None
    return _problem(validator(uri), data)


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
    rest = data.copy()
    index = rest.pop("eventIndex", _UNSEEN)
    key = _key(uri, rest)
    cached = _checked.get(key)
    if cached is not None and cached[0] == rest:
        known = cached[1]
    else:
        problem = _entity_problem(uri, rest)
        known = problem if problem is not None else _entity(uri, rest)
        _remember(_checked, key, (rest, known))
    if isinstance(known, str):
        raise PayloadError("invalid_entity", f"client_session {uri.rsplit('/', 1)[-1]}: {known}")
    if index is _UNSEEN:
        return known, None
    problem = _value_problem(uri, "eventIndex", index)
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
