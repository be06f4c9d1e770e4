"""A log read in parts, by two processes: the same report as one read, whatever the split, and
nothing lost when the other process cannot help (the file replaced, the process killed)."""

from __future__ import annotations

import errno
import io
import multiprocessing
import multiprocessing.connection
import multiprocessing.context
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from session.cli import main
from session.trackers import capture, logparts
from session.trackers.analysis import Analysis
from session.trackers.capture import read_capture
from session.trackers.chain import Timeouts
from session.trackers.logfile import iter_lines
from session.trackers.output import write_junit

from . import varied_log
from .test_report_outputs import EXPECTED

TIMEOUTS = Timeouts(600, 300, 15)


def _report(path: Path, parallel: bool) -> tuple[dict[str, Any], list[str], str, int]:
    analysis = Analysis(TIMEOUTS)
    warnings: list[str] = []
    kind, events = read_capture(path, analysis, 0, warnings.append, parallel=parallel)
    report = analysis.report((str(path),))
    assert kind == "log"
    junit = io.StringIO()
    write_junit(report, [str(path)], junit)
    return report.to_dict(), warnings, junit.getvalue(), events


@pytest.fixture
def log(tmp_path: Path) -> Path:
    return varied_log.write(tmp_path / "varied.ndjson", seed=2, crowd=200)


@pytest.fixture
def every_part_elsewhere(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """Split any log, however small; the list says, part by part, whether the other process
    read it."""
    monkeypatch.setattr(logparts, "PARALLEL_BYTES", 1)
    monkeypatch.setattr(logparts, "_cores", lambda: 2)
    before = set(multiprocessing.active_children())
    read_elsewhere: list[bool] = []
    next_part = logparts._Helper.next

    def noted(helper: logparts._Helper) -> logparts.LogPart | None:
        part = next_part(helper)
        read_elsewhere.append(part is not None)
        return part

    monkeypatch.setattr(logparts._Helper, "next", noted)
    yield read_elsewhere
    assert set(multiprocessing.active_children()) <= before  # the other process is gone


@pytest.mark.parametrize("output", ["table", "json"])
def test_read_by_two_processes_the_varied_log_reports_as_recorded(
    output: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    every_part_elsewhere: list[bool],
) -> None:
    monkeypatch.chdir(tmp_path)
    varied_log.write(tmp_path / "varied.ndjson", seed=0, crowd=300)
    varied_log.write(tmp_path / "more.ndjson", seed=1, crowd=100)
    argv = ["sessions", "varied.ndjson", "more.ndjson", *varied_log.OPTIONS, "--junit", "j.xml"]
    assert main([*argv, "--format", output]) == 1
    out, err = capsys.readouterr()
    assert out.encode() == (EXPECTED / f"varied.{output}").read_bytes()
    assert err.encode() == (EXPECTED / "varied.stderr").read_bytes()
    assert (tmp_path / "j.xml").read_bytes() == (EXPECTED / "varied.junit.xml").read_bytes()
    assert every_part_elsewhere == [True] * 2 * logparts.PARTS


def _line_starts(path: Path) -> list[int]:
    data = path.read_bytes()
    return [0] + [i + 1 for i, byte in enumerate(data[:-1]) if byte == ord("\n")]


class _Thread(threading.Thread):
    """The other process, as a thread of this one: any number of splits, quickly."""

    def __init__(self, target: Any, args: tuple[Any, ...], daemon: bool) -> None:
        sender, *rest = args  # its own end of the pipe, as a process has: this one closes its
        own = multiprocessing.connection.Connection(os.dup(sender.fileno()), readable=False)
        super().__init__(target=logparts._read_elsewhere, args=(own, *rest), daemon=daemon)
        self.pid = 0

    def terminate(self) -> None:
        pass


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_split_at_line_starts_gives_the_same_report(
    data: st.DataObject, log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(capture, "MAX_LINE_BYTES", 700)  # the two longest lines are over it
    whole = _report(log, parallel=False)
    assert whole[0]["bad"]["unreadable_line"] == 17 + 2
    starts = _line_starts(log)
    chosen = sorted(set(data.draw(st.lists(st.sampled_from(starts[1:]), min_size=1, max_size=8))))
    bounds = [0, *chosen]
    parts = [(a, b - a) for a, b in pairwise(bounds)] + [(bounds[-1], None)]
    with monkeypatch.context() as patch:
        patch.setattr(logparts, "_cores", lambda: 2)
        patch.setattr(logparts, "_parts", lambda fd: parts)
        patch.setattr(multiprocessing.context.SpawnContext, "Process", _Thread)
        assert _report(log, parallel=True) == whole


def test_the_split_points_are_line_starts_and_cover_the_log(
    log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logparts, "PARALLEL_BYTES", 1)
    fd = os.open(log, os.O_RDONLY)
    try:
        parts = logparts._parts(fd)
    finally:
        os.close(fd)
    starts = set(_line_starts(log))
    assert len(parts) == logparts.PARTS + 1 and parts[0][0] == 0 and parts[-1][1] is None
    for (start, size), (after, _) in pairwise(parts):
        assert start in starts and size is not None and start + size == after
    monkeypatch.setattr(logparts, "PARALLEL_BYTES", log.stat().st_size + 1)
    with log.open("rb") as handle:
        assert logparts._parts(handle.fileno()) == []  # small: one part


def test_a_log_replaced_before_the_other_process_opens_it_is_read_here(
    log: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, every_part_elsewhere: list[bool]
) -> None:
    whole = _report(log, parallel=False)
    parts = logparts._parts

    def then_replaced(fd: int) -> list[tuple[int, int | None]]:
        found = parts(fd)
        other = varied_log.write(tmp_path / "other.ndjson", seed=5, crowd=50)
        os.replace(other, log)  # a log rotated while it is read: this one keeps its file
        return found

    monkeypatch.setattr(logparts, "_parts", then_replaced)
    assert _report(log, parallel=True) == whole
    assert every_part_elsewhere == [False] * logparts.PARTS


def test_when_the_other_process_is_killed_its_parts_are_read_here(
    log: Path, monkeypatch: pytest.MonkeyPatch, every_part_elsewhere: list[bool]
) -> None:
    whole = _report(log, parallel=False)
    read_part = logparts.read_part
    others = set(multiprocessing.active_children())

    def then_killed(*args: Any, **kwargs: Any) -> logparts.LogPart:
        part = read_part(*args, **kwargs)
        for helper in set(multiprocessing.active_children()) - others:
            assert helper.pid is not None
            os.kill(helper.pid, signal.SIGKILL)
            helper.join(10)
            killed.append(helper.exitcode)
        return part

    killed: list[int | None] = []
    monkeypatch.setattr(logparts, "read_part", then_killed)  # after this process's first part
    assert _report(log, parallel=True) == whole
    assert killed == [-signal.SIGKILL] and not all(every_part_elsewhere)


@pytest.mark.parametrize(
    "refusal",
    [
        OSError(errno.EAGAIN, "Resource temporarily unavailable"),
        RuntimeError("a new process before the current one has finished its bootstrapping"),
    ],
)
def test_with_no_process_to_be_had_every_part_is_read_here(
    refusal: Exception,
    log: Path,
    monkeypatch: pytest.MonkeyPatch,
    every_part_elsewhere: list[bool],
) -> None:
    whole = _report(log, parallel=False)

    def no_process(self: Any) -> None:
        raise refusal

    monkeypatch.setattr(multiprocessing.context.SpawnProcess, "start", no_process)
    assert _report(log, parallel=True) == whole
    assert every_part_elsewhere == [False] * logparts.PARTS


def test_without_pread_a_log_is_one_part(log: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logparts, "PARALLEL_BYTES", 1)
    monkeypatch.delattr(os, "pread")
    with log.open("rb") as handle:
        assert logparts._parts(handle.fileno()) == []


def test_lines_of_a_part_stop_at_its_size(tmp_path: Path) -> None:
    path = tmp_path / "lines"
    path.write_bytes(b"one\n" + b"x" * 50 + b"\nthree\nfour")
    with path.open("rb") as handle:
        assert list(iter_lines(handle, 10, 4 + 51)) == [(1, b"one\n"), (2, None)]
        assert list(iter_lines(handle, 10)) == [(1, b"three\n"), (2, b"four")]


_STOPPED_WHILE_READING = """
import multiprocessing, os, signal, sys
from session.cli import main
from session.trackers import capture, logparts
logparts.PARALLEL_BYTES, logparts.PARTS = 1, 2
read_part = logparts.read_part
def stopped(*args, **kwargs):
    (helper,) = [child.pid for child in multiprocessing.active_children()]
    print(helper, flush=True)
    os.kill(os.getpid(), signal.SIGSTOP)  # the other process fills the pipe and waits
    return read_part(*args, **kwargs)
logparts.read_part = stopped
sys.exit(main(["sessions", sys.argv[1]]))
"""


def test_the_other_process_ends_when_the_first_is_killed(tmp_path: Path) -> None:
    log = varied_log.write(tmp_path / "big.ndjson", seed=3, crowd=6000)
    first = subprocess.Popen(
        [sys.executable, "-c", _STOPPED_WHILE_READING, str(log)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    try:
        helper = int(first.stdout.readline())  # type: ignore[union-attr]
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
        for _ in range(100):
            try:
                os.kill(helper, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            os.kill(helper, signal.SIGKILL)
            pytest.fail("the other process went on alone")
    finally:
        first.kill()
        first.communicate()
