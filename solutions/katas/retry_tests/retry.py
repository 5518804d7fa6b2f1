"""An async retry helper with exponential backoff. GIVEN CODE: read it, do not edit it.

This module is correct. In this kata you write its tests, in test_retry.py beside it; the kit
grades them against its own copy of this file (an edited copy changes nothing, and `dojo check`
says so) and against broken copies of it.

`await retry(operation, *, attempts=3, base_delay=0.1, max_delay=2.0, retry_on=(ConnectionError,
TimeoutError), sleep=asyncio.sleep)`:

- calls `await operation()` and returns its result, at most `attempts` times in all;
- an exception that is an instance of `retry_on` is retried, after `await sleep(delay)`; the
  delays double from `base_delay` (0.1, 0.2, 0.4, ...), each capped at `max_delay`;
- after the last attempt fails, that attempt's exception propagates, with no sleep after it;
- any other exception propagates at once: no retry, no sleep;
- `attempts` below 1 raises ValueError before calling anything.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]


async def retry(
    operation: Callable[[], Awaitable[T]],
    *,
    attempts: int = 3,
    base_delay: float = 0.1,
    max_delay: float = 2.0,
    retry_on: tuple[type[Exception], ...] = (ConnectionError, TimeoutError),
    sleep: Sleep = asyncio.sleep,
) -> T:
    """The result of ``operation``, retrying the errors in ``retry_on`` with exponential backoff."""
    if attempts < 1:
        raise ValueError(f"attempts must be at least 1, got {attempts}")
    attempt = 1
    while True:
        try:
            return await operation()
        except retry_on:
            if attempt >= attempts:
                raise
            delay = min(max_delay, base_delay * 2 ** (attempt - 1))
        await sleep(delay)
        attempt += 1
