"""``--engine spark --remote sc://…``: a real Spark Connect server, started here from pyspark's
own distribution as a child process, gives the findings DuckDB gives, for inputs named by
relative paths from another folder than the server's.

The command runs in a process of its own, as a person would run it, so the Spark Connect client
never meets the classic SparkContext other test modules start in this one.
"""

from __future__ import annotations

import csv
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from audit.planted_layouts import planted, write_log, write_parquet

TIMEOUTS = ("--foreground-timeout", "600", "--background-timeout", "300")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def connect(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import pyspark

    home = Path(pyspark.__file__).parent
    port = _free_port()
    folder = tmp_path_factory.mktemp("spark-connect")
    env = {**os.environ, "SPARK_HOME": str(home), "SPARK_LOCAL_IP": "127.0.0.1"}
    log = (folder / "server.log").open("w")
    server = subprocess.Popen(
        [
            str(home / "bin" / "spark-submit"),
            "--class",
            "org.apache.spark.sql.connect.service.SparkConnectServer",
            "--master",
            "local[2]",
            "--conf",
            f"spark.connect.grpc.binding.port={port}",
            "--conf",
            "spark.ui.enabled=false",
            "--conf",
            "spark.sql.shuffle.partitions=2",
        ],
        cwd=folder,  # the server's own working folder: not where the inputs are named from
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not _answers(port):
            assert server.poll() is None, (folder / "server.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "Spark Connect did not listen within 120 s"
            time.sleep(0.5)
        yield f"sc://127.0.0.1:{port}"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()
    assert not _answers(port)


def _findings(folder: Path, *argv: str) -> list[tuple[str, ...]]:
    """Run ``snowsession sessions`` in ``folder``; the findings it wrote, sorted."""
    done = subprocess.run(
        [sys.executable, "-m", "session.cli", "sessions", *argv, *TIMEOUTS],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    assert "--findings-out" in argv
    written = Path(folder / argv[argv.index("--findings-out") + 1])
    with written.open(newline="") as handle:
        rows = [tuple(row.values()) for row in csv.DictReader(handle)]
    return sorted(rows)


@pytest.mark.parametrize("layout", ["parquet", "log"])
def test_spark_connect_finds_what_duckdb_finds(connect: str, tmp_path: Path, layout: str) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    if layout == "parquet":
        write_parquet(planted(), inputs / "events.parquet")
        name = "inputs/events.parquet"
    else:
        write_log(planted(), inputs / "events.ndjson")
        name = "inputs/events.ndjson"
    duck = _findings(tmp_path, name, "--findings-out", "duck.csv")
    spark = _findings(
        tmp_path, name, "--engine", "spark", "--remote", connect, "--findings-out", "spark.csv"
    )
    assert duck, "the planted data holds findings"
    assert spark == duck
