"""`dojo mutation`: the maintainer's commands for the automated mutation pass.

    dojo mutation baseline NAME...   run mutmut on these units and (re)write tests/mutation/NAME.toml
    dojo mutation check NAME...      run it and list what verify would say, writing nothing

NAME is an exercise's slug, or a group's name (``capstone``; a round's slug means its group).
A rewritten baseline keeps the reasons of mutants that still survive, drops the ones that no longer
do, and adds new survivors with an empty reason, which `dojo verify` refuses until someone writes it.
"""

from __future__ import annotations

import sys
import time
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from dojo import mutation_baseline as baselines
from dojo.curriculum import Curriculum, CurriculumError
from dojo.curriculum import load as load_curriculum
from dojo.errors import guard
from dojo.mutation import DEFAULT_TIMEOUT_SECONDS, MutationError, Unit, units
from dojo.paths import kit_root

mutation_app = typer.Typer(help="the automated mutation pass (mutmut): baselines for maintainers", no_args_is_help=True)
console = Console(highlight=False)

Names = Annotated[list[str], typer.Argument(help="exercise slugs or group names (capstone)", show_default=False)]
Jobs = Annotated[int, typer.Option(min=1, max=16, help="mutants run in parallel")]
# The capstone's 1485 mutants did not finish in 30 minutes on a shared 2-core machine at load 15 and more.
Timeout = Annotated[float, typer.Option(min=1, help="seconds before the whole mutmut run is given up")]


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
def baseline_command(names: Names, jobs: Jobs = 2, timeout: Timeout = DEFAULT_TIMEOUT_SECONDS) -> None:
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
