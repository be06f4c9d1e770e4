"""The checks run by DuckDB, embedded: the default engine, for a capture and for a lake.

Inputs become one relation, ``events``: a lake (Parquet files, a Delta table) and enriched
TSV are views DuckDB scans where they lie; the collector's log is read once into a table
(its bad and unreadable lines are counted on the way); HAR, Micro JSON and save files are
read in Python and handed over as Arrow columns. :meth:`DuckAudit.run` then keeps two small
tables, every session and every finding, and answers everything else from them.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import duckdb
import pyarrow as pa

from .checks import DUCKDB_CTES, DUCKDB_MACROS, STAGES, checks, stage_query
from .columns import EVENT_COLUMNS
from .inputs import Input, InputError, Rescued, document_rows, probe, rescue_lines
from .readers import ENTITY_COLUMN, log_select, parquet_select, sql_list, tsv_select
from .result import Result
from .rows import Row
from .rules import Rules

__all__ = ["DuckAudit", "delta_files", "rows_table"]

_SCHEMA = pa.schema(
    [
        (name, {"VARCHAR": pa.string(), "BIGINT": pa.int64(), "INTEGER": pa.int32()}[kind])
        for name, kind in EVENT_COLUMNS
    ]
)


def rows_table(rows: Sequence[Row]) -> pa.Table:
    """Rows of ``events`` as an Arrow table, column by column."""
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(EVENT_COLUMNS)
    return pa.table(
        [
            pa.array(list(values), type=kind.type)
            for values, kind in zip(columns, _SCHEMA, strict=True)
        ],
        schema=_SCHEMA,
    )


class DuckAudit:
    """Inputs read by DuckDB and the checks run over them.

    ``threads`` and ``memory_limit`` bound DuckDB (defaults: every core, 80% of memory);
    what does not fit in memory goes to ``temp_directory`` (default: a folder of its own in
    the system's temporary folder, removed on :meth:`close`).
    """

    def __init__(
        self,
        rules: Rules,
        *,
        threads: int | None = None,
        memory_limit: str | None = None,
        temp_directory: str | None = None,
    ) -> None:
        config: dict[str, str | bool | int | float | list[str]] = {}
        if threads is not None:
            config["threads"] = threads
        if memory_limit is not None:
            config["memory_limit"] = memory_limit
        if temp_directory is None:
            temp_directory = tempfile.mkdtemp(prefix="snowsession-")
            self._spill: weakref.finalize[Any, Any] | None = weakref.finalize(
                self, shutil.rmtree, temp_directory, ignore_errors=True
            )
        else:
            self._spill = None
        config["temp_directory"] = temp_directory
        self.rules = rules
        self.con = duckdb.connect(":memory:", config=config)
        # Progress is tracked (for run(progress)) but never printed on the caller's stdout.
        self.con.execute("SET enable_progress_bar = true")
        self.con.execute("SET enable_progress_bar_print = false")
        for macro in DUCKDB_MACROS:
            self.con.execute(macro)
        self.inputs: list[Input] = []
        self.bad: dict[str, int] = {}
        self._parts: list[str] = []
        self._scanned = False
        """Whether an input is a view DuckDB scans where it lies (a lake), not a table."""

    def close(self) -> None:
        self.con.close()
        if self._spill is not None:
            self._spill()

    def interrupt(self) -> None:
        """Stop the query under way (from another thread); it raises where it runs."""
        self.con.interrupt()

    def _count(self, reason: str, count: int) -> None:
        if count:
            self.bad[reason] = self.bad.get(reason, 0) + count

    def add(self, path: str | os.PathLike[str], warn: Callable[[str], None]) -> Input:
        """Read one input (a file or folder); :class:`InputError` if it is none."""
        source = probe(path)
        capture = len(self.inputs)
        name = f"input_{capture}"
        try:
            if source.kind == "log":
                self._log(source, name, capture, warn)
            elif source.kind == "tsv":
                self._tsv(source, name, capture)
            elif source.kind in ("parquet", "delta"):
                source = self._lake(source, name, capture)
                self._scanned = True
            else:
                kind, rows, bad = document_rows(source, capture, warn)
                source = Input(kind, source.name, source.files)
                for reason, count in bad.items():
                    self._count(reason, count)
                self.add_rows(name, rows)
        except duckdb.OutOfMemoryException:
            raise  # not the input's fault: the command says what to do
        except duckdb.Error as error:
            raise InputError(f"{source.name}: {_first_line(error)}") from None
        self.inputs.append(source)
        self._parts.append(name)
        return source

    def include(self, name: str) -> None:
        """Check the rows of the table or view ``name`` too (a live collector's table)."""
        self._parts.append(name)

    def add_rows(self, name: str, rows: Sequence[Row]) -> None:
        r"""A table ``name`` of rows made in Python (not checked until :meth:`include`\ d)."""
        table = rows_table(rows)
        self.con.register("rows_arrow", table)
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM rows_arrow")
        self.con.unregister("rows_arrow")

    def _log(self, source: Input, name: str, capture: int, warn: Callable[[str], None]) -> None:
        self.con.execute(f"CREATE TEMP TABLE {name}_lines AS {log_select(source.name, capture)}")
        counts = dict(
            self.con.execute(f"SELECT line_kind, count(*) FROM {name}_lines GROUP BY 1").fetchall()
        )
        for reason, count in self.con.execute(
            f"SELECT bad, count(*) FROM {name}_lines WHERE line_kind = 'bad' GROUP BY 1"
        ).fetchall():
            self._count(str(reason), int(count))
        self._count("no_session_entity", int(counts.get("no_entity", 0)))
        # DuckDB gives a line it cannot read as a row of NULLs; those that JSON allows (a
        # lone surrogate a tracker sent) are read here instead.
        unreadable = int(counts.get("unreadable", 0))
        own = rescue_lines(source, capture) if unreadable else Rescued(0, [], {})
        for reason, count in own.bad.items():
            self._count(reason, count)
        unreadable -= own.lines
        self._count("unreadable_line", unreadable)
        if unreadable:
            warn(
                f"{source.name}: {unreadable} line(s) could not be read and were skipped "
                "(a collector killed mid-write leaves one)"
            )
        self.add_rows(f"{name}_rescued", own.rows)
        columns = ", ".join(column for column, _ in EVENT_COLUMNS)
        self.con.execute(
            f"CREATE TEMP VIEW {name} AS SELECT {columns} FROM {name}_lines "
            f"WHERE line_kind = 'event' UNION ALL SELECT * FROM {name}_rescued"
        )

    def _tsv(self, source: Input, name: str, capture: int) -> None:
        # Parsed once into DuckDB's columns (spilled to disk if need be): the checks read
        # their events more than once, and 131 text fields with JSON in one are slow to parse.
        self.con.execute(f"CREATE TEMP TABLE {name} AS {tsv_select(source.files, capture)}")

    def _lake(self, source: Input, name: str, capture: int) -> Input:
        files = source.files
        if source.kind == "delta":
            files = delta_files(source.name)
            source = Input("delta", source.name, files)
            if not files:
                self.add_rows(name, [])
                return source
        described = self.con.execute(
            "DESCRIBE SELECT * FROM read_parquet($files, union_by_name = true, "
            "hive_partitioning = false)",
            {"files": list(files)},
        ).fetchall()
        columns = {str(row[0]): str(row[1]) for row in described}
        entity = columns.get(ENTITY_COLUMN)
        if entity is None or not entity.startswith("STRUCT(") or not entity.endswith("[]"):
            raise InputError(
                f"{source.name} has no column {ENTITY_COLUMN} (an array of client_session "
                "structs): not a lake table of Snowplow events"
            )
        self.con.execute(
            f"CREATE TEMP VIEW {name}_probe AS SELECT {ENTITY_COLUMN}[1] AS entity "
            f"FROM read_parquet({sql_list(list(files[:1]))}) LIMIT 0"
        )
        for field, kind, *_ in self.con.execute(
            f"DESCRIBE SELECT entity.* FROM {name}_probe"
        ).fetchall():
            columns[f"entity.{field}"] = str(kind)
        self.con.execute(f"CREATE TEMP VIEW {name} AS {parquet_select(files, columns, capture)}")
        return source

    def run(self, progress: Callable[[float], None] | None = None) -> Result:
        """Run the checks: every session and every finding, kept for the result."""
        if not self._parts:
            self.add_rows("input_none", [])
            self._parts.append("input_none")
        union = " UNION ALL ".join(f"SELECT * FROM {part}" for part in self._parts)
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW events AS {union}")
        ev, *steps = DUCKDB_CTES
        with _watch(self.con, progress), _as_input_errors():
            # The events as a view or a table, not a step (DuckDB would keep a step read more
            # than once whole): a lake's read where they lie each time; when every input is a
            # table already, judged once into one.
            kind = "VIEW" if self._scanned else "TABLE"
            self.con.execute(
                f"CREATE OR REPLACE TEMP {kind} ev AS "
                + checks(self.rules, [ev])
                + "\nSELECT * FROM ev"
            )
            # Each part kept as a table: the parts after read it, some more than once.
            for name, _ in STAGES:
                self.con.execute(
                    f"CREATE OR REPLACE TEMP TABLE {name} AS "
                    + stage_query(self.rules, steps, name)
                )
            for name in ("pass", "fast"):
                self.con.execute(f"DROP TABLE {name}")
        return Result(self.con, dict(self.bad), tuple(self.inputs))


@contextmanager
def _as_input_errors() -> Iterator[None]:
    """DuckDB's errors while it reads (a TSV line with too few fields, a Parquet file cut
    short) as one line for people; an interrupt stays an interrupt."""
    try:
        yield
    except (duckdb.InterruptException, duckdb.OutOfMemoryException):
        raise
    except duckdb.Error as error:
        raise InputError(_first_line(error)) from None


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:300] if text else type(error).__name__


def delta_files(path: str) -> tuple[str, ...]:
    """The live Parquet files of the Delta table at ``path``, listed by delta-rs."""
    try:
        from deltalake import DeltaTable
    except ImportError:
        raise InputError(
            f"{path} is a Delta table: reading one needs the delta extra "
            "(pip install '.[delta]' in the snowsession folder)"
        ) from None
    try:
        table = DeltaTable(path)
        uris = table.file_uris()
    except Exception as error:  # delta-rs raises its own kinds for every broken table
        raise InputError(f"{path} is not a readable Delta table: {_first_line(error)}") from None
    return tuple(uri.removeprefix("file://") for uri in uris)


class _watch:
    """Reports DuckDB's progress on a query, from a thread of its own, while it runs."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, progress: Callable[[float], None] | None
    ) -> None:
        self.con = con
        self.progress = progress
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None

    def __enter__(self) -> None:
        if self.progress is not None:
            self.thread = threading.Thread(target=self._poll, daemon=True)
            self.thread.start()

    def _poll(self) -> None:
        assert self.progress is not None
        while not self.stop.wait(0.2):
            try:
                done = self.con.query_progress()
            except duckdb.Error:
                continue
            if done >= 0:
                self.progress(float(done))

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join()
