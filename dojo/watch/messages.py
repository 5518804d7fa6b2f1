"""What can happen while watching, as messages on one channel. Readers make them; the session reads them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Input:
    """A key the learner pressed: a printable character, or a name (``enter``, ``escape``, ``up``, ``down``)."""

    key: str


@dataclass(frozen=True)
class FileChange:
    """Files under the learner's trees changed on disk (any of them: the session decides which matter)."""

    paths: frozenset[Path]


@dataclass(frozen=True)
class WatcherReady:
    """The file watcher is listening: from now on a save is seen."""


@dataclass(frozen=True)
class Resize:
    columns: int
    rows: int


@dataclass(frozen=True)
class Interrupt:
    """Ctrl-C: leave at once."""


Message = Input | FileChange | WatcherReady | Resize | Interrupt
