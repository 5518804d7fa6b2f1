"""The concept koan: a topic's claims (``katas/koans/<topic>.py``), each a short test with blanks to fill in.

The learner fills each ``__`` with the value they predict (or a ``__()`` line with one statement); the
topic's tests (``tests/koans/test_<topic>.py``) run every claim against the target's file after checking
that it differs from the stub in its blanks alone (dojo.koans). Beyond the usual stub-fails,
reference-passes and mutants-caught runs, verify checks that the reference fills every blank validly,
that every single blank is load-bearing, that each claim has a talking point and a wrong fill among the
mutants, and that each mutant is a wrong *fill* (dojo.koans.verify_problems). ``dojo check`` shows each
claim's talking point as soon as that claim passes.

The automated mutation pass skips koans: a koan's reference *is* the claim, so mutating it changes what
is claimed (and the stub comparison would catch every such change anyway); the hand-written wrong fills
in ``tests/mutants/<slug>.toml`` are its mutants.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from dojo.kinds import ExerciseKind

if TYPE_CHECKING:
    from dojo.curriculum import Curriculum, Exercise
    from dojo.forkserver import ForkServer
    from dojo.problems import Problem
    from dojo.runner import RunResult

FOLDER = "katas/koans"


def _topic(slug: str) -> str:
    return slug.removeprefix("koan_")


class Koan(ExerciseKind):
    """``koan_memory`` is ``katas/koans/memory.py``, tested by ``tests/koans/test_memory.py``."""

    name: ClassVar[str] = "koan"
    heading: ClassVar[str] = "concept koans"
    tests_dir: ClassVar[str] = "tests/koans"
    mutation_pass: ClassVar[bool] = False

    def default_path(self, slug: str) -> str:
        return f"{FOLDER}/{_topic(slug)}.py"

    def default_tests(self, slug: str) -> tuple[str, ...]:
        return (f"{self.tests_dir}/test_{_topic(slug)}.py",)

    def stub_files(self, root: Path, exercise: Exercise) -> list[str]:
        """The topic's file, and the koans package's __init__.py so that a fresh checkout gets it too."""
        files = super().stub_files(root, exercise)
        package = f"{Path(exercise.path).parent.as_posix()}/__init__.py"
        from dojo.paths import pristine_root

        return [package, *files] if files and (pristine_root(root) / package).is_file() else files

    def verify_problems(
        self, root: Path, curriculum: Curriculum, *, jobs: int, server: ForkServer | None = None
    ) -> list[Problem]:
        from dojo import koans

        return koans.verify_problems(root, curriculum)

    def progress_notes(self, root: Path, exercise: Exercise, result: RunResult) -> list[str]:
        from dojo.koans import passed_claim_points

        points = passed_claim_points(root, exercise, result)
        return (
            [f"✔ {len(points)} of its claims hold. Say why aloud:", *(f"  • {point}" for point in points)]
            if points
            else []
        )


KIND = Koan()
