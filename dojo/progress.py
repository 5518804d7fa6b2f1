"""Where the learner stands: each exercise is not started, in progress, or solved.

An exercise whose files still match the pristine stub is "not started" without running anything.
Edited ones are run (one child pytest for all of them) unless a cached result for the very same
file contents exists. A member of a group (a capstone round) is solved only when every earlier
member is solved too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from dojo import state as state_store
from dojo.checksums import expected as shipped_checksums
from dojo.checksums import modified_tests
from dojo.curriculum import Curriculum, Exercise
from dojo.runner import run_pytest, selection
from dojo.workspace import extra_files, is_untouched, materialize, pristine_files


class Status(Enum):
    NOT_STARTED = "not started"
    IN_PROGRESS = "in progress"
    SOLVED = "solved"
    BLOCKED = "passes, earlier round open"
    TESTS_MODIFIED = "tests modified"


@dataclass(frozen=True)
class ExerciseProgress:
    exercise: Exercise
    status: Status
    passed: int = 0
    total: int = 0
    modified_tests: tuple[str, ...] = ()  # test files that differ from the shipped ones


def fingerprint(root: Path, exercise: Exercise) -> str:
    """A hash of the learner's files and the exercise's tests: results stay valid while it is unchanged."""
    digest = hashlib.sha256()
    files = sorted({*pristine_files(root, exercise), *extra_files(root, exercise), *exercise.tests})
    for rel in files:
        path = root / rel
        digest.update(rel.encode())
        digest.update(path.read_bytes() if path.is_file() else b"<missing>")
    return digest.hexdigest()


def measure(root: Path, curriculum: Curriculum, use_cache: bool = True) -> list[ExerciseProgress]:
    materialize(root, curriculum)
    saved = state_store.load(root)
    edited = [e for e in curriculum if not is_untouched(root, e)]
    prints = {e.slug: fingerprint(root, e) for e in edited}
    stale = [
        e for e in edited if not use_cache or e.slug not in saved.results or saved.results[e.slug].fingerprint != prints[e.slug]
    ]
    if stale:
        result = run_pytest(root, ["-q", *selection(stale)], target="learner")
        for exercise in stale:
            mine = result.for_slug(exercise.slug)
            passed = sum(t.passed for t in mine) if not result.collection_errors else 0
            saved.results[exercise.slug] = state_store.CachedResult(prints[exercise.slug], passed, len(mine))
        state_store.save(root, saved)
    progress: list[ExerciseProgress] = []
    solved: set[str] = set()
    shipped = shipped_checksums(root)
    for exercise in curriculum:
        tampered = tuple(modified_tests(root, exercise, shipped))
        if tampered:
            # Whatever the tests say now, they are not the kit's: nothing counts until they are back.
            progress.append(ExerciseProgress(exercise, Status.TESTS_MODIFIED, modified_tests=tampered))
            continue
        if exercise.slug not in prints:
            progress.append(ExerciseProgress(exercise, Status.NOT_STARTED))
            continue
        cached = saved.results[exercise.slug]
        passing = cached.total > 0 and cached.passed == cached.total
        earlier_open = any(e.slug not in solved for e in curriculum.earlier_in_group(exercise))
        if passing and not earlier_open:
            status = Status.SOLVED
            solved.add(exercise.slug)
        elif passing:
            status = Status.BLOCKED
        else:
            status = Status.IN_PROGRESS
        progress.append(ExerciseProgress(exercise, status, cached.passed, cached.total))
    return progress


def next_exercise(progress: Sequence[ExerciseProgress]) -> ExerciseProgress | None:
    """Work in progress first (the earliest half-done exercise), else the first one not solved."""
    started = next((p for p in progress if p.status is Status.IN_PROGRESS), None)
    return started or next((p for p in progress if p.status is not Status.SOLVED), None)
