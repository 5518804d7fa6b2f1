"""The drill's clock: elapsed seconds since the drill began, from a source that tests can drive.

A drill measures one thing, how long the candidate has been at it, so its clock is an elapsed-time
counter: ``offset`` (time already spent, when a saved drill is resumed) plus how far the source has
moved since this process started. The source is ``time.monotonic`` in real use. Tests set
``DOJO_DRILL_CLOCK`` to a file holding a number of seconds and rewrite it to move time: the drill
runs in a real terminal, in another process, and still never waits on the wall clock.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

CLOCK_ENV: Final = "DOJO_DRILL_CLOCK"

Source = Callable[[], float]


class FileSource:
    """Seconds read from a file on every call: the clock a test moves by rewriting the file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._last = 0.0

    def __call__(self) -> float:
        try:
            value = float(self.path.read_text(encoding="utf-8").strip() or "0")
        except (OSError, ValueError):
            return self._last  # mid-rewrite or missing: time stands still rather than jumping
        self._last = max(self._last, value)  # a monotonic source never goes back
        return self._last


def source_from_env() -> Source:
    configured = os.environ.get(CLOCK_ENV, "").strip()
    return FileSource(Path(configured)) if configured else time.monotonic


class DrillClock:
    """Elapsed drill time in seconds; ``offset`` is what a resumed drill had already used."""

    def __init__(self, source: Source, offset: float = 0.0) -> None:
        self._source = source
        self._start = source()
        self._offset = offset

    def __call__(self) -> float:
        return self._offset + max(0.0, self._source() - self._start)


def mmss(seconds: float) -> str:
    """``75.4`` -> ``1:15``; negative durations (time over) are shown with a minus sign."""
    sign = "-" if seconds < 0 else ""
    whole = int(abs(seconds))
    return f"{sign}{whole // 60}:{whole % 60:02d}"


@dataclass(frozen=True)
class SwapSchedule:
    """Who drives when: the pair rotates every ``minutes``, driver first, like mob.sh's timer."""

    names: tuple[str, ...]
    minutes: int

    def slot(self, elapsed: float) -> int:
        return int(elapsed // (self.minutes * 60))

    def driver(self, elapsed: float) -> str:
        return self.names[self.slot(elapsed) % len(self.names)]

    def navigator(self, elapsed: float) -> str:
        return self.names[(self.slot(elapsed) + 1) % len(self.names)]

    def until_swap(self, elapsed: float) -> float:
        return (self.slot(elapsed) + 1) * self.minutes * 60 - elapsed
