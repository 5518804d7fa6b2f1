"""Timing contenders side by side: interleaved rounds in one process, medians, min-max and ratios.

A workload is one fixed, seeded piece of work and the contenders that do it: the learner's solution,
the reference, and what people would pick instead (a library, or the classic slow answer). Each
round runs every contender once, in an order rotated from round to round, so a burst of other work
on a shared machine lands on all of them alike; ratios between medians of the same rounds are what
the numbers mean. Preparing a run (building a cache, creating a database) is never timed.

Two things keep a ratio about the code rather than the machine or the driver:

- ``clock="cpu"``: work that runs entirely in this process, in one thread (the kata caches and
  limiters), is timed with the process's CPU clock, so the slices other programs take from it on a
  busy machine are not counted; work that waits on a database or a server keeps the wall clock.
- ``floor``: a contender that does nothing but go through the same driver loop (a cache whose get
  and put return at once) measures the loop's own cost per operation. That cost is paid alike by
  every contender and compresses every ratio towards 1, so a workload with a floor also reports the
  ratio of what each contender costs above it, and its goals are judged on that.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

Run = Callable[[], Awaitable[Any]]
Kind = Literal["learner", "reference", "alternative"]
Clock = Literal["wall", "cpu"]
REFERENCE = "reference"
CLOCKS: dict[Clock, Callable[[], float]] = {"wall": time.perf_counter, "cpu": time.process_time}


@dataclass(frozen=True)
class Contender:
    """One way of doing a workload's work.

    ``prepare`` builds a fresh starting point (untimed) and returns the step that is timed.
    ``missing`` says why it cannot run here (a library that is not installed); it is shown, not timed.
    ``max_rounds`` caps the rounds of a slow baseline (the naive ORM loop takes 20 s a run).
    ``floored=False``: driven differently from the workload's floor (one call an access, not a get and
    a put), so no ratio above the floor is given for it.
    """

    name: str
    kind: Kind
    prepare: Callable[[], Awaitable[Run]]
    note: str = ""
    missing: str | None = None
    max_rounds: int | None = None
    floored: bool = True  # driven by the same loop as the floor's, so its cost above the floor means something


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
    clock: Clock = "wall"
    floor: str | None = None  # the contender that only drives the loop: its cost is taken out of the ratios


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

    def round_ratios(self, name: str) -> list[float]:
        """This contender's time over the reference's, round by round (the two ran in the same round)."""
        mine, reference = self.result(name), self.reference
        if mine is None or reference is None:
            return []
        return [
            a / b for a, b in zip(mine.seconds, reference.seconds, strict=False) if b > 0
        ]  # a capped baseline has fewer

    def above_the_floor(self, name: str) -> float | None:
        """The same ratio once the floor's median is taken out of both medians: the contenders' own work.

        None without a floor, or when the reference is not clearly above it (the ratio would mean nothing)."""
        mine, reference = self.result(name), self.reference
        floor = self.result(self.workload.floor) if self.workload.floor else None
        if mine is None or reference is None or floor is None or reference.median <= floor.median:
            return None
        if not mine.contender.floored or mine is floor:
            return None
        return (mine.median - floor.median) / (reference.median - floor.median)

    def goal_ratio(self, goal: Goal) -> float | None:
        """What a goal is judged on: the ratio above the floor when the workload has one."""
        if self.workload.floor is not None:
            return self.above_the_floor(goal.against)
        return self.times_the_reference(goal.against)

    def goal_met(self, goal: Goal) -> bool | None:
        ratio = self.goal_ratio(goal)
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


async def measure(workload: Workload, rounds: int, advance: Callable[[str], None] = lambda _: None) -> Measured:
    """Run the interleaved rounds; ``advance`` is told each step as it starts (for a progress bar)."""
    results = {c.name: Result(c) for c in workload.contenders}
    clock = CLOCKS[workload.clock]
    for number, contender in runnable(workload, rounds):
        advance(f"{workload.key}: {contender.name} (round {number + 1}/{rounds})")
        step = await contender.prepare()
        started = clock()
        await step()
        results[contender.name].seconds.append(clock() - started)
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
                "above_the_floor": _round(measured.above_the_floor(contender.name)),
                "round_ratios": [round(r, 3) for r in measured.round_ratios(contender.name)],
                "note": contender.note,
                "missing": contender.missing,
            }
        )
    goals = [
        {
            "against": goal.against,
            "times": goal.times,
            "measured": _round(measured.goal_ratio(goal)),
            "judged_on": "above_the_floor" if workload.floor else "times_the_reference",
            "end_to_end": _round(measured.times_the_reference(goal.against)),
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
        "clock": workload.clock,
        "floor": workload.floor,
        "results": rows,
        "goals": goals,
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def scaled(count: int, scale: float, least: int = 1) -> int:
    """``count`` times ``scale``, at least ``least``: how ``--scale`` shrinks a workload for a quick look."""
    return max(least, round(count * scale))
