"""One event as the session-chain analysis sees it, made from a decoded tracker payload."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from ..audit.rows import Row, event_row
from .entity import SessionEntity, find_entity, read_entity
from .protocol import BACKGROUND_SCHEMA, FOREGROUND_SCHEMA, Decoded, PayloadError, event_time

__all__ = ["Record", "make_record", "record_of"]

_LIFECYCLE = {BACKGROUND_SCHEMA: "background", FOREGROUND_SCHEMA: "foreground"}


class Record(NamedTuple):
    """An event's place in a session chain.

    ``entity`` is None when the event's ``client_session`` entity is invalid; ``problem`` then
    says why and ``user_id`` is the entity's ``userId`` if it has a readable one.
    """

    time: float
    """When the tracker made it (``dtm``), in Unix seconds."""
    event_id: str | None
    entity: SessionEntity | None
    event_index: int | None = None
    name: str = ""
    """``e`` (``pv``, ``se``, ``ue``…), or the self-describing event's schema for ``ue``."""
    lifecycle: str | None = None
    """``background`` or ``foreground`` when this event moves the app there."""
    capture: int = 0
    """Which capture it came from (an index into the captures read)."""
    problem: str | None = None
    user_id: str | None = None
    row: Row | None = None
    """The event as the audit's checks take it (:func:`session.audit.rows.event_row`)."""

    @property
    def user(self) -> str:
        """The user (device) this event belongs to."""
        if self.entity is not None:
            return self.entity.user_id
        return self.user_id or "(unknown user)"


def make_record(decoded: Decoded, received: float, capture: int = 0) -> Record:
    """The record of a decoded event. A missing entity is a :class:`PayloadError`; an invalid
    one gives a record with its ``problem``, so the report can show it for its user."""
    return record_of(decoded.fields, decoded.contexts, decoded.unstruct, received, capture)


def record_of(
    fields: Mapping[str, Any],
    contexts: Sequence[Mapping[str, Any]],
    unstruct: Mapping[str, Any] | None,
    received: float,
    capture: int = 0,
) -> Record:
    """:func:`make_record` of an event's parts, as a decoded payload or a log line holds them."""
    schema = None if unstruct is None else unstruct.get("schema")
    if not isinstance(schema, str):
        schema = None
    # Interned: a million events share a handful of names.
    name = sys.intern(schema if schema is not None else str(fields.get("e", "")))
    time = event_time(fields, received)
    event_id = fields.get("eid")
    if type(event_id) is not str:
        event_id = None
    raw = find_entity(contexts)
    row = event_row(fields, contexts, unstruct, received, capture)
    try:
        entity, event_index = read_entity(raw)
    except PayloadError as error:
        return Record(
            time,
            event_id,
            None,
            name=name,
            capture=capture,
            problem=error.message,
            user_id=_user_of(raw),
            row=row,
        )
    return Record(
        time,
        event_id,
        entity,
        event_index,
        name,
        None if schema is None else _LIFECYCLE.get(schema),
        capture,
        row=row,
    )


def _user_of(raw: Mapping[str, Any]) -> str | None:
    data = raw.get("data")
    user = data.get("userId") if isinstance(data, dict) else None
    if not isinstance(user, str) or not user:
        return None
    # Shown to people and written to terminals and XML: escape what is not printable.
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in user[:80])
