"""A Snowplow collector on loopback, and readers for what it receives (GET or POST)."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from snowplow_tracker import Emitter

CLIENT_SESSION = "iglu:com.snowplowanalytics.snowplow/client_session/jsonschema/"


class Collector:
    """A Snowplow collector on 127.0.0.1 that keeps every event it is sent (GET or POST) and
    answers ``status`` (200; the tracker retries neither 2xx nor 400)."""

    def __init__(self) -> None:
        self.status = 200
        self.events: list[dict[str, str]] = []
        self.requests: list[tuple[str, str]] = []
        owner = self
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlsplit(self.path)
                query = parse_qs(url.query, keep_blank_values=True)
                with lock:
                    owner.requests.append(("GET", url.path))
                    owner.events.append({key: values[0] for key, values in query.items()})
                self._ok()

            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                body = json.loads(self.rfile.read(length))
                with lock:
                    owner.requests.append(("POST", self.path))
                    owner.events.extend(body["data"])
                self._ok()

            def _ok(self) -> None:
                self.send_response(owner.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def loopback_http() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # loopback only: no proxy from the environment
    return session


def emitter(collector: Collector, http: requests.Session, method: str, **options: Any) -> Emitter:
    """Sends each event at once (unless ``batch_size`` says otherwise), on the tracking thread:
    tracking returns after the request."""
    options = {"batch_size": 1, "request_timeout": 5, **options}
    return Emitter(collector.url, method=method, session=http, **options)  # type: ignore[arg-type]


def _unbase64(raw: str) -> str:
    return base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode("utf-8")


def entities(event: dict[str, str]) -> list[dict[str, Any]]:
    """The context entities of a received event, from ``cx`` (base64url) or ``co``."""
    text = _unbase64(event["cx"]) if "cx" in event else event["co"]
    envelope = json.loads(text)
    assert envelope["schema"].startswith("iglu:com.snowplowanalytics.snowplow/contexts/")
    data: list[dict[str, Any]] = envelope["data"]
    return data


def session_entity(event: dict[str, str]) -> dict[str, Any]:
    (entity,) = [e for e in entities(event) if e["schema"].startswith(CLIENT_SESSION)]
    return entity


def self_describing(event: dict[str, str]) -> dict[str, Any]:
    text = _unbase64(event["ue_px"]) if "ue_px" in event else event["ue_pr"]
    data: dict[str, Any] = json.loads(text)["data"]
    return data
