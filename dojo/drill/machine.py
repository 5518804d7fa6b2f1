"""The drill as a state machine: one state, fed one event at a time, answering with effects.

Key presses, file saves, clock ticks, finished test runs and new commits all arrive as events on one
channel (see ``loop.py``); this module decides what they mean and nothing else. It reads no files and
runs nothing: it asks for that with effects (run the tests, ring the bell, finish), which keeps every
rule here testable with a fake clock and a list of events.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from dojo.drill.clock import SwapSchedule, mmss
from dojo.drill.plan import DrillPlan, Step

# ---- events: what happened ----


@dataclass(frozen=True)
class Key:
    char: str


@dataclass(frozen=True)
class FilesChanged:
    pass


@dataclass(frozen=True)
class Tick:
    pass


@dataclass(frozen=True)
class TestsFinished:
    __test__ = False  # not a pytest class
    slug: str
    passed: int
    total: int
    failing: tuple[str, ...] = ()
    error: str | None = None


@dataclass(frozen=True)
class CommitsSeen:
    commits: tuple[tuple[str, str], ...]  # (sha, subject), oldest first


Event = Key | FilesChanged | Tick | TestsFinished | CommitsSeen

# ---- effects: what the loop should do ----


@dataclass(frozen=True)
class RunTests:
    step: Step


@dataclass(frozen=True)
class Bell:
    pass


@dataclass(frozen=True)
class Finish:
    reason: Literal["done", "quit", "time"]


Effect = RunTests | Bell | Finish

# ---- the state ----


@dataclass
class StepRecord:
    slug: str
    started: float
    ended: float | None = None
    runs: int = 0
    passed: int = 0
    total: int = 0
    failing: list[str] = field(default_factory=list)
    error: str | None = None
    green_at: float | None = None
    hints: int = 0
    warned: bool = False

    @property
    def green(self) -> bool:
        return self.runs > 0 and self.error is None and self.total > 0 and self.passed == self.total

    def spent(self, now: float) -> float:
        return (self.ended if self.ended is not None else now) - self.started


@dataclass
class Mark:
    criterion: str
    step: str
    at: float


@dataclass
class SeenCommit:
    sha: str
    subject: str
    step: str
    at: float


@dataclass
class DrillState:
    records: list[StepRecord]
    current: int = 0
    marks: list[Mark] = field(default_factory=list)
    commits: list[SeenCommit] = field(default_factory=list)
    swap_slot: int = 0
    banner: str = ""
    hint_text: str = ""
    running: bool = False
    rerun: bool = False
    finished: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["running"] = data["rerun"] = False  # a saved drill has no test run in flight
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DrillState:
        return cls(
            records=[StepRecord(**record) for record in data["records"]],
            current=int(data["current"]),
            marks=[Mark(**mark) for mark in data["marks"]],
            commits=[SeenCommit(**commit) for commit in data["commits"]],
            swap_slot=int(data["swap_slot"]),
            banner=str(data["banner"]),
            hint_text=str(data["hint_text"]),
            finished=data.get("finished"),
        )


KEYS = {"h": "hint", "r": "run tests", "n": "next", "q": "quit"}
REVIEW_KEYS = {"h": "hint", "r": "run tests", "f": "finish and grade my notes", "q": "quit"}


class DrillMachine:
    def __init__(
        self,
        plan: DrillPlan,
        clock: Callable[[], float],
        pair: SwapSchedule | None = None,
        state: DrillState | None = None,
    ) -> None:
        self.plan = plan
        self.clock = clock
        self.pair = pair
        self.state = state or DrillState(records=[StepRecord(plan.steps[0].slug, started=clock())])
        self._rubric = {criterion.key: criterion.name for criterion in plan.rubric}

    # ---- reading the state ----

    @property
    def step(self) -> Step:
        return self.plan.steps[self.state.current]

    @property
    def record(self) -> StepRecord:
        return self.state.records[self.state.current]

    @property
    def is_last(self) -> bool:
        return self.state.current == len(self.plan.steps) - 1

    def deadline(self) -> int:
        return self.plan.deadlines[self.state.current]

    def keys(self) -> dict[str, str]:
        return REVIEW_KEYS if self.plan.kind == "review" else KEYS

    # ---- the one entry point ----

    def handle(self, event: Event) -> list[Effect]:
        if self.state.finished:
            return []
        match event:
            case Key(char):
                return self._key(char)
            case FilesChanged():
                return self._run()
            case TestsFinished():
                return self._tests_finished(event)
            case CommitsSeen(commits):
                self.note_commits(commits)
                return []
            case Tick():
                return self._tick()

    def note_commits(self, commits: tuple[tuple[str, str], ...]) -> None:
        """Commits belong to the round in progress when they appear (also after the drill finished)."""
        now = self.clock()
        self.state.commits.extend(SeenCommit(sha, subject, self.step.slug, now) for sha, subject in commits)

    # ---- the rules ----

    def _key(self, char: str) -> list[Effect]:
        if char in self._rubric:
            self.state.marks.append(Mark(self._rubric[char], self.step.slug, self.clock()))
            self.state.banner = f"marked: {self._rubric[char]}"
            return []
        if char == "h":
            hints = self.step.exercise.hints
            self.record.hints = min(self.record.hints + 1, len(hints))
            self.state.hint_text = f"hint {self.record.hints}/{len(hints)}: {hints[self.record.hints - 1]}"
            return []
        if char == "r":
            return self._run()
        if char == "q":
            self.state.finished = "quit"
            return [Finish("quit")]
        if char == "f" and self.plan.kind == "review":
            return self._finish("done")
        if char == "n" and self.plan.kind != "review":
            return self._next()
        return []

    def _run(self) -> list[Effect]:
        if self.state.running:
            self.state.rerun = True  # a save during a run: run again once this one reports
            return []
        self.state.running = True
        return [RunTests(self.step)]

    def _tests_finished(self, result: TestsFinished) -> list[Effect]:
        self.state.running = False
        if result.slug == self.step.slug:
            record = self.record
            record.runs += 1
            record.passed, record.total = result.passed, result.total
            record.failing, record.error = list(result.failing), result.error
            if record.green and record.green_at is None:
                record.green_at = self.clock()
            if record.green:
                self.state.banner = self._green_banner()
        if self.state.rerun:
            self.state.rerun = False
            return self._run()
        return []

    def _green_banner(self) -> str:
        took = mmss(self.record.spent(self.clock()))
        if self.plan.kind == "review":
            return f"The behaviour tests pass ({took}). Finish your notes, then f grades them."
        if self.plan.kind == "kata":
            return f"Done in {took} of {self.step.budget_minutes}:00. n finishes and writes the report."
        if self.is_last:
            return f"{self.step.slug} passes, with every earlier round. n wraps up: the commit history and the report."
        return f"{self.step.slug} passes, with every earlier round ({took}). n reveals the next ask."

    def _next(self) -> list[Effect]:
        if not self.record.green:
            self.state.banner = "n moves on once the tests pass: r runs them (saving a file does too)."
            return []
        if self.is_last:
            return self._finish("done")
        now = self.clock()
        self.record.ended = now
        self.state.current += 1
        self.state.records.append(StepRecord(self.step.slug, started=now))
        self.state.hint_text = ""
        self.state.banner = f"REQUIREMENTS CHANGE. {self.step.change}" if self.step.change else f"Next: {self.step.slug}."
        return [Bell()] if self.step.change else []

    def _finish(self, reason: Literal["done", "time"]) -> list[Effect]:
        self.record.ended = self.clock()
        self.state.finished = reason
        return [Finish(reason)]

    def _tick(self) -> list[Effect]:
        now = self.clock()
        effects: list[Effect] = []
        if self.pair is not None:
            slot = self.pair.slot(now)
            if slot != self.state.swap_slot:
                self.state.swap_slot = slot
                self.state.banner = f"SWAP: {self.pair.driver(now)} drives, {self.pair.navigator(now)} navigates."
                effects.append(Bell())
        if now >= self.deadline() and not self.record.warned and not self.record.green:
            self.record.warned = True
            effects.append(Bell())
            if self.plan.kind == "review":
                self.state.banner = f"Time is up ({self.step.budget_minutes} min): grading your notes."
                return [*effects, *self._finish("time")]
            if self.plan.kind == "capstone" and not self.is_last:
                following = self.plan.steps[self.state.current + 1].slug
                self.state.banner = (
                    f"{mmss(self.deadline())}: the interviewer would be asking for {following} by now "
                    f"({self.step.slug}'s budget is {self.step.budget_minutes} min)."
                )
            else:
                self.state.banner = f"Time is up ({mmss(self.deadline())}). Keep going or q to stop; the report shows the overrun."
        return effects
