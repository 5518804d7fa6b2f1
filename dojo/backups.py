"""The backups ``dojo reset`` (and ``dojo restore``) make in ``.dojo/backups/SLUG/STAMP/``, and putting one back.

Restoring replaces the learner's current files, so it backs them up first, exactly as reset does:
whichever way the learner goes, the version they leave stays one ``dojo restore`` away.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from dojo.curriculum import Exercise
from dojo.paths import state_dir
from dojo.workspace import backup, extra_files, files_in, is_untouched

STAMP = "%Y%m%dT%H%M%S%fZ"


@dataclass(frozen=True)
class Backup:
    folder: Path
    taken: datetime
    files: tuple[str, ...]  # relative to the kit's root, as they go back


@dataclass(frozen=True)
class Restored:
    backup_of_current: Path | None  # where the files just replaced were saved (None: untouched stub)
    restored: tuple[str, ...]
    removed: tuple[str, ...]


def list_backups(root: Path, exercise: Exercise) -> list[Backup]:
    """The exercise's backups, newest first."""
    base = state_dir(root) / "backups" / exercise.slug
    found: list[Backup] = []
    for folder in sorted(base.glob("*"), reverse=True) if base.is_dir() else []:
        try:
            taken = datetime.strptime(folder.name, STAMP).replace(tzinfo=UTC)
        except ValueError:
            continue  # not a folder we made
        files = tuple(files_in(folder, exercise))
        if files:
            found.append(Backup(folder, taken, files))
    return found


def restore(root: Path, exercise: Exercise, chosen: Backup, now: datetime | None = None) -> Restored:
    """Put ``chosen`` back, after backing up the current files (unless they are the untouched stub)."""
    current = backup(root, exercise, now) if not is_untouched(root, exercise) or extra_files(root, exercise) else None
    removed: list[str] = []
    if exercise.is_package:
        # A module the learner added after this backup goes (it is in the backup just made).
        for rel in extra_files(root, exercise):
            if rel not in chosen.files:
                (root / rel).unlink()
                removed.append(rel)
    for rel in chosen.files:
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(chosen.folder / rel, target)
    return Restored(current, chosen.files, tuple(removed))
