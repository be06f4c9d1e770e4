"""The ``snowsession`` command line: simulate, check, examples, inspect; exit codes, errors."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import session.cli as cli
import session.cli.commands as cli_commands
import session.cli.scenarios as cli_scenarios
from session import ClientSession, VirtualClock, read_save_file
from session.scenario import example_scenarios, load_scenario
from session.scenario.parse import MAX_SCENARIO_BYTES
from session.scenario.run import ScenarioRun

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "resources" / "scenarios").glob("*.toml"))
DATA = Path(__file__).parent / "data"

PASSING = """\
[session]
foreground_timeout = 60

[[step]]
at = 0
do = "event"

[[step]]
at = 90
do = "expect"
session_index = 2
"""


def run_unprivileged(*argv: str) -> subprocess.CompletedProcess[str]:
    """The command line in a child without privileges (a user namespace of its own, mapped to a
    plain user), where file permissions apply as to anyone: root would read a mode-0 file."""
    unprivileged = ["unshare", "--user", "--map-user=1000", "--map-group=1000"]
    return subprocess.run(
        [*unprivileged, sys.executable, "-m", "session.cli", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    path = tmp_path / "s.toml"
    path.write_text(PASSING, encoding="utf-8")
    return path


# ------------------------------------------------------------------ the shipped examples


def test_the_examples_are_all_there() -> None:
    names = {path.stem for path in SHIPPED}
    assert names == {
        "dotnet-timing-test",
        "idle-foreground",
        "background-short",
        "background-long",
        "check-interval-slack",
        "restarts",
    }


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_example_runs_green(path: Path, tmp_path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.description
    run = ScenarioRun(scenario, tmp_path / "s.xml").run()
    assert run.expectations, "an example must check something"
    assert run.passed, [f.message for f in run.failures]


def test_the_packaged_examples_are_the_resources_folder() -> None:
    packaged = example_scenarios()
    assert sorted(packaged) == sorted(path.stem for path in SHIPPED)
    for path in SHIPPED:
        assert packaged[path.stem].samefile(path), "one copy: resources/scenarios/"


def test_examples_lists_them(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_cli(capsys, "examples")
    assert status == 0
    assert out.splitlines()[0].startswith("background-long ")
    assert len(out.splitlines()) == len(SHIPPED)


def test_an_example_runs_by_name(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_cli(capsys, "simulate", "dotnet-timing-test")
    assert (status, err) == (0, "")
    assert "expectations: 8 held, 0 failed" in out


# ------------------------------------------------------------------ simulate


def test_simulate_passes(capsys: pytest.CaptureFixture[str], scenario: Path) -> None:
    status, out, err = run_cli(capsys, "simulate", str(scenario))
    assert (status, err) == (0, "")
    assert "new session" in out and "expectations: 1 held, 0 failed" in out


def test_simulate_lists_each_failed_expectation(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "f.toml"
    path.write_text(
        PASSING.replace("session_index = 2", "session_index = 3\nchecking = false"),
        encoding="utf-8",
    )
    status, out, err = run_cli(capsys, "simulate", str(path))
    assert status == 1
    assert err.splitlines() == [
        "snowsession: expectation failed: line 8 at 00:01:30: session_index expected 3, got 2",
        "snowsession: expectation failed: line 8 at 00:01:30: checking expected false, got true",
    ]
    assert out.count("EXPECT FAILED") == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[step]]\nat = 0\ndo = "fly"\n', ":3: unknown action 'fly'"),
        ("[[step]\n", ":1: not valid TOML"),
        ('[session]\npolicy = "nope"\n', ":2: unknown session policy 'nope'"),
    ],
)
def test_a_bad_scenario_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    status, out, err = run_cli(capsys, "simulate", str(path))
    assert (status, out) == (2, "")
    assert err.startswith(f"snowsession: {path}{message}") and err.count("\n") == 1


def test_missing_and_unreadable_scenarios(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, _, err = run_cli(capsys, "simulate", str(tmp_path / "none.toml"))
    assert status == 2 and err.startswith(f"snowsession: no scenario file {tmp_path}")
    assert err.count("\n") == 1
    status, _, err = run_cli(capsys, "simulate", str(tmp_path))
    assert status == 2 and err == f"snowsession: {tmp_path} is a folder, not a scenario file\n"
    unreadable = tmp_path / "mine.toml"
    unreadable.write_text("")
    unreadable.chmod(0)
    done = run_unprivileged("simulate", str(unreadable))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == f"snowsession: cannot read the scenario {unreadable}: Permission denied\n"
    status, _, err = run_cli(capsys, "check", str(tmp_path / "none.toml"))
    assert status == 2


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_formats_to_a_file(
    capsys: pytest.CaptureFixture[str], scenario: Path, tmp_path: Path, fmt: str
) -> None:
    out_file = tmp_path / f"timeline.{fmt}"
    status, out, _ = run_cli(
        capsys, "simulate", str(scenario), "--format", fmt, "--out", str(out_file)
    )
    assert (status, out) == (0, "")
    text = out_file.read_text(encoding="utf-8")
    if fmt == "json":
        document = json.loads(text)
        assert document["passed"] is True
        assert [s["session_index"] for s in document["runs"][0]["sessions"]] == [1, 2]
    else:
        rows = list(csv.DictReader(io.StringIO(text)))
        assert [r["session_index"] for r in rows if r["kind"] == "session"] == ["1", "2"]
        assert [r["result"] for r in rows if r["kind"] == "expect"] == ["pass"]


def test_out_to_a_folder_that_does_not_exist(
    capsys: pytest.CaptureFixture[str], scenario: Path, tmp_path: Path
) -> None:
    status, _, err = run_cli(
        capsys, "simulate", str(scenario), "--out", str(tmp_path / "no" / "such" / "t.txt")
    )
    assert status == 2 and err.startswith("snowsession: cannot write")


def test_save_path_and_seed(
    capsys: pytest.CaptureFixture[str], scenario: Path, tmp_path: Path
) -> None:
    save = tmp_path / "kept" / "session.xml"
    outputs = []
    for _ in range(2):
        save.unlink(missing_ok=True)
        status, out, _ = run_cli(
            capsys,
            "simulate",
            str(scenario),
            "--save-path",
            str(save),
            "--seed",
            "7",
            "--format",
            "json",
        )
        assert status == 0
        outputs.append(json.loads(out)["runs"][0]["sessions"])
    assert outputs[0] == outputs[1]  # the same ids from the same seed
    saved = read_save_file(save).saved
    assert saved is not None and saved.session_index == 2
    assert saved.session_id == outputs[0][-1]["session_id"]


def test_a_save_file_in_use_is_an_error(
    capsys: pytest.CaptureFixture[str], scenario: Path, tmp_path: Path
) -> None:
    save = tmp_path / "session.xml"
    with ClientSession(save, clock=VirtualClock()):
        status, _, err = run_cli(capsys, "simulate", str(scenario), "--save-path", str(save))
    assert status == 2 and "in use by another session" in err and err.count("\n") == 1


def test_a_save_path_that_cannot_be_written_is_an_error(
    capsys: pytest.CaptureFixture[str], scenario: Path, tmp_path: Path
) -> None:
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    save = tmp_path / "a-file" / "session.xml"
    status, out, err = run_cli(capsys, "simulate", str(scenario), "--save-path", str(save))
    assert (status, out) == (2, "")
    assert err.startswith(f"snowsession: cannot save {save}: ") and err.count("\n") == 1
    assert err.endswith("(a simulation needs a save file it can write)\n")


def test_a_damaged_save_file_is_set_aside_and_the_run_goes_on(
    capsys: pytest.CaptureFixture[str], scenario: Path, tmp_path: Path
) -> None:
    save = tmp_path / "session.xml"
    save.write_bytes((DATA / "dotnet-later-save.xml").read_bytes()[:300])
    status, out, err = run_cli(capsys, "simulate", str(scenario), "--save-path", str(save))
    assert (status, err) == (0, "")
    assert "storage" in out and "cannot be used as it stands" in out
    assert len(list(tmp_path.glob("session.xml.corrupt-*"))) == 1


def test_policies(
    capsys: pytest.CaptureFixture[str],
    scenario: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    status, _, err = run_cli(capsys, "simulate", str(scenario), "--policy", "android")
    assert status == 2 and err.startswith("snowsession: unknown session policy 'android'")

    status, out, err = run_cli(
        capsys,
        "simulate",
        "idle-foreground",
        "--policy",
        "both",
        "--save-path",
        str(tmp_path / "s.xml"),
        "--format",
        "json",
    )
    assert (status, err) == (0, "")
    runs = json.loads(out)["runs"]
    assert [r["policy"] for r in runs] == ["dotnet", "mobile"]
    assert [r["summary"]["sessions"] for r in runs] == [7, 1]
    assert (tmp_path / "s.dotnet.xml").exists() and (tmp_path / "s.mobile.xml").exists()

    real = cli_scenarios.make_policy

    def without_mobile(name: str) -> object:
        if name == "mobile":
            raise ValueError("unknown session policy 'mobile'")
        return real(name)

    monkeypatch.setattr(cli_scenarios, "make_policy", without_mobile)
    status, out, err = run_cli(capsys, "simulate", str(scenario), "--policy", "both")
    assert (status, out) == (2, "")
    assert err == (
        "snowsession: --policy both runs the dotnet and mobile policies side by "
        "side, but this version has no 'mobile' policy\n"
    )


def test_check(capsys: pytest.CaptureFixture[str], scenario: Path) -> None:
    status, out, _ = run_cli(capsys, "check", str(scenario))
    assert status == 0 and out == f"{scenario}: 2 steps, 2 step runs, ends at 00:01:30\n"


# ------------------------------------------------------------------ inspect


@pytest.mark.parametrize("name", ["dotnet-first-save.xml", "dotnet-later-save.xml"])
def test_inspect_dotnet_files(
    capsys: pytest.CaptureFixture[str], name: str, tmp_path: Path
) -> None:
    path = tmp_path / name
    shutil.copy(DATA / name, path)
    before = path.read_bytes()
    status, out, err = run_cli(capsys, "inspect", str(path))
    assert (status, err) == (0, "")
    assert f"index       {1 if 'first' in name else 2}\n" in out
    assert "user id     0f8fad5b-d9cb-469f-a165-70867728950e" in out
    assert ".NET app    reads it" in out and "this engine uses it as it stands" in out
    assert "problems    none" in out
    status, out, _ = run_cli(capsys, "inspect", "--json", str(path))
    report = json.loads(out)
    assert report["dotnet_reads"] is True and report["dotnet_crashes"] is False
    assert report["entries"]["storageMechanism"] == {"type": "string", "value": "LOCAL_STORAGE"}
    assert path.read_bytes() == before and not Path(f"{path}.lock").exists()


def test_inspect_a_file_net_would_crash_on(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "s.xml"
    path.write_bytes(
        (DATA / "dotnet-first-save.xml")
        .read_bytes()
        .replace(
            b'i:type="a:int" xmlns:a="http://www.w3.org/2001/XMLSchema">1<',
            b'i:type="a:long" xmlns:a="http://www.w3.org/2001/XMLSchema">1<',
        )
    )
    status, out, _ = run_cli(capsys, "inspect", "--json", str(path))
    report = json.loads(out)
    assert status == 1 and report["dotnet_crashes"] is True and report["usable"] is False
    assert "crashes" in report["dotnet"]
    assert any("sessionIndex" in p["message"] for p in report["problems"])


def test_inspect_a_file_net_refuses(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "s.xml"
    path.write_bytes((DATA / "dotnet-first-save.xml").read_bytes()[:300])
    status, out, err = run_cli(capsys, "inspect", str(path))
    assert (status, err) == (1, "")
    assert ".NET app    refuses it: starts a new user and overwrites the file" in out
    assert "not well-formed XML" in out
    assert "this engine sets it aside as s.xml.corrupt-<time>" in out


def test_inspect_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, out, err = run_cli(capsys, "inspect", str(tmp_path / "none.xml"))
    assert (status, out) == (2, "") and err == f"snowsession: no save file {tmp_path}/none.xml\n"
    status, _, err = run_cli(capsys, "inspect", str(tmp_path))
    assert status == 2 and err == f"snowsession: {tmp_path} is a folder, not a save file\n"
    (tmp_path / "locked.xml").write_bytes(b"")
    (tmp_path / "locked.xml").chmod(0)
    done = run_unprivileged("inspect", str(tmp_path / "locked.xml"))
    assert done.returncode == 2
    assert done.stderr == f"snowsession: cannot read {tmp_path}/locked.xml: Permission denied\n"
    status, out, err = run_cli(capsys, "inspect", "/dev/zero")
    assert (status, out) == (
        2,
        "",
    ) and err == "snowsession: /dev/zero is a character device, not a save file\n"
    (tmp_path / "notes.txt").write_text("a shopping list\n")
    status, out, err = run_cli(capsys, "inspect", str(tmp_path / "notes.txt"))
    assert status == 1 and err == "" and "does not look like a save file" in out
    assert "never written over" in out


# ------------------------------------------------------------------ no Qt, as a module


def test_the_cli_never_imports_qt(tmp_path: Path, scenario: Path) -> None:
    code = (
        "import sys\n"
        "for name in ('PySide6', 'pyqtgraph', 'shiboken6'):\n"
        "    sys.modules[name] = None  # importing them now fails\n"
        "import runpy\n"
        "sys.argv = ['snowsession', 'simulate', sys.argv[1], '--format', 'json']\n"
        "try:\n"
        "    runpy.run_module('session.cli', run_name='__main__')\n"
        "except SystemExit as exit:\n"
        "    loaded = [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph'))\n"
        "              and sys.modules[m] is not None]\n"
        "    print('QT', loaded, file=sys.stderr)\n"
        "    raise\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(scenario)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["passed"] is True
    assert done.stderr == "QT []\n"


# ------------------------------------------------------------------ manners


def test_alone_it_prints_its_help(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_cli(capsys)
    assert (status, err) == (0, "")
    assert out.startswith("usage: snowsession")
    for command in ("simulate", "check", "examples", "inspect", "watch"):
        assert f"    {command} " in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    with pytest.raises(SystemExit) as exit:
        cli.main(["--version"])
    assert exit.value.code == 0
    assert capsys.readouterr().out == f"snowsession {version('snowsession-tools')}\n"


def test_every_command_has_a_description_and_examples() -> None:
    import argparse

    top = cli_commands.parser()
    commands = next(a for a in top._actions if isinstance(a, argparse._SubParsersAction))
    assert commands.choices
    for name, sub in commands.choices.items():
        text = sub.format_help()
        assert sub.description and len(sub.description) > 40, name
        assert f"examples:\n  snowsession {name}" in text, name
        for action in sub._actions:
            if (action.option_strings and action.dest != "help") or not action.option_strings:
                assert action.help, f"{name} {action.dest} has no help"


def test_examples_are_written_out_and_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "my scenarios"
    status, out, err = run_cli(capsys, "examples", "--write", str(folder))
    assert (status, err) == (0, "")
    written = sorted(folder.glob("*.toml"))
    assert [p.name for p in written] == [p.name for p in SHIPPED]
    assert out.splitlines() == [f"wrote {folder / p.name}" for p in SHIPPED]
    for path in written:
        assert path.read_bytes() == (ROOT / "resources" / "scenarios" / path.name).read_bytes()
    status, out, err = run_cli(capsys, "simulate", str(written[0]))
    assert (status, err) == (0, "")

    (folder / "restarts.toml").write_text("# mine\n")
    status, out, err = run_cli(capsys, "examples", "--write", str(folder))
    assert (status, out) == (2, "")
    assert err.startswith(f"snowsession: {folder} already has ") and "nothing was written" in err
    assert (folder / "restarts.toml").read_text() == "# mine\n"

    blocker = tmp_path / "a-file"
    blocker.write_text("")
    status, out, err = run_cli(capsys, "examples", "--write", str(blocker / "sub"))
    assert status == 2 and err.startswith("snowsession: cannot write the examples to ")


# ------------------------------------------------------------------ bounded reads, signals


@pytest.mark.parametrize("command", ["simulate", "check"])
def test_only_regular_files_under_a_limit_are_read_as_scenarios(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str
) -> None:
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    big = tmp_path / "big.toml"
    with open(big, "wb") as handle:
        handle.truncate(MAX_SCENARIO_BYTES + 1)  # sparse
    for path, why in [
        ("/dev/zero", "/dev/zero is a character device, not a scenario file"),
        (str(fifo), f"{fifo} is a FIFO (named pipe), not a scenario file"),
        (str(tmp_path), f"{tmp_path} is a folder, not a scenario file"),
        (str(big), f"over the {MAX_SCENARIO_BYTES:,} byte limit for a scenario file"),
    ]:
        started = time.perf_counter()
        status, out, err = run_cli(capsys, command, path)
        assert time.perf_counter() - started < 2, f"{path} was read"
        assert (status, out) == (2, "") and err.count("\n") == 1, err
        assert why in err


LONG_SCENARIO = """
[session]
foreground_timeout = 60

[[step]]
at = 0
every = 1
until = "2000:00:00"
do = "event"
"""


@pytest.mark.parametrize("name", ["SIGTERM", "SIGINT", "SIGHUP"])
def test_a_signal_closes_the_session_cleanly(tmp_path: Path, name: str) -> None:
    scenario = tmp_path / "long.toml"
    scenario.write_text(LONG_SCENARIO)
    save = tmp_path / "session.xml"
    child = subprocess.Popen(
        [sys.executable, "-m", "session.cli", "simulate", str(scenario), "--save-path", str(save)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 30
    while not save.exists():  # the session has started: its first state is on disk
        assert time.monotonic() < deadline and child.poll() is None
        time.sleep(0.01)
    time.sleep(0.2)
    child.send_signal(getattr(signal, name))
    _, err = child.communicate(timeout=30)
    number = getattr(signal, name)
    assert child.returncode == (130 if name == "SIGINT" else 128 + number), err
    if name != "SIGINT":
        assert err == f"snowsession: stopped by {name}\n"
    report = read_save_file(save)
    assert report.problem is None and report.saved is not None
    with ClientSession(save, clock=VirtualClock()) as again:  # the lock was released
        assert again.user_id == report.saved.user_id
