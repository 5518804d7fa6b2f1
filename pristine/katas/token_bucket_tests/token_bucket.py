"""A token bucket. GIVEN CODE: read it, do not edit it.

This module is correct. In this kata you write its tests, in test_token_bucket.py beside it; the
kit grades them against its own copy of this file (an edited copy changes nothing, and `dojo check`
says so) and against broken copies of it.

`TokenBucket(capacity, refill_per_second, *, clock=time.monotonic)`:

- `capacity` > 0 tokens at most; `refill_per_second` >= 0 (0: a bucket that never refills).
  Anything else raises ValueError. A new bucket starts full.
- `allow(cost=1)`: refill first (lazily, from `clock()`: elapsed seconds times the rate, never
  above `capacity`), then, if at least `cost` tokens are there, spend them and return True;
  otherwise return False and spend nothing. `cost` must be > 0 (ValueError otherwise). A cost
  above the capacity is never allowed.
- `tokens`: the tokens there now (after refilling), a float.
- A clock that steps back (it should not, but) counts as no time passing: it never removes tokens.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class TokenBucket:
    """At most ``capacity`` tokens, refilled at ``refill_per_second``; each request spends its cost."""

    def __init__(
        self, capacity: float, refill_per_second: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if not capacity > 0:
            raise ValueError(f"capacity must be positive, got {capacity}")
        if not refill_per_second >= 0:
            raise ValueError(f"refill_per_second must not be negative, got {refill_per_second}")
        self.capacity = float(capacity)
        self.refill_per_second = float(refill_per_second)
        self._clock = clock
        self._tokens = float(capacity)
        self._updated = clock()

    @property
    def tokens(self) -> float:
        self._refill()
        return self._tokens

    def allow(self, cost: float = 1) -> bool:
        """Spend ``cost`` tokens if the bucket holds that many (after refilling); True if it did."""
        if not cost > 0:
            raise ValueError(f"cost must be positive, got {cost}")
        self._refill()
        if self._tokens >= cost:
            self._tokens -= cost
            return True
        return False

    def _refill(self) -> None:
        now = self._clock()
        elapsed = max(0.0, now - self._updated)
        self._tokens = min(self.capacity, self._tokens + elapsed * self.refill_per_second)
        self._updated = now
