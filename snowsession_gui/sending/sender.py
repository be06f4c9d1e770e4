"""Send the window's events to a Snowplow collector, off the GUI thread.

Each event the engine counted is sent through the Snowplow tracker adapter
(:func:`session.snowplow.event_payload`: the same event id, the same ``client_session``
entity) by one worker thread, so a slow or absent collector never blocks the window. The
outcome comes back as a Qt signal on the GUI thread.
"""

from __future__ import annotations

import importlib.util
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import QObject, Signal

from session import SessionContext
from session.util.install import install_hint

__all__ = [
    "INSTALL_HINT",
    "CollectorSender",
    "check_url",
    "snowplow_available",
]

INSTALL_HINT = install_hint("snowplow")
REQUEST_TIMEOUT = (3.0, 5.0)  # connect, read (seconds)


def snowplow_available() -> bool:
    """Whether ``snowplow-tracker`` can be imported."""
    return importlib.util.find_spec("snowplow_tracker") is not None


def check_url(url: str) -> str | None:
    """Why ``url`` cannot be a collector address, or None if it can."""
    text = url.strip()
    if not text:
        return "enter the collector's address, e.g. http://localhost:9090"
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https"):
        return f"{text!r} must start with http:// or https://"
    if not parts.hostname:
        return f"{text!r} has no host name"
    try:
        parts.port  # noqa: B018 - raises for a port that is not a number
    except ValueError:
        return f"{text!r} has an invalid port"
    if parts.path not in ("", "/") or parts.query:
        return f"give the collector's address only, without a path: {parts.scheme}://{parts.netloc}"
    return None


class _Channel:
    """A tracker and its emitter for one collector address; used on the worker thread only."""

    def __init__(self, url: str) -> None:
        from snowplow_tracker.emitters import Emitter
        from snowplow_tracker.tracker import Tracker

        class QuietEmitter(Emitter):
            """Sends at once, never retries on a timer, and remembers why a send failed."""

            status = 0
            error: str | None = None

            def _should_retry(self, status_code: int) -> bool:
                return False

            def http_post(self, data: str) -> int:
                import requests

                try:
                    response = self.request_method.post(
                        self.endpoint,
                        data=data,
                        headers={"Content-Type": "application/json; charset=utf-8"},
                        timeout=self.request_timeout,
                    )
                except requests.RequestException as error:
                    self.status, self.error = -1, _reason(error)
                    return -1
                self.status, self.error = response.status_code, None
                return int(response.status_code)

        self.url = url
        self.emitter = QuietEmitter(
            url.rstrip("/"), method="post", batch_size=1, request_timeout=REQUEST_TIMEOUT
        )
        self.tracker = Tracker(
            "snowsession-gui", self.emitter, app_id="snowsession-gui", encode_base64=False
        )

    def send(self, event_id: str, entity: SessionContext) -> str | None:
        """Send one event; None when the collector took it, else why not."""
        from snowplow_tracker.events.structured_event import StructuredEvent

        from session.snowplow import event_payload

        event = StructuredEvent("snowsession-gui", "fire event")
        payload = event_payload(self.tracker, event, event_id, entity)
        self.emitter.input(payload.nv_pairs)  # batch size 1: sent now, on this thread
        status = self.emitter.status
        if 200 <= status < 300:
            return None
        if status == -1:
            return self.emitter.error or "no answer"
        return f"the collector answered HTTP {status}"


def _reason(error: BaseException) -> str:
    """A short reason for a failed request (the innermost OS error when there is one)."""
    inner: Any = error
    seen = set()
    while inner is not None and id(inner) not in seen:
        seen.add(id(inner))
        if isinstance(inner, OSError) and inner.strerror:
            return str(inner.strerror)
        inner = inner.__cause__ or inner.__context__ or (inner.args[0] if inner.args else None)
        if not isinstance(inner, BaseException):
            break
    name = type(error).__name__
    return "timed out" if "Timeout" in name else f"{name}: {error}"[:160]


class CollectorSender(QObject):
    """Sends events to a collector on one worker thread.

    Signals (on the GUI thread): ``status(event_id, status, detail)`` with status
    ``"sending"``, ``"sent"`` or ``"failed"``; ``problem(message)`` when a send fails after
    a success or at the first send; ``recovered(url)`` when one succeeds after a failure.
    """

    status = Signal(str, str, str)
    problem = Signal(str)
    recovered = Signal(str)
    _done = Signal(str, str, str, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executor: ThreadPoolExecutor | None = None
        self._channel: _Channel | None = None
        self._url: str | None = None
        self._failing: bool | None = None
        self._closed = False
        self._lock = threading.Lock()
        self.pending = 0
        self._done.connect(self._on_done)  # queued: emitted from the worker

    @property
    def url(self) -> str | None:
        return self._url

    def set_url(self, url: str | None) -> None:
        """Send to ``url`` from now on (None: stop sending). Queued sends keep their address."""
        if url is not None and check_url(url) is not None:
            raise ValueError(check_url(url))
        if url != self._url:
            self._url = url
            self._channel = None
            self._failing = None

    def send(self, event_id: str, entity: SessionContext) -> bool:
        """Queue one event; False if sending is off."""
        if self._url is None or self._closed:
            return False
        if self._channel is None:
            self._channel = _Channel(self._url)
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="collector")
        channel = self._channel
        self.pending += 1
        self.status.emit(event_id, "sending", channel.url)
        self._executor.submit(self._work, channel, event_id, entity)
        return True

    def _work(self, channel: _Channel, event_id: str, entity: SessionContext) -> None:
        try:
            reason = channel.send(event_id, entity)
        except Exception as error:  # a tracker error must not kill the worker
            reason = f"{type(error).__name__}: {error}"
        with self._lock:
            if self._closed:
                return
            try:
                self._done.emit(event_id, "failed" if reason else "sent", reason or "", channel.url)
            except RuntimeError:  # deleted meanwhile
                self._closed = True

    def _on_done(self, event_id: str, status: str, reason: str, url: str) -> None:
        self.pending -= 1
        self.status.emit(event_id, status, reason)
        if url != self._url:
            return
        if status == "failed" and self._failing is not True:
            self._failing = True
            self.problem.emit(
                f"collector {url} cannot be reached ({reason}): events are tracked but not sent"
            )
        elif status == "sent" and self._failing is not False:
            if self._failing:
                self.recovered.emit(url)
            self._failing = False

    def close(self) -> None:
        """Stop: queued sends are dropped, one in flight ends within its timeout."""
        with self._lock:
            self._closed = True
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)
