"""Exercise kinds: one object per kind answers everything the kit does differently for it.

A kind is the ``kind = "..."`` of a curriculum entry. The kit treats every exercise alike (stub in
``pristine/``, reference in ``solutions/``, tests, mutants, hints, talking points); what differs by kind
lives in one :class:`ExerciseKind` subclass, in one module of this package:

- materialise: where a new exercise's learner file goes by default and where its tests are
  (:attr:`~ExerciseKind.folder`, :meth:`~ExerciseKind.default_path`, :attr:`~ExerciseKind.tests_dir`,
  :meth:`~ExerciseKind.default_tests`), and which stub files are copied to the learner
  (:meth:`~ExerciseKind.stub_files`);
- check: what ``dojo check`` does around the tests (:meth:`~ExerciseKind.prepare_check`,
  :meth:`~ExerciseKind.check_notes`, :meth:`~ExerciseKind.progress_notes`);
- verify: what ``dojo verify`` proves beyond "the stub fails, the reference passes, the mutants are
  caught" (:meth:`~ExerciseKind.verify_problems`), and whether the automated mutation pass covers it
  (:attr:`~ExerciseKind.mutation_pass`);
- explain: how ``dojo list``, ``hint``, ``solution``, ``answer`` and ``lint`` talk about it
  (:attr:`~ExerciseKind.heading`, :meth:`~ExerciseKind.last_hint`, :meth:`~ExerciseKind.show_solution`,
  :meth:`~ExerciseKind.answer_key`, :meth:`~ExerciseKind.lints_by_slug`, :attr:`~ExerciseKind.drill_mode`,
  :attr:`~ExerciseKind.databases`).

The kinds are the modules named in :data:`MODULES`, each defining ``KIND``, an instance of its subclass.
Adding a kind is one module here, its name in :data:`MODULES`, and its curriculum entries (CONTRIBUTING.md,
"Adding an exercise kind"). Kind modules import only this package at their top level (the rest of the kit
lazily, inside their methods): ``dojo.paths`` reads :func:`learner_folders` while it is being imported.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Literal

if TYPE_CHECKING:
    from dojo.curriculum import Curriculum, Exercise
    from dojo.forkserver import ForkServer
    from dojo.problems import Problem
    from dojo.runner import RunResult

DrillMode = Literal["kata", "review"]

# The registry: one module per kind. Its order is the order messages name the kinds in ("kind must be one of ...").
MODULES: tuple[str, ...] = ("dojo.kinds.kata", "dojo.kinds.review", "dojo.kinds.capstone", "dojo.kinds.koan", "dojo.kinds.testing")


class ExerciseKind:
    """What one kind of exercise does differently. Subclass it, set the class attributes, override hooks.

    Every hook has a default that suits a plain kata, so a kind overrides only what it changes.
    """

    name: ClassVar[str]  # the curriculum's `kind = "..."`
    heading: ClassVar[str]  # `dojo list`'s heading above this kind's exercises: "code reviews"
    folder: ClassVar[str] = "katas"  # the learner's folder (mirrored in pristine/ and solutions/)
    tests_dir: ClassVar[str]  # where the tests live: "tests/katas"
    drill_mode: ClassVar[DrillMode] = "kata"  # how `dojo drill SLUG` runs one exercise: code, or review notes
    databases: ClassVar[bool] = False  # its tests run on a database the learner's migrations build (NOT NULL advice)
    mutation_pass: ClassVar[bool] = True  # mutmut mutates its reference (dojo.mutation); False: the kind brings its own proof

    # ---- materialise ----

    def default_path(self, slug: str) -> str:
        """The learner's file or folder when the entry names no ``path``: ``katas/<slug>.py``."""
        return f"{self.folder}/{slug}.py"

    def default_tests(self, slug: str) -> tuple[str, ...]:
        """The test files when the entry names no ``tests``: ``<tests_dir>/test_<slug>.py``."""
        return (f"{self.tests_dir}/test_{slug}.py",)

    def stub_files(self, root: Path, exercise: Exercise) -> list[str]:
        """The files copied from ``pristine/`` to the learner (relative to a tree root); ``[]`` if the stub is missing.

        Materialising, ``dojo reset``, "untouched" and verify's layout check all read this list."""
        from dojo.paths import pristine_root
        from dojo.workspace import files_in

        return files_in(pristine_root(root), exercise)

    def shipped_files(self, exercise: Exercise) -> tuple[str, ...]:
        """The kit files (relative to the root) an edit of which voids a solve: ``tests/SHA256SUMS`` lists
        them, and ``dojo check`` says "tests modified" when one differs. By default, the exercise's tests."""
        return exercise.tests

    # ---- check ----

    def prepare_check(self, root: Path, exercises: Sequence[Exercise], target: str) -> str:
        """Before a pytest run of ``exercises`` (this kind's, in that run): ``dojo check``, and the plugin at
        collection (so ``pytest`` and ``dojo verify`` too). ``target``: learner, solutions or pristine.

        Raise a DojoError (status 1) to refuse the run in one line (a database that is down); otherwise
        return a note for the check's header, such as which databases the tests use ("" for none)."""
        return ""

    def check_notes(self, root: Path, exercises: Sequence[Exercise], target: str) -> list[str]:
        """Lines ``dojo check`` prints after the tests of ``exercises`` (this kind's) ran, pass or fail:
        next steps, warnings. Advice only: the check's verdict is its tests'."""
        return []

    def progress_notes(self, root: Path, exercise: Exercise, result: RunResult) -> list[str]:
        """Lines ``dojo check`` prints for ``exercise`` when its tests do not all pass yet (``result`` is the
        run's outcomes): what the passing part has earned, such as a koan's talking point per passing claim."""
        return []

    # ---- verify ----

    def verify_problems(
        self, root: Path, curriculum: Curriculum, *, jobs: int, server: ForkServer | None = None
    ) -> list[Problem]:
        """This kind's own checks for ``dojo verify``; ``[]`` when they hold.

        ``curriculum`` is what verify was asked about (the whole kit, or ``--only``); verify calls this
        only when it includes an exercise of this kind or is the whole kit, in its thread pool beside the
        other checks, so it must not print. ``jobs``: how many processes it may run at once; ``server``: verify's
        fork server (dojo/forkserver.py), for kinds that run pytest many times."""
        return []

    # ---- explain ----

    def last_hint(self, exercise: Exercise) -> str:
        """What ``dojo hint`` adds after the last hint."""
        return f"That was the last hint. `dojo solution {exercise.slug} --peek` shows the reference."

    def show_solution(self, root: Path, curriculum: Curriculum, exercise: Exercise, *, peek: bool, plain: bool) -> bool:
        """``dojo solution`` (without ``--full``): show it here and return True, or False for the usual diff
        of the learner's file against the reference (after checking the tests pass unless ``peek``)."""
        return False

    def answer_key(self, root: Path, exercise: Exercise) -> Path | None:
        """The answer key ``dojo answer`` shows once the exercise passes, or None: this kind has none."""
        return None

    def lints_by_slug(self, exercise: Exercise) -> bool:
        """Whether ``dojo lint SLUG`` accepts the slug (a review); other exercises are linted by path."""
        return False

    # ---- helpers (not hooks) ----

    def members(self, exercises: Sequence[Exercise] | Curriculum) -> tuple[Exercise, ...]:
        """The exercises of this kind, in order."""
        return tuple(exercise for exercise in exercises if exercise.kind == self.name)

    def __repr__(self) -> str:
        return f"<kind {self.name}>"


_REGISTRY: dict[str, ExerciseKind] = {}


def registry() -> dict[str, ExerciseKind]:
    """Every kind by name, loaded from :data:`MODULES` on first use."""
    if not _REGISTRY:
        for module_name in MODULES:
            kind = importlib.import_module(module_name).KIND
            if not isinstance(kind, ExerciseKind):
                raise TypeError(f"{module_name}.KIND is not an ExerciseKind")
            if kind.name in _REGISTRY:
                raise TypeError(f"{module_name}: kind '{kind.name}' is registered twice")
            _REGISTRY[kind.name] = kind
    return _REGISTRY


def names() -> tuple[str, ...]:
    """The kinds a curriculum entry may name."""
    return tuple(registry())


def get(name: str) -> ExerciseKind:
    """The kind called ``name``; KeyError for an unknown one (curriculum.py reports it to the user)."""
    return registry()[name]


def of(exercise: Exercise) -> ExerciseKind:
    """The kind of ``exercise``."""
    return get(exercise.kind)


def kinds_in(exercises: Sequence[Exercise] | Curriculum) -> tuple[ExerciseKind, ...]:
    """The distinct kinds of ``exercises``, in registry order."""
    present = {exercise.kind for exercise in exercises}
    return tuple(kind for name, kind in registry().items() if name in present)


def learner_folders() -> tuple[str, ...]:
    """The learner's top-level folders (``katas``, ``reviews``): every kind's :attr:`~ExerciseKind.folder`."""
    return tuple(dict.fromkeys(kind.folder for kind in registry().values()))


__all__ = [
    "MODULES",
    "DrillMode",
    "ExerciseKind",
    "get",
    "kinds_in",
    "learner_folders",
    "names",
    "of",
    "registry",
]
