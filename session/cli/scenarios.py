"""``simulate``, ``check`` and ``examples``: scenario files on the command line."""

from __future__ import annotations

import argparse
import io
import random
import shutil
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TextIO, TypeAlias

from ..policy import POLICY_NAMES, make_policy
from ..scenario import Scenario, ScenarioError, example_scenarios, format_time, load_scenario
from ..scenario.output import FORMATS
from ..scenario.run import ScenarioRun
from ..storage import SaveFileError
from ..util.files import NotARegularFileError, TooLargeError
from .common import PROG, CommandError, add_command, emit

__all__ = ["register"]


def _load(name: str, every_error: bool = False) -> Scenario:
    """The scenario; a CommandError with its first error (or ``every_error``, one a line)."""
    path = Path(name)
    examples = example_scenarios()
    if not path.exists() and "/" not in name and "\\" not in name and name in examples:
        path = examples[name]
    try:
        return load_scenario(path)
    except ScenarioError as error:
        if not every_error:
            raise CommandError(str(error)) from None
        each = [str(ScenarioError(e.source, e.message, e.line)) for e in error.errors]
        raise CommandError(f"\n{PROG}: ".join(each)) from None
    except FileNotFoundError:
        names = ", ".join(examples) or "none"
        raise CommandError(
            f"no scenario file {name} (a path, or one of the examples: {names})"
        ) from None
    except (NotARegularFileError, TooLargeError) as error:
        raise CommandError(error.strerror or str(error)) from None
    except OSError as error:
        raise CommandError(f"cannot read the scenario {name}: {error.strerror or error}") from None


def _policies(requested: str | None, scenario: Scenario) -> list[str]:
    names = (
        list(POLICY_NAMES) if requested == "both" else [requested or scenario.policy or "dotnet"]
    )
    for name in names:
        try:
            make_policy(name)
        except ValueError as error:
            if requested == "both":
                raise CommandError(
                    f"--policy both runs the {' and '.join(POLICY_NAMES)} policies side by side, "
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
            except SaveFileError as error:
                raise CommandError(str(error)) from None
            except OSError as error:
                raise CommandError(
                    f"cannot use the save file {path}: {error.strerror or error}"
                ) from None
            problem = run.session.storage_problem  # set when the last write failed
            if problem:
                what = problem.message.split(";", 1)[0]
                raise CommandError(f"{what} (a simulation needs a save file it can write)")
            runs.append(run)
    buffer = io.StringIO()
    FORMATS[args.format](runs, buffer, temporary=args.save_path is None)
    emit(buffer.getvalue(), args.out, stdout)
    failures = [(run.policy, failure) for run in runs for failure in run.failures]
    for policy, failure in failures:
        prefix = f"{policy}: " if len(runs) > 1 else ""
        stderr.write(f"{PROG}: expectation failed: {prefix}{failure.message}\n")
    return 1 if failures else 0


def check(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    scenario = _load(args.scenario, every_error=True)
    runs = sum(step.runs for step in scenario.steps)
    stdout.write(
        f"{scenario.source}: {len(scenario.steps)} steps, {runs} step runs, "
        f"ends at {format_time(scenario.end)}\n"
    )
    return 0


def examples(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    found = example_scenarios()
    if args.write is not None:
        return _write_examples(found, Path(args.write), stdout)
    for name, path in found.items():
        try:
            description = load_scenario(path).description
        except (OSError, ScenarioError) as error:
            description = f"(cannot be read: {error})"
        stdout.write(f"{name:<28}{description.splitlines()[0] if description else ''}\n")
    return 0


def _write_examples(found: dict[str, Path], folder: Path, stdout: TextIO) -> int:
    targets = [folder / path.name for path in found.values()]
    existing = [target.name for target in targets if target.exists() or target.is_symlink()]
    if existing:
        raise CommandError(f"{folder} already has {', '.join(existing)}; nothing was written")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for path, target in zip(found.values(), targets, strict=True):
            shutil.copyfile(path, target)
            stdout.write(f"wrote {target}\n")
    except OSError as error:
        raise CommandError(
            f"cannot write the examples to {folder}: {error.strerror or error}"
        ) from None
    return 0


Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def register(commands: Commands) -> None:
    _simulate(commands)
    _check(commands)
    _examples(commands)


def _simulate(commands: Commands) -> None:
    run = add_command(
        commands,
        "simulate",
        simulate,
        summary="run a scenario on simulated time and print its timeline",
        description="Run a scenario on a virtual clock with a real save file, print the "
        "timeline and check its expectations (exit 1 if one fails).",
        examples="""
            snowsession simulate idle-foreground
            snowsession simulate my-scenario.toml --policy both --format json --out run.json
            snowsession simulate restarts --save-path ./session.xml --seed 7
        """,
    )
    run.add_argument(
        "scenario",
        metavar="SCENARIO",
        help="a scenario file, or the name of an example (see 'examples')",
    )
    run.add_argument(
        "--format",
        choices=sorted(FORMATS),
        default="table",
        help="table for people (the default), json or csv for programs",
    )
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
        help=f"the session policy: {', '.join(POLICY_NAMES)} (default: the scenario's, else "
        "dotnet); 'both' runs them side by side",
    )
    run.add_argument(
        "--seed",
        type=int,
        metavar="N",
        help="make user and session ids from this seed, for repeatable output",
    )


def _check(commands: Commands) -> None:
    checker = add_command(
        commands,
        "check",
        check,
        summary="check a scenario file without running it",
        description="Read and check a scenario file: every error names its line (exit 2). "
        "Nothing runs and no save file is touched.",
        examples="""
            snowsession check my-scenario.toml
        """,
    )
    checker.add_argument(
        "scenario", metavar="SCENARIO", help="a scenario file, or the name of an example"
    )


def _examples(commands: Commands) -> None:
    listing = add_command(
        commands,
        "examples",
        examples,
        summary="list the example scenarios, or write them out to start from",
        description="List the example scenarios that come with snowsession, or copy them "
        "into a folder (--write) to edit and run your own.",
        examples="""
            snowsession examples
            snowsession examples --write ./scenarios
            snowsession simulate ./scenarios/idle-foreground.toml
        """,
    )
    listing.add_argument(
        "--write",
        metavar="DIR",
        help="copy every example into DIR (made if missing; existing files are not replaced)",
    )
