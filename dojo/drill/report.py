"""The drill's report, as Markdown: written under ``.dojo/drills/`` and shown in the terminal."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from dojo.drill.clock import SwapSchedule, mmss
from dojo.drill.commits import CommitCheck
from dojo.drill.machine import DrillState
from dojo.drill.plan import DrillPlan
from dojo.drill.review import Grade
from dojo.drill.session import drills_dir

ENDINGS = {"done": "finished", "quit": "stopped early (q)", "time": "time ran out"}


def markdown(
    plan: DrillPlan,
    state: DrillState,
    elapsed: float,
    started_at: str,
    *,
    pair: SwapSchedule | None = None,
    commits: Sequence[CommitCheck] | None = None,
    grade: Grade | None = None,
) -> str:
    ending = ENDINGS.get(state.finished or "quit", state.finished or "")
    out = [
        f"# Drill report: {plan.name}",
        "",
        f"Started {started_at} · {mmss(elapsed)} of {plan.total_minutes}:00 · {ending}",
    ]
    if pair is not None:
        out.append(f"Pair: {', '.join(pair.names)}, swapping every {pair.minutes} min ({state.swap_slot} swaps)")
    out += ["", "## Time and tests", "", "| step | budget | due by | time taken | tests | hints |", "| --- | --- | --- | --- | --- | --- |"]
    for step, deadline, record in zip(plan.steps, plan.deadlines, [*state.records, *[None] * len(plan.steps)], strict=False):
        if record is None:
            out.append(f"| {step.slug} | {step.budget_minutes}:00 | {mmss(deadline)} | not reached | | |")
            continue
        spent = record.spent(elapsed)
        over = " (over)" if spent > step.budget_minutes * 60 else ""
        tests = "not run" if record.runs == 0 else f"{record.passed}/{record.total}" + (" ✔" if record.green else " ✘")
        if record.error:
            tests = "✘ " + record.error
        out.append(f"| {step.slug} | {step.budget_minutes}:00 | {mmss(deadline)} | {mmss(spent)}{over} | {tests} | {record.hints} |")
    out += ["", "## Rubric (the interviewer's marks)", ""]
    out += _rubric(plan, state)
    if commits is not None:
        out += ["", "## Commits", "", *_commits(plan, state, commits)]
    if grade is not None:
        out += ["", f"## Findings: {grade.score} of the answer key", "", *_grade(grade)]
    return "\n".join(out) + "\n"


def _rubric(plan: DrillPlan, state: DrillState) -> list[str]:
    reached = [record.slug for record in state.records]
    lines = ["| criterion | " + " | ".join(reached) + " | total |", "| --- |" + " --- |" * (len(reached) + 1)]
    for criterion in plan.rubric:
        counts = [sum(1 for m in state.marks if m.criterion == criterion.name and m.step == slug) for slug in reached]
        cells = [str(count) if count else "·" for count in counts]
        lines.append(f"| {criterion.key} {criterion.name} | " + " | ".join(cells) + f" | {sum(counts)} |")
    if not state.marks:
        lines.append("")
        lines.append("No marks: the interviewer presses 1-7 during the drill when the candidate shows a criterion.")
    return lines


def _commits(plan: DrillPlan, state: DrillState, commits: Sequence[CommitCheck]) -> list[str]:
    if not commits:
        return ["No commits since the drill began: the playbook ends by showing a history, one commit per step."]
    seen_at = {commit.sha: commit.at for commit in state.commits}
    mark = {True: "✔", False: "✘"}
    lines = [
        "| at | commit | round | message | conventional | tests | ruff | mypy |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for check in commits:
        at = mmss(seen_at[check.sha]) if check.sha in seen_at else "?"
        lines.append(
            f"| {at} | {check.sha[:7]} | {check.step} | {check.subject.replace('|', '/')} | {mark[check.conventional]} | "
            f"{check.tests} {mark[check.tests_ok]} | {mark[check.ruff_ok]} | {mark[check.mypy_ok]} |"
        )
    lines += ["", "Per round (at least one conventional commit, every commit green and clean):", ""]
    for record in state.records:
        mine = [check for check in commits if check.step == record.slug]
        conventional = sum(check.conventional for check in mine)
        verdict = "✔" if conventional and all(check.ok for check in mine) else "✘"
        lines.append(f"- {verdict} {record.slug}: {len(mine)} commit(s), {conventional} conventional")
        lines += [f"  - {check.sha[:7]}: {problem}" for check in mine for problem in check.problems]
    return lines


def _grade(grade: Grade) -> list[str]:
    lines = ["### Found", ""]
    lines += [f"- ✔ line {finding.line}: {finding.title} (you wrote: “{note}”)" for finding, note in grade.found] or ["- none"]
    lines += ["", "### Missed", ""]
    lines += [f"- ✘ line {f.line} ({f.severity}): {f.title}. {f.why}" for f in grade.missed] or ["- none: every finding named"]
    lines += ["", "### Beyond the key", ""]
    lines += [f"- ? “{note}”" for note in grade.beyond] or ["- none"]
    if grade.beyond:
        lines += ["", "A note beyond the key may be a real smell the key does not list, or a finding worded in a way it cannot match."]
    return lines


def write(root: Path, started_at: str, name: str, text: str) -> Path:
    directory = drills_dir(root)
    directory.mkdir(parents=True, exist_ok=True)
    stamp = started_at.replace("-", "").replace(":", "").replace("+0000", "Z")
    path = directory / f"{stamp}-{name}.md"
    path.write_text(text, encoding="utf-8")
    return path
