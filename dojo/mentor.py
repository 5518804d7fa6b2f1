"""Mentor comments: what a reviewer would still say about an exercise that passes.

Green tests mean the behaviour is right, not that the code would pass review. Once `dojo check` turns
green, it runs the rule pack (dojo.rulepack) over the learner's files (a kata, a capstone round's
package, a fixed review) and prints each finding as advice, as exercism's analyzers comment on a passing
solution: "passes, but `list.remove` makes every access O(n)". Advice never changes the check's outcome:
a pack that cannot run is one dim line, not a failure. Every kind is treated alike: the pack is silent on
every reference solution, so a learner who matches the reference hears nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from dojo import rulepack
from dojo.curriculum import Exercise
from dojo.targets import TARGETS, Target, tree_for


def files_for(root: Path, exercises: Sequence[Exercise], target: Target) -> list[Path]:
    """The Python files of ``exercises`` (a file, or every file of a package), in ``target``'s tree."""
    tree = tree_for(root, target)
    paths = {tree / exercise.path for exercise in exercises}
    return sorted({path.resolve() for path in rulepack.python_files(sorted(paths))})


def comments(root: Path, exercises: Sequence[Exercise], target: Target) -> list[rulepack.PackFinding]:
    """The rule pack's findings on those files (raises PackError when the pack cannot run)."""
    return rulepack.scan(files_for(root, exercises, target))


def start(root: Path, exercises: Sequence[Exercise], target: str) -> rulepack.Scan | rulepack.PackError | None:
    """Start the pack on the files before their tests run, so that its scan overlaps them; the
    check then waits for it only if the tests pass (:func:`advise` with ``started``)."""
    if target not in TARGETS:
        return None
    try:
        return rulepack.start_scan(files_for(root, exercises, target))
    except rulepack.PackError as error:
        return error


def advise(
    console: Console,
    root: Path,
    exercises: Sequence[Exercise],
    target: str,
    started: rulepack.Scan | rulepack.PackError | None = None,
) -> None:
    """Print the mentor comments for exercises whose tests just passed. Never raises for the pack."""
    if target not in TARGETS:
        return
    try:
        if isinstance(started, rulepack.PackError):
            raise started
        found = started.findings() if started is not None else comments(root, exercises, target)
    except rulepack.PackError as error:
        console.print(f"[dim]No mentor comments this time: {escape(str(error))}[/]")
        return
    if not found:
        return
    tree = tree_for(root, target).resolve()
    console.print("\n[bold]It passes. A reviewer would still say[/] [dim](advice only: the check is green)[/]:")
    for finding in found:
        shown = finding.path.relative_to(tree).as_posix() if finding.path.is_relative_to(tree) else str(finding.path)
        where = f"{shown}:{finding.line}"
        console.print(
            f"  • [bold]{escape(where)}[/] [dim]{rulepack.SOURCE}:{finding.rule}[/] {escape(finding.message)}"
        )
