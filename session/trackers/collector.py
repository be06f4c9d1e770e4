"""A collector for the Snowplow tracker protocol, with Micro's read API and a live report.

It runs aiohttp's server on an asyncio loop in a thread of its own, so any Python program can
host it: the ``snowsession collect`` command, a pytest fixture, a window. ::

    collector = Collector(port=0, log="events.ndjson").start()  # .url: point trackers here
    report = collector.snapshot()  # the live sessions report, from any thread
    collector.stop()  # the log is flushed and closed

Every event it takes is in the log (:mod:`~session.trackers.logfile`) before it is counted,
shown or answered; one the log cannot take (a full disk) is refused with 507 (503 for another
fault) and never written later. ``on_event`` is called with each event's
:class:`~session.trackers.record.Record` in the collector's thread, after it is logged and in
the report (a window marshals it to its own thread). Who may use what is
:mod:`~session.trackers.access`'s; the limits on connections are
:mod:`~session.trackers.serving`'s.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from aiohttp import web

from ..audit.report import Report
from ..audit.rules import Rules
from .access import TRACKER_PATHS, Access, is_loopback
from .analysis import Analysis
from .ingest import Ingest
from .logfile import LogWriter
from .micro_store import WINDOW, MicroStore
from .protocol import (
    MAX_BODY_BYTES,
)
from .read_api import ReadApi
from .record import Record
from .serving import Problems, connection_limits, guarded_factory, http_logger

__all__ = ["IDLE_TIMEOUT", "Collector", "is_loopback"]

IDLE_TIMEOUT = 15.0
"""Seconds a connection may send nothing complete (no request, half its headers or its
body) before it is closed."""
MAX_LINE_BYTES = MAX_BODY_BYTES + 8192
"""aiohttp's limit on a request line: well past :data:`MAX_QUERY_BYTES`, so an oversized GET
reaches the collector, which answers 414 and counts it."""


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
    allow_origins
        Web origins (``http://localhost:3000``) whose pages may read the read API.
    idle_timeout
        Seconds a connection may stay without a complete request (or body) before it is closed.
    on_problem
        Told one line when a fault starts (a full disk, no files left) and when it is over.
    analysis
        What every event taken feeds, and what :meth:`snapshot` and :meth:`reset` read: a
        host's own :class:`~session.trackers.analysis.Analysis` (one that also keeps what it
        draws, say), or a new one on ``rules`` by default.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 9090,
        log: str | os.PathLike[str] | None = None,
        rules: Rules | None = None,
        on_event: Callable[[Record], None] | None = None,
        allow_origins: Sequence[str] = (),
        idle_timeout: float = IDLE_TIMEOUT,
        on_problem: Callable[[str], None] | None = None,
        analysis: Analysis | None = None,
    ) -> None:
        if not host:
            raise ValueError("give the address to listen on (empty would be every interface)")
        self.host = host
        self.port = port
        self.log_path = None if log is None else os.fspath(log)
        self.analysis = analysis if analysis is not None else Analysis(rules)
        self.micro = MicroStore()
        self.access = Access(host, allow_origins)
        self.idle_timeout = idle_timeout
        self.on_event = on_event
        self.problems = Problems(on_problem)
        self._ingest = Ingest(
            lambda: self.analysis, self.problems, lambda: self.on_event, idle_timeout
        )
        self._read_api = ReadApi(lambda: self.micro, self.snapshot, self.reset, idle_timeout)
        self._log: LogWriter | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._server: asyncio.AbstractServer | None = None
        self._busy: set[Any] = set()
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The collector's URL (``http://127.0.0.1:9090``), for a tracker's endpoint."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> Collector:
        """Open the log, bind and serve; raises OSError (port in use, log unwritable). The log
        gets this run's header only once the collector listens."""
        if self._thread is not None:
            raise RuntimeError("the collector is already started")
        if self.log_path is not None:
            self._log = LogWriter(self.log_path, header=False)
        self.micro = self._ingest.micro = MicroStore(self._log, WINDOW)
        self._ingest.log = self._log
        ready: dict[str, BaseException | None] = {"error": None}
        started = threading.Event()

        def serve() -> None:
            loop = asyncio.new_event_loop()
            loop.set_exception_handler(self.problems.loop_handler)
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
                _cancel_all(loop)
                loop.close()

        self._thread = threading.Thread(target=serve, name="snowsession-collector", daemon=True)
        self._thread.start()
        started.wait()
        error = ready["error"]
        if error is None and self._log is not None:
            try:
                self._log.write_header()
            except OSError as failed:
                error = failed
                self.stop()
        if error is not None:
            if self._thread is not None:
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
            keepalive_timeout=self.idle_timeout,
            max_line_size=MAX_LINE_BYTES,
            max_field_size=65536,
            logger=http_logger(self.problems, self._ingest.line_too_long),
        )
        await runner.setup()
        cap, backlog = connection_limits()
        assert runner.server is not None
        loop = asyncio.get_running_loop()
        try:
            self._server = await loop.create_server(
                guarded_factory(runner.server, cap, self._busy),
                self.host,
                self.port,
                backlog=backlog,
                reuse_address=True,
            )
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        if self._server.sockets:
            self.port = self._server.sockets[0].getsockname()[1]
        self.access.port = self.port

    async def _unbind(self) -> None:
        if self._server is not None:
            self._server.close()
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
            self._ingest.log = None

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
        tracker = request.path in TRACKER_PATHS
        cors = self.access.cors(request.headers, tracker)
        self._busy.add(request.protocol)
        response: web.StreamResponse
        try:
            if tracker:
                response = await self._ingest.answer(request)
            else:
                refusal = self._refusal(request, cors)
                response = refusal or await self._read_api.answer(request, cors)
        except web.HTTPException as error:
            response = web.Response(status=error.status, text=error.text, headers=error.headers)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # a bug: one line said once, a 500 for this request
            self.problems.start(f"bug:{type(error).__name__}", f"unexpected error: {error!r}")
            response = web.Response(status=500, text="the collector failed on this request\n")
        finally:
            self._busy.discard(request.protocol)
        if not response.prepared:
            response.headers.update(cors)
        return response

    def _refusal(self, request: web.Request, cors: Mapping[str, str]) -> web.Response | None:
        """Why the read API refuses this request (a 403), or None."""
        host = request.headers.get("Host")
        if not self.access.host_allowed(host):
            return web.Response(
                status=403,
                text=f"this collector is {self.url}: Host {host!r:.80} is not its address\n",
            )
        origin = request.headers.get("Origin")
        if not self.access.origin_allowed(origin, host):
            return web.Response(
                status=403,
                text=f"the page at {origin!r:.80} may send events here, not read them "
                "(snowsession collect --allow-origin ORIGIN allows it)\n",
                headers=cors,
            )
        if request.method == "OPTIONS":  # a preflight from an allowed origin
            return web.Response(
                status=204,
                headers={
                    **cors,
                    "Access-Control-Allow-Methods": "GET, POST",
                    "Access-Control-Allow-Headers": "Content-Type",
                    "Access-Control-Max-Age": "600",
                },
            )
        return None


def _cancel_all(loop: asyncio.AbstractEventLoop) -> None:
    """End what is still running on the loop (a slow client's request), quietly."""
    pending = asyncio.all_tasks(loop)
    if not pending:
        return
    for task in pending:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
