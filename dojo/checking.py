"""``dojo check``: run exercises' tests against a tree and say what comes next.

Kept apart from dojo.cli so that ``dojo check SLUG``, the command a learner runs after every save,
starts without the rest of the CLI: typer (which builds its parameters with pydantic), Markdown
rendering, and the drill, bench, fuzz and mutation commands cost more to import than a one-test
pytest run takes. ``dojo.entry`` sends a plain ``check`` here directly; dojo.cli's ``check`` command
(``--help``, anything unusual) calls the same :func:`run_check`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from dojo import history
from dojo.briefs import bullets
from dojo.checksums import restore_command
from dojo.commands import program
from dojo.curriculum import Curriculum, Exercise
from dojo.inprocess import run_pytest_here
from dojo.runner import run_pytest, selection
from dojo.workspace import is_untouched, materialize, syntax_errors

console = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def materialize_and_say(root: Path, curriculum: Curriculum) -> None:
    """Create missing learner files from pristine/ and say so (never overwrites anything)."""
    created = materialize(root, curriculum)
    if not created:
        return
    if len(created) <= 3:
        err.print(f"[dim]created {', '.join(created)} from pristine/ (it was missing)[/]")
    else:
        err.print(f"[dim]created {len(created)} learner files in katas/ and reviews/ from pristine/[/]")


def print_talking_points(exercise: Exercise) -> None:
    console.print(f"\n[bold green]✔ {exercise.slug} passes.[/] Now say these aloud, as you would to an interviewer:")
    console.print(bullets(exercise.talking_points))


def modified_tests(root: Path, exercises: Sequence[Exercise]) -> list[str]:
    """The exercises' test files that differ from the shipped checksums (tests/SHA256SUMS)."""
    from dojo import checksums

    shipped = checksums.expected(root)
    return [rel for exercise in exercises for rel in checksums.modified_tests(root, exercise, shipped)]


def run_check(
    root: Path,
    curriculum: Curriculum,
    selected: Sequence[Exercise],
    target: str,
    full: bool = False,
    once: bool = False,
) -> int:
    """Run ``selected`` (and, for a capstone round, every earlier round); 0 when they all pass.

    ``once``: this process runs one check and exits, so pytest runs inside it; a loop (a drill)
    starts a child pytest per run, so that each run imports the learner's file as it is now."""
    from dojo import mentor

    wanted: list[Exercise] = []
    for exercise in selected:
        for member in (*curriculum.earlier_in_group(exercise), exercise):
            if member not in wanted:
                wanted.append(member)
    if target == "learner":
        materialize_and_say(root, curriculum)
        broken = [line for exercise in wanted for line in syntax_errors(root, exercise)]
        if broken:
            for line in broken:
                err.print(escape(line), highlight=False)
            err.print("[red]Python cannot read that file yet:[/] fix the line above, then run the check again.")
            return 1
    from dojo import kinds
    from dojo.errors import DojoError, exit_status, render

    involved = kinds.kinds_in(wanted)
    try:  # a kind may refuse the run in one line (the capstone's PostgreSQL is down)
        notes = [note for kind in involved if (note := kind.prepare_check(root, kind.members(wanted), target))]
    except DojoError as error:
        render(error)
        return exit_status(error)
    header = "".join(f" · {note}" for note in notes)
    console.rule(f"[bold]{', '.join(e.slug for e in selected)}[/] · target: {target}{header}")
    # The rule pack's scan for the mentor comments runs beside the tests; read only if they pass.
    scan = mentor.start(root, selected, target)
    thorough = ["--tb=long"] if full else []
    env = {"HYPOTHESIS_PROFILE": "dojo"} if full else {}
    arguments = ["-q", "--no-header", *thorough, *selection(wanted)]
    try:
        if once:
            # Any missing learner file was created above: the plugin in this process need not look again.
            ready = {"DOJO_LEARNER_FILES_READY": "1"} if target == "learner" else {}
            result = run_pytest_here(root, arguments, target=target, extra_env={**env, **ready})
        else:
            result = run_pytest(root, arguments, target=target, capture=False, extra_env=env)
        tampered = modified_tests(root, wanted) if target == "learner" else []
        if target == "learner":
            for exercise in selected:
                if not is_untouched(root, exercise):
                    passed = result.slug_passed(exercise.slug) and not modified_tests(root, [exercise])
                    history.checked(root, exercise.slug, passed)
        if result.collection_errors:
            err.print("[red]Some tests could not even be collected: look for a syntax or import error above.[/]")
            return 1
        if tampered:
            err.print(
                f"\n[red]Tests modified:[/] {', '.join(tampered)} differ from the kit's, so this does not count. "
                f"Put them back with: [bold]{escape(restore_command(root, tampered))}[/]"
            )
            return 1
        failing = [e for e in wanted if not result.slug_passed(e.slug)]
        for kind in involved:
            for line in kind.check_notes(root, kind.members(wanted), target):
                console.print(f"\n[yellow]{escape(line)}[/]", soft_wrap=True)
        if failing:
            for exercise in failing:  # what the passing part has earned (a koan: each passing claim's talking point)
                progress = kinds.of(exercise).progress_notes(root, exercise, result)
                if progress:
                    console.print(f"\n[green]{exercise.slug}:[/] " + escape("\n".join(progress)), soft_wrap=True)
            first = failing[0]
            console.print(
                f"\n[yellow]Not yet:[/] {', '.join(e.slug for e in failing)}. Stuck? [bold]{program()} hint {first.slug}[/]"
            )
            return 1
        for exercise in selected:
            print_talking_points(exercise)
        mentor.advise(console, root, selected, target, started=scan)  # advice only: never changes the exit status
        scan = None
        return 0
    finally:
        if scan is not None and not isinstance(scan, Exception):
            scan.cancel()
