"""The checks run by Spark: for data past one machine (``sessions --engine spark``).

Spark runs the one definition (:mod:`.checks`), written by sqlglot in Spark's dialect, over a
temporary view ``events``: the union of the inputs, each read by Spark (:mod:`.sparkread`).
Lake Parquet files and folders are read where they lie; a Delta table is its live Parquet
files, listed by ``deltalake`` (Spark's own Delta reader is a jar to download); the log and
enriched TSV are read as text and JSON (a gzip one through a ``.gz`` name, which is what tells
Spark to unzip); HAR, Micro JSON and save files are small documents, read in Python and handed
to Spark as rows. On a cluster every path must be the same on the driver and the executors (a
shared file system); with Spark Connect, on the server too.

What a run keeps stays on Spark: ``timed`` (a row per session) and ``findings`` are
checkpointed there, and :class:`.sparkresult.SparkResult` counts, groups and ranks them there,
so only answers cross to this process, never the sessions. The findings come here only to be
written to one file (``--findings-out``), and the sessions and findings of the users a report
is asked for come here for it (all of them for ``--format table|json``, meant for captures).
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import tempfile
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import sqlglot

from .checks import CTES, STAGES, stage_query
from .columns import EVENT_COLUMNS
from .duck import delta_files
from .inputs import Input, InputError, document_rows, probe
from .readers import ENTITY_COLUMN
from .rows import Row
from .rules import Rules
from .sparkread import SPARK_TYPES, lake_frame, log_frame, tsv_frame
from .sparkresult import SparkResult

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["SparkAudit", "spark_sql"]

_SCHEMA = ", ".join(f"{name} {SPARK_TYPES[kind]}" for name, kind in EVENT_COLUMNS)
_LOG4J = """rootLogger.level = off
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
"""


def spark_sql(query: str) -> str:
    """A query of the definition (DuckDB's SQL) in Spark's."""
    return str(sqlglot.transpile(query, read="duckdb", write="spark")[0])


def _first_line(error: BaseException) -> str:
    """What an error of Spark's says, in a line: the message raised in the query, else the
    first line of the cause (py4j puts the Java exception's own words below its first)."""
    text = str(error)
    raised = text.find("[USER_RAISED_EXCEPTION] ")
    if raised >= 0:
        line = text[raised:].split("] ", 1)[1].splitlines()[0]
    else:
        lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
        line = lines[0] if lines else type(error).__name__
        if line.startswith("An error occurred while calling"):
            causes = [part for part in lines[1:] if "Exception: " in part]
            if causes:
                line = causes[0].split("Exception: ", 1)[1]
    return line.split(" SQLSTATE:")[0][:300]


def _reachable(remote: str) -> None:
    """Refuse a Spark Connect address that does not answer, at once (the client would retry
    for minutes)."""
    parts = urlsplit(remote)
    if parts.scheme != "sc" or not parts.hostname:
        raise RuntimeError(f"--remote {remote}: a Spark Connect address is sc://host:port")
    port = parts.port or 15002
    try:
        socket.create_connection((parts.hostname, port), timeout=5).close()
    except OSError as error:
        raise RuntimeError(
            f"cannot reach Spark Connect at {parts.hostname}:{port}: {error.strerror or error}"
        ) from None


class SparkAudit:
    """Inputs read by Spark and the checks run over them.

    ``master`` is a master URL (default ``local[*]``); ``remote`` a Spark Connect address
    (``sc://host:15002``). A SparkSession already running in this process (a notebook's, a
    test's) is used as it is, and left running by :meth:`close`.
    """

    def __init__(
        self,
        rules: Rules,
        *,
        master: str | None = None,
        remote: str | None = None,
        session: SparkSession | None = None,
    ) -> None:
        if master is not None and remote is not None:
            raise RuntimeError("give --master or --remote, not both")
        self.rules = rules
        self.inputs: list[Input] = []
        self.bad: dict[str, int] = {}
        self._parts: list[DataFrame] = []
        self._cached: list[DataFrame] = []
        self._scratch: str | None = None
        self._owned = False
        try:
            self.spark = session or self._start(master, remote)
        except BaseException:
            self._remove_scratch()
            raise
        if self._owned:  # a command that ends without close() stops its Spark all the same
            atexit.register(self.close)
        self.spark.conf.set("spark.sql.session.timeZone", "UTC")
        self.spark.conf.set("spark.sql.json.enablePartialResults", "true")

    def _start(self, master: str | None, remote: str | None) -> SparkSession:
        try:
            from pyspark.sql import SparkSession
        except ImportError:
            raise RuntimeError(
                "--engine spark needs pyspark (pip install '.[spark]' in the snowsession "
                "folder) and Java 17 or later"
            ) from None
        if remote is not None:
            _reachable(remote)
            try:
                builder = SparkSession.builder.remote(remote)
                self._owned = True
                return builder.getOrCreate()
            except ImportError as error:
                raise RuntimeError(
                    f"--remote needs Spark Connect's client ({error.name or error}): "
                    "pip install 'pyspark[connect]'"
                ) from None
        active = SparkSession.getActiveSession()
        if active is not None and master is None:
            return active
        log4j = os.path.join(self._folder(), "log4j2.properties")
        with open(log4j, "w", encoding="utf-8") as handle:
            handle.write(_LOG4J)
        java = (
            f"-Dlog4j2.configurationFile=file:{log4j} "
            f"-Dderby.system.home={os.path.join(self._folder(), 'derby')}"
        )
        builder = (
            SparkSession.builder.master(master or "local[*]")
            .appName("snowsession sessions")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.warehouse.dir", os.path.join(self._folder(), "warehouse"))
            .config("spark.local.dir", os.path.join(self._folder(), "local"))
            .config("spark.driver.extraJavaOptions", java)
        )
        try:
            spark = builder.getOrCreate()
        except Exception as error:  # no Java, a master that does not answer, …
            raise RuntimeError(f"Spark did not start: {_first_line(error)}") from None
        self._owned = True
        spark.sparkContext.setLogLevel("OFF")
        return spark

    def _folder(self) -> str:
        """A folder of this run's own (Spark's scratch, links), made when first needed."""
        if self._scratch is None:
            self._scratch = tempfile.mkdtemp(prefix="snowsession-spark-")
        return self._scratch

    def _remove_scratch(self) -> None:
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def close(self) -> None:
        """Forget what was cached, stop a Spark this audit started, remove its folder."""
        if self._owned:
            self._owned = False
            atexit.unregister(self.close)
            self.spark.stop()
        else:
            for frame in self._cached:
                frame.unpersist()
        self._cached.clear()
        self._remove_scratch()

    def interrupt(self) -> None:
        """Stop the jobs under way (from another thread); they raise where they run."""
        if hasattr(self.spark, "sparkContext") and not _is_connect(self.spark):
            self.spark.sparkContext.cancelAllJobs()
        else:
            self.spark.interruptAll()

    def _count(self, reason: str, count: int) -> None:
        if count:
            self.bad[reason] = self.bad.get(reason, 0) + count

    def add(self, path: str | os.PathLike[str], warn: Callable[[str], None]) -> Input:
        """Read one input (a file or folder); :class:`InputError` if it is none."""
        source = probe(path)
        capture = len(self.inputs)
        try:
            if source.kind == "log":
                frame = self._log(source, capture, warn)
            elif source.kind == "tsv":
                frame = tsv_frame(self.spark, self._named(source), source.name, capture)
            elif source.kind in ("parquet", "delta"):
                source, frame = self._lake(source, capture)
            else:
                kind, rows, bad = document_rows(source, capture, warn)
                source = Input(kind, source.name, source.files)
                for reason, count in bad.items():
                    self._count(reason, count)
                frame = self.frame_of(rows)
        except InputError:
            raise
        except Exception as error:  # Spark's own kinds, for a file it cannot read
            raise InputError(f"{source.name}: {_first_line(error)}") from None
        self.inputs.append(source)
        self._parts.append(frame)
        return source

    def frame_of(self, rows: Sequence[Row]) -> DataFrame:
        """Rows of ``events`` made in Python, as a DataFrame."""
        return self.spark.createDataFrame(list(rows), schema=_SCHEMA)

    def _named(self, source: Input) -> list[str]:
        """The files of ``source``, a gzip one under a ``.gz`` name (a link beside none)."""
        if not source.gzip:
            return [os.path.abspath(path) for path in source.files]
        named = []
        for at, path in enumerate(source.files):
            if path.endswith(".gz"):
                named.append(os.path.abspath(path))
                continue
            link = os.path.join(self._folder(), f"input-{len(self.inputs)}-{at}.gz")
            os.symlink(os.path.abspath(path), link)
            named.append(link)
        return named

    def _log(self, source: Input, capture: int, warn: Callable[[str], None]) -> DataFrame:
        lines = log_frame(self.spark, self._named(source)[0], capture).persist()
        self._cached.append(lines)
        counts = {str(row[0]): int(row[1]) for row in lines.groupBy("line_kind").count().collect()}
        for row in lines.where("line_kind = 'bad'").groupBy("bad").count().collect():
            self._count(str(row[0]), int(row[1]))
        self._count("no_session_entity", counts.get("no_entity", 0))
        # Spark gives every line a row, one it cannot read as NULLs (a lone surrogate's
        # escape, which DuckDB refuses and Python reads, Spark's JSON reads itself).
        unreadable = counts.get("unreadable", 0)
        self._count("unreadable_line", unreadable)
        if unreadable:
            warn(
                f"{source.name}: {unreadable} line(s) could not be read and were skipped "
                "(a collector killed mid-write leaves one)"
            )
        columns = [name for name, _ in EVENT_COLUMNS]
        return lines.where("line_kind = 'event'").select(*columns)

    def _lake(self, source: Input, capture: int) -> tuple[Input, DataFrame]:
        files = source.files
        if source.kind == "delta":
            files = delta_files(source.name)
            source = Input("delta", source.name, files)
            if not files:
                return source, self.frame_of([])
        # Absolute: a Spark Connect server or a cluster resolves a relative path in its own
        # working folder, not in the one the command was run from.
        files = tuple(os.path.abspath(path) for path in files)
        frame = self.spark.read.option("mergeSchema", "true").parquet(*files)
        names = {field.name: field.dataType for field in frame.schema.fields}
        entity = names.get(ENTITY_COLUMN)
        if entity is None or not entity.simpleString().startswith("array<struct<"):
            raise InputError(
                f"{source.name} has no column {ENTITY_COLUMN} (an array of client_session "
                "structs): not a lake table of Snowplow events"
            )
        return source, lake_frame(frame, capture)

    def run(self, progress: Callable[[float], None] | None = None) -> SparkResult:
        """Run the checks: every session and every finding, checkpointed on Spark."""
        events = self._parts[0] if self._parts else self.frame_of([])
        for frame in self._parts[1:]:
            events = events.unionByName(frame)
        events.createOrReplaceTempView("events")
        kept = {}
        try:
            with _watch(self.spark, progress):
                # Each part checkpointed: the parts after read it, some more than once.
                for name, _ in STAGES:
                    kept[name] = self.spark.sql(
                        spark_sql(stage_query(self.rules, CTES, name))
                    ).localCheckpoint()
                    kept[name].createOrReplaceTempView(name)
        except Exception as error:  # an input Spark could not read whole, a TSV line, …
            if type(error).__name__ in ("KeyboardInterrupt", "SystemExit"):
                raise
            raise InputError(_first_line(error)) from None
        return SparkResult(
            self.spark, kept["timed"], kept["findings"], dict(self.bad), tuple(self.inputs)
        )


def _is_connect(spark: Any) -> bool:
    return type(spark).__module__.startswith("pyspark.sql.connect")


class _watch:
    """Reports the share of tasks done in Spark's jobs under way, from a thread of its own
    (Spark's status tracker; none over Spark Connect)."""

    def __init__(self, spark: SparkSession, progress: Callable[[float], None] | None) -> None:
        self.progress = None if _is_connect(spark) else progress
        self.tracker = spark.sparkContext.statusTracker() if self.progress else None
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None

    def __enter__(self) -> None:
        if self.progress is not None:
            self.thread = threading.Thread(target=self._poll, daemon=True)
            self.thread.start()

    def _poll(self) -> None:
        assert self.progress is not None and self.tracker is not None
        while not self.stop.wait(0.5):
            done = total = 0
            try:
                for stage in self.tracker.getActiveStageIds():
                    info = self.tracker.getStageInfo(stage)
                    if info is not None:
                        done += info.numCompletedTasks
                        total += info.numTasks
            except Exception:  # the context stopping under the poll
                return
            if total:
                self.progress(100.0 * done / total)

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join()
