"""Concurrency: fan-out, a thread-safe counter, CPU work off the event loop (kata, ~35 min).

"Our endpoint calls several upstream sources. Call them concurrently, two ways:

- `fetch_all(sources, call_timeout=...)`: fail fast. Run every source in an `asyncio.TaskGroup`; return
  the results in the order of `sources`. When one source fails, the ones still running are cancelled
  and the error surfaces as the `ExceptionGroup` the TaskGroup raises (callers use `except*`).
- `fetch_settled(sources, call_timeout=...)`: tolerant. Use `asyncio.gather(..., return_exceptions=True)`:
  every source runs to the end, and you return each result, or the exception it raised, in order.
- In both, `call_timeout` (seconds, None = no limit) applies to each call on its own, via `asyncio.timeout`:
  a source that overruns fails with TimeoutError; it does not time out the whole batch.

Then two helpers for the same service:

- `HitCounter`: `increment(key, by=1)`, `count(key)` (0 if never seen), `snapshot()` (a copy).
  Web servers call it from many threads at once; no update may be lost.
- `CpuOffloader(executor_factory=ProcessPoolExecutor)`: `await run(func, *args, **kwargs)` runs a
  blocking or CPU-bound function in an executor, so the event loop keeps serving other coroutines
  meanwhile, and returns its result (or raises its error). The executor is created once per offloader, not per call; `aclose()` (also called by
  `async with`) shuts it down, waiting for work still running (`shutdown(wait=True)`) without
  blocking the event loop while it waits. After that, `run` raises RuntimeError."

Sources are async callables with no arguments, so tests can hand you fakes; nothing here touches the
network or sleeps.

Run `dojo check concurrency`; `dojo hint concurrency` when stuck.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from types import TracebackType
from typing import Generic, ParamSpec, TypeVar

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
P = ParamSpec("P")
R = TypeVar("R")

Source = Callable[[], Awaitable[T]]
"""An async callable with no arguments: one upstream call (an HTTP request, a query)."""


async def fetch_all(sources: Sequence[Source[T]], *, call_timeout: float | None = None) -> list[T]:
    raise NotImplementedError("fetch_all")  # TODO


async def fetch_settled(sources: Sequence[Source[T]], *, call_timeout: float | None = None) -> list[T | BaseException]:
    raise NotImplementedError("fetch_settled")  # TODO


class HitCounter(Generic[K]):
    def __init__(self) -> None:
        raise NotImplementedError("HitCounter.__init__")  # TODO

    def increment(self, key: K, by: int = 1) -> None:
        raise NotImplementedError("HitCounter.increment")  # TODO

    def count(self, key: K) -> int:
        raise NotImplementedError("HitCounter.count")  # TODO

    def snapshot(self) -> dict[K, int]:
        raise NotImplementedError("HitCounter.snapshot")  # TODO


class CpuOffloader:
    def __init__(self, executor_factory: Callable[[], Executor] = ProcessPoolExecutor) -> None:
        raise NotImplementedError("CpuOffloader.__init__")  # TODO

    async def run(self, func: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        raise NotImplementedError("CpuOffloader.run")  # TODO

    async def aclose(self) -> None:
        raise NotImplementedError("CpuOffloader.aclose")  # TODO

    async def __aenter__(self) -> CpuOffloader:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
