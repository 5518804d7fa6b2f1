"""`dojo bench [SLUG]`: time your solution, the reference and the libraries people would pick, side by side.

Each benchmarked exercise has fixed, seeded workloads (``katas.py``, ``capstone.py``); every
contender runs them in interleaved rounds in this one process (``harness.py``), and the table shows
medians, min-max and how many times the reference each one takes. Before timing anyone's code its
exercise's tests must pass: a fast wrong answer is not an answer. Timings are never part of the
test suite's pass or fail; the kit's tests check this command's behaviour, not its numbers.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import sys
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from dojo.bench.context import BENCH_TARGETS, BenchTarget, Context, install_hint
from dojo.bench.harness import Measured, Workload, as_json, measure, relative, runnable
from dojo.curriculum import Curriculum, Exercise
from dojo.curriculum import load as load_curriculum
from dojo.errors import FAILED, DojoError, one_line_errors, render
from dojo.layout import Hanging
from dojo.paths import dojo_command, kit_root
from dojo.runner import run_pytest, selection

console = Console(highlight=False)
err = Console(stderr=True, highlight=False)


@dataclass(frozen=True)
class Skipped:
    """A workload that cannot run here (no PostgreSQL server), with the reason."""

    key: str
    slug: str
    reason: str


Built = list[Workload | Skipped]
Suite = Callable[[Context, AsyncExitStack], Awaitable[Built]]


def _suites() -> dict[str, Suite]:
    """Benchmarked exercise -> what builds its workloads (imported late: the CLI starts without them)."""
    from dojo.bench import capstone, katas

    def sync(build: Callable[[Context], list[Workload]]) -> Suite:
        async def suite(ctx: Context, stack: AsyncExitStack) -> Built:
            return list(build(ctx))

        return suite

    return {
        "lru_cache": sync(katas.lru),
        "ttl_cache": sync(katas.ttl),
        "rate_limiter": sync(katas.token_bucket),
        "round1": capstone.loader,
        "round4": capstone.pagination,
        "round7": capstone.list_endpoint,
    }


BENCHMARKED = ("lru_cache", "ttl_cache", "rate_limiter", "round1", "round4", "round7")


class BenchUsage(DojoError):
    """Bad input: one line, exit status 2."""


def bench(
    slug: Annotated[str | None, typer.Argument(help=f"one of {', '.join(BENCHMARKED)}; default: all")] = None,
    target: Annotated[
        str, typer.Option(help="whose solution to time beside the reference: learner or solutions")
    ] = "learner",
    as_json_output: Annotated[bool, typer.Option("--json", help="print the measurements as JSON on stdout")] = False,
    rounds: Annotated[int, typer.Option(min=1, max=50, help="interleaved rounds per workload")] = 5,
    scale: Annotated[
        float, typer.Option(min=0.000001, max=10.0, help="fraction of each workload's size (0.01 for a quick look)")
    ] = 1.0,
) -> None:
    """Time your solution, the reference and the libraries people would pick, on the same seeded work."""
    chosen = _target(target)  # bad input: BenchUsage, one line and exit 2 (dojo.errors)
    slugs = _slugs(slug)
    root = kit_root()
    curriculum = load_curriculum(root)
    refused = _refused(root, curriculum, slugs, chosen, quiet=as_json_output)
    for line in refused.values():  # a refused slug is one error line; the others still run
        render(line)
    wanted = [s for s in slugs if s not in refused]
    ctx = Context(root, chosen, scale=scale, postgres_url=os.environ.get("DOJO_POSTGRES_URL"))
    load_before = os.getloadavg()[0]
    try:
        measured, skipped = asyncio.run(_run(ctx, wanted, rounds, quiet=as_json_output)) if wanted else ([], [])
    except Exception as error:  # a crash in timed code or a database gone away: one line, not a traceback
        from dojo.capstone import describe_exception

        raise DojoError(f"bench stopped: {describe_exception(error)}", FAILED) from None
    machine = _machine(load_before)
    if as_json_output:
        sys.stdout.write(json.dumps(_document(ctx, rounds, machine, measured, skipped, refused), indent=2) + "\n")
    else:
        _print(machine, measured, skipped)
    raise typer.Exit(1 if refused else 0)


def _target(value: str) -> BenchTarget:
    for target in BENCH_TARGETS:
        if value == target:
            return target
    raise BenchUsage(f"--target must be one of {', '.join(BENCH_TARGETS)}, not '{value}'")


def _slugs(slug: str | None) -> list[str]:
    if slug is None:
        return list(BENCHMARKED)
    if slug == "pagination":  # an in-memory list has no OFFSET to pay: a database shows the difference
        raise BenchUsage(
            "no benchmark for 'pagination' itself: OFFSET against keyset is timed on a database by `dojo bench round4`"
        )
    if slug not in BENCHMARKED:
        raise BenchUsage(f"no benchmark for '{slug}': choose one of {', '.join(BENCHMARKED)}, or none for all")
    return [slug]


def _refused(root: Path, curriculum: Curriculum, slugs: list[str], target: BenchTarget, quiet: bool) -> dict[str, str]:
    """slug -> why it is not timed: its tests (with the earlier rounds of a capstone round) do not pass."""
    wanted: list[Exercise] = []
    for slug in slugs:
        exercise = curriculum.get(slug)
        for member in (*curriculum.earlier_in_group(exercise), exercise):
            if member not in wanted:
                wanted.append(member)
    whose = "your" if target == "learner" else "the reference's"
    status = err.status(f"running the tests of {whose} {', '.join(slugs)} first...") if not quiet else nullcontext()
    with status:
        result = run_pytest(root, ["-q", "-x", *selection(wanted)], target=target)
    command = dojo_command()
    refused = {}
    for slug in slugs:
        exercise = curriculum.get(slug)
        failing = [m.slug for m in (*curriculum.earlier_in_group(exercise), exercise) if not result.slug_passed(m.slug)]
        if failing:
            option = "" if target == "learner" else " --target solutions"
            refused[slug] = (
                f"{slug} is not timed: {', '.join(failing)} does not pass on {whose} code "
                f"(`{command} check {failing[0]}{option}`); a fast wrong answer is not an answer"
            )
    return refused


async def _run(ctx: Context, slugs: list[str], rounds: int, quiet: bool) -> tuple[list[Measured], list[Skipped]]:
    suites = _suites()
    measured: list[Measured] = []
    skipped: list[Skipped] = []
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True, disable=quiet) as progress:
        for slug in slugs:
            task = progress.add_task(f"{slug}: preparing the workload", total=None)
            async with AsyncExitStack() as stack:
                built = await suites[slug](ctx, stack)
                workloads = [w for w in built if isinstance(w, Workload)]
                skipped += [s for s in built if isinstance(s, Skipped)]
                progress.update(task, total=sum(len(runnable(w, rounds)) for w in workloads), completed=0)

                def advance(description: str, task: Any = task) -> None:
                    progress.update(task, description=description)
                    progress.advance(task)

                measured += [await measure(workload, rounds, advance) for workload in workloads]
            progress.remove_task(task)
    return measured, skipped


def _machine(load_before: float) -> dict[str, Any]:
    return {
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": f"{platform.system()} {platform.machine()}",
        "cpus": os.cpu_count(),
        "load_average_before": round(load_before, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
    }


def _missing(measured: list[Measured]) -> list[str]:
    return sorted({r.contender.missing for m in measured for r in m.results if r.contender.missing})


def _document(
    ctx: Context,
    rounds: int,
    machine: dict[str, Any],
    measured: list[Measured],
    skipped: list[Skipped],
    refused: dict[str, str],
) -> dict[str, Any]:
    missing = _missing(measured)
    return {
        "target": ctx.target,
        "rounds": rounds,
        "scale": ctx.scale,
        "machine": machine,
        "workloads": [as_json(m) for m in measured],
        "skipped": [{"key": s.key, "slug": s.slug, "reason": s.reason} for s in skipped],
        "refused": [{"slug": slug, "reason": reason} for slug, reason in refused.items()],
        "missing": missing,
        "install": install_hint() if missing else None,
    }


def _scale_of(value: float) -> tuple[float, str]:
    if value >= 1:
        return 1, "s"
    if value >= 0.001:
        return 1000, "ms"
    return 1_000_000, "µs"


def _seconds(value: float) -> str:
    factor, unit = _scale_of(value)
    return f"{value * factor:.3g} {unit}" if value * factor < 100 else f"{value * factor:.0f} {unit}"


def _span(values: list[float]) -> str:
    """``544-839 ms``: the spread of the rounds, in the unit of their median."""
    factor, unit = _scale_of(sorted(values)[len(values) // 2])
    low, high = min(values) * factor, max(values) * factor
    digits = 0 if high >= 100 else (1 if high >= 10 else 2)
    return f"{low:.{digits}f}-{high:.{digits}f} {unit}"


def _rate(per_second: float) -> str:
    if per_second >= 1_000_000:
        return f"{per_second / 1_000_000:.2f}M"
    if per_second >= 10_000:
        return f"{per_second / 1000:.0f}k"
    return f"{per_second:,.0f}" if per_second >= 100 else f"{per_second:.1f}"


SUPERSCRIPTS = "¹²³⁴⁵⁶⁷⁸⁹"
WIDE = 120  # below this many columns the notes go under the table and the rate column is dropped


def _table(item: Measured, *, wide: bool) -> tuple[Table, list[str]]:
    """The workload's table and, on a narrow terminal, the footnotes that carry its notes.

    At 80 columns a notes column squeezes every cell into ``medi…``: there each note becomes a
    numbered line below the table instead, and the per-second rate (the median says the same) goes."""
    workload = item.workload
    # Narrow, the title goes above the table (printed by the caller) so it is not wrapped to its width.
    table = Table(title=escape(workload.title) if wide else None, title_justify="left", title_style="bold")
    if not wide:
        table.box, table.show_edge, table.pad_edge = box.SIMPLE_HEAD, False, False
    floored = ("above floor",) if workload.floor else ()
    rate = (f"{workload.unit}/s",) if wide else ()
    noted = ("note",) if wide else ()
    for column in ("contender", "median", "min-max", *rate, "vs reference", *floored, *noted):
        numeric = column not in ("contender", "vs reference", "above floor", "note")
        table.add_column(column, justify="right" if numeric else "left", no_wrap=column != "note")
    footnotes: list[str] = []

    def named(name: str, note: str, style: str) -> str:
        text = f"[{style}]{escape(name)}[/]" if style else escape(name)
        if wide or not note:
            return text
        marker = SUPERSCRIPTS[len(footnotes) % len(SUPERSCRIPTS)]
        footnotes.append(f"{marker} {escape(note)}")
        return f"{text} [dim]{marker}[/]"

    for result in item.results:
        contender = result.contender
        if not result.seconds:
            hint = install_hint()
            table.add_row(
                named(contender.name, f"not installed: {hint}", ""),
                "-",
                "-",
                *(("-",) * len(rate)),
                "not installed",
                *(("-",) * len(floored)),
                *((f"[dim]{escape(hint)}[/]",) if wide else ()),
            )
            continue
        above = item.above_the_floor(contender.name) if contender.kind != "reference" else None
        beyond = (("" if above is None else relative(above)),) if workload.floor else ()
        style = "bold" if contender.kind != "alternative" else ""
        per_second = (_rate(workload.ops / result.median) if result.median > 0 else "-",) if wide else ()
        table.add_row(
            named(contender.name, contender.note, style),
            _seconds(result.median),
            _span(result.seconds),
            *per_second,
            "" if contender.kind == "reference" else relative(item.times_the_reference(contender.name)),
            *beyond,
            *((escape(contender.note),) if wide else ()),
        )
    return table, footnotes


def _aside(markup: str) -> None:
    """A line under a table, indented by two, its wrapped lines too."""
    console.print(Hanging("  ", markup))


def _print(machine: dict[str, Any], measured: list[Measured], skipped: list[Skipped]) -> None:
    console.print(
        f"[dim]{machine['python']}, {machine['cpus']} CPUs, {machine['platform']}; load average "
        f"{machine['load_average_before']} before, {machine['load_average_after']} after. Ratios come from "
        "interleaved rounds in one process: they hold on a busy machine better than the seconds do.[/]"
    )
    for item in measured:
        wide = console.width >= WIDE
        table, footnotes = _table(item, wide=wide)
        if not wide:
            console.print(f"[bold]{escape(item.workload.title)}[/]")
        console.print(table)
        for footnote in footnotes:
            _aside(f"[dim]{footnote}[/]")
        workload = item.workload
        if workload.clock == "cpu":
            _aside("[dim]timed by this process's CPU clock: all of it runs here, in one thread[/]")
        if workload.floor:
            _aside(
                f"[dim]above the floor: each median less {escape(workload.floor)}'s, the cost of the loop"
                " that drives them all[/]"
            )
        for note in workload.notes:
            _aside(f"[dim]{escape(note)}[/]")
        for goal in workload.goals:
            ratio = item.goal_ratio(goal)
            met = item.goal_met(goal)
            verdict = "[dim]not measured[/]" if met is None else ("[green]met[/]" if met else "[red]not met[/]")
            shown = "-" if ratio is None else f"{ratio:.2f}x"
            if workload.floor:
                whole = item.times_the_reference(goal.against)
                shown += " above the floor" + ("" if whole is None else f" ({whole:.2f}x end to end)")
            _aside(
                f"goal: the reference at least {goal.times:g}x as fast as {escape(goal.against)}: {shown}, {verdict}"
            )
    for skip in skipped:
        console.print(f"[yellow]skipped[/] {escape(skip.key)}: {escape(skip.reason)}")
    missing = _missing(measured)
    if missing:
        console.print(
            f"[yellow]not installed:[/] {', '.join(missing)}. Install the comparisons with: [bold]{install_hint()}[/]"
        )


def register(app: typer.Typer) -> None:
    app.command("bench")(one_line_errors(bench))
