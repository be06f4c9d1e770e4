"""``collect``: a collector for real trackers, their events logged and their sessions checked."""

from __future__ import annotations

import argparse
import errno
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

from .audit import rules_of, timeout_options
from .common import PROG, CommandError, add_command

if TYPE_CHECKING:
    from ..trackers.collector import Collector

__all__ = ["register"]

DEFAULT_LOG = "snowsession-events.ndjson"


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM (and SIGHUP) set ``stop``; Ctrl-C arrives as KeyboardInterrupt."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    names = [signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    before = {name: signal.signal(name, lambda *_: stop.set()) for name in names}
    try:
        yield
    finally:
        for name, handler in before.items():
            signal.signal(name, handler)


def collect(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from ..trackers.collector import Collector

    rules = rules_of(args)
    stop = threading.Event()
    # The handlers are in place before the address is printed: a SIGTERM sent as soon as
    # the address is read still stops the collector cleanly.
    with _stop_on_signals(stop):
        collector = _start(
            Collector(args.host, args.port, None if args.no_log else args.log, rules), stderr
        )
        stdout.write(
            f"collecting on {collector.url} (log: {collector.log_path or 'none'}); point "
            f"trackers at it, read {collector.url}/sessions; Ctrl-C stops\n"
        )
        stdout.flush()
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            collector.stop()
    summary = collector.micro.summary()
    report = collector.snapshot()
    stdout.write(
        f"stopped: {summary['good']} good and {summary['bad']} bad event(s), "
        f"{len(report.users)} user(s), {len(report.findings)} finding(s)\n"
    )
    return 0


def _start(collector: Collector, stderr: TextIO) -> Collector:
    from ..trackers.collector import is_loopback

    try:
        collector.start()
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise CommandError(
                f"cannot listen on {collector.host}:{collector.port}: the port is in use "
                "(another collector? choose another --port)"
            ) from None
        where = f"{collector.host}:{collector.port}" if error.filename is None else error.filename
        raise CommandError(f"cannot use {where}: {error.strerror or error}") from None
    if not is_loopback(collector.host):
        stderr.write(
            f"{PROG}: warning: listening on {collector.host}, so other machines can send "
            "events and read them back; use it only on a network you trust\n"
        )
        stderr.flush()
    return collector


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    collector = add_command(
        commands,
        "collect",
        collect,
        summary="a collector for real trackers: log their events and report their sessions",
        description="Collect events from Snowplow trackers (GET /i, POST tp2, CORS for web "
        "pages), append each to an NDJSON log as it arrives, and serve Snowplow Micro's read "
        "API (/micro/all, /micro/good, /micro/bad, /micro/reset) and the live sessions "
        "report (/sessions). Ctrl-C or SIGTERM stops it.",
        examples="""
            snowsession collect
            snowsession collect --port 9090 --log run.ndjson --foreground-timeout 1800
            snowsession collect --host 0.0.0.0   # for a phone on this network
        """,
    )
    collector.add_argument(
        "--host",
        default="127.0.0.1",
        help="the address to listen on (default 127.0.0.1: this machine only)",
    )
    collector.add_argument(
        "--port", type=int, default=9090, help="the port to listen on (default 9090; 0: any)"
    )
    collector.add_argument(
        "--log",
        default=DEFAULT_LOG,
        metavar="FILE",
        help=f"the NDJSON log to append every event to (default ./{DEFAULT_LOG})",
    )
    collector.add_argument(
        "--no-log", action="store_true", help="keep events in memory only (nothing on disk)"
    )
    timeout_options(collector)
