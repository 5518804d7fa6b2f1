"""Decorators: timing and retry (kata, ~30 min).

"Write two decorators we could put on any function, plain or `async def`:

- `@timing(record, clock=...)` reports every call as `record(func.__qualname__, elapsed_seconds)`,
  measured with `clock()`, even when the call raises.
- `@retry(max_attempts, exceptions, backoff)` calls the function up to `max_attempts` times while it
  raises one of `exceptions`. After failed attempt n it waits `backoff * 2 ** (n - 1)` seconds through
  `sleep` (or `await async_sleep` for async functions), never after the last attempt. When attempts run
  out, the last error is re-raised; an exception not in `exceptions` propagates at once. Defaults:
  `max_attempts=3`, `exceptions=(Exception,)`, `backoff=0.0` (no wait). When `retry(...)` is called, a
  ValueError naming the parameter if `max_attempts` is not an int >= 1 (a bool, a str or a float, even
  3.0, is refused) or `backoff` is negative.

Decorated functions keep their `__name__`, `__doc__`, `__wrapped__` and signature, and an async
function stays an async function: `inspect.iscoroutinefunction(decorated)` is true."

Clock, sleep and async_sleep are parameters so tests can record time instead of spending it.

Run `dojo check decorators`; `dojo hint decorators` when stuck.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

Recorder = Callable[[str, float], None]
"""Receives (the function's qualified name, elapsed seconds) once per call."""


def timing(
    record: Recorder, *, clock: Callable[[], float] = time.perf_counter
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    raise NotImplementedError("timing")  # TODO


def retry(
    max_attempts: int = 3,
    exceptions: type[Exception] | tuple[type[Exception], ...] = (Exception,),
    backoff: float = 0.0,
    *,
    sleep: Callable[[float], None] = time.sleep,
    async_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    raise NotImplementedError("retry")  # TODO
