"""Pointing trackers at the window's collector: the settings to paste into each tracker, and
the timeouts to judge idle gaps by (no Qt here). They say what ``docs/trackers.md`` says
under "Pointing apps at it".
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from dataclasses import dataclass

from session import DEFAULTS
from session.audit.rules import Rules

__all__ = [
    "ALL_INTERFACES",
    "DEFAULT_PRESET",
    "LOOPBACK",
    "PRESETS",
    "Preset",
    "Setup",
    "network_address",
    "preset",
    "setups",
]

LOOPBACK = "127.0.0.1"
ALL_INTERFACES = "0.0.0.0"

MOBILE_TIMEOUT = 1800.0
"""The Android and iOS trackers' default foreground and background timeouts (30 minutes)."""
WEB_TIMEOUT = 1800.0
"""The JavaScript tracker's default ``sessionCookieTimeout`` (30 minutes)."""


@dataclass(frozen=True, slots=True)
class Preset:
    """A set of timeouts to judge idle gaps by, named for the tracker it is the default of."""

    key: str
    label: str
    rules: Rules


PRESETS = (
    Preset("none", "not judged", Rules()),
    Preset(
        "mobile",
        f"Android, iOS defaults: {MOBILE_TIMEOUT:g} s",
        Rules.of(MOBILE_TIMEOUT, MOBILE_TIMEOUT),
    ),
    Preset("web", f"JavaScript default: {WEB_TIMEOUT:g} s", Rules.of(WEB_TIMEOUT)),
    Preset(
        "dotnet",
        f".NET defaults: {DEFAULTS.foreground_timeout:g} s, {DEFAULTS.background_timeout:g} s, "
        f"every {DEFAULTS.check_interval:g} s",
        Rules.of(DEFAULTS.foreground_timeout, DEFAULTS.background_timeout, DEFAULTS.check_interval),
    ),
)
DEFAULT_PRESET = "none"
"""As ``snowsession sessions`` without timeouts: a gap is not judged unless asked."""


def preset(key: object) -> Preset:
    """The preset named ``key`` (the default one for anything else)."""
    return next((p for p in PRESETS if p.key == key), next(p for p in PRESETS if p.key == "none"))


@dataclass(frozen=True, slots=True)
class Setup:
    """How to point one kind of tracker at the collector."""

    tracker: str
    endpoint: str
    code: str
    note: str


def network_address() -> str | None:
    """This machine's IPv4 address on its network (the one its default route uses), or None
    when it has none. Nothing is sent: a UDP socket is only pointed somewhere."""
    with (
        contextlib.suppress(OSError),
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe,
    ):
        probe.connect(("192.0.2.1", 9))  # TEST-NET-1, never routed anywhere real
        address = str(probe.getsockname()[0])
        if not ipaddress.ip_address(address).is_loopback and address != ALL_INTERFACES:
            return address
    return None


def setups(port: int, network: str | None = None) -> tuple[Setup, ...]:
    """What to paste into the Android, iOS, JavaScript and .NET trackers for a collector on
    ``port``: on this machine only, or (``network``: this machine's address) for devices on
    the network too."""
    reach = (
        f"A phone or tablet reaches this machine at {network}, on a network you trust."
        if network
        else "A phone or tablet on your network needs “all network interfaces” instead."
    )
    return (
        _android(port, network, reach),
        _ios(port, network, reach),
        _javascript(port, network, reach),
        _dotnet(port, network),
    )


def _android(port: int, network: str | None, reach: str) -> Setup:
    android = f"http://{network or '10.0.2.2'}:{port}"
    return Setup(
        "Android",
        android,
        "Snowplow.createTracker(\n"
        '    applicationContext, "appTracker",\n'
        f'    NetworkConfiguration("{android}", HttpMethod.POST),\n'
        '    TrackerConfiguration("your-app-id").sessionContext(true),\n'
        ")",
        (
            f"Allow clear text to {network} in the app's network security config. "
            f"The emulator can use http://10.0.2.2:{port} as well."
            if network
            else "The emulator reaches this machine's loopback at 10.0.2.2: allow clear "
            "text to it in the app's network security config, or run "
            f"adb reverse tcp:{port} tcp:{port} and use http://localhost:{port}. " + reach
        ),
    )


def _ios(port: int, network: str | None, reach: str) -> Setup:
    ios = f"http://{network or 'localhost'}:{port}"
    return Setup(
        "iOS",
        ios,
        "let tracker = Snowplow.createTracker(\n"
        '    namespace: "appTracker",\n'
        f'    network: NetworkConfiguration(endpoint: "{ios}", method: .post),\n'
        "    configurations: [TrackerConfiguration().sessionContext(true)]\n"
        ")",
        ("" if network else "The simulator shares this Mac's network. ")
        + "Plain http needs an App Transport Security exception in the app's Info.plist. "
        + ("" if network else reach),
    )


def _javascript(port: int, network: str | None, reach: str) -> Setup:
    web = f"http://{network}:{port}" if network else f"http://{LOOPBACK}:{port}"
    return Setup(
        "JavaScript",
        web,
        f'newTracker("sp", "{web}", {{\n'
        '  appId: "your-app-id",\n'
        "  contexts: { session: true },\n"
        "});",
        "The page may be on another origin: the collector answers CORS preflights and "
        "echoes the page's Origin with credentials, as the tracker needs. " + reach,
    )


def _dotnet(port: int, network: str | None) -> Setup:
    dotnet = network or LOOPBACK
    return Setup(
        ".NET",
        f"http://{dotnet}:{port}",
        "var endpoint = new SnowplowHttpCollectorEndpoint(\n"
        f'    "{dotnet}", protocol: HttpProtocol.HTTP, port: {port},\n'
        "    method: HttpMethod.POST);",
        "Give the endpoint to the app's AsyncEmitter. Its save file (ClientSession's XML) "
        "can be opened as a capture as well.",
    )
