"""The ``snowsession`` command line: simulate scenarios, inspect and watch save files.

It never imports Qt: it runs on machines without a display and in CI. Exit status: 0 when all
is well, 1 when an expectation failed (``simulate``) or the file has problems (``inspect``),
2 on an error (a missing or unreadable file, a bad scenario), which is one line on stderr.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import TextIO

from session.policy import make_policy
from session.save_report import Watcher, describe, read_report
from session.scenario import (
    Scenario,
    ScenarioError,
    format_time,
    load_scenario,
    parse_scenario,
)
from session.scenario_output import FORMATS
from session.scenario_run import ScenarioRun
from session.storage import SaveFileBusyError

__all__ = ["main", "shipped_scenarios", "watch"]

PROG = "snowsession"
BOTH = ("dotnet", "mobile")


class CommandError(Exception):
    """An error for the user: one line on stderr, exit status 2."""


# ------------------------------------------------------------------------------- scenarios


def shipped_scenarios() -> dict[str, Path]:
    """The example scenarios that come with the package, by name (file name without .toml)."""
    folder = resources.files("snowsession_gui").joinpath("resources", "scenarios")
    found: dict[str, Path] = {}
    if folder.is_dir():
        for item in folder.iterdir():
            if item.name.endswith(".toml"):
                found[item.name.removesuffix(".toml")] = Path(str(item))
    return dict(sorted(found.items()))


def _load(name: str) -> Scenario:
    path = Path(name)
    if not path.exists() and os.sep not in name and name in shipped_scenarios():
        path = shipped_scenarios()[name]
    try:
        return load_scenario(path)
    except ScenarioError as error:
        raise CommandError(str(error)) from None
    except FileNotFoundError:
        names = ", ".join(shipped_scenarios()) or "none"
        raise CommandError(
            f"no scenario file {name} (a path, or one of the examples: {names})"
        ) from None
    except OSError as error:
        raise CommandError(f"cannot read the scenario {name}: {error.strerror or error}") from None


def _policies(requested: str | None, scenario: Scenario) -> list[str]:
    names = list(BOTH) if requested == "both" else [requested or scenario.policy or "dotnet"]
    for name in names:
        try:
            make_policy(name)
        except ValueError as error:
            if requested == "both":
                raise CommandError(
                    f"--policy both runs the {' and '.join(BOTH)} policies side by side, "
                    f"but this version has no {name!r} policy"
                ) from None
            raise CommandError(str(error)) from None
    return names


def _save_paths(policies: list[str], save_path: str | None, folder: Path) -> list[Path]:
    if save_path is None:
        return [folder / policy / "session.xml" for policy in policies]
    path = Path(save_path)
    if len(policies) == 1:
        return [path]
    return [path.with_name(f"{path.stem}.{policy}{path.suffix}") for policy in policies]


def _id_factory(seed: int | None) -> Callable[[], str] | None:
    if seed is None:
        return None
    rng = random.Random(seed)
    return lambda: str(uuid.UUID(int=rng.getrandbits(128), version=4))


def simulate(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    scenario = _load(args.scenario)
    policies = _policies(args.policy, scenario)
    runs: list[ScenarioRun] = []
    with tempfile.TemporaryDirectory(prefix="snowsession-") as folder:
        for policy, path in zip(
            policies, _save_paths(policies, args.save_path, Path(folder)), strict=True
        ):
            try:
                run = ScenarioRun(
                    scenario, path, policy=policy, id_factory=_id_factory(args.seed)
                ).run()
            except SaveFileBusyError as error:
                raise CommandError(str(error)) from None
            except OSError as error:
                raise CommandError(
                    f"cannot use the save file {path}: {error.strerror or error}"
                ) from None
            problem = run.session.storage_problem  # set when the last write failed
            if problem:
                raise CommandError(
                    f"{problem.split(';', 1)[0]} (a simulation needs a save file it can write)"
                )
            runs.append(run)
    buffer = io.StringIO()
    FORMATS[args.format](runs, buffer)
    _emit(buffer.getvalue(), args.out, stdout)
    failures = [(run.policy, failure) for run in runs for failure in run.failures]
    for policy, failure in failures:
        prefix = f"{policy}: " if len(runs) > 1 else ""
        stderr.write(f"{PROG}: expectation failed: {prefix}{failure.message}\n")
    return 1 if failures else 0


def _emit(text: str, out: str | None, stdout: TextIO) -> None:
    if out is None:
        stdout.write(text)
        stdout.flush()
        return
    try:
        Path(out).write_text(text, encoding="utf-8")
    except OSError as error:
        raise CommandError(f"cannot write {out}: {error.strerror or error}") from None


def check(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """``snowsession check FILE``: parse a scenario without running it."""
    scenario = _load(args.scenario)
    runs = sum(step.runs for step in scenario.steps)
    stdout.write(
        f"{scenario.source}: {len(scenario.steps)} steps, {runs} step runs, "
        f"ends at {format_time(scenario.end)}\n"
    )
    return 0


def examples(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    for name, path in shipped_scenarios().items():
        try:
            description = parse_scenario(path.read_text("utf-8"), str(path)).description
        except (OSError, ScenarioError) as error:
            description = f"(cannot be read: {error})"
        stdout.write(f"{name:<28}{description.splitlines()[0] if description else ''}\n")
    return 0


# ------------------------------------------------------------------------------- save files


def inspect(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    report = read_report(args.save_file)
    if report.state == "missing":
        raise CommandError(f"no save file {args.save_file}")
    if report.state == "unreadable":
        raise CommandError(report.error or f"cannot read {args.save_file}")
    if args.json:
        stdout.write(json.dumps(report.to_dict(), indent=2) + "\n")
    else:
        stdout.write("\n".join(report.lines()) + "\n")
    return 0 if report.state == "ok" else 1


def watch(
    path: str | os.PathLike[str],
    out: TextIO,
    *,
    interval: float = 0.5,
    count: int | None = None,
    timeout: float | None = None,
    sleep: Callable[[float], None] | None = None,
    monotonic: Callable[[], float] | None = None,
) -> int:
    """Print the file's state, then each change, until ``count`` changes or ``timeout`` s.

    ``sleep`` and ``monotonic`` default to the :mod:`time` functions (tests pass their own).
    """
    sleep = sleep or time.sleep
    monotonic = monotonic or time.monotonic
    watcher = Watcher(path)
    deadline = None if timeout is None else monotonic() + timeout
    out.write(f"{_stamp()}  watching {watcher.path} (read-only): {describe(watcher.current)}\n")
    out.flush()
    changes = 0
    while count is None or changes < count:
        if deadline is not None:
            left = deadline - monotonic()
            if left <= 0:
                break
            sleep(min(interval, left))
        else:
            sleep(interval)
        change = watcher.poll()
        if change is not None:
            changes += 1
            out.write(f"{_stamp()}  {change.text}\n")
            out.flush()
    return 0


def _stamp() -> str:
    return time.strftime("%H:%M:%S", time.localtime())


def watch_command(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    if args.interval <= 0:
        raise CommandError("--interval must be more than 0 seconds")
    return watch(
        args.save_file, stdout, interval=args.interval, count=args.count, timeout=args.timeout
    )


# ------------------------------------------------------------------------------- main


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Simulate client-session scenarios, and inspect or watch save files.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "simulate",
        help="run a scenario on simulated time and print its timeline",
        description="Run a scenario on a virtual clock with a real save file, print the "
        "timeline and check its expectations (exit 1 if one fails).",
    )
    run.add_argument(
        "scenario",
        metavar="SCENARIO",
        help="a scenario file, or the name of an example (see 'examples')",
    )
    run.add_argument("--format", choices=sorted(FORMATS), default="table")
    run.add_argument("--out", metavar="FILE", help="write the timeline here, not to stdout")
    run.add_argument(
        "--save-path",
        metavar="PATH",
        help="the save file to use (default: one in a temporary folder); with "
        "--policy both, one file per policy: NAME.dotnet.xml, NAME.mobile.xml",
    )
    run.add_argument(
        "--policy",
        metavar="NAME|both",
        help="the session policy (default: the scenario's, else dotnet); "
        "'both' runs dotnet and mobile side by side",
    )
    run.add_argument(
        "--seed",
        type=int,
        metavar="N",
        help="make user and session ids from this seed, for repeatable output",
    )
    run.set_defaults(handler=simulate)

    checker = commands.add_parser("check", help="check a scenario file without running it")
    checker.add_argument("scenario", metavar="SCENARIO")
    checker.set_defaults(handler=check)

    listing = commands.add_parser("examples", help="list the example scenarios")
    listing.set_defaults(handler=examples)

    look = commands.add_parser(
        "inspect",
        help="what a save file holds and whether a .NET app would read it",
        description="Read a save file without locking or changing it (exit 1 if it has problems).",
    )
    look.add_argument("save_file", metavar="SAVE_FILE")
    look.add_argument("--json", action="store_true", help="print JSON")
    look.set_defaults(handler=inspect)

    follow = commands.add_parser(
        "watch",
        help="print each change of a save file as it happens (read-only)",
        description="Print each change of a save file as it happens; read-only. Ctrl-C stops.",
    )
    follow.add_argument("save_file", metavar="SAVE_FILE")
    follow.add_argument(
        "--interval",
        type=float,
        default=0.5,
        metavar="S",
        help="seconds between looks (default 0.5)",
    )
    follow.add_argument("--count", type=int, metavar="N", help="stop after N changes")
    follow.add_argument("--timeout", type=float, metavar="S", help="stop after S seconds")
    follow.set_defaults(handler=watch_command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    stdout, stderr = sys.stdout, sys.stderr
    # The engine's warnings are in the timeline (storage marks); keep them off stderr.
    logging.getLogger("session").addHandler(logging.NullHandler())
    try:
        status: int = args.handler(args, stdout, stderr)
        return status
    except CommandError as error:
        stderr.write(f"{PROG}: {error}\n")
        return 2
    except KeyboardInterrupt:
        return 0 if args.command == "watch" else 130
    except BrokenPipeError:
        # The reader went away (| head): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as error:  # a bug: still one line, with a way to see more
        if os.environ.get("SNOWSESSION_DEBUG"):
            raise
        stderr.write(
            f"{PROG}: unexpected error: {type(error).__name__}: {error} "
            "(set SNOWSESSION_DEBUG=1 to see where)\n"
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
