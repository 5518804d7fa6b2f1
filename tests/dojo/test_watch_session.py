"""The watch session's decisions, message by message, with the kit's operations stood in for."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from dojo.curriculum import Curriculum, Exercise
from dojo.curriculum import parse as parse_curriculum
from dojo.progress import ExerciseProgress, Status
from dojo.watch.keys import decode
from dojo.watch.messages import FileChange, Input, Interrupt, Resize
from dojo.watch.services import Check, Failure
from dojo.watch.session import Panel, Question, Session, View

GREEN = Check(True, 2, 2)
RED = Check(False, 1, 2, (Failure("test_adds", "assert 1 == 2"),))


def _curriculum() -> Curriculum:
    entry = {"kind": "kata", "topic": "t", "difficulty": "easy", "hints": ["one", "two"], "talking_points": ["p"]}
    return parse_curriculum(
        {"exercise": [{**entry, "slug": slug, "title": slug} for slug in ("first", "second", "third")]}
    )


@dataclass
class FakeKit:
    """Records what the session asked for; checks answer from ``results``."""

    results: dict[str, Check]
    solved: set[str] = field(default_factory=set)
    calls: list[str] = field(default_factory=list)
    hints: int = 0

    def progress(self) -> list[ExerciseProgress]:
        curriculum = _curriculum()
        return [ExerciseProgress(e, Status.SOLVED if e.slug in self.solved else Status.NOT_STARTED) for e in curriculum]

    def check(self, exercise: Exercise) -> Check:
        self.calls.append(f"check {exercise.slug}")
        return self.results.get(exercise.slug, RED)

    def untouched(self, exercise: Exercise) -> bool:
        return False

    def brief(self, exercise: Exercise) -> str:
        return exercise.title

    def hints_seen(self, exercise: Exercise) -> int:
        return self.hints

    def reveal_hint(self, exercise: Exercise) -> int:
        self.hints += 1
        return self.hints

    def reset(self, exercise: Exercise) -> list[str]:
        self.calls.append(f"reset {exercise.slug}")
        return ["backed up"]

    def solution(self, exercise: Exercise) -> list[str]:
        self.calls.append(f"solution {exercise.slug}")
        return ["+x"]

    def owns(self, exercise: Exercise, path: Path) -> bool:
        return path.name == f"{exercise.slug}.py"


def _session(**results: Check) -> tuple[Session, FakeKit]:
    kit = FakeKit(results=dict(results))
    curriculum = _curriculum()
    session = Session(curriculum, kit, curriculum.exercises[0])
    session.start()
    return session, kit


def test_only_a_save_of_the_current_exercises_file_runs_its_tests():
    session, kit = _session()
    session.handle(FileChange(frozenset({Path("katas/second.py"), Path("katas/notes.txt")})))
    assert kit.calls == ["check first"]
    session.handle(FileChange(frozenset({Path("katas/first.py")})))
    assert kit.calls == ["check first", "check first"]


def test_next_waits_for_green_then_skips_what_is_solved():
    session, kit = _session(first=RED)
    session.handle(Input("n"))
    assert session.exercise.slug == "first"
    assert "once the tests pass" in session.notice
    kit.results["first"] = GREEN
    kit.solved = {"second"}
    session.handle(Input("r"))
    session.handle(Input("n"))
    assert session.exercise.slug == "third"


def test_reset_asks_first_and_only_y_goes_ahead():
    session, kit = _session()
    session.handle(Input("x"))
    assert session.question is Question.RESET
    session.handle(Input("x"))  # pressing the key again is not a yes
    assert "reset first" not in kit.calls
    assert session.notice == "nothing changed"
    session.handle(Input("x"))
    session.handle(Input("y"))
    assert kit.calls[-2:] == ["reset first", "check first"]


def test_the_solution_asks_before_a_peek_but_not_once_green():
    session, kit = _session(first=RED)
    session.handle(Input("s"))
    assert session.question is Question.PEEK
    session.handle(Input("n"))
    assert "solution first" not in kit.calls
    kit.results["first"] = GREEN
    session.handle(Input("r"))
    session.handle(Input("s"))
    assert session.panel is Panel.SOLUTION
    assert kit.calls[-1] == "solution first"


def test_the_list_moves_a_cursor_and_enter_switches_exercise():
    session, _kit = _session()
    session.handle(Input("l"))
    assert session.view is View.LIST
    session.handle(Input("down"))
    session.handle(Input("j"))
    session.handle(Input("j"))  # stops at the last one
    session.handle(Input("enter"))
    assert (session.view, session.exercise.slug) == (View.EXERCISE, "third")


def test_quit_interrupt_and_resize():
    session, _kit = _session()
    assert session.handle(Resize(100, 40)) is True
    assert (session.columns, session.rows) == (100, 40)
    assert session.handle(Interrupt()) is False
    assert session.handle(Input("q")) is False


@pytest.mark.parametrize(
    ("data", "keys"),
    [
        (b"h", ["h"]),
        (b"hn", ["h", "n"]),
        (b"\r", ["enter"]),
        (b"\x1b[A\x1b[B", ["up", "down"]),
        (b"\x1b", ["escape"]),
        (b"\x1bq", []),  # Alt-Q
        (b"\x08\x03\x18", []),  # Ctrl-H, Ctrl-C, Ctrl-X
        (b"\x1b[1;5A", []),  # Ctrl-Up
        (b"\x1b[1;3Bq", ["q"]),  # Alt-Down, then q
    ],
)
def test_keys_held_with_a_modifier_are_ignored(data, keys):
    assert decode(data) == keys
