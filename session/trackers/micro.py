"""Snowplow Micro's read API, in Micro's own JSON shapes, so a CI script written for Micro works.

``/micro/all`` and ``/micro/reset`` give ``{"total", "good", "bad"}``; ``/micro/good`` lists
``{"rawEvent", "eventType", "schema", "contexts", "event", "incomplete"}`` newest first and
takes Micro's filters (``event_type``, ``schema``, ``contexts``, ``limit``) in a POST body;
``/micro/bad`` lists ``{"collectorPayload", "rawEvent", "errors"}`` and takes ``vendor``,
``version`` and ``limit``. The ``event`` is the enriched event's fields that a collector can
fill without an enrichment pipeline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..audit.report import iso_time
from .jsontext import dumps
from .protocol import CONTEXTS_SCHEMA, GET_PATH, POST_PATH, Decoded

__all__ = ["Request", "bad_event", "bad_from_log", "good_event", "good_from_log"]

VENDOR = "com.snowplowanalytics.snowplow"
CONTEXTS = "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0"
UNSTRUCT = "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0"
_EVENTS = {
    "pv": ("page_view", "iglu:com.snowplowanalytics.snowplow/page_view/jsonschema/1-0-0"),
    "pp": ("page_ping", "iglu:com.snowplowanalytics.snowplow/page_ping/jsonschema/1-0-0"),
    "se": ("struct", "iglu:com.google.analytics/event/jsonschema/1-0-0"),
    "tr": ("transaction", "iglu:com.snowplowanalytics.snowplow/transaction/jsonschema/1-0-0"),
    "ti": (
        "transaction_item",
        "iglu:com.snowplowanalytics.snowplow/transaction_item/jsonschema/1-0-0",
    ),
}
_FIELDS = {
    "aid": "app_id",
    "p": "platform",
    "eid": "event_id",
    "tna": "name_tracker",
    "tv": "v_tracker",
    "uid": "user_id",
    "duid": "domain_userid",
    "sid": "domain_sessionid",
    "url": "page_url",
    "page": "page_title",
    "refr": "page_referrer",
    "ua": "useragent",
}


@dataclass(frozen=True, slots=True)
class Request:
    """What the collector knew of the HTTP request an event came in."""

    received: float
    method: str
    path: str
    content_type: str | None
    ip: str
    headers: tuple[str, ...]
    query: str = ""
    body: str | None = None

    def source(self, hostname: str) -> dict[str, Any]:
        return {"name": "snowsession", "encoding": "UTF-8", "hostname": hostname}

    def context(self) -> dict[str, Any]:
        header = dict(h.split(": ", 1) for h in self.headers if ": " in h)
        return {
            "timestamp": iso_time(self.received),
            "ipAddress": self.ip,
            "useragent": header.get("User-Agent"),
            "refererUri": header.get("Referer"),
            "headers": list(self.headers),
            "userId": None,
        }

    def api(self) -> dict[str, str]:
        return {"vendor": VENDOR, "version": "tp2" if self.method == "POST" else "i"}


def _ms_iso(text: str | None) -> str | None:
    return iso_time(int(text) / 1000) if text and text.isdigit() and len(text) <= 15 else None


def good_event(decoded: Decoded, raw: Mapping[str, Any], request: Request) -> dict[str, Any]:
    """One ``/micro/good`` item."""
    fields = decoded.fields
    kind = fields.get("e", "")
    unstruct = decoded.unstruct
    if kind == "ue" and unstruct is not None:
        event_type, schema = "unstruct", str(unstruct.get("schema"))
    else:
        event_type, schema = _EVENTS.get(kind, (kind, None))  # type: ignore[assignment]
    event: dict[str, Any] = {name: fields.get(key) for key, name in _FIELDS.items()}
    vendor = name = version = None
    if schema is not None and schema.startswith("iglu:") and schema.count("/") == 3:
        vendor, name, _format, version = schema[5:].split("/")
    event.update(
        {
            "event": event_type,
            "collector_tstamp": iso_time(request.received),
            "dvce_created_tstamp": _ms_iso(fields.get("dtm")),
            "dvce_sent_tstamp": _ms_iso(fields.get("stm")),
            "true_tstamp": _ms_iso(fields.get("ttm")),
            "domain_sessionidx": int(fields["vid"]) if fields.get("vid", "").isdigit() else None,
            "contexts": {"schema": CONTEXTS, "data": list(decoded.contexts)},
            "unstruct_event": None if unstruct is None else {"schema": UNSTRUCT, "data": unstruct},
            "event_vendor": vendor,
            "event_name": name,
            "event_format": "jsonschema" if schema else None,
            "event_version": version,
        }
    )
    return {
        "rawEvent": {
            "api": request.api(),
            "parameters": dict(raw),
            "contentType": request.content_type,
            "source": request.source("localhost"),
            "context": request.context(),
        },
        "eventType": event_type,
        "schema": schema,
        "contexts": [str(item.get("schema")) for item in decoded.contexts],
        "event": event,
        "incomplete": False,
    }


def bad_event(
    reason: str, message: str, request: Request, raw: Mapping[str, Any] | None
) -> dict[str, Any]:
    """One ``/micro/bad`` item; ``errors`` starts with the reason."""
    return {
        "collectorPayload": {
            "api": request.api(),
            "querystring": [part for part in request.query.split("&") if part][:200],
            "contentType": request.content_type,
            "body": None if request.body is None else request.body[:2000],
            "source": request.source("localhost"),
            "context": request.context(),
        },
        "rawEvent": None if raw is None else {"api": request.api(), "parameters": dict(raw)},
        "errors": [f"{reason}: {message}"],
    }


def _logged_request(received: float, post: bool, payload: str = "") -> Request:
    """What the log keeps of a request: when, and how (the rest is kept in memory only)."""
    if post:
        return Request(received, "POST", POST_PATH, "application/json", "", (), "", payload)
    return Request(received, "GET", GET_PATH, None, "", (), payload)


def good_from_log(value: Mapping[str, Any], post: bool) -> dict[str, Any]:
    """A ``/micro/good`` item from an event's log line; its entities and self-describing event
    are given as plain JSON (``co``, ``ue_pr``), as the log keeps them decoded."""
    fields, contexts, unstruct = value["fields"], value["contexts"], value["unstruct"]
    raw = dict(fields)
    if contexts:
        raw["co"] = dumps({"schema": CONTEXTS_SCHEMA, "data": contexts})
    if unstruct is not None:
        raw["ue_pr"] = dumps({"schema": UNSTRUCT, "data": unstruct})
    decoded = Decoded(fields, tuple(contexts), unstruct)
    return good_event(decoded, raw, _logged_request(float(value["received"]), post))


def bad_from_log(value: Mapping[str, Any], post: bool, problem: str | None) -> dict[str, Any]:
    """A ``/micro/bad`` item from a log line: a bad payload's, or (with ``problem``) an event's
    whose entity is invalid."""
    received = float(value["received"])
    if problem is not None:
        raw = good_from_log(value, post)["rawEvent"]["parameters"]
        return bad_event("invalid_entity", problem, _logged_request(received, post), raw)
    request = _logged_request(received, post, str(value.get("payload", "")))
    return bad_event(str(value["bad"]), str(value.get("error", "")), request, None)
