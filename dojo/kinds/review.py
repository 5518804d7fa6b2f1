"""The code review: flawed, runnable code (``reviews/<slug>.py``) the learner reviews and fixes.

Beyond the tests, a review ships an answer key (``solutions/reviews/<slug>.answers.toml``) that
``dojo verify`` holds to the linters (dojo.reviews), ``dojo answer`` shows once the fix passes, and
``dojo lint SLUG`` finds by the slug; ``dojo drill SLUG`` grades the learner's review notes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from dojo.kinds import DrillMode, ExerciseKind

if TYPE_CHECKING:
    from dojo.curriculum import Curriculum, Exercise
    from dojo.forkserver import ForkServer
    from dojo.problems import Problem


class Review(ExerciseKind):
    name: ClassVar[str] = "review"
    heading: ClassVar[str] = "code reviews"
    folder: ClassVar[str] = "reviews"
    tests_dir: ClassVar[str] = "tests/reviews"
    drill_mode: ClassVar[DrillMode] = "review"

    def verify_problems(
        self, root: Path, curriculum: Curriculum, *, jobs: int, server: ForkServer | None = None
    ) -> list[Problem]:
        from dojo import reviews

        return reviews.verify_problems(root, curriculum)

    def answer_key(self, root: Path, exercise: Exercise) -> Path | None:
        from dojo.reviews import answer_key_path

        return None if exercise.is_package else answer_key_path(root, exercise)

    def lints_by_slug(self, exercise: Exercise) -> bool:
        return not exercise.is_package


KIND = Review()
