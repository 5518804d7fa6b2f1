"""The learner's local state (``.dojo/state.json``, ignored by git): revealed hints and cached results."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dojo.paths import state_dir

STATE_FILE = "state.json"


@dataclass
class CachedResult:
    fingerprint: str
    passed: int
    total: int


@dataclass
class State:
    hints: dict[str, int] = field(default_factory=dict)
    results: dict[str, CachedResult] = field(default_factory=dict)


def _path(root: Path) -> Path:
    return state_dir(root) / STATE_FILE


def load(root: Path) -> State:
    """The saved state; a fresh one when the file is missing or unreadable (it only holds conveniences)."""
    try:
        raw: Any = json.loads(_path(root).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return State()
    if not isinstance(raw, dict):
        return State()
    hints = {str(k): int(v) for k, v in raw.get("hints", {}).items() if isinstance(v, int) and v >= 0}
    results: dict[str, CachedResult] = {}
    for slug, entry in raw.get("results", {}).items():
        try:
            results[str(slug)] = CachedResult(str(entry["fingerprint"]), int(entry["passed"]), int(entry["total"]))
        except (KeyError, TypeError, ValueError):
            continue
    return State(hints=hints, results=results)


def save(root: Path, state: State) -> None:
    """Write atomically, so an interrupted command never leaves a half-written file."""
    directory = state_dir(root)
    directory.mkdir(parents=True, exist_ok=True)
    payload = {
        "hints": state.hints,
        "results": {slug: vars(result) for slug, result in state.results.items()},
    }
    fd, temp = tempfile.mkstemp(dir=directory, prefix=".state-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(payload, handle, indent=2, sort_keys=True)
    Path(temp).replace(_path(root))
