"""What a drill is made of: its steps (one exercise, or the capstone's rounds), their budgets and asks.

Budgets come from curriculum.toml (``timebox_minutes``) and nowhere else: the capstone's pacing is the
running sum of its rounds' time boxes, so aligning the curriculum to the playbook's 90 minutes changes
the drill too. The interviewer's script (clarifying questions, the changing-requirement moments, the
rubric) is ``interview.toml`` beside this module; the asks are quoted from each round's README section.
"""

from __future__ import annotations

import ast
import tomllib
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import Final, Literal, cast

from dojo import kinds
from dojo.commands import typed
from dojo.curriculum import Curriculum, CurriculumError, Exercise
from dojo.paths import pristine_root
from dojo.readme import readme_section

INTERVIEW_FILE: Final = Path(__file__).with_name("interview.toml")
DEFAULT_MINUTES: Final = 30
DrillKind = Literal["kata", "review", "capstone"]


@dataclass(frozen=True)
class Criterion:
    key: str
    name: str
    listen_for: str


@dataclass(frozen=True)
class Step:
    """One thing to make pass: an exercise (a kata, a review) or one capstone round."""

    exercise: Exercise
    ask: str  # what the interviewer says, word for word
    brief: str  # the rest of the spec, Markdown
    budget_minutes: int
    questions: tuple[str, ...] = ()
    change: str | None = None  # set on a changing-requirement moment
    checks: tuple[Exercise, ...] = ()  # whose tests must pass: a round with every earlier one
    answers: tuple[str, ...] = ()  # the interviewer's answer to each question, in order
    reveal: tuple[str, ...] = ()  # what the interviewer tells only when asked

    @property
    def slug(self) -> str:
        return self.exercise.slug


@dataclass(frozen=True)
class DrillPlan:
    kind: DrillKind
    name: str  # the slug, or the group's name for the capstone
    steps: tuple[Step, ...]
    watched: str  # the learner's file or folder, relative to the kit root
    rubric: tuple[Criterion, ...]

    @property
    def deadlines(self) -> tuple[int, ...]:
        """When each step should be done, in seconds from the start: the running sum of the budgets."""
        return tuple(accumulate(step.budget_minutes * 60 for step in self.steps))

    @property
    def total_minutes(self) -> int:
        return sum(step.budget_minutes for step in self.steps)


def build(root: Path, curriculum: Curriculum, name: str, minutes: int | None = None) -> DrillPlan:
    """The plan for ``dojo drill NAME``: an exercise, or a group (``capstone``) as its rounds in order.

    ``minutes`` overrides a single exercise's time box; a group keeps its rounds' own budgets.
    """
    script = _interview_script()
    members = curriculum.groups().get(name)
    if members is not None:
        if minutes is not None:
            raise CurriculumError(f"'{name}' is paced by its rounds' time boxes in curriculum.toml; drop --minutes")
        steps = tuple(
            _step(root, member, member.timebox_minutes or DEFAULT_MINUTES, script, members[: index + 1])
            for index, member in enumerate(members)
        )
        return DrillPlan("capstone", name, steps, members[0].path, _rubric(script))
    exercise = curriculum.get(name)
    checks = (*curriculum.earlier_in_group(exercise), exercise)
    step = _step(root, exercise, minutes or exercise.timebox_minutes or DEFAULT_MINUTES, script, checks)
    kind: DrillKind = kinds.of(exercise).drill_mode  # a single exercise: code, or a review's notes
    return DrillPlan(kind, exercise.slug, (step,), exercise.path, _rubric(script))


def _step(
    root: Path, exercise: Exercise, minutes: int, script: dict[str, object], checks: tuple[Exercise, ...]
) -> Step:
    ask, brief = _ask_and_brief(root, exercise)
    rounds = cast(dict[str, dict[str, object]], script.get("round", {}))
    extra = rounds.get(exercise.slug, {})
    questions = tuple(str(q) for q in cast(list[object], extra.get("questions", [])))
    change = extra.get("change")
    answers = tuple(str(a) for a in cast(list[object], extra.get("answers", [])))
    reveal = tuple(str(r) for r in cast(list[object], extra.get("reveal", [])))
    return Step(exercise, ask, brief, minutes, questions, str(change) if change else None, checks, answers, reveal)


def _ask_and_brief(root: Path, exercise: Exercise) -> tuple[str, str]:
    """A round's ask is the quoted line of its README section; an exercise's is its docstring's first paragraph."""
    stub = pristine_root(root) / exercise.path
    if stub.is_dir():
        section = readme_section(stub / "README.md", exercise.slug)
        if section:
            quoted = [line[1:].strip() for line in section.splitlines() if line.startswith(">")]
            ask = " ".join(quoted).strip().strip('"“”')
            return typed(ask or exercise.title), typed(section)
        stub = stub / "__init__.py"
    try:
        doc = ast.get_docstring(ast.parse(stub.read_text(encoding="utf-8"))) or ""
    except (OSError, SyntaxError):
        doc = ""
    first = doc.split("\n\n", 1)[0].replace("\n", " ").strip()
    return typed(first or exercise.title), typed(doc or exercise.title)  # its commands as this shell runs them


def _interview_script() -> dict[str, object]:
    return tomllib.loads(INTERVIEW_FILE.read_text(encoding="utf-8"))


def _rubric(script: dict[str, object]) -> tuple[Criterion, ...]:
    rows = cast(list[dict[str, str]], script.get("criterion", []))
    return tuple(Criterion(row["key"], row["name"], row["listen_for"]) for row in rows)
