"""Helpers for the kit's tests: deterministic stand-ins for time."""

from __future__ import annotations


class FakeClock:
    """A monotonic clock the test moves by hand: pass ``clock`` where code would call time.monotonic."""

    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a monotonic clock never goes back")
        self.now += seconds
