"""The Snowplow tracker protocol, read: GET ``/i`` queries and POST ``tp2`` bodies into events.

A tracker sends each event as a flat map of short string fields (``e``, ``eid``, ``dtm``, …).
Its entities travel in ``cx`` (base64url JSON) or ``co`` (plain JSON), and a self-describing
event in ``ue_px`` or ``ue_pr``; trackers send base64url with padding and without. Everything
wrong with a payload is a :class:`PayloadError` with a reason from :data:`BAD_REASONS`: the
collector counts it as a bad event and goes on.
"""

from __future__ import annotations

import binascii
from base64 import b64decode
from collections.abc import Mapping
from typing import Any, NamedTuple

from .jsontext import loads

__all__ = [
    "BACKGROUND_SCHEMA",
    "BAD_REASONS",
    "CONTEXTS_SCHEMA",
    "DEFAULT_PORT",
    "FOREGROUND_SCHEMA",
    "GET_PATH",
    "MAX_BODY_BYTES",
    "MAX_EVENTS_PER_BODY",
    "MAX_QUERY_BYTES",
    "PAYLOAD_DATA_PREFIX",
    "PAYLOAD_DATA_SCHEMA",
    "POST_PATH",
    "Decoded",
    "PayloadError",
    "decode_body",
    "decode_fields",
    "event_time",
]

GET_PATH = "/i"
POST_PATH = "/com.snowplowanalytics.snowplow/tp2"
PAYLOAD_DATA_PREFIX = "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-"
PAYLOAD_DATA_SCHEMA = PAYLOAD_DATA_PREFIX + "4"
CONTEXTS_SCHEMA = "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-1"
BACKGROUND_SCHEMA = "iglu:com.snowplowanalytics.snowplow/application_background/jsonschema/1-0-0"
FOREGROUND_SCHEMA = "iglu:com.snowplowanalytics.snowplow/application_foreground/jsonschema/1-0-0"
"""The mobile trackers' lifecycle events: the app goes to the background, or comes back.

Each is tracked before the state flips, so the idle time after a background event is judged by
the background timeout, and the time before a foreground event by the background timeout too.
"""

DEFAULT_PORT = 9090
"""Where ``snowsession collect`` and Snowplow Micro listen by default."""

MAX_BODY_BYTES = 1 << 20
"""A POST body over this (1 MiB) is refused as ``oversized``: a tracker's batch is far smaller."""
MAX_QUERY_BYTES = 64 << 10
"""A GET query over this (64 KiB) is refused as ``oversized``."""
MAX_EVENTS_PER_BODY = 10_000
"""A POST with more events than this is refused as ``oversized``."""

BAD_REASONS = (
    "malformed",
    "wrong_content_type",
    "invalid_base64",
    "not_json",
    "oversized",
    "no_session_entity",
    "invalid_entity",
)
"""Why an event is bad, as counted by the collector and written to its log."""

_ENCODED = (("cx", "co"), ("ue_px", "ue_pr"))
"""(base64url field, plain field) pairs holding JSON."""


class PayloadError(ValueError):
    """A payload that is not a usable event; ``reason`` is one of :data:`BAD_REASONS`."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        assert reason in BAD_REASONS, reason
        self.reason = reason
        self.message = message


class Decoded(NamedTuple):
    """One event: its scalar fields as sent, its entities, and its self-describing event."""

    fields: Mapping[str, str]
    """Every field but the four encoded ones (``cx``, ``co``, ``ue_px``, ``ue_pr``)."""
    contexts: tuple[Mapping[str, Any], ...]
    """The entities, each ``{"schema": …, "data": …}``."""
    unstruct: Mapping[str, Any] | None
    """The self-describing event's ``{"schema": …, "data": …}``, or None."""

    @property
    def event_id(self) -> str | None:
        event_id = self.fields.get("eid")
        return event_id if type(event_id) is str else None

    @property
    def unstruct_schema(self) -> str | None:
        if self.unstruct is None:
            return None
        schema = self.unstruct.get("schema")
        return schema if isinstance(schema, str) else None


def _b64(text: str, field: str) -> bytes:
    # base64url, with or without padding; the standard alphabet too (a "+" that a query
    # string turned into a space included).
    data = text.strip().replace(" ", "+").replace("+", "-").replace("/", "_")
    try:
        return b64decode(data + "=" * (-len(data) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError) as error:
        raise PayloadError("invalid_base64", f"{field} is not valid base64 ({error})") from None


def _json(text: str | bytes, field: str) -> Any:
    try:
        return loads(text)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise PayloadError("not_json", f"{field} is not JSON ({error})") from None


def _self_describing(value: Any, field: str) -> Mapping[str, Any]:
    """The inner ``{"schema", "data"}`` of a self-describing JSON wrapper."""
    if not isinstance(value, dict) or not isinstance(value.get("schema"), str):
        raise PayloadError("malformed", f"{field} is not self-describing JSON (no schema)")
    return value


def decode_fields(raw: Mapping[str, Any]) -> Decoded:
    """One event from its fields (a GET query or one item of a POST's ``data``)."""
    fields: dict[str, str] = {}
    for key, value in raw.items():
        if not isinstance(value, str):
            raise PayloadError(
                "malformed", f"the field {key!r} is a {type(value).__name__}, not a string"
            )
        fields[key] = value
    parsed: list[Any] = []
    for encoded, plain in _ENCODED:
        if encoded in fields:
            parsed.append(_json(_b64(fields.pop(encoded), encoded), encoded))
            fields.pop(plain, None)
        elif plain in fields:
            parsed.append(_json(fields.pop(plain), plain))
        else:
            parsed.append(None)
    contexts_json, unstruct_json = parsed
    contexts: tuple[Mapping[str, Any], ...] = ()
    if contexts_json is not None:
        wrapper = _self_describing(contexts_json, "the contexts")
        items = wrapper.get("data")
        if not isinstance(items, list):
            raise PayloadError("malformed", "the contexts' data is not a list")
        contexts = tuple(_self_describing(item, "an entity") for item in items)
    unstruct = None
    if unstruct_json is not None:
        inner = _self_describing(unstruct_json, "the self-describing event").get("data")
        unstruct = _self_describing(inner, "the self-describing event's data")
    if "e" not in fields:
        raise PayloadError("malformed", "the event has no event type (e)")
    return Decoded(fields, contexts, unstruct)


def decode_body(body: bytes) -> list[Mapping[str, Any]]:
    """The events' raw fields from a POST ``tp2`` body (``payload_data`` JSON)."""
    if len(body) > MAX_BODY_BYTES:
        raise PayloadError("oversized", f"the body is over {MAX_BODY_BYTES} bytes")
    payload = _json(body, "the body")
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
        raise PayloadError("malformed", 'the body is not payload_data JSON ({"schema", "data"})')
    schema = payload.get("schema")
    if not isinstance(schema, str) or not schema.startswith(PAYLOAD_DATA_PREFIX):
        raise PayloadError("malformed", f"the body's schema is not payload_data: {schema!r:.80}")
    items = payload["data"]
    if len(items) > MAX_EVENTS_PER_BODY:
        raise PayloadError("oversized", f"the body has over {MAX_EVENTS_PER_BODY} events")
    if not all(isinstance(item, dict) for item in items):
        raise PayloadError("malformed", "an item of the body's data is not an object")
    return list(items)


def event_time(fields: Mapping[str, str], fallback: float) -> float:
    """When the event happened, in Unix seconds: the true time the app gave (``ttm``), else the
    tracker's (``dtm``), else when it was sent (``stm``), all in milliseconds; else
    ``fallback`` (when it arrived)."""
    for key in ("ttm", "dtm", "stm"):
        text = fields.get(key)
        if type(text) is str and text.isdecimal() and len(text) <= 15:
            return int(text) / 1000.0
    return fallback
