"""How `dojo verify` shows its findings: a table per exercise, a table of problems, one closing line."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from dojo.verify import Report


def print_report(console: Console, report: Report) -> None:
    table = Table(title="dojo verify", title_justify="left")
    for column, justify in (
        ("exercise", "left"),
        ("tests", "right"),
        ("guards", "right"),
        ("pass on solution", "right"),
        ("fail on stub", "right"),
        ("mutants caught", "right"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for summary in report.summaries:
        honest = summary.tests - summary.guards
        caught = sum(1 for m in summary.mutants if m.caught_by)
        tried = sum(1 for m in summary.mutants if not m.skipped)
        untried = len(summary.mutants) - tried
        table.add_row(
            summary.exercise.slug,
            str(summary.tests),
            str(summary.guards),
            _ratio(summary.passed_on_solutions, summary.tests),
            _ratio(summary.failed_on_stub, honest),
            _ratio(caught, tried) + (f" [yellow](+{untried} not tried)[/]" if untried else ""),
        )
    console.print(table)
    tests = sum(s.tests for s in report.summaries)
    guards = sum(s.guards for s in report.summaries)
    mutants = sum(len(s.mutants) for s in report.summaries)
    console.print(
        f"{len(report.summaries)} exercises · {tests} exercise tests ({guards} guards) · "
        f"{mutants} mutants · {report.kit_tests} kit tests"
    )
    if report.skipped:
        console.print(f"[yellow]{len(report.skipped)} skipped[/] (e.g. {report.skipped[0]})")
    if report.problems:
        problems = Table(title="what is wrong", title_justify="left", show_lines=False)
        for column in ("check", "exercise", "problem"):
            problems.add_column(column, overflow="fold")
        for problem in report.problems:
            problems.add_row(problem.check, problem.slug or "—", problem.message)
        console.print(problems)
    else:
        console.print("[bold green]The kit is honest:[/] every stub fails, every solution passes, every mutant is caught.")
    # A plain closing line, in the form CI tooling reads.
    console.print(f"verify: {report.checks_held} passed, {len(report.problems)} failed", markup=False)


def _ratio(value: int, total: int) -> str:
    text = f"{value}/{total}"
    return text if value == total else f"[red]{text}[/]"
