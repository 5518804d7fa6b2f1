"""The kata: one module the learner writes from a stub (``katas/<slug>.py``), graded by ``tests/katas``.

Every hook keeps :class:`~dojo.kinds.ExerciseKind`'s default: a kata is the plain case the others vary.
"""

from __future__ import annotations

from typing import ClassVar

from dojo.kinds import ExerciseKind


class Kata(ExerciseKind):
    name: ClassVar[str] = "kata"
    heading: ClassVar[str] = "katas"
    folder: ClassVar[str] = "katas"
    tests_dir: ClassVar[str] = "tests/katas"


KIND = Kata()
