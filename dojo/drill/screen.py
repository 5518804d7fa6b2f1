"""The drill's screen: one renderable built from the machine's state, redrawn in place by rich Live."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.text import Text

from dojo.drill.clock import mmss
from dojo.drill.commits import CommitCheck
from dojo.drill.machine import DrillMachine
from dojo.drill.plan import DrillPlan


def render(machine: DrillMachine, notes: str | None = None, verdict: CommitCheck | None = None) -> RenderableType:
    plan, state, record, step = machine.plan, machine.state, machine.record, machine.step
    now = machine.clock()
    left = machine.deadline() - now
    lines: list[Text] = []
    clock = Text(f"⏱ {mmss(now)} elapsed", style="bold")
    if plan.kind == "capstone":
        clock.append(f" · {step.slug} due by {mmss(machine.deadline())}")
    clock.append(f" · {mmss(left)} left" if left >= 0 else f" · {mmss(-left)} over", style="green" if left >= 0 else "bold red")
    lines.append(clock)
    if machine.pair is not None:
        lines.append(
            Text(
                f"driver: {machine.pair.driver(now)} · navigator: {machine.pair.navigator(now)} · "
                f"swap in {mmss(machine.pair.until_swap(now))}",
                style="cyan",
            )
        )
    lines.append(Text(""))
    lines.append(Text.assemble(("The ask: ", "bold"), f"“{step.ask}”"))
    if step.questions and not record.green:
        lines.append(Text("Ask before you type:", style="bold"))
        lines.extend(Text(f"  • {question}") for question in step.questions)
    if notes:
        lines.append(Text(f"Write your findings in {notes}: one per line or bullet, as you would say them.", style="yellow"))
    lines.append(Text(""))
    lines.append(_tests_line(machine))
    if plan.kind == "capstone":
        mine = [commit for commit in state.commits if commit.step == step.slug]
        line = Text(f"commits this round: {len(mine)}", style="green" if mine else "yellow")
        if state.commits:
            line.append(f" · last: {state.commits[-1].subject}", style="default")
            line.append_text(_verdict(verdict))
        else:
            line.append(f" · commit each step in {plan.watched}, as in the interview", style="dim")
        lines.append(line)
    if state.hint_text:
        lines.append(Text(state.hint_text, style="magenta"))
    if state.banner:
        lines.append(Text(state.banner, style="bold yellow"))
    lines.append(_rubric_line(machine))
    keys = " · ".join(f"{key} {action}" for key, action in machine.keys().items())
    lines.append(Text(f"keys: {keys} · 1-{len(plan.rubric)} rubric · Ctrl-C pauses", style="dim"))
    return Panel(Group(*lines), title=_title(plan, machine), title_align="left")


def _title(plan: DrillPlan, machine: DrillMachine) -> str:
    if plan.kind == "capstone":
        return f"drill: {plan.name} · round {machine.state.current + 1} of {len(plan.steps)} · {plan.total_minutes} min"
    return f"drill: {plan.name} · {machine.step.budget_minutes} min"


def _tests_line(machine: DrillMachine) -> Text:
    record, state = machine.record, machine.state
    if state.running:
        return Text("running the tests…", style="dim")
    if record.runs == 0:
        return Text("tests: not run yet (r, or save a file)", style="dim")
    if record.error:
        return Text(f"tests: {record.error}", style="red")
    line = Text(f"tests: {record.passed}/{record.total} passed", style="green" if record.green else "red")
    if record.failing:
        shown = ", ".join(record.failing[:3]) + (" …" if len(record.failing) > 3 else "")
        line.append(f" · failing: {shown}", style="default")
    return line


def _rubric_line(machine: DrillMachine) -> Text:
    counts: dict[str, int] = {}
    for mark in machine.state.marks:
        counts[mark.criterion] = counts.get(mark.criterion, 0) + 1
    parts = [f"{c.key} {c.name}" + (f" x{counts[c.name]}" if c.name in counts else "") for c in machine.plan.rubric]
    return Text("rubric: " + " · ".join(parts), style="dim")


def _verdict(check: CommitCheck | None) -> Text:
    """What the pre-commit hook would have said about the last commit, once its check is done."""
    if check is None:
        return Text(" · checking it…", style="dim")
    if check.ok:
        return Text(" · ✔ conventional, tests, ruff, mypy", style="green")
    return Text(f" · ✘ {check.problems[0]}", style="red")
