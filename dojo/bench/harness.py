"""Timing contenders side by side: interleaved rounds in one process, medians, min-max and ratios.

A workload is one fixed, seeded piece of work and the contenders that do it: the learner's solution,
the reference, and what people would pick instead (a library, or the classic slow answer). Each
round runs every contender once, in an order rotated from round to round, so a burst of other work
on a shared machine lands on all of them alike; ratios between medians of the same rounds are what
the numbers mean. Preparing a run (building a cache, creating a database) is never timed.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

Run = Callable[[], Awaitable[Any]]
Kind = Literal["learner", "reference", "alternative"]
REFERENCE = "reference"


@dataclass(frozen=True)
class Contender:
    """One way of doing a workload's work.

    ``prepare`` builds a fresh starting point (untimed) and returns the step that is timed.
    ``missing`` says why it cannot run here (a library that is not installed); it is shown, not timed.
    ``max_rounds`` caps the rounds of a slow baseline (the naive ORM loop takes 20 s a run).
    """

    name: str
    kind: Kind
    prepare: Callable[[], Awaitable[Run]]
    note: str = ""
    missing: str | None = None
    max_rounds: int | None = None


@dataclass(frozen=True)
class Goal:
    """The reference must be at least ``times`` as fast as the contender named ``against``."""

    against: str
    times: float


@dataclass(frozen=True)
class Workload:
    key: str  # short and unique: "lru", "loader-postgresql"
    slug: str  # the exercise whose tests must pass before its code is timed
    title: str  # what is done, with its sizes
    unit: str  # what the operations are, plural: "accesses", "rows", "requests"
    ops: int  # operations per run
    contenders: tuple[Contender, ...]
    goals: tuple[Goal, ...] = ()
    notes: tuple[str, ...] = ()  # extra facts measured while preparing (statements per request...)


@dataclass
class Result:
    contender: Contender
    seconds: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


@dataclass(frozen=True)
class Measured:
    workload: Workload
    results: tuple[Result, ...]

    def result(self, name: str) -> Result | None:
        return next((r for r in self.results if r.contender.name == name and r.seconds), None)

    @property
    def reference(self) -> Result | None:
        return next((r for r in self.results if r.contender.kind == "reference" and r.seconds), None)

    def times_the_reference(self, name: str) -> float | None:
        """How many times the reference's median this contender's is (above 1: the reference is faster)."""
        mine, reference = self.result(name), self.reference
        if mine is None or reference is None or reference.median <= 0:
            return None
        return mine.median / reference.median

    def goal_met(self, goal: Goal) -> bool | None:
        ratio = self.times_the_reference(goal.against)
        return None if ratio is None else ratio >= goal.times


def runnable(workload: Workload, rounds: int) -> list[tuple[int, Contender]]:
    """The (round, contender) steps of a workload, in the order they run: rotated each round."""
    present = [c for c in workload.contenders if c.missing is None]
    steps: list[tuple[int, Contender]] = []
    for number in range(rounds):
        shift = number % len(present) if present else 0
        steps += [
            (number, contender)
            for contender in present[shift:] + present[:shift]
            if contender.max_rounds is None or number < contender.max_rounds
        ]
    return steps


async def measure(
    workload: Workload, rounds: int, advance: Callable[[str], None] = lambda _: None
) -> Measured:
    """Run the interleaved rounds; ``advance`` is told each step as it starts (for a progress bar)."""
    results = {c.name: Result(c) for c in workload.contenders}
    for number, contender in runnable(workload, rounds):
        advance(f"{workload.key}: {contender.name} (round {number + 1}/{rounds})")
        step = await contender.prepare()
        started = time.perf_counter()
        await step()
        results[contender.name].seconds.append(time.perf_counter() - started)
    return Measured(workload, tuple(results[c.name] for c in workload.contenders))


def relative(ratio: float | None) -> str:
    """``2.53x slower`` / ``2.16x faster`` than the reference, from a ratio of medians."""
    if ratio is None:
        return "-"
    if 0.995 <= ratio <= 1.005:
        return "same"
    return f"{ratio:.2f}x slower" if ratio > 1 else f"{1 / ratio:.2f}x faster"


def as_json(measured: Measured) -> dict[str, Any]:
    workload = measured.workload
    rows = []
    for result in measured.results:
        contender = result.contender
        timed = bool(result.seconds)
        rows.append(
            {
                "name": contender.name,
                "kind": contender.kind,
                "seconds": [round(s, 9) for s in result.seconds],
                "median": round(result.median, 9) if timed else None,
                "min": round(min(result.seconds), 9) if timed else None,
                "max": round(max(result.seconds), 9) if timed else None,
                "per_second": round(workload.ops / result.median, 1) if timed and result.median > 0 else None,
                "times_the_reference": _round(measured.times_the_reference(contender.name)),
                "note": contender.note,
                "missing": contender.missing,
            }
        )
    goals = [
        {
            "against": goal.against,
            "times": goal.times,
            "measured": _round(measured.times_the_reference(goal.against)),
            "met": measured.goal_met(goal),
        }
        for goal in workload.goals
    ]
    return {
        "key": workload.key,
        "slug": workload.slug,
        "title": workload.title,
        "unit": workload.unit,
        "ops": workload.ops,
        "notes": list(workload.notes),
        "results": rows,
        "goals": goals,
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def scaled(count: int, scale: float, least: int = 1) -> int:
    """``count`` times ``scale``, at least ``least``: how ``--scale`` shrinks a workload for a quick look."""
    return max(least, round(count * scale))
