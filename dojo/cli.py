"""The `dojo` command: progress, checks, hints, resets and the kit's self-check.

Every command works offline, never overwrites learner work without a backup, and answers bad input
with one line and a non-zero exit (2 for usage errors, 1 for "not yet").
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markdown import Markdown
from rich.markup import escape
from rich.panel import Panel
from rich.progress import BarColumn, Progress, TextColumn
from rich.text import Text

from dojo import bench, capstone, fuzz, history, kinds, mutation_cli, redis_server, reviews
from dojo import lint as lint_cli
from dojo import state as state_store
from dojo.briefs import brief as _brief
from dojo.briefs import describe as _describe
from dojo.checking import console, err
from dojo.checking import materialize_and_say as _materialize
from dojo.checking import run_check as _run_check
from dojo.commands import program, typed
from dojo.curriculum import Curriculum, Exercise
from dojo.curriculum import load as load_curriculum
from dojo.diffs import fold, solution_diff
from dojo.drill import commands as drill
from dojo.errors import DojoError, guard
from dojo.layout import Hanging, Packed
from dojo.paths import kit_root
from dojo.progress import ExerciseProgress, Status, measure, next_exercise
from dojo.runner import run_pytest, selection
from dojo.targets import TARGETS
from dojo.workspace import reset

DOJO = program()  # `dojo`, `uv run dojo` or `python -m dojo`: what the user can type
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
    Status.TESTS_MODIFIED: "[red]✗ tests modified[/]",
}
MARKS = {
    Status.SOLVED: "[green]✔[/]",
    Status.IN_PROGRESS: "[yellow]…[/]",
    Status.NOT_STARTED: "[dim]·[/]",
    Status.BLOCKED: "[cyan]✔[/]",
    Status.TESTS_MODIFIED: "[red]✗[/]",
}


class UsageProblem(DojoError):
    """Bad input from the user: printed as one line, exit status 2."""


def _kit() -> tuple[Path, Curriculum]:
    root = kit_root()
    return root, load_curriculum(root)


def _exercise(curriculum: Curriculum, slug: str) -> Exercise:
    return curriculum.get(slug)  # an unknown slug: CurriculumError, one line (status 2)


def _print_version(asked: bool) -> None:
    if asked:
        from importlib.metadata import version

        console.print(f"Backend Dojo {version('backend-dojo')}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def overview(
    ctx: typer.Context,
    show_version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="print the kit's version")
    ] = False,
) -> None:
    """Show your progress and the next exercise (run with no command)."""
    if ctx.invoked_subcommand is not None:
        return
    root, curriculum = _kit()
    _materialize(root, curriculum)
    with console.status("checking your exercises..."):
        progress = measure(root, curriculum)
    counts = {status: sum(p.status is status for p in progress) for status in Status}
    solved = counts[Status.SOLVED]
    bar = Progress(
        TextColumn("[bold]Backend Dojo[/]"), BarColumn(bar_width=40), TextColumn("{task.completed}/{task.total} solved")
    )
    bar.add_task("progress", total=len(progress), completed=solved)
    console.print(bar.get_renderable())
    console.print(
        f"[green]{solved} solved[/] · [yellow]{counts[Status.IN_PROGRESS] + counts[Status.BLOCKED]} in progress[/]"
        f" · [dim]{counts[Status.NOT_STARTED]} not started[/]"
    )
    _warn_modified_tests(root, progress)
    upcoming = next_exercise(progress)
    if upcoming is None:
        console.print(
            f"\n[bold green]Every exercise is solved.[/] Try a timed drill, or `{DOJO} verify` to see the kit prove itself."
        )
        return
    exercise = upcoming.exercise
    history.seen(root, exercise.slug)
    console.print()
    console.print(
        Panel(
            Markdown(_brief(root, exercise)),
            title=f"next: [bold]{exercise.slug}[/] — {exercise.title}",
            subtitle=_describe(exercise),
        )
    )
    # Whole commands to a line: one wrapped in the middle cannot be copied as typed.
    console.print(
        Packed(
            [
                f"Open [bold]{escape(exercise.path)}[/], then: [bold]{DOJO} check {exercise.slug}[/]",
                f"[bold]{DOJO} watch {exercise.slug}[/]",
                f"[bold]{DOJO} hint {exercise.slug}[/]",
                f"[bold]{DOJO} list[/]",
            ]
        )
    )


@app.command("list")
def list_exercises() -> None:
    """Every exercise in curriculum order, with its status and time box."""
    root, curriculum = _kit()
    with console.status("checking your exercises..."):
        progress = measure(root, curriculum)
    width = max(len(item.exercise.slug) for item in progress)
    rows: list[tuple[ExerciseProgress, Text]] = []
    for index, item in enumerate(progress, start=1):
        exercise = item.exercise
        status = item.status.value if item.status is not Status.BLOCKED else "passes"
        if item.status is Status.IN_PROGRESS and item.total:
            status += f" {item.passed}/{item.total}"
        style = {Status.SOLVED: "green", Status.IN_PROGRESS: "yellow", Status.TESTS_MODIFIED: "red"}.get(
            item.status, "dim"
        )
        line = Text.from_markup(f"{MARKS[item.status]} {index:>2} {exercise.slug:<{width}} ")
        line.append(f"{status} ".ljust(18), style=style)
        # The time box, as an interviewer would set it (curriculum.toml's timebox_minutes; drills use it too).
        line.append(f"{exercise.timebox_minutes:>3} min  " if exercise.timebox_minutes else " " * 9)
        rows.append((item, line))
    # A row to a line when every title fits beside its row; on a narrower terminal each title goes
    # on the lines under its row, under the slug, rather than cut short.
    beside = all(line.cell_len + len(item.exercise.title) <= console.width for item, line in rows)
    kind = None
    for item, line in rows:
        exercise = item.exercise
        if exercise.kind != kind:
            kind = exercise.kind
            console.print(f"[bold]{kinds.of(exercise).heading}[/]")
        title = Text(exercise.title, style="dim")
        if beside:
            console.print(line + title, no_wrap=True)
        else:
            line.rstrip()
            console.print(line, no_wrap=True, overflow="fold")
            console.print(Hanging(" " * 5, title))
    console.print(
        Packed(
            [f"[dim]{DOJO} watch SLUG starts the loop there;[/]", f"[dim]{DOJO} check SLUG runs one exercise.[/]"],
            separator=" ",
            indent=0,
        )
    )
    _warn_modified_tests(root, progress)


def _warn_modified_tests(root: Path, progress: list[ExerciseProgress]) -> None:
    from dojo.checksums import restore_command

    tampered = [file for item in progress for file in item.modified_tests]
    if tampered:
        err.print(
            f"[red]Edited tests do not count:[/] {', '.join(tampered)} differ from the kit's. "
            f"Put them back with: {escape(restore_command(root, tampered))}"
        )


@app.command()
def check(
    slug: Annotated[str, typer.Argument(help="an exercise slug, or a group such as 'capstone'")],
    target: Annotated[str, typer.Option(help=f"run against: {', '.join(TARGETS)}")] = "learner",
    full: Annotated[
        bool, typer.Option("--full", help="pytest's whole report, and Hypothesis shrinking its examples (slower)")
    ] = False,
) -> None:
    """Run one exercise's tests against your file, with focused output."""
    root, curriculum = _kit()
    if target not in TARGETS:
        raise UsageProblem(f"--target must be one of {', '.join(TARGETS)}, not '{target}'")
    selected = curriculum.select(slug)  # an unknown slug: CurriculumError, one line (status 2)
    raise typer.Exit(_run_check(root, curriculum, selected, target, full=full, once=True))


@app.command()
def watch(
    slug: Annotated[str | None, typer.Argument(help="where to start; default: your next exercise")] = None,
) -> None:
    """Walk the curriculum: tests re-run when you save, single keys for hint, next, list, reset, quit."""
    from dojo.watch import run as watch_loop

    root, curriculum = _kit()
    _materialize(root, curriculum)
    if slug is None:
        upcoming = next_exercise(measure(root, curriculum))
        exercise = upcoming.exercise if upcoming is not None else curriculum.exercises[0]
    else:
        exercise = _exercise(curriculum, slug)
    raise typer.Exit(watch_loop(root, curriculum, exercise))


@app.command()
def hint(slug: Annotated[str, typer.Argument(help="exercise slug")]) -> None:
    """Reveal the next hint for an exercise (earlier ones are shown again)."""
    root, curriculum = _kit()
    exercise = _exercise(curriculum, slug)
    saved = state_store.load(root)
    shown = min(saved.hints.get(slug, 0) + 1, len(exercise.hints))
    saved.hints[slug] = shown
    state_store.save(root, saved)
    history.hinted(root, slug, shown)
    for number, text in enumerate(exercise.hints[:shown], start=1):
        style = "bold" if number == shown else "dim"
        # A wrapped hint goes on under its own text, so where the next hint starts stays plain.
        console.print(Hanging(f"[{style}]hint {number}/{len(exercise.hints)}:[/] ", escape(typed(text))))
    if shown == len(exercise.hints):
        console.print(f"[dim]{escape(typed(kinds.of(exercise).last_hint(exercise)))}[/]")


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
    history.was_reset(root, exercise.slug)
    if outcome.backup is not None:
        console.print(f"Backed up your work to [bold]{outcome.backup.relative_to(root)}[/]")
    else:
        console.print("[dim]Your file was still the untouched stub: nothing to back up.[/]")
    for rel in outcome.removed:
        console.print(f"removed {rel} (it is in the backup)")
    console.print(f"Restored the pristine {', '.join(outcome.restored)}")


@app.command()
def restore(
    slug: Annotated[str, typer.Argument(help="exercise slug")],
    number: Annotated[int | None, typer.Argument(help="which backup (1 is the newest); omit to list them")] = None,
) -> None:
    """List an exercise's backups, or put one back (your current file is backed up first)."""
    from dojo.backups import list_backups
    from dojo.backups import restore as restore_backup

    root, curriculum = _kit()
    exercise = _exercise(curriculum, slug)
    found = list_backups(root, exercise)
    if not found:
        raise UsageProblem(f"{slug} has no backups yet: `{DOJO} reset {slug}` makes one before it restores the stub")
    if number is None:
        for index, item in enumerate(found, start=1):
            console.print(f"{index:>3}  {item.taken:%Y-%m-%d %H:%M:%S} UTC  {', '.join(item.files)}")
        console.print(f"[dim]Put one back with: {DOJO} restore {slug} NUMBER (your current file is backed up first)[/]")
        return
    if not 1 <= number <= len(found):
        raise UsageProblem(f"{slug} has backups 1 to {len(found)}, not {number}: `{DOJO} restore {slug}` lists them")
    outcome = restore_backup(root, exercise, found[number - 1])
    if outcome.backup_of_current is not None:
        console.print(f"Backed up your current work to [bold]{outcome.backup_of_current.relative_to(root)}[/]")
    for rel in outcome.removed:
        console.print(f"removed {rel} (it is in that backup)")
    console.print(f"Restored {', '.join(outcome.restored)} from {found[number - 1].taken:%Y-%m-%d %H:%M:%S} UTC")


@app.command()
def solution(
    slug: Annotated[str, typer.Argument(help="exercise slug")],
    peek: Annotated[bool, typer.Option("--peek", help="show it even though your tests do not pass yet")] = False,
    full: Annotated[
        bool, typer.Option("--full", help="a capstone round: the finished app, not only this round's step")
    ] = False,
    plain: Annotated[
        bool, typer.Option("--plain", help="a capstone round: an unwrapped unified diff for `git apply`")
    ] = False,
) -> None:
    """Show the reference solution as a diff against your file (a capstone round: that round's step)."""
    root, curriculum = _kit()
    exercise = _exercise(curriculum, slug)
    if not full and kinds.of(exercise).show_solution(root, curriculum, exercise, peek=peek, plain=plain):
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
    diff = solution_diff(root, exercise)
    if not diff:
        console.print("Your files match the reference exactly.")
    for line in diff:
        for piece in fold(line, console.width):
            style = "bold" if piece.startswith(("---", "+++")) else "cyan" if piece.startswith("@@") else ""
            style = style or ("green" if piece.startswith("+") else "red" if piece.startswith("-") else "")
            console.print(Text(piece, style=style, no_wrap=True, overflow="crop"))


@app.command("verify")
def verify_command(
    only: Annotated[list[str] | None, typer.Option("--only", help="verify just these exercises (repeatable)")] = None,
    mutants: Annotated[bool, typer.Option(help="try the classic-mistake mutants")] = True,
    lint: Annotated[bool, typer.Option(help="run ruff, mypy and the review/capstone checks")] = True,
    allow_skips: Annotated[
        bool | None,
        typer.Option(
            help="accept skipped tests (PostgreSQL tests without a server); default: yes, but no under CI=true"
        ),
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


@app.command(hidden=True)
def checksums(write: Annotated[bool, typer.Option("--write", help="rewrite the manifest")] = False) -> None:
    """Maintainers: check (or --write) tests/SHA256SUMS, the shipped tests' checksums."""
    from dojo import checksums as manifest

    root, curriculum = _kit()
    text = manifest.render(root, curriculum)
    if write:
        (root / manifest.MANIFEST).write_text(text, encoding="utf-8")
        console.print(f"wrote {manifest.MANIFEST}")
    elif (root / manifest.MANIFEST).is_file() and (root / manifest.MANIFEST).read_text(encoding="utf-8") == text:
        console.print(f"{manifest.MANIFEST} matches the tests")
    else:
        err.print(f"{manifest.MANIFEST} is stale: run `{DOJO} checksums --write` after changing a test")
        raise typer.Exit(1)


capstone.register(app)
redis_server.register(app)
fuzz.register(app)
reviews.register(app)
drill.register(app)
mutation_cli.register(app)
lint_cli.register(app)
bench.register(app)
guard(app)  # every command, the ones registered above included: a DojoError is one line (dojo.errors)


def main() -> None:
    """Entry point: run the app (each command shows a DojoError as one line on stderr: dojo.errors.guard)."""
    from dojo import help as help_screens

    help_screens.install()
    app(standalone_mode=True)


__all__ = ["ExerciseProgress", "app", "main"]
