"""What the watch session asks of the kit: run a check, measure progress, reveal a hint, reset, diff.

The session only sees this interface, so its tests can hand it a stand-in while the terminal tests
run the real thing end to end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from dojo import history
from dojo import state as state_store
from dojo.briefs import brief
from dojo.curriculum import Curriculum, Exercise
from dojo.diffs import solution_diff
from dojo.progress import ExerciseProgress, fingerprint, measure
from dojo.runner import run_pytest, selection
from dojo.workspace import is_untouched, reset, syntax_errors


@dataclass(frozen=True)
class Failure:
    title: str  # the test's name, or the file Python cannot read
    message: str  # what went wrong, learner-first, already trimmed by the plugin


@dataclass(frozen=True)
class Check:
    passed: bool
    passing: int
    total: int
    failures: tuple[Failure, ...] = ()


class Services(Protocol):
    def progress(self) -> list[ExerciseProgress]: ...
    def check(self, exercise: Exercise) -> Check: ...
    def untouched(self, exercise: Exercise) -> bool: ...
    def brief(self, exercise: Exercise) -> str: ...
    def hints_seen(self, exercise: Exercise) -> int: ...
    def reveal_hint(self, exercise: Exercise) -> int: ...
    def reset(self, exercise: Exercise) -> list[str]: ...
    def solution(self, exercise: Exercise) -> list[str]: ...
    def owns(self, exercise: Exercise, path: Path) -> bool: ...


@dataclass
class Kit:
    """The real services, on the learner's files in ``root``."""

    root: Path
    curriculum: Curriculum
    _briefs: dict[str, str] = field(default_factory=dict)

    def progress(self) -> list[ExerciseProgress]:
        return measure(self.root, self.curriculum)

    def untouched(self, exercise: Exercise) -> bool:
        return is_untouched(self.root, exercise)

    def brief(self, exercise: Exercise) -> str:
        # Asked on every redraw: read the stub and record the first sighting once per exercise.
        if exercise.slug not in self._briefs:
            history.seen(self.root, exercise.slug)
            self._briefs[exercise.slug] = brief(self.root, exercise)
        return self._briefs[exercise.slug]

    def check(self, exercise: Exercise) -> Check:
        # A capstone round counts only with every earlier round, so run those too.
        wanted = [*self.curriculum.earlier_in_group(exercise), exercise]
        broken = [line for member in wanted for line in syntax_errors(self.root, member)]
        if broken:
            return Check(False, 0, 0, tuple(Failure("Python cannot read the file yet", line) for line in broken))
        result = run_pytest(self.root, ["-q", "--no-header", *selection(wanted)], target="learner")
        mine = [test for test in result.tests if test.slug in {member.slug for member in wanted}]
        passed = all(result.slug_passed(member.slug) for member in wanted)
        failures = tuple(Failure(test.nodeid.split("::", 1)[-1], test.message) for test in mine if not test.passed)
        if result.collection_errors:
            tail = "\n".join(result.output.strip().splitlines()[-12:])
            failures = (Failure("the tests could not be collected", tail), *failures)
        own = result.for_slug(exercise.slug)
        self._remember(exercise, sum(test.passed for test in own), len(own), passed)
        return Check(passed, sum(test.passed for test in mine), len(mine), failures)

    def _remember(self, exercise: Exercise, passing: int, total: int, passed: bool) -> None:
        if not is_untouched(self.root, exercise):
            history.checked(self.root, exercise.slug, passed)
        # The same cache `dojo list` reads, so moving on does not run this exercise again.
        saved = state_store.load(self.root)
        saved.results[exercise.slug] = state_store.CachedResult(fingerprint(self.root, exercise), passing, total)
        state_store.save(self.root, saved)

    def hints_seen(self, exercise: Exercise) -> int:
        return min(state_store.load(self.root).hints.get(exercise.slug, 0), len(exercise.hints))

    def reveal_hint(self, exercise: Exercise) -> int:
        saved = state_store.load(self.root)
        shown = min(saved.hints.get(exercise.slug, 0) + 1, len(exercise.hints))
        saved.hints[exercise.slug] = shown
        state_store.save(self.root, saved)
        history.hinted(self.root, exercise.slug, shown)
        return shown

    def reset(self, exercise: Exercise) -> list[str]:
        outcome = reset(self.root, exercise)
        history.was_reset(self.root, exercise.slug)
        lines = []
        if outcome.backup is not None:
            lines.append(f"backed up your work to {outcome.backup.relative_to(self.root)}")
        lines.append(f"restored the pristine {', '.join(outcome.restored)}")
        return lines

    def solution(self, exercise: Exercise) -> list[str]:
        return solution_diff(self.root, exercise)

    def owns(self, exercise: Exercise, path: Path) -> bool:
        """Is ``path`` one of the exercise's learner files (a save there re-runs its tests)?"""
        base = (self.root / exercise.path).resolve()
        try:
            resolved = path.resolve()
        except OSError:
            return False
        if "__pycache__" in resolved.parts or resolved.suffix == ".pyc":
            return False
        return resolved == base or (exercise.is_package and base in resolved.parents)
