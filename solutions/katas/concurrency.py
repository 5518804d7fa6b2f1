"""Concurrency: fan-out with a TaskGroup or gather, a locked counter, CPU work through one executor.

- ``fetch_all`` is fail-fast structured concurrency: every source runs in a ``TaskGroup``; the first
  failure cancels the siblings still running and the group raises an ``ExceptionGroup``.
- ``fetch_settled`` is the tolerant fan-out: ``gather(..., return_exceptions=True)`` lets every source
  finish and hands back each result or the exception it raised, in the order of the sources.
- Both give each call its own ``asyncio.timeout``, so one stuck source cannot hold up the batch.
- ``HitCounter`` does read-modify-write under a ``threading.Lock``: without it two threads can read
  the same old value and one update is lost.
- ``CpuOffloader`` creates its executor once and awaits ``loop.run_in_executor``, so blocking or
  CPU-bound work runs elsewhere while the event loop keeps serving other coroutines.
"""

from __future__ import annotations

import asyncio
import functools
import threading
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


async def _call(source: Source[T], call_timeout: float | None) -> T:
    # The timeout wraps this one call: every source gets the full budget, and the one that overruns
    # raises TimeoutError on its own.
    async with asyncio.timeout(call_timeout):
        return await source()


async def fetch_all(sources: Sequence[Source[T]], *, call_timeout: float | None = None) -> list[T]:
    """All results in the order of ``sources``; on the first failure the rest are cancelled."""
    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(_call(source, call_timeout)) for source in sources]
    # Leaving the block waits for every task; if one failed, the others were cancelled and the
    # TaskGroup raised an ExceptionGroup with the failures, so we only get here when all succeeded.
    return [task.result() for task in tasks]


async def fetch_settled(sources: Sequence[Source[T]], *, call_timeout: float | None = None) -> list[T | BaseException]:
    """Each source's result or the exception it raised, in the order of ``sources``; no cancelling."""
    return await asyncio.gather(*(_call(source, call_timeout) for source in sources), return_exceptions=True)


class HitCounter(Generic[K]):
    """Counts per key; safe to call from many threads at once."""

    def __init__(self) -> None:
        self._counts: dict[K, int] = {}
        self._lock = threading.Lock()

    def increment(self, key: K, by: int = 1) -> None:
        # get, add, store: three steps another thread can interleave with. The lock makes them one.
        with self._lock:
            self._counts[key] = self._counts.get(key, 0) + by

    def count(self, key: K) -> int:
        with self._lock:
            return self._counts.get(key, 0)

    def snapshot(self) -> dict[K, int]:
        with self._lock:
            return dict(self._counts)


class CpuOffloader:
    """Runs blocking or CPU-bound functions in one executor, created once, shut down on close."""

    def __init__(self, executor_factory: Callable[[], Executor] = ProcessPoolExecutor) -> None:
        # Created once: a pool per call would pay process (or thread) start-up on every request and
        # leak workers whenever nobody shuts the throwaway pool down.
        self._executor = executor_factory()

    async def run(self, func: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        loop = asyncio.get_running_loop()
        # run_in_executor takes positional arguments only; partial carries the keywords (and pickles
        # for a process pool as long as func and its arguments do).
        return await loop.run_in_executor(self._executor, functools.partial(func, *args, **kwargs))

    async def aclose(self) -> None:
        # shutdown(wait=True) blocks until running jobs end, so wait for it off the event loop too.
        await asyncio.to_thread(self._executor.shutdown, wait=True)

    async def __aenter__(self) -> CpuOffloader:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
