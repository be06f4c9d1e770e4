"""Who may use the collector: a server on localhost faces every web page the person opens.

- The tracker endpoints (GET ``/i``, POST ``tp2``) take events from any page and any ``Host``
  (an Android emulator sends ``10.0.2.2:9090``), with CORS and credentials, as trackers need.
- Everything else, the read API and every change of state, answers only a ``Host`` that names
  this collector (so DNS rebinding finds nothing), refuses a page's ``Origin`` unless the
  person allowed it (``--allow-origin``), and changes state only on a request a page cannot
  send without a preflight (a POST of JSON).
- The credentials a browser attaches (cookies of every app on 127.0.0.1, ``Authorization``)
  are never kept: :func:`safe_headers` drops them before anything is stored.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from .protocol import GET_PATH, POST_PATH

__all__ = [
    "CREDENTIALS",
    "TRACKER_PATHS",
    "Access",
    "check_origin",
    "is_loopback",
    "safe_headers",
]

TRACKER_PATHS = frozenset((GET_PATH, POST_PATH))
LOOPBACK_NAMES = frozenset(("localhost", "127.0.0.1", "::1"))
CREDENTIALS = frozenset(("cookie", "authorization", "proxy-authorization", "set-cookie"))
"""Headers never stored or served (compared in lower case)."""
MAX_HEADERS = 50


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable only from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _is_wildcard(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return False


def _ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def safe_headers(headers: Iterable[tuple[str, str]]) -> tuple[str, ...]:
    """A request's headers as ``Name: value`` lines, without credentials, at most 50."""
    kept = (f"{k}: {v}" for k, v in headers if k.lower() not in CREDENTIALS)
    return tuple(kept)[:MAX_HEADERS]


def check_origin(text: str) -> str:
    """An origin as ``--allow-origin`` takes it (``http://localhost:3000``), normalised;
    ValueError saying what is wrong."""
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"--allow-origin takes an origin such as http://localhost:3000, got {text!r}"
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise ValueError(f"--allow-origin takes an origin without a path, got {text!r}")
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"--allow-origin has an invalid port: {text!r}") from None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}" + ("" if port is None else f":{port}")


def _split_host(value: str) -> tuple[str, str | None] | None:
    """A ``Host`` header's name (lower case, brackets off) and port; None if malformed."""
    value = value.strip().lower()
    if value.startswith("["):
        name, bracket, rest = value[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            return None
        return name, rest[1:] or None
    name, colon, port = value.partition(":")
    if ":" in port:
        return None
    return name.rstrip("."), port if colon else None


class Access:
    """The rules for one collector: its address and the origins the person allowed."""

    def __init__(self, host: str, allow_origins: Iterable[str] = ()) -> None:
        self.host = host
        self.port = 0
        self.allow_origins = frozenset(check_origin(origin) for origin in allow_origins)
        self._names = LOOPBACK_NAMES | {host.lower().strip("[]").rstrip(".")}
        self._any_ip = _is_wildcard(host)

    def host_allowed(self, value: str | None) -> bool:
        """Whether a ``Host`` header names this collector: a loopback name, the listening
        address or ``--host``'s name, with this port or none. Listening on every interface,
        any IP address is taken too: an address cannot be rebound to another site."""
        if value is None:
            return True  # no browser sends a request without one
        split = _split_host(value)
        if split is None:
            return False
        name, port = split
        if port is not None and port != str(self.port):
            return False
        return name in self._names or (self._any_ip and _ip(name))

    def origin_allowed(self, origin: str | None, host: str | None) -> bool:
        """Whether a request with this ``Origin`` may use the read API: none (not a page), one
        the person allowed, or the collector's own (a page it served, same origin)."""
        if origin is None:
            return True
        if origin in self.allow_origins:
            return True
        parts = urlsplit(origin)
        return parts.scheme == "http" and host is not None and parts.netloc == host.lower()

    def cors(self, headers: Mapping[str, str], tracker: bool) -> dict[str, str]:
        """The CORS headers of an answer: any origin, with credentials, on a tracker endpoint;
        on the read API, only an allowed origin."""
        origin = headers.get("Origin")
        if origin is None:
            return {}
        if tracker:
            # Trackers send credentials: "*" is refused then, the origin must be echoed.
            return {
                "Access-Control-Allow-Origin": origin,
                "Access-Control-Allow-Credentials": "true",
                "Vary": "Origin",
            }
        if origin in self.allow_origins:
            # Credentials allowed too: a page's fetch may include them, and they are never
            # used or kept (they grant nothing here).
            return {
                "Access-Control-Allow-Origin": origin,
                "Access-Control-Allow-Credentials": "true",
                "Vary": "Origin",
            }
        return {"Vary": "Origin"}
