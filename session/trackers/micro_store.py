"""What Snowplow Micro's read API lists, in bounded memory: the newest events whole, the rest
read back from the collector's log.

Memory holds the newest :data:`WINDOW` good and bad events as they came (with their request's
address and headers) and, for every event since the last reset, only where its line is in the
log (13 bytes). Older events are read from the log when listed, with what the log keeps of
their request (when, GET or POST). Without a log, only the window can be listed; the counts
are always of every event. A listing is a generator over a snapshot, newest first, so a big
read is made a part at a time and never holds the store's lock.
"""

from __future__ import annotations

import collections
import threading
from array import array
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

from .jsontext import loads
from .logfile import LogWriter
from .micro import Request, bad_from_log, good_event, good_from_log
from .protocol import Decoded, PayloadError
from .record import record_of

__all__ = ["WINDOW", "MicroStore", "Places"]

WINDOW = 1_000
"""How many of the newest good (and bad) events are kept whole in memory."""


class Places:
    """Where lines are in the log: offset, length and whether they came by POST."""

    def __init__(self) -> None:
        self.offsets = array("q")
        self.lengths = array("i")
        self.posts = array("b")

    def add(self, place: tuple[int, int], post: bool) -> None:
        self.offsets.append(place[0])
        self.lengths.append(place[1])
        self.posts.append(post)

    def __len__(self) -> int:
        return len(self.offsets)


class _Snapshot(NamedTuple):
    size: int
    window: list[Any]
    places: Places


class MicroStore:
    """The good and bad events for Micro's API: thread-safe, newest first, bounded in memory."""

    def __init__(self, log: LogWriter | None = None, window: int = WINDOW) -> None:
        self._lock = threading.Lock()
        self._log = log
        self._window_size = window
        self._good: collections.deque[tuple[Decoded, Mapping[str, Any], Request]] = (
            collections.deque(maxlen=window)
        )
        self._bad: collections.deque[dict[str, Any]] = collections.deque(maxlen=window)
        self._good_places = Places()
        self._bad_places = Places()
        self.good_count = 0
        self.bad_count = 0

    def add_good(
        self,
        decoded: Decoded,
        raw: Mapping[str, Any],
        request: Request,
        place: tuple[int, int] | None = None,
    ) -> None:
        with self._lock:
            self._good.appendleft((decoded, raw, request))
            self.good_count += 1
            if place is not None:
                self._good_places.add(place, request.method == "POST")

    def add_bad(self, item: dict[str, Any], place: tuple[int, int] | None = None) -> None:
        with self._lock:
            self._bad.appendleft(item)
            self.bad_count += 1
            if place is not None:
                self._bad_places.add(place, item["collectorPayload"]["api"]["version"] == "tp2")

    def summary(self) -> dict[str, int]:
        with self._lock:
            good, bad = self.good_count, self.bad_count
        return {"total": good + bad, "good": good, "bad": bad}

    def reset(self) -> dict[str, int]:
        with self._lock:
            self._good.clear()
            self._bad.clear()
            self._good_places = Places()
            self._bad_places = Places()
            self.good_count = self.bad_count = 0
        return self.summary()

    def iter_good(self, filters: Mapping[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """``/micro/good`` items, newest first, that pass Micro's filters (``event_type``,
        ``schema``, ``contexts``); ``limit`` and ``offset`` are the caller's."""
        with self._lock:
            snap = _Snapshot(self.good_count, list(self._good), self._good_places)
        items = (good_event(*item) for item in snap.window)
        wanted = _good_filter(filters or {})
        for item in _chain(items, snap, self._read_good):
            if wanted(item):
                yield item

    def iter_bad(self, filters: Mapping[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """``/micro/bad`` items, newest first, that pass ``vendor`` and ``version``."""
        with self._lock:
            snap = _Snapshot(self.bad_count, list(self._bad), self._bad_places)
        filters = filters or {}
        vendor, version = filters.get("vendor"), filters.get("version")
        for item in _chain(iter(snap.window), snap, self._read_bad):
            api = item["collectorPayload"]["api"]
            if (vendor is None or api["vendor"] == vendor) and (
                version is None or api["version"] == version
            ):
                yield item

    def good(self, filters: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Every ``/micro/good`` item (a list; Micro's ``limit`` too)."""
        return _limit(self.iter_good(filters), (filters or {}).get("limit"))

    def bad(self, filters: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        return _limit(self.iter_bad(filters), (filters or {}).get("limit"))

    def _line(self, places: Places, index: int) -> Any:
        assert self._log is not None
        return loads(self._log.read(places.offsets[index], places.lengths[index]))

    def _read_good(self, places: Places, index: int) -> dict[str, Any]:
        return good_from_log(self._line(places, index), bool(places.posts[index]))

    def _read_bad(self, places: Places, index: int) -> dict[str, Any]:
        value = self._line(places, index)
        problem = None
        if "bad" not in value:
            try:
                record = record_of(
                    value["fields"], value["contexts"], value["unstruct"], value["received"]
                )
                problem = record.problem
            except PayloadError as error:
                problem = error.message
        return bad_from_log(value, bool(places.posts[index]), problem or "invalid entity")


def _chain(
    window: Iterator[dict[str, Any]],
    snap: _Snapshot,
    read: Callable[[Places, int], dict[str, Any]],
) -> Iterator[dict[str, Any]]:
    """The window's items, then the older ones read from the log, newest first."""
    yield from window
    older = snap.size - len(snap.window)
    if older <= 0 or len(snap.places) < older:
        return  # no log, or its places were reset meanwhile
    for index in range(older - 1, -1, -1):
        try:
            yield read(snap.places, index)
        except (OSError, ValueError, KeyError, TypeError):
            continue  # the log was changed under the collector: list what can be read


def _good_filter(filters: Mapping[str, Any]) -> Callable[[Mapping[str, Any]], bool]:
    event_type, schema = filters.get("event_type"), filters.get("schema")
    contexts = filters.get("contexts") or []

    def wanted(item: Mapping[str, Any]) -> bool:
        return (
            (event_type is None or item["eventType"] == event_type)
            and (schema is None or item["schema"] == schema)
            and all(context in item["contexts"] for context in contexts)
        )

    return wanted


def _limit(items: Iterator[dict[str, Any]], limit: Any) -> list[dict[str, Any]]:
    if isinstance(limit, int) and not isinstance(limit, bool) and limit >= 0:
        return [item for _, item in zip(range(limit), items, strict=False)]
    return list(items)
