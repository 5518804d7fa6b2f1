"""How `dojo verify` shows its findings: a table per exercise, a table of problems, one closing line."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from dojo.mutation_baseline import MIN_SCORE
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
        ("automated (killed/non-equivalent)", "right"),
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
            _automated(report, summary.exercise.slug),
        )
    console.print(table)
    automated = report.automated
    if automated is not None:
        ran = ", ".join(automated.ran) if len(automated.ran) <= 6 else f"{len(automated.ran)} units"
        console.print(
            f"automated mutation (mutmut): ran {ran or 'nothing'} in {automated.seconds:.0f} s; "
            "the rest from their baselines (`dojo verify --deep` runs every unit)"
        )
        for note in automated.notes:
            console.print(f"[yellow]note:[/] {escape(note)}")
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


def _automated(report: Report, slug: str) -> str:
    """The exercise's automated score: killed / non-equivalent, %; a group's score shows its name."""
    if report.automated is None or slug not in report.automated.unit_of:
        return "—"
    unit = report.automated.unit_of[slug]
    judged = report.automated.judgements.get(unit)
    if judged is None:
        return "[red]not judged[/]"
    judged_total = judged.mutants - judged.equivalents
    killed = f"{judged.killed}+{judged.on_postgres} on PostgreSQL" if judged.on_postgres else f"{judged.killed}"
    text = f"{killed}/{judged_total} {judged.score:.1%}"
    if judged.score < MIN_SCORE:
        text = f"[red]{text}[/]"
    if unit != slug:
        text += f" ({unit})"
    if judged.partial is not None:
        return text + f" [dim](baseline; {judged.partial} re-run)[/]"
    return text + (" [dim](baseline)[/]" if judged.from_baseline else "")


def _ratio(value: int, total: int) -> str:
    text = f"{value}/{total}"
    return text if value == total else f"[red]{text}[/]"
