"""What the learner has done with each exercise, kept across resets (``.dojo/history.json``).

``state.json`` caches results and may be thrown away; the history is the honest record: when an
exercise was first seen, how many checks it took, how long until it first passed, how many hints
and resets. ``dojo reset`` starts the file over, never the record.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dojo.paths import state_dir

HISTORY_FILE = "history.json"


@dataclass
class ExerciseHistory:
    first_seen: str | None = None  # ISO 8601, UTC
    attempts: int = 0  # checks run on the learner's file
    first_green: str | None = None
    hints_used: int = 0
    resets: int = 0

    @property
    def seconds_to_green(self) -> float | None:
        if self.first_seen is None or self.first_green is None:
            return None
        return (datetime.fromisoformat(self.first_green) - datetime.fromisoformat(self.first_seen)).total_seconds()


def _now(now: datetime | None) -> str:
    return (now or datetime.now(UTC)).isoformat(timespec="seconds")


def _path(root: Path) -> Path:
    return state_dir(root) / HISTORY_FILE


def load(root: Path) -> dict[str, ExerciseHistory]:
    """Every exercise's record; unreadable entries are dropped rather than failing a command."""
    try:
        raw: Any = json.loads(_path(root).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    known = {f.name for f in fields(ExerciseHistory)}
    records: dict[str, ExerciseHistory] = {}
    for slug, entry in (raw if isinstance(raw, dict) else {}).items():
        if isinstance(entry, dict):
            try:
                records[str(slug)] = ExerciseHistory(**{k: v for k, v in entry.items() if k in known})
            except TypeError:
                continue
    return records


def _save(root: Path, records: dict[str, ExerciseHistory]) -> None:
    directory = state_dir(root)
    directory.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=directory, prefix=".history-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump({slug: asdict(record) for slug, record in records.items()}, handle, indent=2, sort_keys=True)
    Path(temp).replace(_path(root))


def _update(root: Path, slug: str, now: datetime | None) -> tuple[dict[str, ExerciseHistory], ExerciseHistory]:
    records = load(root)
    record = records.setdefault(slug, ExerciseHistory())
    if record.first_seen is None:
        record.first_seen = _now(now)
    return records, record


def seen(root: Path, slug: str, now: datetime | None = None) -> None:
    """The learner was shown this exercise (its first sighting starts the clock to green)."""
    records, _ = _update(root, slug, now)
    _save(root, records)


def checked(root: Path, slug: str, passed: bool, now: datetime | None = None) -> ExerciseHistory:
    records, record = _update(root, slug, now)
    record.attempts += 1
    if passed and record.first_green is None:
        record.first_green = _now(now)
    _save(root, records)
    return record


def hinted(root: Path, slug: str, shown: int, now: datetime | None = None) -> None:
    """``shown`` hints are now revealed; the record keeps the most ever seen, even after a reset."""
    records, record = _update(root, slug, now)
    record.hints_used = max(record.hints_used, shown)
    _save(root, records)


def was_reset(root: Path, slug: str, now: datetime | None = None) -> None:
    records, record = _update(root, slug, now)
    record.resets += 1
    _save(root, records)
