"""How `dojo verify` shows its findings: a table per exercise, a table of problems, one closing line."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from dojo.layout import Hanging
from dojo.mutation_baseline import MIN_SCORE, Judgement
from dojo.verify import Report

WIDE = 120  # below this many columns: short headers, no borders, and the automated cells' details below


def print_report(console: Console, report: Report) -> None:
    wide = console.width >= WIDE
    table = Table(title="dojo verify" if wide else None, title_justify="left")
    if not wide:
        console.print("[bold]dojo verify[/]")  # not the table's title, which is padded to the table's width
        # No borders, one space between columns: the 22-character slugs and the capstone's 18-character
        # automated cell then fit in 80 columns.
        table.box, table.show_edge, table.pad_edge, table.collapse_padding = None, False, False, True
    headers = (
        ("tests", "guards", "pass on solution", "fail on stub", "mutants caught", "automated (killed/non-equivalent)")
        if wide
        else ("tests", "guards", "solution", "stub", "mutants", "mutmut")
    )
    table.add_column("exercise", justify="left")
    for column in headers:
        table.add_column(column, justify="right")
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
            _automated(report, summary.exercise.slug) if wide else _automated_short(report, summary.exercise.slug),
        )
    console.print(table)
    automated = report.automated
    if not wide and automated is not None:
        for line in _automated_legend(report):
            console.print(Hanging("  ", line))
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
        console.print(
            "[bold green]The kit is honest:[/] every stub fails, every solution passes, every mutant is caught."
        )
    # A plain closing line, in the form CI tooling reads.
    console.print(f"verify: {report.checks_held} passed, {len(report.problems)} failed", markup=False)


def _judged(report: Report, slug: str) -> tuple[str, Judgement] | str:
    """The exercise's unit and its judgement, or the cell to show instead (no pass ran, not judged)."""
    if report.automated is None or slug not in report.automated.unit_of:
        return "—"
    unit = report.automated.unit_of[slug]
    judged = report.automated.judgements.get(unit)
    return "[red]not judged[/]" if judged is None else (unit, judged)


def _automated(report: Report, slug: str) -> str:
    """The exercise's automated score: killed / non-equivalent, %; a group's score shows its name."""
    found = _judged(report, slug)
    if isinstance(found, str):
        return found
    unit, judged = found
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


def _automated_short(report: Report, slug: str) -> str:
    """The narrow table's cell: killed (PostgreSQL's kills included) / non-equivalent and the score;
    ``b`` when the numbers come from the baseline, ``*`` when the unit is shared (the legend says which)."""
    found = _judged(report, slug)
    if isinstance(found, str):
        return found
    unit, judged = found
    text = f"{judged.killed + judged.on_postgres}/{judged.mutants - judged.equivalents} {judged.score:.1%}"
    if judged.score < MIN_SCORE:
        text = f"[red]{text}[/]"
    marks = ("b" if judged.from_baseline or judged.partial is not None else "") + ("*" if unit != slug else "")
    return text + (f" [dim]{marks}[/]" if marks else "")


def _automated_legend(report: Report) -> list[str]:
    """Under the narrow table: what ``b`` and ``*`` mean, and each shared unit's numbers in full."""
    automated = report.automated
    if automated is None:
        return []
    lines = ["[dim]mutmut: killed / non-equivalent mutants; b: from the unit's baseline (re-run where changed)[/]"]
    shared: dict[str, list[str]] = {}
    for slug, unit in automated.unit_of.items():
        if unit != slug:
            shared.setdefault(unit, []).append(slug)
    for unit, slugs in sorted(shared.items()):
        judged = automated.judgements.get(unit)
        if judged is None:
            continue
        killed = f"{judged.killed} + {judged.on_postgres} on PostgreSQL" if judged.on_postgres else str(judged.killed)
        detail = f"; {judged.partial} re-run" if judged.partial is not None else ""
        lines.append(
            f"[dim]*: one unit, {escape(unit)}, for {escape(', '.join(sorted(slugs)))}: "
            f"{killed} killed of {judged.mutants - judged.equivalents}{detail}[/]"
        )
    return lines


def _ratio(value: int, total: int) -> str:
    text = f"{value}/{total}"
    return text if value == total else f"[red]{text}[/]"
