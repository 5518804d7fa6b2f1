"""A drill in progress, saved to ``.dojo/drills/current.json`` (git-ignored) so Ctrl-C loses nothing.

The file is rewritten after every event that changes the drill, atomically, and holds what resuming
needs: which drill, its options, the state machine's state, and the clock's elapsed seconds. A drill
that ends normally removes it; its report stays beside it as Markdown.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final

from dojo.paths import state_dir

CURRENT: Final = "current.json"


def drills_dir(root: Path) -> Path:
    return state_dir(root) / "drills"


@dataclass
class Session:
    name: str  # what `dojo drill` was given: a slug or a group
    started_at: str  # UTC, ISO 8601: names the report
    minutes: int | None = None
    pair: list[str] | None = None
    swap: int | None = None
    base: str | None = None  # the capstone repository's HEAD before round 1
    notes: str | None = None  # a review's notes file, relative to the kit root
    elapsed: float = 0.0
    state: dict[str, Any] = field(default_factory=dict)


def save(root: Path, session: Session) -> None:
    directory = drills_dir(root)
    directory.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=directory, prefix=".current-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(asdict(session), handle, indent=2)
    Path(temp).replace(directory / CURRENT)


def load(root: Path) -> Session | None:
    """The saved drill, or None; an unreadable file is None too (and is left alone for a person to read)."""
    try:
        raw = json.loads((drills_dir(root) / CURRENT).read_text(encoding="utf-8"))
        return Session(**raw)
    except (OSError, ValueError, TypeError):
        return None


def clear(root: Path) -> None:
    (drills_dir(root) / CURRENT).unlink(missing_ok=True)
