"""The collector's read API: Snowplow Micro's ``/micro/*``, the live ``/sessions`` report and
``/health``, answered without making an event wait.

A list (``/micro/good``, ``/micro/bad``, ``/micro/events``) is streamed: made and written a
part at a time in a worker thread, so ingest and ``/health`` are answered meanwhile and memory
holds one part, not the whole list. Lists take ``limit`` and ``offset`` (in the query, or in a
POST's filters as Micro takes them); without a limit, everything since the last reset.
``/micro/reset`` is a POST of JSON, which a web page cannot send to another origin without a
preflight that the collector refuses.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from aiohttp import web

from ..audit.report import ChainReport
from .jsontext import dumps, loads
from .micro_store import MicroStore

__all__ = ["ReadApi"]

PART = 500
"""Items made and written at a time."""
MAX_FILTERS_BYTES = 64 << 10

_NAMES = "/micro/all, /micro/good, /micro/bad, /micro/events, /micro/reset (POST)"


def _json(value: Any, headers: Mapping[str, str], status: int = 200) -> web.Response:
    # jsontext escapes what UTF-8 cannot hold (a lone surrogate a tracker sent): never a 500.
    return web.Response(
        body=dumps(value).encode("utf-8"),
        status=status,
        content_type="application/json",
        headers=headers,
    )


def _text(status: int, text: str, headers: Mapping[str, str] | None = None) -> web.Response:
    return web.Response(status=status, text=text + "\n", headers=headers)


def _number(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, str) and value.isdecimal() and len(value) <= 12:
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise ValueError(f"{name} must be a whole number from 0, got {value!r:.40}")


class ReadApi:
    """The read endpoints of one collector, over its store and its report."""

    def __init__(
        self,
        micro: Callable[[], MicroStore],
        snapshot: Callable[[], ChainReport],
        reset: Callable[[], dict[str, int]],
        timeout: float,
    ) -> None:
        self._micro = micro
        self._timeout = timeout
        self._snapshot = snapshot
        self._reset = reset

    async def answer(self, request: web.Request, cors: Mapping[str, str]) -> web.StreamResponse:
        path, method = request.path, request.method
        if path == "/health":
            return web.Response(text="OK", headers=cors)
        if path == "/sessions" and method == "GET":
            loop = asyncio.get_running_loop()
            body = await loop.run_in_executor(None, self._report_json)
            return web.Response(body=body, content_type="application/json", headers=cors)
        if not path.startswith("/micro/"):
            return _text(
                404,
                "snowsession collector: send events to /i or /com.snowplowanalytics.snowplow/tp2;"
                f" read them at {_NAMES} and /sessions",
                cors,
            )
        return await self._micro_answer(request, path[len("/micro/") :].strip("/"), cors)

    def _report_json(self) -> bytes:
        return dumps(self._snapshot().to_dict()).encode("utf-8")

    async def _micro_answer(
        self, request: web.Request, name: str, cors: Mapping[str, str]
    ) -> web.StreamResponse:
        if name == "reset":
            if request.method != "POST":
                return _text(405, "/micro/reset takes a POST", {**cors, "Allow": "POST"})
            if request.content_type != "application/json":
                return _text(
                    415, "/micro/reset takes a POST of JSON (Content-Type: application/json)", cors
                )
            return _json(self._reset(), cors)
        if request.method not in ("GET", "POST"):
            return _text(405, f"/micro/{name} takes GET or POST", {**cors, "Allow": "GET, POST"})
        if name == "all":
            return _json(self._micro().summary(), cors)
        if name not in ("good", "bad", "events"):
            return _text(404, f"Path for micro has to be one of: {_NAMES}", cors)
        try:
            filters = await asyncio.wait_for(_filters(request), self._timeout)
            offset = _number(filters.get("offset", request.query.get("offset")), "offset") or 0
            limit = _number(filters.get("limit", request.query.get("limit")), "limit")
        except ValueError as error:
            return _text(400, str(error), cors)
        except TimeoutError:
            return _text(408, f"the filters did not come within {self._timeout:g} s", cors)
        store = self._micro()
        items: Iterator[Any]
        if name == "bad":
            items = store.iter_bad(filters)
        else:
            items = store.iter_good(filters)
            if name == "events":
                items = (item["event"] for item in items)
        stop = None if limit is None else offset + limit
        return await _stream(request, itertools.islice(items, offset, stop), cors)


async def _filters(request: web.Request) -> dict[str, Any]:
    if request.method != "POST" or not request.can_read_body:
        return {}
    if request.content_length is not None and request.content_length > MAX_FILTERS_BYTES:
        raise ValueError("the filters are over 64 KiB")
    body = b""
    while chunk := await request.content.read(65536):
        body += chunk
        if len(body) > MAX_FILTERS_BYTES:
            raise ValueError("the filters are over 64 KiB")
    try:
        loaded = loads(body or b"{}")
    except (ValueError, RecursionError):
        raise ValueError("the filters are not JSON") from None
    if not isinstance(loaded, dict):
        raise ValueError("the filters are not a JSON object")
    return loaded


def _part(items: Iterator[Any], first: bool) -> bytes:
    """The next part of a JSON list's text (empty at its end)."""
    texts = [dumps(item) for item in itertools.islice(items, PART)]
    if not texts:
        return b""
    return (("" if first else ",") + ",".join(texts)).encode("utf-8")


async def _stream(
    request: web.Request, items: Iterator[Any], cors: Mapping[str, str]
) -> web.StreamResponse:
    loop = asyncio.get_running_loop()
    first_part = await loop.run_in_executor(None, _part, items, True)
    response = web.StreamResponse(headers={**cors, "Content-Type": "application/json"})
    await response.prepare(request)
    await response.write(b"[" + first_part)
    part = first_part
    while part:
        part = await loop.run_in_executor(None, _part, items, False)
        await response.write(part)
    await response.write(b"]")
    await response.write_eof()
    return response
