"""Taking events: the tracker endpoints' requests decoded, logged, then counted and reported.

An event is in the log before it is counted, listed, reported or answered. When the log cannot
take a request's events (a full disk) none of them is counted, the request is refused with
507 (503 for another fault) so the tracker sends it again, and nothing of it reaches the log
later (:class:`~session.trackers.logfile.LogWriter` writes unbuffered and cuts a failed write
back off). The fault is said once when it starts and once when it is over.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple
from urllib.parse import parse_qsl

from aiohttp import web

from .access import safe_headers
from .analysis import Analysis
from .entity import find_entity
from .jsontext import dumps
from .logfile import LogWriter, bad_line, event_line
from .micro import Request, bad_event
from .micro_store import MicroStore
from .protocol import (
    GET_PATH,
    MAX_BODY_BYTES,
    MAX_QUERY_BYTES,
    POST_PATH,
    Decoded,
    PayloadError,
    decode_body,
    decode_fields,
)
from .record import Record, make_record
from .serving import Problems

__all__ = ["PIXEL", "Ingest"]

# A transparent 1x1 GIF, the answer to GET /i as Snowplow's collectors give it.
PIXEL = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)
FULL_DISK = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


class _Item(NamedTuple):
    """One event of a request, decoded: good (``record``) or bad (``reason``)."""

    raw: Mapping[str, Any] | None
    decoded: Decoded | None = None
    record: Record | None = None
    reason: str = ""
    message: str = ""


class Ingest:
    """The tracker endpoints of one collector: into its log, store and report."""

    def __init__(
        self,
        analysis: Callable[[], Analysis],
        problems: Problems,
        on_event: Callable[[], Callable[[Record], None] | None],
        idle_timeout: float,
    ) -> None:
        self._analysis = analysis  # asked each time: a host may give the collector its own
        self.problems = problems
        self.micro = MicroStore()
        self.log: LogWriter | None = None
        self._on_event = on_event
        self.idle_timeout = idle_timeout

    async def answer(self, request: web.Request) -> web.Response:
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
        allow = "GET" if path == GET_PATH else "POST"
        return web.Response(status=405, text=f"{path} takes {allow}\n", headers={"Allow": allow})

    def _request(self, request: web.Request, body: str | None = None) -> Request:
        peer = request.transport.get_extra_info("peername") if request.transport else None
        return Request(
            time.time(),
            request.method,
            request.path,
            request.headers.get("Content-Type"),
            str(peer[0]) if peer else "",
            safe_headers(request.headers.items()),
            request.query_string[:2000],
            body,
        )

    def _take_get(self, request: web.Request) -> None:
        info = self._request(request)
        query = request.query_string
        if len(query) > MAX_QUERY_BYTES:
            self._bad(info, "oversized", f"the query is over {MAX_QUERY_BYTES} bytes")
            raise web.HTTPRequestURITooLong(text=f"the query is over {MAX_QUERY_BYTES} bytes\n")
        self._take([dict(parse_qsl(query, keep_blank_values=True))], info)

    async def _take_post(self, request: web.Request) -> web.Response:
        if request.content_type != "application/json":
            message = f"the content type is {request.content_type!r:.60}, not application/json"
            self._bad(self._request(request), "wrong_content_type", message)
            return web.Response(text="ok")
        length = request.content_length
        if length is not None and length > MAX_BODY_BYTES:
            message = f"the body is {length} bytes, over {MAX_BODY_BYTES}"
            self._bad(self._request(request), "oversized", message)
            await _drain(request, self.idle_timeout)
            raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY_BYTES, actual_size=length)
        try:
            body = await asyncio.wait_for(request.read(), self.idle_timeout)
        except web.HTTPRequestEntityTooLarge:
            await _drain(request, self.idle_timeout)
            message = f"the body is over {MAX_BODY_BYTES} bytes"
            self._bad(self._request(request), "oversized", message)
            raise
        except TimeoutError:
            raise web.HTTPRequestTimeout(
                text=f"the body did not come within {self.idle_timeout:g} s\n",
                headers={"Connection": "close"},
            ) from None
        info = self._request(request, body.decode("utf-8", "replace"))
        try:
            items = decode_body(body)
        except PayloadError as error:
            self._bad(info, error.reason, error.message)
            if error.reason == "oversized":
                raise web.HTTPRequestEntityTooLarge(
                    max_size=MAX_BODY_BYTES, actual_size=len(body), text=error.message + "\n"
                ) from None
            return web.Response(text="ok")
        self._take(items, info)
        return web.Response(text="ok")

    def _take(self, items: Sequence[Mapping[str, Any]], info: Request) -> None:
        """Log a request's events, then count, list and report them; if the log refuses
        them, none is counted and the request is refused (:meth:`_write`)."""
        decoded_items: list[_Item] = []
        lines: list[str] = []
        for raw in items:
            try:
                decoded = decode_fields(raw)
                find_entity(decoded.contexts)
            except PayloadError as error:
                decoded_items.append(_Item(raw, reason=error.reason, message=error.message))
                lines.append(self._bad_line(info, error.reason, error.message, raw))
                continue
            record = make_record(decoded, info.received)
            decoded_items.append(_Item(raw, decoded, record))
            lines.append(event_line(info.received, decoded))
        places = self._write(lines)
        for item, place in zip(decoded_items, places, strict=True):
            if item.record is None:
                self._count_bad(info, item.reason, item.message, item.raw, place)
                continue
            record = item.record
            assert item.decoded is not None and item.raw is not None
            if record.problem is not None:
                self._count_bad(info, "invalid_entity", record.problem, item.raw, place)
            else:
                self.micro.add_good(item.decoded, item.raw, info, place)
            self._analysis().add(record)
            listener = self._on_event()
            if listener is not None and record.problem is None:
                # A listener's bug must not lose the next event.
                with contextlib.suppress(Exception):
                    listener(record)

    def _write(self, lines: list[str]) -> Sequence[tuple[int, int] | None]:
        """Append to the log; each line's place. A log that cannot take them refuses the
        request: 507 for a full disk, 503 for another fault, said once per episode."""
        if self.log is None:
            return [None] * len(lines)
        try:
            places = self.log.write(lines)
        except OSError as error:
            reason = f"the log cannot take events: {error.strerror or error}"
            self.problems.start("log", f"{reason}; events are refused until it can")
            full = error.errno in FULL_DISK
            status = web.HTTPInsufficientStorage if full else web.HTTPServiceUnavailable
            raise status(text=reason + "\n") from None
        self.problems.end("log", "the log takes events again")
        return places

    def _bad_line(
        self, info: Request, reason: str, message: str, raw: Mapping[str, Any] | None
    ) -> str:
        payload = info.body if info.body is not None else info.query
        if raw is not None:
            payload = dumps(raw)
        return bad_line(info.received, reason, message, payload or "")

    def _bad(self, info: Request, reason: str, message: str) -> None:
        """Log and count a request that is bad as a whole."""
        (place,) = self._write([self._bad_line(info, reason, message, None)])
        self._count_bad(info, reason, message, None, place)

    def _count_bad(
        self,
        info: Request,
        reason: str,
        message: str,
        raw: Mapping[str, Any] | None,
        place: tuple[int, int] | None,
    ) -> None:
        self.micro.add_bad(bad_event(reason, message, info, raw), place)
        if reason != "invalid_entity":  # an invalid entity is a finding of its user
            self._analysis().count_bad(reason)

    def line_too_long(self, message: str) -> None:
        """A request line or header past aiohttp's limit: answered 400 by aiohttp, counted
        here as oversized."""
        info = Request(time.time(), "GET", GET_PATH, None, "", ())
        with contextlib.suppress(web.HTTPException):
            self._bad(info, "oversized", f"the request is too long ({message:.200})")


DRAIN_BYTES = 4 * MAX_BODY_BYTES


async def _drain(request: web.Request, timeout: float) -> None:
    """Read and drop a refused body up to :data:`DRAIN_BYTES`, so the client can read the
    answer instead of a reset connection; past that (or ``timeout``) the connection is closed."""

    async def drain() -> None:
        read = 0
        while read < DRAIN_BYTES:
            chunk = await request.content.read(65536)
            if not chunk:
                return
            read += len(chunk)

    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(drain(), timeout)
