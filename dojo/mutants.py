"""Classic wrong answers, kept with the tests (``tests/mutants/<slug>.toml``) and applied to a copy of solutions/.

Each mutant replaces one exact piece of text in one file of the reference answer. `dojo verify` runs
the exercise's tests against the mutated copy and expects at least one of them to fail.
"""

from __future__ import annotations

import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path

from dojo.curriculum import Exercise
from dojo.errors import DojoError

MUTANTS_DIR = "tests/mutants"


class MutantError(DojoError, ValueError):
    """A mutant file is malformed, or a mutant no longer applies to the reference answer."""


@dataclass(frozen=True)
class Mutant:
    slug: str
    name: str
    why: str
    file: str
    old: str
    new: str
    # Run this mutant on PostgreSQL too (DOJO_POSTGRES_URL): only a PostgreSQL test can catch it, e.g. a
    # query plan. Other mutants run on SQLite alone; the solutions run already covers both databases.
    postgres: bool = False

    @property
    def label(self) -> str:
        return f"{self.slug}:{self.name}"


def mutants_file(root: Path, slug: str) -> Path:
    return root / MUTANTS_DIR / f"{slug}.toml"


def load(root: Path, exercise: Exercise) -> list[Mutant]:
    """The exercise's mutants; an empty list when it has no mutant file."""
    path = mutants_file(root, exercise.slug)
    if not path.is_file():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise MutantError(f"{path.relative_to(root)} is not valid TOML: {error}") from None
    entries = data.get("mutant", [])
    if not isinstance(entries, list):
        raise MutantError(f"{path.relative_to(root)}: expected [[mutant]] tables")
    mutants: list[Mutant] = []
    names: set[str] = set()
    default_file = exercise.path if not exercise.is_package else ""
    for index, entry in enumerate(entries, start=1):
        where = f"{path.relative_to(root)}: mutant #{index}"
        if not isinstance(entry, dict):
            raise MutantError(f"{where} is not a table")
        unknown = set(entry) - {"name", "why", "file", "old", "new", "postgres"}
        if unknown:
            raise MutantError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        values = {key: entry.get(key) for key in ("name", "why", "file", "old", "new")}
        if values["file"] is None:
            values["file"] = default_file
        for key, value in values.items():
            if not isinstance(value, str) or (key != "new" and not value):
                raise MutantError(f"{where}: '{key}' must be a non-empty string")
        postgres = entry.get("postgres", False)
        if not isinstance(postgres, bool):
            raise MutantError(f"{where}: 'postgres' must be true or false")
        mutant = Mutant(slug=exercise.slug, **{k: str(v) for k, v in values.items()}, postgres=postgres)
        if mutant.name in names:
            raise MutantError(f"{where}: the name '{mutant.name}' is used twice")
        if mutant.old == mutant.new:
            raise MutantError(f"{where}: 'old' and 'new' are the same, so nothing would change")
        names.add(mutant.name)
        mutants.append(mutant)
    return mutants


def apply(mutant: Mutant, solutions: Path, destination: Path) -> Path:
    """Copy ``solutions`` to ``destination`` and apply the mutant there; returns the copy."""
    source = solutions / mutant.file
    if not source.is_file():
        raise MutantError(f"{mutant.label}: solutions/{mutant.file} does not exist")
    text = source.read_text(encoding="utf-8")
    count = text.count(mutant.old)
    if count != 1:
        found = "is not found" if count == 0 else f"matches {count} times"
        raise MutantError(f"{mutant.label}: its 'old' text {found} in solutions/{mutant.file}; update the mutant")
    shutil.copytree(solutions, destination, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (destination / mutant.file).write_text(text.replace(mutant.old, mutant.new), encoding="utf-8")
    return destination
