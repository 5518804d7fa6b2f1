"""The curriculum: every exercise, in the order a learner should meet them, read from curriculum.toml.

One ``[[exercise]]`` table per exercise. Required keys: ``slug``, ``title``, ``kind``, ``topic``,
``difficulty``, ``hints`` and ``talking_points``. ``kind`` is one of the kinds in dojo/kinds/ (kata,
review, capstone, ...). Optional: ``path`` (the learner's file or package, relative to a tree root;
default: the kind's, ``katas/<slug>.py`` for a kata, ``reviews/<slug>.py`` for a review), ``tests``
(default: the kind's, ``tests/katas/test_<slug>.py`` for a kata), ``group``
(exercises that build on each other, such as the capstone's rounds: a member counts as solved only
when every earlier member is), ``timebox_minutes`` (for drills).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

from dojo import kinds
from dojo.errors import DojoError
from dojo.paths import CURRICULUM_FILE

Kind = str  # a registered kind's name (dojo.kinds.names()): "kata", "review", "capstone", ...
Difficulty = Literal["easy", "medium", "hard"]
DIFFICULTIES: tuple[Difficulty, ...] = ("easy", "medium", "hard")
SLUG_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_REQUIRED = ("slug", "title", "kind", "topic", "difficulty", "hints", "talking_points")
_OPTIONAL = ("path", "tests", "group", "timebox_minutes")


class CurriculumError(DojoError, ValueError):
    """curriculum.toml is missing, malformed, or describes an exercise inconsistently."""


@dataclass(frozen=True)
class Exercise:
    slug: str
    title: str
    kind: Kind
    topic: str
    difficulty: Difficulty
    path: str
    tests: tuple[str, ...]
    hints: tuple[str, ...]
    talking_points: tuple[str, ...]
    group: str | None = None
    timebox_minutes: int | None = None

    @property
    def is_package(self) -> bool:
        """True when the learner works on a folder (the capstone) rather than one file."""
        return not self.path.endswith(".py")

    @property
    def markers(self) -> tuple[str, ...]:
        """Markers put on this exercise's tests: its slug, then its group if any."""
        return (self.slug,) if self.group is None else (self.slug, self.group)


@dataclass(frozen=True)
class Curriculum:
    exercises: tuple[Exercise, ...]

    def __iter__(self) -> Iterator[Exercise]:
        return iter(self.exercises)

    def __len__(self) -> int:
        return len(self.exercises)

    def get(self, slug: str) -> Exercise:
        """The exercise called ``slug``; a CurriculumError naming close matches otherwise."""
        for exercise in self.exercises:
            if exercise.slug == slug:
                return exercise
        raise CurriculumError(unknown_slug_message(slug, [e.slug for e in self.exercises]))

    def groups(self) -> dict[str, tuple[Exercise, ...]]:
        found: dict[str, list[Exercise]] = {}
        for exercise in self.exercises:
            if exercise.group is not None:
                found.setdefault(exercise.group, []).append(exercise)
        return {name: tuple(members) for name, members in found.items()}

    def select(self, name: str) -> tuple[Exercise, ...]:
        """An exercise by slug, or every member of a group by the group's name."""
        members = self.groups().get(name)
        return members if members is not None else (self.get(name),)

    def earlier_in_group(self, exercise: Exercise) -> tuple[Exercise, ...]:
        if exercise.group is None:
            return ()
        members = self.groups()[exercise.group]
        return members[: members.index(exercise)]

    def by_test_file(self) -> dict[str, Exercise]:
        """Test file path (relative to the root, with forward slashes) to the exercise it belongs to."""
        return {test: exercise for exercise in self.exercises for test in exercise.tests}


def unknown_slug_message(slug: str, known: Sequence[str]) -> str:
    import difflib

    close = difflib.get_close_matches(slug, known, n=3, cutoff=0.5)
    suggestion = f" Did you mean {', '.join(close)}?" if close else ""
    return f"no exercise called '{slug}'.{suggestion} `dojo list` shows them all."


_LOADED: dict[tuple[str, int, int], Curriculum] = {}


def load(root: Path) -> Curriculum:
    """The curriculum of the kit at ``root``; parsed once per process while the file is unchanged
    (``dojo check`` reads it, then the plugin of the pytest run inside the same process does)."""
    path = root / CURRICULUM_FILE
    try:
        stat = path.stat()
        key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
        if key in _LOADED:
            return _LOADED[key]
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CurriculumError(f"{path} is missing") from None
    except tomllib.TOMLDecodeError as error:
        raise CurriculumError(f"{path} is not valid TOML: {error}") from None
    curriculum = parse(data, source=str(path))
    _LOADED.clear()  # one kit per process, in practice: keep the newest only
    _LOADED[key] = curriculum
    return curriculum


def parse(data: Mapping[str, object], source: str = CURRICULUM_FILE) -> Curriculum:
    raw = data.get("exercise")
    if not isinstance(raw, list) or not raw:
        raise CurriculumError(f"{source}: expected one or more [[exercise]] tables")
    exercises: list[Exercise] = []
    seen: set[str] = set()
    for index, entry in enumerate(raw, start=1):
        if not isinstance(entry, dict):
            raise CurriculumError(f"{source}: exercise #{index} is not a table")
        exercise = _parse_entry(cast(dict[str, object], entry), f"{source}: exercise #{index}")
        if exercise.slug in seen:
            raise CurriculumError(f"{source}: slug '{exercise.slug}' is listed twice")
        seen.add(exercise.slug)
        exercises.append(exercise)
    curriculum = Curriculum(tuple(exercises))
    _check_tests_unique(curriculum, source)
    return curriculum


def _parse_entry(entry: dict[str, object], where: str) -> Exercise:
    missing = [key for key in _REQUIRED if key not in entry]
    if missing:
        raise CurriculumError(f"{where}: missing {', '.join(missing)}")
    unknown = sorted(set(entry) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise CurriculumError(f"{where}: unknown key(s) {', '.join(unknown)}")
    slug = _text(entry, "slug", where)
    where = f"{where} ('{slug}')"
    if not SLUG_RE.match(slug):
        raise CurriculumError(f"{where}: slug must be lower_snake_case")
    kind = _text(entry, "kind", where)
    if kind not in kinds.names():
        raise CurriculumError(f"{where}: kind must be one of {', '.join(kinds.names())}, not '{kind}'")
    difficulty = _text(entry, "difficulty", where)
    if difficulty not in DIFFICULTIES:
        raise CurriculumError(f"{where}: difficulty must be one of {', '.join(DIFFICULTIES)}, not '{difficulty}'")
    of_kind = kinds.get(kind)
    path = _text(entry, "path", where) if "path" in entry else of_kind.default_path(slug)
    folders = kinds.learner_folders()
    if not path.startswith(tuple(f"{folder}/" for folder in folders)):
        inside = " or ".join(f"{folder}/" for folder in folders)
        raise CurriculumError(f"{where}: path must be inside {inside}, not '{path}'")
    tests = _texts(entry, "tests", where) if "tests" in entry else of_kind.default_tests(slug)
    hints = _texts(entry, "hints", where)
    talking_points = _texts(entry, "talking_points", where)
    if not hints or not talking_points:
        raise CurriculumError(f"{where}: hints and talking_points need at least one entry each")
    group = _text(entry, "group", where) if "group" in entry else None
    timebox = entry.get("timebox_minutes")
    if timebox is not None and (not isinstance(timebox, int) or timebox <= 0):
        raise CurriculumError(f"{where}: timebox_minutes must be a positive whole number")
    return Exercise(
        slug=slug,
        title=_text(entry, "title", where),
        kind=kind,
        topic=_text(entry, "topic", where),
        difficulty=difficulty,
        path=path,
        tests=tests,
        hints=hints,
        talking_points=talking_points,
        group=group,
        timebox_minutes=timebox,
    )


def _text(entry: Mapping[str, object], key: str, where: str) -> str:
    value = entry[key]
    if not isinstance(value, str) or not value.strip():
        raise CurriculumError(f"{where}: '{key}' must be a non-empty string")
    return value.strip()


def _texts(entry: Mapping[str, object], key: str, where: str) -> tuple[str, ...]:
    value = entry[key]
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise CurriculumError(f"{where}: '{key}' must be a list of non-empty strings")
    return tuple(item.strip() for item in cast(list[str], value))


def _check_tests_unique(curriculum: Curriculum, source: str) -> None:
    owner: dict[str, str] = {}
    for exercise in curriculum:
        for test in exercise.tests:
            if test in owner:
                raise CurriculumError(
                    f"{source}: {test} is claimed by both '{owner[test]}' and '{exercise.slug}';"
                    " every test belongs to exactly one exercise"
                )
            owner[test] = exercise.slug
