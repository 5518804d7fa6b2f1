"""The `dojo` command: progress, checks, hints, resets and the kit's self-check.

Every command works offline, never overwrites learner work without a backup, and answers bad input
with one line and a non-zero exit (2 for usage errors, 1 for "not yet").
"""

from __future__ import annotations

import ast
import difflib
import os
import re
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.markup import escape
from rich.panel import Panel
from rich.progress import BarColumn, Progress, TextColumn
from rich.syntax import Syntax
from rich.table import Table

from dojo import bench, capstone, fuzz, mentor, mutation_cli, redis_server, reviews
from dojo import lint as lint_cli
from dojo import state as state_store
from dojo.curriculum import Curriculum, CurriculumError, Exercise
from dojo.curriculum import load as load_curriculum
from dojo.drill import commands as drill
from dojo.mutants import MutantError
from dojo.mutation import MutationError
from dojo.mutation_baseline import BaselineError
from dojo.paths import KitNotFoundError, dojo_command, kit_root, pristine_root, solutions_root
from dojo.progress import ExerciseProgress, Status, measure, next_exercise
from dojo.runner import run_pytest, selection
from dojo.targets import TARGETS
from dojo.workspace import files_in, materialize, pristine_files, reset, syntax_errors

console = Console(highlight=False)
DOJO = dojo_command()  # `dojo`, `uv run dojo` or `python -m dojo`: what the user can type
err = Console(stderr=True, highlight=False)
app = typer.Typer(
    name="dojo",
    help="Backend Dojo: practise Python backend interviews by making failing tests pass.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
)

STATUS_STYLE = {
    Status.SOLVED: "[green]✔ solved[/]",
    Status.IN_PROGRESS: "[yellow]… in progress[/]",
    Status.NOT_STARTED: "[dim]· not started[/]",
    Status.BLOCKED: "[cyan]✔ passes[/] [dim](an earlier round is open)[/]",
}


class UsageProblem(Exception):
    """Bad input from the user: printed as one line, exit status 2."""


def _kit() -> tuple[Path, Curriculum]:
    root = kit_root()
    return root, load_curriculum(root)


def _exercise(curriculum: Curriculum, slug: str) -> Exercise:
    try:
        return curriculum.get(slug)
    except CurriculumError as error:
        raise UsageProblem(str(error)) from None


def _brief(root: Path, exercise: Exercise) -> str:
    """The task as the interviewer states it: the stub's module docstring, or for a package exercise
    (the capstone) the README section whose heading names it ("## Round 3: filters" for round3)."""
    stub = pristine_root(root) / exercise.path
    if stub.is_dir():
        section = _readme_section(stub / "README.md", exercise.slug)
        if section:
            return section
    source = stub / "__init__.py" if stub.is_dir() else stub
    try:
        doc = ast.get_docstring(ast.parse(source.read_text(encoding="utf-8")))
    except (OSError, SyntaxError):
        doc = None
    return doc or exercise.title


def _readme_section(readme: Path, slug: str) -> str | None:
    """The ``## `` section of ``readme`` whose heading, squeezed to ``[a-z0-9]``, starts with the slug's."""
    try:
        text = readme.read_text(encoding="utf-8")
    except OSError:
        return None
    wanted = re.sub(r"[^a-z0-9]", "", slug.lower())
    for section in re.split(r"(?m)^(?=## )", text):
        heading = section.splitlines()[0] if section.startswith("## ") else ""
        if heading and re.sub(r"[^a-z0-9]", "", heading[3:].split(":")[0].lower()) == wanted:
            return section.strip()
    return None


def _materialize(root: Path, curriculum: Curriculum) -> None:
    """Create missing learner files from pristine/ and say so (never overwrites anything)."""
    created = materialize(root, curriculum)
    if not created:
        return
    if len(created) <= 3:
        err.print(f"[dim]created {', '.join(created)} from pristine/ (it was missing)[/]")
    else:
        err.print(f"[dim]created {len(created)} learner files in katas/ and reviews/ from pristine/[/]")


def _describe(exercise: Exercise) -> str:
    parts = [exercise.kind, exercise.topic, exercise.difficulty]
    if exercise.timebox_minutes:
        parts.append(f"{exercise.timebox_minutes} min")
    return " · ".join(parts)


@app.callback(invoke_without_command=True)
def overview(ctx: typer.Context) -> None:
    """Show your progress and the next exercise (run with no command)."""
    if ctx.invoked_subcommand is not None:
        return
    root, curriculum = _kit()
    _materialize(root, curriculum)
    with console.status("checking your exercises..."):
        progress = measure(root, curriculum)
    counts = {status: sum(p.status is status for p in progress) for status in Status}
    solved = counts[Status.SOLVED]
    bar = Progress(TextColumn("[bold]Backend Dojo[/]"), BarColumn(bar_width=40), TextColumn("{task.completed}/{task.total} solved"))
    bar.add_task("progress", total=len(progress), completed=solved)
    console.print(bar.get_renderable())
    console.print(
        f"[green]{solved} solved[/] · [yellow]{counts[Status.IN_PROGRESS] + counts[Status.BLOCKED]} in progress[/]"
        f" · [dim]{counts[Status.NOT_STARTED]} not started[/]"
    )
    upcoming = next_exercise(progress)
    if upcoming is None:
        console.print(f"\n[bold green]Every exercise is solved.[/] Try a timed drill, or `{DOJO} verify` to see the kit prove itself.")
        return
    exercise = upcoming.exercise
    console.print()
    console.print(
        Panel(
            Markdown(_brief(root, exercise)),
            title=f"next: [bold]{exercise.slug}[/] — {exercise.title}",
            subtitle=_describe(exercise),
        )
    )
    console.print(
        f"Open [bold]{exercise.path}[/], then: [bold]{DOJO} check {exercise.slug}[/] · "
        f"[bold]{DOJO} watch {exercise.slug}[/] · [bold]{DOJO} hint {exercise.slug}[/] · [bold]{DOJO} list[/]"
    )


@app.command("list")
def list_exercises() -> None:
    """Every exercise in curriculum order, with its status."""
    root, curriculum = _kit()
    with console.status("checking your exercises..."):
        progress = measure(root, curriculum)
    table = Table(show_lines=False)
    for column in ("#", "exercise", "title", "kind · topic · level", "status"):
        table.add_column(column)
    for index, item in enumerate(progress, start=1):
        status = STATUS_STYLE[item.status]
        if item.status is Status.IN_PROGRESS and item.total:
            status += f" [dim]{item.passed}/{item.total}[/]"
        table.add_row(str(index), item.exercise.slug, item.exercise.title, _describe(item.exercise), status)
    console.print(table)


def _print_talking_points(exercise: Exercise) -> None:
    console.print(f"\n[bold green]✔ {exercise.slug} passes.[/] Now say these aloud, as you would to an interviewer:")
    for point in exercise.talking_points:
        console.print(f"  • {escape(point)}")


@app.command()
def check(
    slug: Annotated[str, typer.Argument(help="an exercise slug, or a group such as 'capstone'")],
    target: Annotated[str, typer.Option(help=f"run against: {', '.join(TARGETS)}")] = "learner",
) -> None:
    """Run one exercise's tests against your file, with focused output."""
    root, curriculum = _kit()
    if target not in TARGETS:
        raise UsageProblem(f"--target must be one of {', '.join(TARGETS)}, not '{target}'")
    try:
        selected = curriculum.select(slug)
    except CurriculumError as error:
        raise UsageProblem(str(error)) from None
    raise typer.Exit(_run_check(root, curriculum, selected, target))


def _run_check(root: Path, curriculum: Curriculum, selected: tuple[Exercise, ...], target: str) -> int:
    # A capstone round counts only with every earlier round, so run those too.
    wanted: list[Exercise] = []
    for exercise in selected:
        for member in (*curriculum.earlier_in_group(exercise), exercise):
            if member not in wanted:
                wanted.append(member)
    if target == "learner":
        _materialize(root, curriculum)
        broken = [line for exercise in wanted for line in syntax_errors(root, exercise)]
        if broken:
            for line in broken:
                err.print(escape(line), highlight=False)
            err.print("[red]Python cannot read that file yet:[/] fix the line above, then run the check again.")
            return 1
    databases = ""
    if any(e.kind == "capstone" for e in wanted):
        down = capstone.unreachable_postgres()
        if down is not None:
            err.print(f"[red]dojo:[/] {escape(down)}", soft_wrap=True)
            return 1
        databases = f" · {capstone.databases_label()}"
    console.rule(f"[bold]{', '.join(e.slug for e in selected)}[/] · target: {target}{databases}")
    result = run_pytest(root, ["-q", "--no-header", "--tb=short", *selection(wanted)], target=target, capture=False)
    if result.collection_errors:
        err.print("[red]Some tests could not even be collected: look for a syntax or import error above.[/]")
        return 1
    failing = [e for e in wanted if not result.slug_passed(e.slug)]
    if databases:
        for note in capstone.check_notes(root, target):
            console.print(f"\n[yellow]{escape(note)}[/]", soft_wrap=True)
    if failing:
        first = failing[0]
        console.print(f"\n[yellow]Not yet:[/] {', '.join(e.slug for e in failing)}. Stuck? [bold]{DOJO} hint {first.slug}[/]")
        return 1
    for exercise in selected:
        _print_talking_points(exercise)
    mentor.advise(console, root, selected, target)  # advice only: never changes the exit status
    return 0


@app.command()
def watch(
    slug: Annotated[str | None, typer.Argument(help="exercise to watch; default: your next one")] = None,
) -> None:
    """Re-run an exercise's tests every time you save (Ctrl-C to stop)."""
    from watchfiles import watch as watch_files

    root, curriculum = _kit()
    _materialize(root, curriculum)
    if slug is None:
        upcoming = next_exercise(measure(root, curriculum))
        if upcoming is None:
            console.print("Every exercise is solved; name one to watch it anyway.")
            return
        selected: tuple[Exercise, ...] = (upcoming.exercise,)
    else:
        try:
            selected = curriculum.select(slug)
        except CurriculumError as error:
            raise UsageProblem(str(error)) from None
    paths = sorted({str((root / e.path).parent if not e.is_package else root / e.path) for e in selected})
    try:
        _run_check(root, curriculum, selected, "learner")
        console.print(f"\n[dim]watching {', '.join(paths)} · Ctrl-C to stop[/]")
        for _changes in watch_files(*paths, debounce=300, raise_interrupt=False):
            console.clear()
            _run_check(root, curriculum, selected, "learner")
            console.print(f"\n[dim]watching {', '.join(paths)} · Ctrl-C to stop[/]")
    except KeyboardInterrupt:
        console.print("\nstopped watching.")


@app.command()
def hint(slug: Annotated[str, typer.Argument(help="exercise slug")]) -> None:
    """Reveal the next hint for an exercise (earlier ones are shown again)."""
    root, curriculum = _kit()
    exercise = _exercise(curriculum, slug)
    saved = state_store.load(root)
    shown = min(saved.hints.get(slug, 0) + 1, len(exercise.hints))
    saved.hints[slug] = shown
    state_store.save(root, saved)
    for number, text in enumerate(exercise.hints[:shown], start=1):
        style = "bold" if number == shown else "dim"
        console.print(f"[{style}]hint {number}/{len(exercise.hints)}:[/] {escape(text)}")
    if shown == len(exercise.hints):
        console.print(f"[dim]That was the last hint. `{DOJO} solution {slug} --peek` shows the reference.[/]")


@app.command("reset")
def reset_exercise(
    slug: Annotated[str, typer.Argument(help="exercise slug")],
    yes: Annotated[bool, typer.Option("--yes", help="reset a shared package (the capstone) without asking")] = False,
) -> None:
    """Restore the pristine stub; your current file is backed up first."""
    root, curriculum = _kit()
    exercise = _exercise(curriculum, slug)
    if exercise.group is not None and not yes:
        warning = (
            f"every round of '{exercise.group}' shares {exercise.path}: resetting {slug} starts all of them over "
            "(your files are backed up first)"
        )
        if not sys.stdin.isatty():
            raise UsageProblem(f"{warning}; pass --yes to go ahead")
        if not typer.confirm(f"{warning[0].upper()}{warning[1:]}. Go ahead?", default=False):
            raise typer.Exit(1)
    outcome = reset(root, exercise)
    if outcome.backup is not None:
        console.print(f"Backed up your work to [bold]{outcome.backup.relative_to(root)}[/]")
    for rel in outcome.removed:
        console.print(f"removed {rel} (it is in the backup)")
    console.print(f"Restored the pristine {', '.join(outcome.restored)}")


@app.command()
def solution(
    slug: Annotated[str, typer.Argument(help="exercise slug")],
    peek: Annotated[bool, typer.Option("--peek", help="show it even though your tests do not pass yet")] = False,
    full: Annotated[bool, typer.Option("--full", help="a capstone round: the finished app, not only this round's step")] = False,
    plain: Annotated[bool, typer.Option("--plain", help="a capstone round: an unwrapped unified diff for `git apply`")] = False,
) -> None:
    """Show the reference solution as a diff against your file (a capstone round: that round's step)."""
    root, curriculum = _kit()
    exercise = _exercise(curriculum, slug)
    if exercise.kind == "capstone" and not full:
        from dojo.capstone_steps import show_step

        show_step(root, curriculum, exercise, peek=peek, plain=plain)
        return
    if not peek:
        with console.status(f"running {slug}'s tests first..."):
            result = run_pytest(root, ["-q", "-x", *selection([exercise])], target="learner")
        if not result.slug_passed(slug):
            err.print(
                f"{slug} does not pass yet, so the solution stays hidden. Keep going (`{DOJO} hint {slug}`), "
                f"or use `{DOJO} solution {slug} --peek`."
            )
            raise typer.Exit(1)
    if exercise.group and curriculum.groups()[exercise.group][-1] != exercise:
        console.print(
            f"[yellow]Note:[/] the reference is the finished {escape(exercise.path)} after the last round of "
            f"'{exercise.group}', so it also shows what later rounds add."
        )
    shown = False
    reference_tree = solutions_root(root)
    # The stub's files and the reference's: a package's reference has modules the starter does not.
    files = sorted(set(pristine_files(root, exercise)) | set(files_in(reference_tree, exercise)))
    for rel in files:
        reference = reference_tree / rel
        mine = root / rel
        if not reference.is_file():
            continue
        theirs_lines = reference.read_text(encoding="utf-8").splitlines(keepends=True)
        mine_lines = mine.read_text(encoding="utf-8").splitlines(keepends=True) if mine.is_file() else []
        diff = "".join(difflib.unified_diff(mine_lines, theirs_lines, f"yours/{rel}", f"reference/{rel}"))
        if diff:
            shown = True
            console.print(Syntax(diff, "diff", theme="ansi_dark", word_wrap=True))
    if not shown:
        console.print("Your files match the reference exactly.")


@app.command("verify")
def verify_command(
    only: Annotated[list[str] | None, typer.Option("--only", help="verify just these exercises (repeatable)")] = None,
    mutants: Annotated[bool, typer.Option(help="try the classic-mistake mutants")] = True,
    lint: Annotated[bool, typer.Option(help="run ruff, mypy and the review/capstone checks")] = True,
    allow_skips: Annotated[
        bool | None,
        typer.Option(help="accept skipped tests (PostgreSQL tests without a server); default: yes, but no under CI=true"),
    ] = None,
    jobs: Annotated[int, typer.Option(min=1, max=16, help="parallel pytest processes")] = 2,
    deep: Annotated[
        bool, typer.Option("--deep", help="automated mutation on every exercise, not only what changed plus a sample")
    ] = False,
) -> None:
    """Prove the kit's tests honest: stubs fail, solutions pass, mutants are caught, linters are clean."""
    from dojo.verify import Options, verify
    from dojo.verify_report import print_report

    root, curriculum = _kit()
    names = tuple(only or ())
    for name in names:
        _exercise(curriculum, name)
    if allow_skips is None:
        allow_skips = os.environ.get("CI", "").lower() not in ("1", "true", "yes")
    options = Options(only=names, lint=lint, mutants=mutants, allow_skips=allow_skips, jobs=jobs, deep=deep)
    report = verify(root, curriculum, options, progress=lambda message: console.print(f"[dim]{message}…[/]"))
    print_report(console, report)
    raise typer.Exit(0 if report.ok else 1)


capstone.register(app)
redis_server.register(app)
fuzz.register(app)
reviews.register(app)
drill.register(app)
mutation_cli.register(app)
lint_cli.register(app)
bench.register(app)


def main() -> None:
    """Entry point: run the app, turning expected errors into one line on stderr."""
    try:
        app(standalone_mode=True)
    except (UsageProblem, CurriculumError, KitNotFoundError, MutantError, MutationError, BaselineError, FileNotFoundError) as error:
        err.print(f"[red]dojo:[/] {error}")
        sys.exit(2)


__all__ = ["ExerciseProgress", "app", "main"]
