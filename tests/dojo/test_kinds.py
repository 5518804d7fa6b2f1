"""The exercise kinds' seam (dojo/kinds/): one object per kind, found through one registry.

These tests hold every registered kind to the interface CONTRIBUTING.md documents ("Adding an exercise
kind"), and show that a new kind plugs in with a module and a registry entry alone.
"""

from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path
from typing import ClassVar

import pytest

from dojo import kinds
from dojo.curriculum import CurriculumError, load, parse
from dojo.kinds import ExerciseKind

ROOT = Path(__file__).resolve().parents[2]


def entry(slug: str, kind: str, **extra: object) -> dict[str, object]:
    return {
        "slug": slug,
        "title": slug.title(),
        "kind": kind,
        "topic": "t",
        "difficulty": "easy",
        "hints": ["h"],
        "talking_points": ["p"],
        **extra,
    }


def test_the_registry_holds_every_kind_in_order() -> None:
    assert kinds.names() == ("kata", "review", "capstone", "koan", "testing")
    assert [type(kind).__module__ for kind in kinds.registry().values()] == list(kinds.MODULES)


@pytest.mark.parametrize("name", kinds.names())
def test_every_kind_names_its_heading_folder_and_tests(name: str) -> None:
    kind = kinds.get(name)
    assert isinstance(kind, ExerciseKind)
    assert kind.name == name
    assert kind.heading.strip()
    assert kind.tests_dir.startswith("tests/")
    assert (ROOT / kind.tests_dir).is_dir(), f"{kind.tests_dir} is missing"
    assert (ROOT / "pristine" / kind.folder / "__init__.py").is_file()
    assert (ROOT / "solutions" / kind.folder / "__init__.py").is_file()
    assert kind.default_tests("koan_x" if name == "koan" else "x") == (f"{kind.tests_dir}/test_x.py",)
    assert kind.drill_mode in ("kata", "review")


def test_every_exercise_of_the_kit_has_a_registered_kind() -> None:
    curriculum = load(ROOT)
    assert {exercise.kind for exercise in curriculum} == set(kinds.names())
    for exercise in curriculum:
        assert kinds.of(exercise).name == exercise.kind
    assert kinds.kinds_in(list(reversed(curriculum.exercises))) == tuple(kinds.registry().values())


def test_defaults_come_from_the_kind() -> None:
    curriculum = parse({"exercise": [entry("a", "kata"), entry("b", "review"), entry("c", "capstone")]})
    assert [(e.path, e.tests) for e in curriculum] == [
        ("katas/a.py", ("tests/katas/test_a.py",)),
        ("reviews/b.py", ("tests/reviews/test_b.py",)),
        ("katas/c.py", ("tests/capstone/test_c.py",)),
    ]


def test_an_unknown_kind_is_refused_naming_the_registered_ones() -> None:
    with pytest.raises(CurriculumError, match="kind must be one of kata, review, capstone, koan, testing, not 'quiz'"):
        parse({"exercise": [entry("a", "quiz")]})


def test_only_the_review_kind_has_an_answer_key_and_takes_a_slug_for_lint() -> None:
    curriculum = load(ROOT)
    review = next(e for e in curriculum if e.kind == "review")
    kata = next(e for e in curriculum if e.kind == "kata")
    assert kinds.of(review).answer_key(ROOT, review) == ROOT / "solutions" / "reviews" / f"{review.slug}.answers.toml"
    assert kinds.of(review).lints_by_slug(review)
    assert kinds.of(kata).answer_key(ROOT, kata) is None
    assert not kinds.of(kata).lints_by_slug(kata)


class Drawing(ExerciseKind):
    """A made-up kind, as a contributor would add one."""

    name: ClassVar[str] = "drawing"
    heading: ClassVar[str] = "drawings"
    folder: ClassVar[str] = "sketches"
    tests_dir: ClassVar[str] = "tests/drawings"

    def last_hint(self, exercise: object) -> str:
        return "no more hints: draw it"


@pytest.fixture
def with_drawing(monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("dojo.kinds.drawing")
    module.KIND = Drawing()  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "dojo.kinds.drawing", module)
    monkeypatch.setattr(kinds, "MODULES", (*kinds.MODULES, "dojo.kinds.drawing"))
    monkeypatch.setattr(kinds, "_REGISTRY", {})


@pytest.mark.usefixtures("with_drawing")
def test_a_new_kind_is_a_module_and_a_registry_entry() -> None:
    assert kinds.names()[-1] == "drawing"
    assert kinds.learner_folders() == ("katas", "reviews", "sketches")
    exercise = parse({"exercise": [entry("cat", "drawing")]}).get("cat")
    assert exercise.tests == ("tests/drawings/test_cat.py",)
    assert exercise.path == "sketches/cat.py"  # inside the new kind's folder; the default hooks apply
    assert kinds.of(exercise).last_hint(exercise) == "no more hints: draw it"
    assert kinds.of(exercise).answer_key(ROOT, exercise) is None


@pytest.mark.usefixtures("with_drawing")
def test_a_kind_registered_twice_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kinds, "MODULES", (*kinds.MODULES, "dojo.kinds.drawing"))
    with pytest.raises(TypeError, match="registered twice"):
        kinds.registry()


def test_loading_the_kinds_stays_light() -> None:
    """dojo.paths reads the registry on every command, `dojo check` included: no kind may pull in the CLI."""
    probe = (
        "import sys, dojo.kinds; dojo.kinds.registry(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('typer', 'sqlalchemy', 'fastapi')"
        " or m in ('dojo.capstone', 'dojo.reviews', 'dojo.curriculum')))"
    )
    ran = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT)
    assert ran.stdout.strip() == "[]"
