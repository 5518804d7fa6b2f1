"""The test-writing kata: the code is given, the learner writes its tests, and the kit grades them by running them.

An exercise is a package ``katas/<slug>/``: a given module (correct, read-only, the same file in
``pristine/`` and ``solutions/``) and the learner's test file beside it (in ``pristine/`` a brief and
imports; in ``solutions/`` a model test file). Its grading tests (``tests/testing/test_<slug>.py``) run
the learner's file against the given module and its hidden mutants (dojo.test_writing), so ``dojo
check``, the stub-fails and reference-passes runs of verify and the wrong-test-file mutants of
``tests/mutants/<slug>.toml`` all work as for any exercise. Verify adds the kind's own proofs: the model
tests catch every hidden mutant and the empty test file catches none. mutmut leaves the kind alone: its
reference is a test file, and its hidden mutants are its mutation testing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from dojo.kinds import ExerciseKind

if TYPE_CHECKING:
    from dojo.curriculum import Curriculum, Exercise
    from dojo.forkserver import ForkServer
    from dojo.problems import Problem


class TestWriting(ExerciseKind):
    __test__ = False  # a pytest collecting a module that imports it must not take it for a test class

    name: ClassVar[str] = "testing"
    heading: ClassVar[str] = "test-writing katas"
    folder: ClassVar[str] = "katas"
    tests_dir: ClassVar[str] = "tests/testing"
    mutation_pass: ClassVar[bool] = False

    def default_path(self, slug: str) -> str:
        """A package: ``katas/<slug>/`` holds the given module and the learner's test file."""
        return f"{self.folder}/{slug}"

    def shipped_files(self, exercise: Exercise) -> tuple[str, ...]:
        """The tests and the kata's spec: deleting a hidden mutant from it must not make a file pass."""
        from dojo.test_writing import SPEC_DIR

        return (*exercise.tests, f"{SPEC_DIR}/{exercise.slug}.toml")

    def check_notes(self, root: Path, exercises: Sequence[Exercise], target: str) -> list[str]:
        """The one broken copy the learner's tests let through (allowed, but worth a try), in words."""
        from dojo.test_writing import last_grade

        notes = []
        for exercise in exercises:
            grade = last_grade(exercise.slug)
            if grade is None or grade.real_problem() is not None or grade.mutant_problem() is not None:
                continue  # the failing test already names every survivor; "allowed" is for the one spare
            notes += [
                f"{exercise.slug}: one broken copy of {grade.spec.given} still gets past your tests: {mutant.says}."
                " Allowed, but can you catch it too?"
                for mutant in grade.survivors
            ]
        return notes

    def verify_problems(
        self, root: Path, curriculum: Curriculum, *, jobs: int, server: ForkServer | None = None
    ) -> list[Problem]:
        from dojo.test_writing import verify_problems

        return verify_problems(root, curriculum)

    def last_hint(self, exercise: Exercise) -> str:
        return f"That was the last hint. `dojo solution {exercise.slug} --peek` shows a model test file."


KIND = TestWriting()
