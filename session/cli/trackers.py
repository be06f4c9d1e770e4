"""``collect``: a collector for real trackers, their events logged and their sessions checked."""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

from ..trackers.protocol import DEFAULT_PORT
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
    host, port, origins = _address(args)

    def warn(message: str) -> None:
        stderr.write(f"{PROG}: warning: {message}\n")
        stderr.flush()

    stop = threading.Event()
    # The handlers are in place before the address is printed: a SIGTERM sent as soon as
    # the address is read still stops the collector cleanly.
    with _stop_on_signals(stop):
        collector = _start(
            Collector(
                host,
                port,
                None if args.no_log else args.log,
                rules,
                allow_origins=origins,
                on_problem=warn,
            ),
            stderr,
        )
        try:
            _ready(collector, args.ready_file)
            stdout.write(
                f"collecting on {collector.url} (log: {collector.log_path or 'none'}); point "
                f"trackers at it, read {collector.url}/sessions; Ctrl-C stops\n"
            )
            stdout.flush()
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            collector.stop()
            if args.ready_file is not None:  # it says "listening": no longer so
                with contextlib.suppress(OSError):
                    os.remove(args.ready_file)
    summary = collector.micro.summary()
    report = collector.snapshot()
    stdout.write(
        f"stopped: {summary['good']} good and {summary['bad']} bad event(s), "
        f"{len(report.users)} user(s), {len(report.findings)} finding(s)\n"
    )
    return 0


def _address(args: argparse.Namespace) -> tuple[str, int, list[str]]:
    """``--host``, ``--port`` and ``--allow-origin``, checked: one line and exit 2 if wrong."""
    from ..trackers.access import check_origin

    host = args.host.strip()
    if not host:
        raise CommandError(
            "--host is empty: give the address to listen on (127.0.0.1 for this machine, "
            "0.0.0.0 for every interface)"
        )
    if not 0 <= args.port <= 65535:
        raise CommandError(f"--port must be from 0 to 65535, got {args.port}")
    try:
        origins = [check_origin(origin) for origin in args.allow_origin]
    except ValueError as error:
        raise CommandError(str(error)) from None
    return host, args.port, origins


def _ready(collector: Collector, path: str | None) -> None:
    """Write the collector's URL to ``--ready-file`` once it listens (a temporary file
    renamed into place: a script that sees the file reads the whole URL)."""
    if path is None:
        return
    import tempfile

    folder = os.path.dirname(os.path.abspath(path))
    try:
        fd, temporary = tempfile.mkstemp(prefix=".ready-", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(collector.url + "\n")
        os.replace(temporary, path)
    except OSError as error:
        collector.stop()
        raise CommandError(
            f"cannot write the ready file {path}: {error.strerror or error}"
        ) from None


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
        "API (/micro/all, /micro/good, /micro/bad, POST /micro/reset) and the live sessions "
        "report (/sessions) to this machine's scripts, not to web pages (see --allow-origin). "
        "Ctrl-C or SIGTERM stops it.",
        examples="""
            snowsession collect
            snowsession collect --port 9090 --log run.ndjson --foreground-timeout 1800
            snowsession collect --host 0.0.0.0   # for a phone on this network
            snowsession collect --port 0 --ready-file ready.txt &   # a script waits for it
        """,
    )
    collector.add_argument(
        "--host",
        default="127.0.0.1",
        help="the address to listen on (default 127.0.0.1: this machine only)",
    )
    collector.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"the port to listen on (default {DEFAULT_PORT}; 0: any)",
    )
    collector.add_argument(
        "--allow-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="let web pages of ORIGIN (http://localhost:3000) read the read API (/micro/*, "
        "/sessions); repeat for more. Trackers on any page may always send events",
    )
    collector.add_argument(
        "--ready-file",
        metavar="FILE",
        help="once listening, write the collector's URL to FILE, and remove it on stopping "
        "(a script waits for it: the log is started by then)",
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
