"""A collector for the Snowplow tracker protocol, with Micro's read API and a live report.

It runs aiohttp's server on an asyncio loop in a thread of its own, so any Python program can
host it: the ``snowsession collect`` command, a pytest fixture, a window. ::

    collector = Collector(port=0, log="events.ndjson").start()  # .url: point trackers here
    report = collector.snapshot()  # the live sessions report, from any thread
    collector.stop()  # the log is flushed and closed

Every event it takes is in the log (:mod:`~session.trackers.logfile`) before its request is
answered. ``on_event`` is called with each event's :class:`~session.trackers.record.Record`
in the collector's thread, after it is logged and in the report (a window marshals it to its
own thread).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import os
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from ..audit.report import Report
from ..audit.rules import Rules
from .analysis import Analysis
from .entity import find_entity
from .logfile import LogWriter, bad_line, event_line
from .micro import MicroStore, Request, bad_event
from .protocol import (
    GET_PATH,
    MAX_BODY_BYTES,
    MAX_QUERY_BYTES,
    POST_PATH,
    PayloadError,
    decode_body,
    decode_fields,
)
from .record import Record, make_record

__all__ = ["Collector", "is_loopback"]

# A transparent 1x1 GIF, the answer to GET /i as Snowplow's collectors give it.
PIXEL = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable only from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _cors(request: web.Request, response: web.StreamResponse) -> web.StreamResponse:
    origin = request.headers.get("Origin")
    if origin:
        # Trackers send credentials: "*" is refused then, the origin must be echoed.
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Credentials"] = "true"
        response.headers["Vary"] = "Origin"
    else:
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


class Collector:
    """The collector; :meth:`start` binds and serves, :meth:`stop` stops (both from any thread).

    Parameters
    ----------
    host, port
        Where to listen; port 0 takes a free one (see :attr:`port`).
    log
        The NDJSON log to append every event to, or None.
    rules
        The timeouts the live report judges idle gaps by (:class:`session.audit.rules.Rules`).
    on_event
        Called with each event taken, in the collector's thread.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 9090,
        log: str | os.PathLike[str] | None = None,
        rules: Rules | None = None,
        on_event: Callable[[Record], None] | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.log_path = None if log is None else os.fspath(log)
        self.analysis = Analysis(rules)
        self.micro = MicroStore()
        self.on_event = on_event
        self._log: LogWriter | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()

    @property
    def url(self) -> str:
        """The collector's URL (``http://127.0.0.1:9090``), for a tracker's endpoint."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> Collector:
        """Open the log, bind and serve; raises OSError (port in use, log unwritable)."""
        if self._thread is not None:
            raise RuntimeError("the collector is already started")
        if self.log_path is not None:
            self._log = LogWriter(self.log_path)
        ready: dict[str, BaseException | None] = {"error": None}
        started = threading.Event()

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(self._bind())
            except BaseException as error:
                ready["error"] = error
                started.set()
                loop.close()
                return
            started.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(self._unbind())
                loop.close()
                self._stopped.set()

        self._thread = threading.Thread(target=serve, name="snowsession-collector", daemon=True)
        self._thread.start()
        started.wait()
        error = ready["error"]
        if error is not None:
            self._thread.join()
            self._thread = None
            self._close_log()
            raise error
        return self

    async def _bind(self) -> None:
        app = web.Application(client_max_size=MAX_BODY_BYTES)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(
            app,
            access_log=None,
            # A GET carries its event in the request line: allow up to the stated limit, so
            # a longer one reaches the handler and is counted as oversized.
            max_line_size=MAX_QUERY_BYTES + 8192,
            max_field_size=65536,
        )
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        server = site._server
        sockets = getattr(server, "sockets", None) or ()
        if sockets:
            self.port = sockets[0].getsockname()[1]

    async def _unbind(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def stop(self) -> None:
        """Stop serving, then flush and close the log. Safe to call twice."""
        loop, thread = self._loop, self._thread
        if thread is not None and loop is not None and thread.is_alive():
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=30)
        self._thread = None
        self._close_log()

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Collector:
        return self.start() if self._thread is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def snapshot(self) -> Report:
        """The live sessions report: plain frozen data."""
        return self.analysis.report((self.log_path or self.url,))

    def reset(self) -> dict[str, int]:
        """Forget every event (as Micro's ``/micro/reset``); the log keeps them."""
        self.analysis.reset()
        return self.micro.reset()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        try:
            response = await self._route(request)
        except web.HTTPException as error:
            response = web.Response(status=error.status, text=error.text)
        return _cors(request, response)

    async def _route(self, request: web.Request) -> web.StreamResponse:
        method, path = request.method, request.path
        if method == "OPTIONS":
            asked = request.headers.get("Access-Control-Request-Headers")
            return web.Response(
                headers={
                    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                    "Access-Control-Allow-Headers": asked or "Content-Type",
                    "Access-Control-Max-Age": "86400",
                }
            )
        if path == GET_PATH and method == "GET":
            self._take_get(request)
            return web.Response(body=PIXEL, content_type="image/gif")
        if path == POST_PATH and method == "POST":
            return await self._take_post(request)
        if path.startswith("/micro/"):
            return await self._micro(request, path[len("/micro/") :].strip("/"))
        if path == "/sessions" and method == "GET":
            return _json(self.snapshot().to_dict())
        if path == "/health":
            return web.Response(text="OK")
        return web.Response(
            status=404,
            text=f"snowsession collector: send events to {GET_PATH} or {POST_PATH}; "
            "read them at /micro/all, /micro/good, /micro/bad, /micro/reset and /sessions\n",
        )

    def _request(self, request: web.Request, body: str | None = None) -> Request:
        peer = request.transport.get_extra_info("peername") if request.transport else None
        return Request(
            time.time(),
            request.method,
            request.path,
            request.headers.get("Content-Type"),
            str(peer[0]) if peer else "",
            tuple(f"{k}: {v}" for k, v in request.headers.items())[:50],
            request.query_string[:2000],
            body,
        )

    def _take_get(self, request: web.Request) -> None:
        info = self._request(request)
        query = request.query_string
        if len(query) > MAX_QUERY_BYTES:
            self._bad(None, info, "oversized", f"the query is over {MAX_QUERY_BYTES} bytes", None)
            return
        raw = dict(parse_qsl(query, keep_blank_values=True))
        self._take([raw], info)

    async def _take_post(self, request: web.Request) -> web.StreamResponse:
        if request.content_type != "application/json":
            info = self._request(request)
            message = f"the content type is {request.content_type!r:.60}, not application/json"
            self._bad(None, info, "wrong_content_type", message, None)
            return web.Response(text="ok")
        length = request.content_length
        if length is not None and length > MAX_BODY_BYTES:
            info = self._request(request)
            self._bad(
                None, info, "oversized", f"the body is {length} bytes, over {MAX_BODY_BYTES}", None
            )
            await _drain(request)
            raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY_BYTES, actual_size=length)
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            await _drain(request)
            self._bad(
                None,
                self._request(request),
                "oversized",
                f"the body is over {MAX_BODY_BYTES} bytes",
                None,
            )
            raise
        text = body.decode("utf-8", "replace")
        info = self._request(request, text)
        try:
            items = decode_body(body)
        except PayloadError as error:
            self._bad(None, info, error.reason, error.message, None)
            return web.Response(text="ok")
        self._take(items, info)
        return web.Response(text="ok")

    def _take(self, items: list[Mapping[str, Any]], info: Request) -> None:
        lines: list[str] = []
        taken: list[Record] = []
        for raw in items:
            try:
                decoded = decode_fields(raw)
                find_entity(decoded.contexts)
            except PayloadError as error:
                self._bad(lines, info, error.reason, error.message, raw)
                continue
            record = make_record(decoded, info.received)
            lines.append(event_line(info.received, decoded))
            if record.problem is not None:
                self._bad(lines, info, "invalid_entity", record.problem, raw, log=False)
            else:
                self.micro.add_good(decoded, raw, info)
            taken.append(record)
        if self._log is not None:
            self._log.write(lines)
        for record in taken:
            self.analysis.add(record)
            if self.on_event is not None and record.problem is None:
                # A listener's bug must not lose the next event.
                with contextlib.suppress(Exception):
                    self.on_event(record)

    def _bad(
        self,
        lines: list[str] | None,
        info: Request,
        reason: str,
        message: str,
        raw: Mapping[str, Any] | None,
        log: bool = True,
    ) -> None:
        """Count a bad event, list it for ``/micro/bad`` and log it (into ``lines`` if given,
        else at once)."""
        self.micro.add_bad(bad_event(reason, message, info, raw))
        if reason != "invalid_entity":  # an invalid entity is a finding of its user
            self.analysis.count_bad(reason)
        if not log or self._log is None:
            return
        payload = info.body if info.body is not None else info.query
        if raw is not None:
            payload = json.dumps(raw, ensure_ascii=False)
        line = bad_line(info.received, reason, message, payload or "")
        if lines is None:
            self._log.write([line])
        else:
            lines.append(line)

    async def _micro(self, request: web.Request, name: str) -> web.StreamResponse:
        filters: dict[str, Any] = {}
        if request.method == "POST" and name in ("good", "bad") and request.can_read_body:
            try:
                loaded = json.loads(await request.read() or b"{}")
            except ValueError:
                return web.Response(status=400, text="the filters are not JSON\n")
            if not isinstance(loaded, dict):
                return web.Response(status=400, text="the filters are not a JSON object\n")
            filters = loaded
        if name == "all":
            return _json(self.micro.summary())
        if name == "reset":
            return _json(self.reset())
        if name == "good":
            return _json(self.micro.good(filters))
        if name == "bad":
            return _json(self.micro.bad(filters))
        if name == "events":
            return _json([item["event"] for item in self.micro.good()])
        return web.Response(
            status=404, text="Path for micro has to be one of: /events /all /good /bad /reset\n"
        )


DRAIN_BYTES = 4 * MAX_BODY_BYTES


async def _drain(request: web.Request) -> None:
    """Read and drop a refused body up to :data:`DRAIN_BYTES`, so the client can read the
    answer instead of a reset connection; past that the connection is closed."""
    read = 0
    while read < DRAIN_BYTES:
        chunk = await request.content.read(65536)
        if not chunk:
            return
        read += len(chunk)


def _json(value: Any) -> web.Response:
    return web.Response(text=json.dumps(value, ensure_ascii=False), content_type="application/json")
