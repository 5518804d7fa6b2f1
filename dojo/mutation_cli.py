"""`dojo mutation`: the maintainer's commands for the automated mutation pass.

    dojo mutation baseline NAME...   run mutmut on these units and (re)write tests/mutation/NAME.toml
    dojo mutation check NAME...      run it and list what verify would say, writing nothing
    dojo mutation baseline NAME --postgres [--function file::name ...]
                                     re-run, with DOJO_POSTGRES_URL, the survivors only PostgreSQL can judge

NAME is an exercise's slug, or a group's name (``capstone``; a round's slug means its group).
A rewritten baseline keeps the reasons of mutants that still survive, drops the ones that no longer
do, and adds new survivors with an empty reason, which `dojo verify` refuses until someone writes it.

The pass runs on SQLite, so a mutant in code only PostgreSQL runs (the loader's COPY path) survives it.
``--postgres`` re-mutates the functions that hold such survivors (those named by ``--function``, or else
the ones the last PostgreSQL pass judged) with the tests' ``[postgres]`` instances on, and marks each
survivor it kills ``postgres: killed on PostgreSQL``; those count as killed.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from dojo import mutation_baseline as baselines
from dojo.curriculum import Curriculum, CurriculumError
from dojo.curriculum import load as load_curriculum
from dojo.errors import guard
from dojo.mutation import DEFAULT_TIMEOUT_SECONDS, MutationError, Unit, functions, units
from dojo.paths import kit_root

mutation_app = typer.Typer(help="the automated mutation pass (mutmut): baselines for maintainers", no_args_is_help=True)
console = Console(highlight=False)

Names = Annotated[list[str], typer.Argument(help="exercise slugs or group names (capstone)", show_default=False)]
Jobs = Annotated[int, typer.Option(min=1, max=16, help="mutants run in parallel")]
# The capstone's 1485 mutants did not finish in 30 minutes on a shared 2-core machine at load 15 and more.
Timeout = Annotated[float, typer.Option(min=1, help="seconds before the whole mutmut run is given up")]
Postgres = Annotated[
    bool, typer.Option("--postgres", help="judge on PostgreSQL (DOJO_POSTGRES_URL) the survivors only it can tell")
]
Tests = Annotated[
    list[str] | None,
    typer.Option("--test", help="with --postgres: run only these test files of the unit (repeatable)"),
]
Functions = Annotated[
    list[str] | None,
    typer.Option("--function", help="with --postgres: a function to re-mutate, as file::Class.method (repeatable)"),
]


def resolve(curriculum: Curriculum, all_units: list[Unit], names: list[str]) -> list[Unit]:
    """The units these names mean, in kit order; a CurriculumError for a name that is neither."""
    wanted: set[str] = set()
    for name in names:
        matching = [unit for unit in all_units if name == unit.name or name in unit.slugs]
        if not matching:
            curriculum.get(name)  # raises with close matches
            raise CurriculumError(f"{name}: no mutation unit covers it")
        wanted.update(unit.name for unit in matching)
    return [unit for unit in all_units if unit.name in wanted]


@mutation_app.command("baseline")
def baseline_command(
    names: Names,
    jobs: Jobs = 2,
    timeout: Timeout = DEFAULT_TIMEOUT_SECONDS,
    postgres: Postgres = False,
    function: Functions = None,
    test: Tests = None,
) -> None:
    """(Re)write the baselines of these units from a fresh mutmut run."""
    from dojo.mutation import run

    root = kit_root()
    curriculum = load_curriculum(root)
    all_units = units(root, curriculum)
    chosen = resolve(curriculum, all_units, names)
    grouped = set(curriculum.groups())
    started = time.monotonic()
    for unit in chosen:
        if not unit.sources:
            raise MutationError(f"{unit.name}: list the modules to mutate as `sources = [...]` in tests/mutation/{unit.name}.toml")
    if (function or test) and not postgres:
        raise MutationError("--function and --test go with --postgres (a SQLite baseline runs everything)")
    if postgres:
        _postgres_pass(root, chosen, jobs=jobs, timeout=timeout, named=function or [], tests=test or [])
        console.print(f"[dim]{len(chosen)} unit(s) in {time.monotonic() - started:.0f} s[/]")
        return
    results = run(root, chosen, jobs=jobs, timeout=timeout)
    for result in results:
        previous = baselines.load(root, result.unit.name)
        fresh = baselines.regenerate(root, result, previous, grouped=result.unit.name in grouped)
        path = baselines.save(root, fresh)
        judged = baselines.judge(result, fresh)
        todo = [s for s in fresh.survivors if not s.reason]
        console.print(
            f"{result.unit.name}: {judged.killed}/{judged.mutants} killed, score {judged.score:.1%} · "
            f"{len(fresh.survivors)} survivor(s), {len(todo)} without a reason · wrote {path.relative_to(root)}"
        )
        for survivor in todo:
            console.print(f"  [yellow]needs a reason[/] {escape(baselines.describe(survivor.key))}")
    console.print(f"[dim]{len(results)} unit(s) in {time.monotonic() - started:.0f} s[/]")


def _postgres_pass(
    root: Path, chosen: list[Unit], *, jobs: int, timeout: float, named: list[str], tests: list[str]
) -> None:
    from dojo.mutation import run

    url = os.environ.get("DOJO_POSTGRES_URL", "")
    if not url:
        raise MutationError('--postgres needs DOJO_POSTGRES_URL (start one: eval "$(uv run dojo pg start)")')
    for unit in chosen:
        previous = baselines.load(root, unit.name)
        if previous is None:
            raise MutationError(f"{unit.name} has no baseline: run `uv run dojo mutation baseline {unit.name}` first")
        known = set(functions(root, unit))
        covered = set(named) or baselines.postgres_functions(previous)
        unknown = sorted(covered - known)
        if unknown:
            raise MutationError(f"{unit.name}: no such function in its sources: {', '.join(unknown)}")
        if not covered:
            console.print(f"{unit.name}: no survivor to judge on PostgreSQL (name the functions with --function)")
            continue
        if tests:  # fewer tests can only kill fewer: a survivor of these alone still needs a reason
            strangers = sorted(set(tests) - set(unit.tests))
            if strangers:
                raise MutationError(f"{unit.name}: not one of its test files: {', '.join(strangers)}")
            unit = replace(unit, tests=tuple(t for t in unit.tests if t in tests))
        [result] = run(root, [unit], jobs=jobs, timeout=timeout, only={unit.name: covered}, postgres_url=url)
        fresh, killed, alive = baselines.apply_postgres(previous, result, covered)
        path = baselines.save(root, fresh)
        console.print(
            f"{unit.name} on PostgreSQL: {len(result.outcomes)} mutants of {len(covered)} function(s) run; "
            f"{killed} SQLite survivor(s) killed, {alive} survive PostgreSQL too · wrote {path.relative_to(root)}"
        )
        for survivor in fresh.survivors:
            if not survivor.reason:
                console.print(f"  [yellow]needs a reason[/] {escape(baselines.describe(survivor.key))}")


@mutation_app.command("check")
def check_command(names: Names, jobs: Jobs = 2, timeout: Timeout = DEFAULT_TIMEOUT_SECONDS) -> None:
    """Run the pass on these units and show every survivor against the baseline; writes nothing."""
    from dojo.mutation import run

    root = kit_root()
    curriculum = load_curriculum(root)
    chosen = resolve(curriculum, units(root, curriculum), names)
    failed = False
    for result in run(root, chosen, jobs=jobs, timeout=timeout):
        judged = baselines.judge(result, baselines.load(root, result.unit.name))
        console.print(f"{result.unit.name}: {judged.killed}/{judged.mutants} killed, score {judged.score:.1%}")
        for key in judged.unexpected:
            failed = True
            console.print(f"  [red]survives, not in the baseline[/] {escape(baselines.describe(key))}")
        for survivor in judged.unreasoned:
            failed = True
            console.print(f"  [red]no reason given[/] {escape(baselines.describe(survivor.key))}")
        for survivor in judged.stale:
            console.print(f"  [yellow]stale (no longer survives)[/] {escape(baselines.describe(survivor.key))}")
        failed |= judged.score < baselines.MIN_SCORE
    sys.exit(1 if failed else 0)


def register(app: typer.Typer) -> None:
    app.add_typer(guard(mutation_app), name="mutation", hidden=True)  # maintainers only: not on the learner's help screen
