"""The watch loop's one state object: every message goes through :meth:`Session.handle`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from dojo.curriculum import Curriculum, Exercise
from dojo.progress import ExerciseProgress, Status
from dojo.watch.messages import FileChange, Input, Interrupt, Message, Resize, WatcherReady
from dojo.watch.services import Check, Services


class View(Enum):
    EXERCISE = "exercise"
    LIST = "list"


class Panel(Enum):
    """What the exercise view shows under the status, besides the run's outcome."""

    NONE = "none"
    HINTS = "hints"
    SOLUTION = "solution"


class Question(Enum):
    RESET = "reset"
    PEEK = "peek"


@dataclass
class Session:
    curriculum: Curriculum
    services: Services
    exercise: Exercise
    columns: int = 80
    rows: int = 24
    redraw: Callable[[], None] = lambda: None
    view: View = View.EXERCISE
    panel: Panel = Panel.NONE
    question: Question | None = None
    check: Check | None = None
    running: bool = False
    watching: bool = False
    finished: bool = False  # every exercise is solved
    notice: str = ""
    cursor: int = 0
    progress: list[ExerciseProgress] = field(default_factory=list)
    solution: list[str] = field(default_factory=list)

    # ---- the channel's one consumer ----

    def handle(self, message: Message) -> bool:
        """Apply one message; False when the learner has asked to leave."""
        match message:
            case Interrupt():
                return False
            case Resize(columns, rows):
                self.columns, self.rows = columns, rows
            case WatcherReady():
                self.watching = True
            case FileChange(paths):
                if any(self.services.owns(self.exercise, path) for path in paths):
                    self.notice = ""
                    self.run()
            case Input(key):
                return self._key(key)
        return True

    def start(self) -> None:
        self.progress = self.services.progress()
        self.run()

    # ---- keys ----

    def _key(self, key: str) -> bool:
        if self.question is not None:
            return self._answer(key)
        if self.view is View.LIST:
            return self._list_key(key)
        self.notice = ""
        if key == "q":
            return False
        if key == "h":
            shown = self.services.reveal_hint(self.exercise)
            self.panel = Panel.HINTS
            if shown == len(self.exercise.hints):
                self.notice = "that was the last hint; s shows the reference"
        elif key == "n":
            self._next()
        elif key == "l":
            self.progress = self.services.progress()
            self.cursor = self._index(self.exercise)
            self.view = View.LIST
        elif key == "r":
            self.run()
        elif key == "x":
            self.question = Question.RESET
        elif key == "s":
            if self.check is not None and self.check.passed:
                self._show_solution()
            else:
                self.question = Question.PEEK
        elif key == "escape":
            self.panel = Panel.NONE
        return True

    def _answer(self, key: str) -> bool:
        question, self.question = self.question, None
        if key != "y":
            self.notice = "nothing changed"
            return True
        if question is Question.RESET:
            self.notice = "; ".join(self.services.reset(self.exercise))
            self.panel = Panel.NONE
            self.run(keep_notice=True)
        elif question is Question.PEEK:
            self._show_solution()
        return True

    def _list_key(self, key: str) -> bool:
        last = len(self.curriculum) - 1
        if key in ("up", "k"):
            self.cursor = max(0, self.cursor - 1)
        elif key in ("down", "j"):
            self.cursor = min(last, self.cursor + 1)
        elif key == "enter":
            self.view = View.EXERCISE
            self._go_to(self.curriculum.exercises[self.cursor])
        elif key in ("l", "escape"):
            self.view = View.EXERCISE
        elif key == "q":
            return False
        return True

    # ---- actions ----

    def run(self, keep_notice: bool = False) -> None:
        if not keep_notice:
            self.notice = ""
        self.running = True
        self.redraw()
        try:
            self.check = self.services.check(self.exercise)
        finally:
            self.running = False
        self._note(self.check)

    def _note(self, check: Check) -> None:
        """Keep the counts in the header true without measuring every exercise again."""
        if self.status_of(self.exercise) is Status.TESTS_MODIFIED:
            return  # a pass on edited tests is not a solve
        if check.passed:
            status = Status.SOLVED
        elif self.services.untouched(self.exercise):
            status = Status.NOT_STARTED
        else:
            status = Status.IN_PROGRESS
        self.progress = [
            ExerciseProgress(p.exercise, status, check.passing, check.total) if p.exercise == self.exercise else p
            for p in self.progress
        ]

    def _next(self) -> None:
        if self.check is None or not self.check.passed:
            self.notice = "n moves on once the tests pass; l picks another exercise"
            return
        self.progress = self.services.progress()
        solved = {p.exercise.slug for p in self.progress if p.status is Status.SOLVED}
        solved.add(self.exercise.slug)
        order = list(self.curriculum)
        here = self._index(self.exercise)
        later = [e for e in order[here + 1 :] + order[:here] if e.slug not in solved]
        if later:
            self._go_to(later[0])
            return
        # Everything is solved: walk on in order, to read (or redo) the rest.
        self._go_to(order[(here + 1) % len(order)])
        self.finished = True

    def _go_to(self, exercise: Exercise) -> None:
        if exercise != self.exercise:
            self.exercise = exercise
            self.panel = Panel.NONE
            self.finished = False
        self.run()

    def _show_solution(self) -> None:
        self.solution = self.services.solution(self.exercise)
        self.panel = Panel.SOLUTION

    def _index(self, exercise: Exercise) -> int:
        return list(self.curriculum).index(exercise)

    # ---- what the screen needs ----

    def status_of(self, exercise: Exercise) -> Status:
        for item in self.progress:
            if item.exercise == exercise:
                return item.status
        return Status.NOT_STARTED
