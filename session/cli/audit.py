"""``sessions``: each user's session chain checked, in captures and at warehouse scale."""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

from ..settings import check_seconds
from .common import PROG, CommandError, add_command, emit

if TYPE_CHECKING:
    from ..audit.result import Result
    from ..audit.rules import Rules

__all__ = ["register", "rules_of", "timeout_options"]

ENGINES = ("duckdb", "spark")
DIALECTS = ("duckdb", "databricks", "spark", "bigquery", "snowflake", "redshift")
_LAKE = ("parquet", "delta", "tsv")


def rules_of(args: argparse.Namespace) -> Rules:
    """The rules of ``--timeouts FILE`` with the ``--…-timeout`` options over them."""
    from ..audit.rules import Rules, RulesError, load_rules

    def seconds(name: str, value: float | None) -> float | None:
        if value is None:
            return None
        try:
            return check_seconds(name, value)
        except ValueError as error:
            raise CommandError(str(error).replace("_", "-")) from None

    interval = args.check_interval
    if interval is not None and not 0 <= interval <= 86_400:
        raise CommandError(f"--check-interval must be from 0 to 86400 seconds, got {interval}")
    given = Rules.of(
        seconds("--foreground_timeout", args.foreground_timeout),
        seconds("--background_timeout", args.background_timeout),
        interval,
    )
    path = getattr(args, "timeouts", None)
    if path is None:
        return given
    try:
        return load_rules(path).merged(given)
    except RulesError as error:
        raise CommandError(str(error)) from None


def timeout_options(parser: argparse.ArgumentParser, *, file: bool = False) -> None:
    """The timeout options of ``collect`` and ``sessions`` (and ``--timeouts FILE``)."""
    parser.add_argument(
        "--foreground-timeout",
        type=float,
        metavar="S",
        help="the tracker's foreground timeout: judge idle gaps by it (early_new_session, "
        "missed_expiry); for the JavaScript tracker, its sessionCookieTimeout",
    )
    parser.add_argument(
        "--background-timeout",
        type=float,
        metavar="S",
        help="the background timeout, in force after an application_background event",
    )
    parser.add_argument(
        "--check-interval",
        type=float,
        metavar="S",
        help="how late past its timeout a tracker may still start a new session (default 0: "
        "mobile and JavaScript trackers decide at the event; .NET checks every 15 s)",
    )
    if file:
        parser.add_argument(
            "--timeouts",
            metavar="FILE",
            help="a TOML file of timeouts and expected new sessions per app_id or platform "
            "(the options above win over its defaults)",
        )


_SIZE = re.compile(r"\d+(\.\d+)?\s*([KMGT]i?B)", re.IGNORECASE)


def _size(text: str) -> str:
    """A memory size as DuckDB takes it (``3GB``, ``512MiB``); argparse says what is wrong."""
    if not _SIZE.fullmatch(text.strip()):
        raise argparse.ArgumentTypeError(f"a size such as 3GB or 512MB, got {text!r}")
    return text.strip()


def _regular_target(path: str) -> None:
    """Refuse to write where a file is not regular (a FIFO would hang, a device would fill)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return
    except OSError as error:
        raise CommandError(f"cannot write {path}: {error.strerror or error}") from None
    if not stat.S_ISREG(info.st_mode):
        raise CommandError(f"{path} is not a regular file: nothing is written there")


class _Progress:
    """A line on a terminal's stderr that says how far a long run is."""

    def __init__(self, stderr: TextIO) -> None:
        self.stderr = stderr
        self.shown = False

    def __call__(self, percent: float) -> None:
        self.stderr.write(f"\r{PROG}: checking sessions… {percent:5.1f}%")
        self.stderr.flush()
        self.shown = True

    def done(self) -> None:
        if self.shown:
            self.stderr.write("\r" + " " * 40 + "\r")
            self.stderr.flush()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@contextmanager
def _run(args: argparse.Namespace, rules: Rules, stderr: TextIO) -> Iterator[Result]:
    """The engine's result on every input, the engine closed when done with it."""
    from ..audit.engines import open_engine
    from ..audit.inputs import InputError

    def warn(message: str) -> None:
        stderr.write(f"{PROG}: warning: {message}\n")

    progress = _Progress(stderr) if _is_terminal(stderr) else None
    try:
        engine = open_engine(
            args.engine,
            rules,
            master=args.master,
            remote=args.remote,
            memory_limit=args.memory_limit if args.engine == "duckdb" else None,
        )
    except (ImportError, RuntimeError) as error:
        raise CommandError(str(error)) from None
    try:
        try:
            for path in args.inputs:
                engine.add(path, warn)
            result = engine.run(progress)
        except InputError as error:
            raise CommandError(str(error)) from None
        except OSError as error:
            raise CommandError(f"cannot read: {error.strerror or error}") from None
        finally:
            if progress is not None:
                progress.done()
        yield result
    finally:
        engine.close()


def sessions(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    rules = rules_of(args)
    if args.sql:
        return _print_sql(args, rules, stdout)
    if args.table is not None:
        raise CommandError("--table names the events table of a query: use it with --sql DIALECT")
    if not args.inputs:
        raise CommandError("name at least one input to check (or --sql DIALECT for a query)")
    for target in (args.junit, args.findings_out):
        if target not in (None, "-"):
            _regular_target(target)
    import duckdb

    try:
        with _run(args, rules, stderr) as result:
            return _answer(args, result, stdout)
    except duckdb.OutOfMemoryException as error:
        words = str(error).strip().splitlines()[0] if str(error).strip() else "Out of Memory"
        raise CommandError(
            f"DuckDB needed more memory than --memory-limit {args.memory_limit} lets it hold "
            f"({words}): give it more with --memory-limit, or run on Spark (--engine spark)"
        ) from None


def _answer(args: argparse.Namespace, result: Result, stdout: TextIO) -> int:
    """Write what ``result`` found as asked; exit 1 with findings."""
    from ..audit.output import write_json, write_junit, write_table

    counts = result.counts()
    if counts["events"] == 0:
        raise CommandError(
            "no event with a client_session entity was read: nothing to check"
            + (f" ({_bad_words(result.bad)})" if result.bad else "")
        )
    if args.findings_out:
        from ..audit.result import ResultError

        try:
            result.write_findings(args.findings_out)
        except (ResultError, OSError) as error:
            raise CommandError(str(error)) from None
    output_format = args.format or (
        "summary" if any(source.kind in _LAKE for source in result.sources) else "table"
    )
    report = None if output_format == "summary" and not args.junit else result.report()
    if args.junit:
        assert report is not None
        buffer = io.StringIO()
        write_junit(report, list(args.inputs), buffer)
        emit(buffer.getvalue(), None if args.junit == "-" else args.junit, stdout)
    if output_format == "summary":
        stdout.write(json.dumps(result.summary(), indent=2, ensure_ascii=False) + "\n")
    else:
        assert report is not None
        out = io.StringIO()
        (write_json if output_format == "json" else write_table)(report, out)
        stdout.write(out.getvalue())
    stdout.flush()
    return 1 if counts["findings"] else 0


def _bad_words(bad: dict[str, int]) -> str:
    return ", ".join(f"{count} {reason}" for reason, count in sorted(bad.items()))


def _print_sql(args: argparse.Namespace, rules: Rules, stdout: TextIO) -> int:
    from ..audit.dialects import DialectError, warehouse_query

    if args.inputs:
        raise CommandError("--sql prints a query for the warehouse: name no inputs with it")
    try:
        stdout.write(warehouse_query(args.sql, rules, args.table) + ";\n")
    except DialectError as error:
        raise CommandError(str(error)) from None
    return 0


def _outputs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=("table", "json", "summary"),
        help="table for people (the default for captures), json for programs, or summary: "
        "counts by kind, app_id, platform, v_tracker and day (the default for a lake or TSV)",
    )
    parser.add_argument(
        "--junit", metavar="FILE", help="also write JUnit XML for CI here ('-': stdout)"
    )
    parser.add_argument(
        "--findings-out",
        metavar="FILE",
        help="write every finding as a row to FILE.parquet or FILE.csv",
    )


def _engines(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default="duckdb",
        help="duckdb, embedded (the default), or spark, for data past one machine",
    )
    parser.add_argument(
        "--memory-limit",
        default="3GB",
        type=_size,
        metavar="SIZE",
        help="with --engine duckdb: how much memory DuckDB may hold (default 3GB); what does "
        "not fit goes to a temporary folder on disk",
    )
    parser.add_argument(
        "--master",
        metavar="URL",
        help="with --engine spark: the cluster's master URL (default local[*])",
    )
    parser.add_argument(
        "--remote",
        metavar="URL",
        help="with --engine spark: a Spark Connect address (sc://host:15002)",
    )


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    checker = add_command(
        commands,
        "sessions",
        sessions,
        summary="each user's session chain in captures or a lake, with findings (exit 1 if any)",
        description="Check each user's session chain: index, id, previous id, first event, "
        "events, times and idle gaps, with findings such as index_gap or broken_chain. Reads "
        "the collector's log, HAR files, Snowplow Micro's /micro/good JSON, .NET save files, "
        "enriched TSV (plain or gzip), lake Parquet files and folders, and Delta tables. The "
        "checks run on DuckDB, embedded, or on Spark (--engine spark). Exit 0 with no "
        "findings, 1 with findings, 2 if an input cannot be read.",
        examples="""
            snowsession sessions snowsession-events.ndjson
            snowsession sessions app.har --foreground-timeout 1800 --format json
            snowsession sessions micro-good.json --junit sessions.xml
            snowsession sessions lake/events/ --timeouts timeouts.toml --findings-out f.parquet
            snowsession sessions enriched.tsv.gz --engine spark --master spark://host:7077
            snowsession sessions --sql bigquery --table analytics.events --foreground-timeout 1800
        """,
    )
    checker.add_argument(
        "inputs", metavar="INPUT", nargs="*", help="captures, TSV, Parquet or Delta to read"
    )
    _outputs(checker)
    _engines(checker)
    checker.add_argument(
        "--sql",
        choices=DIALECTS,
        metavar="DIALECT",
        help="print the audit as one query for the warehouse itself: " + ", ".join(DIALECTS),
    )
    checker.add_argument(
        "--table",
        metavar="NAME",
        help="with --sql: the atomic events table (default atomic.events)",
    )
    timeout_options(checker, file=True)
