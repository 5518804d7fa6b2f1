"""``dojo drill``: timed drills on the kata, review and capstone clocks, paused with Ctrl-C, resumed later.

dojo drill [SLUG] [--minutes N] [--pair A,B --swap MIN]   a kata or review drill; default: your next exercise
dojo drill capstone [--pair A,B --swap MIN]               the 90-minute mock interview, round by round
dojo drill SLUG --interviewer                             the interviewer's card and rubric
dojo drill resume                                         continue a paused drill, the clock where it was
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.markup import escape
from rich.panel import Panel

from dojo.briefs import bullets
from dojo.commands import typed
from dojo.curriculum import Curriculum, CurriculumError
from dojo.curriculum import load as load_curriculum
from dojo.drill import git
from dojo.drill import report as reports
from dojo.drill import review as reviewing
from dojo.drill import session as sessions
from dojo.drill.clock import DrillClock, SwapSchedule, mmss, source_from_env
from dojo.drill.commits import CommitJudge
from dojo.drill.loop import Loop, run_tests
from dojo.drill.machine import DrillMachine, DrillState, Event, Key, TestsFinished
from dojo.drill.plan import DrillPlan, Step, build
from dojo.errors import guard, one_line_errors
from dojo.layout import Hanging
from dojo.paths import dojo_command, kit_root, state_dir
from dojo.progress import measure, next_exercise
from dojo.reviews import answer_key_path, load_answer_key
from dojo.workspace import materialize

RESUME = "resume"
console = Console(highlight=False)
DOJO = dojo_command()


class DrillUsageError(CurriculumError):
    """Bad drill options: the CLI prints it as one line (CurriculumError is already handled there)."""


def drill(
    slug: Annotated[
        str | None, typer.Argument(help="exercise, 'capstone', or 'resume'; default: your next exercise")
    ] = None,
    minutes: Annotated[int | None, typer.Option(min=1, max=180, help="time box; default: the exercise's")] = None,
    interviewer: Annotated[bool, typer.Option("--interviewer", help="print the interviewer's card and rubric")] = False,
    pair: Annotated[str | None, typer.Option(help="two or more names, comma-separated: who drives, in turn")] = None,
    swap: Annotated[
        int | None, typer.Option(min=1, max=60, help="minutes between swaps (with --pair; default 10)")
    ] = None,
) -> None:
    """A timed drill: the clock ticks, tests re-run on save, single keys drive it, and it ends with a report."""
    root = kit_root()
    curriculum = load_curriculum(root)
    if slug == RESUME:
        raise typer.Exit(_resume(root, curriculum))
    schedule = _schedule(pair, swap)  # bad options fail before anything slow runs
    if slug is None:
        upcoming = next_exercise(measure(root, curriculum))
        if upcoming is None:
            raise DrillUsageError(f"every exercise is solved: name one to drill it again (after `{DOJO} reset SLUG`)")
        slug = upcoming.exercise.slug
    plan = build(root, curriculum, slug, minutes)
    if interviewer:
        _print_card(root, plan)
        return
    saved = sessions.load(root)
    if saved is not None:
        raise DrillUsageError(
            f"a '{saved.name}' drill is paused at {mmss(saved.elapsed)}: `{DOJO} drill resume` continues it"
            f" (or delete {(sessions.drills_dir(root) / sessions.CURRENT).relative_to(root)} to drop it)"
        )
    materialize(root, curriculum)
    raise typer.Exit(_start(root, plan, schedule, minutes))


def _schedule(pair: str | None, swap: int | None) -> SwapSchedule | None:
    if pair is None:
        if swap is not None:
            raise DrillUsageError("--swap needs --pair NAME,NAME: who swaps with whom")
        return None
    names = tuple(name.strip() for name in pair.split(","))
    if len(names) < 2 or not all(names) or len(set(names)) != len(names):
        raise DrillUsageError(f"--pair wants two or more different names, comma-separated (e.g. ana,ben), not '{pair}'")
    return SwapSchedule(names, swap or 10)


def _start(root: Path, plan: DrillPlan, schedule: SwapSchedule | None, minutes: int | None) -> int:
    first = plan.steps[0]
    with console.status(f"checking where {first.slug} starts from…"):
        first_run = _collect(root, first)
    if first_run.total and first_run.passed == first_run.total and not first_run.error:
        what = plan.watched
        reset = f"{first.slug} --yes" if plan.kind == "capstone" else plan.name
        console.print(
            f"[bold]{escape(first.slug)} already passes[/] in {escape(what)}: there is nothing to drill. "
            f"To drill it from the starter, first `{DOJO} reset {reset}` (your files are backed up to .dojo/backups/), "
            f"then `{DOJO} drill {plan.name}` again."
        )
        return 0
    started_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    session = sessions.Session(plan.name, started_at, minutes=minutes)
    if schedule is not None:
        session.pair, session.swap = list(schedule.names), schedule.minutes
    if plan.kind == "capstone":
        try:
            session.base = git.ensure_repo(root / plan.watched)
        except git.GitProblem as problem:
            raise DrillUsageError(str(problem)) from None
    if plan.kind == "review":
        session.notes = _fresh_notes(root, plan.name)
    clock = DrillClock(source_from_env())
    machine = DrillMachine(plan, clock, schedule)
    machine.handle(Key("r"))
    machine.handle(first_run)  # the check just made is the drill's first test run
    _intro(plan, session)
    return _drive(root, plan, machine, clock, session, schedule)


def _collect(root: Path, step: Step) -> TestsFinished:
    """Run a step's tests now, in this thread, and return the result."""
    found: list[Event] = []
    run_tests(root, step, found.append)
    result = found[0]
    assert isinstance(result, TestsFinished)
    return result


def _fresh_notes(root: Path, slug: str) -> str:
    """A blank notes file for the review; an earlier one is backed up first, never overwritten."""
    relative = reviewing.notes_path(slug)
    path = root / relative
    if path.is_file() and path.read_text(encoding="utf-8").strip() != reviewing.template(slug).strip():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        backup = state_dir(root) / "backups" / slug / stamp / relative
        backup.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, backup)
        console.print(f"[dim]your earlier notes are saved in {backup.relative_to(root)}[/]")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(reviewing.template(slug), encoding="utf-8")
    return relative


def _intro(plan: DrillPlan, session: sessions.Session) -> None:
    if plan.kind == "capstone":
        readme = Path("pristine") / plan.watched / "README.md"
        console.print(
            f"[bold]The {plan.name} interview[/]: {len(plan.steps)} rounds, {plan.total_minutes} minutes, in "
            f"{escape(plan.watched)} (a git repository of its own: commit each step, as in the interview). "
            f"Each round's full spec: {escape(readme.as_posix())}."
        )
        return
    step = plan.steps[0]
    console.print(Panel(Markdown(step.brief), title=f"drill: {plan.name} · {step.budget_minutes} min"))
    where = session.notes if plan.kind == "review" else plan.watched
    console.print(
        f"Edit [bold]{escape(where or plan.watched)}[/]; the tests re-run on every save of {escape(plan.watched)}."
    )


def _drive(
    root: Path,
    plan: DrillPlan,
    machine: DrillMachine,
    clock: DrillClock,
    session: sessions.Session,
    schedule: SwapSchedule | None,
) -> int:
    def save() -> None:
        session.elapsed = clock()
        session.state = machine.state.to_json()
        sessions.save(root, session)

    judge = CommitJudge(root, plan, root / plan.watched) if plan.kind == "capstone" else None
    loop = Loop(root, machine, console, save, judge=judge, base=session.base, notes=session.notes)
    try:
        reason = loop.run()
    except KeyboardInterrupt:
        if judge is not None:
            judge.close()  # the checks run again, at the end of the resumed drill
        save()
        console.print(
            f"\n[bold]Paused at {mmss(session.elapsed)}[/] and saved. `{DOJO} drill resume` continues it, "
            "with the clock where it was."
        )
        return 130
    return _finish(root, plan, machine, clock, session, schedule, reason, judge)


def _finish(
    root: Path,
    plan: DrillPlan,
    machine: DrillMachine,
    clock: DrillClock,
    session: sessions.Session,
    schedule: SwapSchedule | None,
    reason: str,
    judge: CommitJudge | None = None,
) -> int:
    elapsed = clock()
    commits = None
    grade = None
    if plan.kind == "capstone":
        judge = judge or CommitJudge(root, plan, root / plan.watched)
        with console.status("checking the last commits: each one's round tests, ruff and mypy --strict…"):
            commits = judge.history(session.base, machine.state.commits, machine.step.slug)
        judge.close()
    if plan.kind == "review":
        key = load_answer_key(answer_key_path(root, plan.steps[0].exercise), root)
        grade = reviewing.grade(reviewing.read_notes(root / (session.notes or "")), key)
    text = reports.markdown(
        plan, machine.state, elapsed, session.started_at, pair=schedule, commits=commits, grade=grade
    )
    path = reports.write(root, session.started_at, plan.name, text)
    sessions.clear(root)
    console.print(Markdown(text))
    console.print(f"[dim]report saved to {path.relative_to(root)}[/]")
    return 0 if reason == "done" and all(record.green for record in machine.state.records) else 1


def _resume(root: Path, curriculum: Curriculum) -> int:
    session = sessions.load(root)
    if session is None:
        raise DrillUsageError(f"no paused drill to resume: start one with `{DOJO} drill SLUG`")
    plan = build(root, curriculum, session.name, session.minutes)
    schedule = SwapSchedule(tuple(session.pair), session.swap or 10) if session.pair else None
    clock = DrillClock(source_from_env(), offset=session.elapsed)
    try:
        state = DrillState.from_json(session.state)
        if not 0 <= state.current < len(plan.steps) or [r.slug for r in state.records] != [
            s.slug for s in plan.steps[: len(state.records)]
        ]:
            raise ValueError("its rounds are not the curriculum's")
    except (KeyError, TypeError, ValueError) as error:
        saved = (sessions.drills_dir(root) / sessions.CURRENT).relative_to(root)
        raise DrillUsageError(
            f"the paused drill no longer fits curriculum.toml ({error}); delete {saved} to drop it"
        ) from None
    machine = DrillMachine(plan, clock, schedule, state)
    if state.finished:  # stopped while its report was being made: make it now
        return _finish(root, plan, machine, clock, session, schedule, state.finished)
    machine.state.banner = f"Resumed at {mmss(session.elapsed)}."
    console.print(f"Resuming the {escape(plan.name)} drill at {mmss(session.elapsed)}.")
    return _drive(root, plan, machine, clock, session, schedule)


def _print_card(root: Path, plan: DrillPlan) -> None:
    from dojo.mutants import load as load_mutants

    for number, step in enumerate(plan.steps, start=1):
        exercise = step.exercise
        heading = f"interviewer card: {exercise.slug} · {step.budget_minutes} min"
        if plan.kind == "capstone":
            heading += f" · due by {mmss(plan.deadlines[number - 1])}"
        if plan.kind == "capstone":
            # The card in the order the interview runs: say the ask, answer what is asked, reveal the
            # contract only on request; the full section last, for the interviewer's reference.
            console.print(f"[bold]{escape(heading)}[/]")
            console.print(f"[bold]Say this, word for word:[/] “{escape(step.ask)}”")
        else:
            console.print(Panel(Markdown(step.brief), title=heading))
        if step.change:
            console.print(f"[bold yellow]A changing requirement:[/] {escape(typed(step.change))}")
        if step.questions:
            console.print("[bold]Clarifying questions a strong candidate asks first, and your answers:[/]")
            for index, question in enumerate(step.questions):
                console.print(Hanging("  ? ", escape(typed(question))))
                if index < len(step.answers):
                    console.print(Hanging("    → ", escape(typed(step.answers[index]))))
        if step.reveal:
            console.print("[bold]Reveal only if asked:[/]")
            for item in step.reveal:
                console.print(Hanging("  ◦ ", escape(typed(item))))
        if plan.kind == "capstone":
            console.print(
                Panel(Markdown(step.brief), title=f"{exercise.slug}: the spec and its contract (yours to consult)")
            )
        console.print("[bold]Hints to give, in order, only when the candidate is stuck:[/]")
        for index, text in enumerate(exercise.hints, start=1):
            console.print(Hanging(f"  {index}. ", escape(typed(text))))
        console.print("[bold]What a strong candidate says unprompted:[/]")
        console.print(bullets(exercise.talking_points))
        mistakes = load_mutants(root, exercise)
        if mistakes:
            console.print("[bold]Classic mistakes to watch for (the kit's tests catch each one):[/]")
            for mutant in mistakes:
                console.print(Hanging("  ✗ ", escape(typed(mutant.why))))
    console.print("[bold]The rubric: press its key on the drill's screen whenever you see it:[/]")
    for criterion in plan.rubric:
        console.print(
            Hanging(f"  {criterion.key} ", f"{escape(criterion.name)}: {escape(typed(criterion.listen_for))}")
        )
    minutes = "" if plan.kind == "capstone" else f" --minutes {plan.steps[0].budget_minutes}"
    console.print(f"[dim]The candidate runs: {DOJO} drill {plan.name}{minutes}[/]")


def register(app: typer.Typer) -> None:
    from dojo.drill import pair

    app.command()(one_line_errors(drill))
    app.add_typer(guard(pair.app), name="pair")
