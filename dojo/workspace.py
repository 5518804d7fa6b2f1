"""The learner's working files: created from the pristine stubs, backed up before anything replaces them.

Learner files (``katas/``, ``reviews/`` at the kit's root) are ignored by git, so pulling a newer kit
never conflicts with practice work. A missing file is copied from ``pristine/``; an existing one is
never overwritten except by ``reset``, which first copies it to ``.dojo/backups/``.
"""

from __future__ import annotations

import filecmp
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from dojo import kinds
from dojo.curriculum import Curriculum, Exercise
from dojo.paths import LEARNER_PACKAGES, pristine_root, state_dir

_SKIP_DIRS = {".git", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"}  # .git: a drill's own repository


def _files_under(base: Path) -> Iterator[Path]:
    """Files below ``base`` (or ``base`` itself), skipping caches, as paths relative to ``base``'s tree."""
    if base.is_file():
        yield base
        return
    for path in sorted(base.rglob("*")):
        if path.is_file() and not _SKIP_DIRS.intersection(path.parts) and not path.name.endswith(".pyc"):
            yield path


def pristine_files(root: Path, exercise: Exercise) -> list[str]:
    """The exercise's stub files, as paths relative to a tree root (``katas/lru_cache.py``): its kind's
    :meth:`~dojo.kinds.ExerciseKind.stub_files` (by default, everything at ``pristine/<path>``)."""
    return kinds.of(exercise).stub_files(root, exercise)


def files_in(tree: Path, exercise: Exercise) -> list[str]:
    """The exercise's files in one tree (``pristine/``, ``solutions/``), relative to that tree."""
    source = tree / exercise.path
    if not source.exists():
        return []
    return [path.relative_to(tree).as_posix() for path in _files_under(source)]


def materialize(root: Path, curriculum: Curriculum) -> list[str]:
    """Copy every missing learner file from ``pristine/``; returns what it created. Never overwrites."""
    tree = pristine_root(root)
    created: list[str] = []
    wanted = [f"{package}/__init__.py" for package in LEARNER_PACKAGES]
    for exercise in curriculum:
        wanted.extend(pristine_files(root, exercise))
    for relative in wanted:
        source, target = tree / relative, root / relative
        if source.is_file() and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
            created.append(relative)
    return created


def is_untouched(root: Path, exercise: Exercise) -> bool:
    """True when every learner file of the exercise still matches its pristine stub byte for byte."""
    files = pristine_files(root, exercise)
    tree = pristine_root(root)
    return bool(files) and all(
        (root / rel).is_file() and filecmp.cmp(tree / rel, root / rel, shallow=False) for rel in files
    )


def edited_files(root: Path, exercise: Exercise) -> list[str]:
    tree = pristine_root(root)
    return [
        rel
        for rel in pristine_files(root, exercise)
        if (root / rel).is_file() and not filecmp.cmp(tree / rel, root / rel, shallow=False)
    ]


def extra_files(root: Path, exercise: Exercise) -> list[str]:
    """Files the learner added inside a package exercise (a new module, a migration)."""
    if not exercise.is_package:
        return []
    known = set(pristine_files(root, exercise))
    base = root / exercise.path
    if not base.is_dir():
        return []
    return [p.relative_to(root).as_posix() for p in _files_under(base) if p.relative_to(root).as_posix() not in known]


@dataclass(frozen=True)
class ResetResult:
    backup: Path | None
    restored: tuple[str, ...]
    removed: tuple[str, ...]


def backup(root: Path, exercise: Exercise, now: datetime | None = None) -> Path | None:
    """Copy the learner's files of ``exercise`` to ``.dojo/backups/<slug>/<UTC timestamp>/``."""
    base = root / exercise.path
    if not base.exists():
        return None
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")
    destination = state_dir(root) / "backups" / exercise.slug / stamp
    for path in _files_under(base):
        target = destination / path.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    return destination


def reset(root: Path, exercise: Exercise, now: datetime | None = None) -> ResetResult:
    """Back up the learner's files (unless they are the untouched stub), then restore the pristine stub
    (removing files the stub lacks)."""
    files = pristine_files(root, exercise)
    if not files:
        raise FileNotFoundError(f"pristine/{exercise.path} is missing: the kit itself is incomplete")
    removed = extra_files(root, exercise)
    # An untouched stub holds no work: backing it up would only bury the real backups.
    saved = None if is_untouched(root, exercise) and not removed else backup(root, exercise, now)
    for rel in removed:
        (root / rel).unlink()
    tree = pristine_root(root)
    for rel in files:
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(tree / rel, target)
    return ResetResult(backup=saved, restored=tuple(files), removed=tuple(removed))


def syntax_errors(root: Path, exercise: Exercise) -> list[str]:
    """One line per learner file of the exercise that Python cannot parse: ``katas/x.py:12:5: message``."""
    problems: list[str] = []
    for rel in files_in(root, exercise):
        if not rel.endswith(".py"):
            continue
        try:
            compile((root / rel).read_bytes(), rel, "exec", dont_inherit=True)
        except SyntaxError as error:
            column = f":{error.offset}" if error.offset else ""
            problems.append(f"{rel}:{error.lineno}{column}: {type(error).__name__}: {error.msg}")
        except (OSError, ValueError) as error:
            problems.append(f"{rel}: cannot be read: {error}")
    return problems
