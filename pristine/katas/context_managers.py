"""Context managers: a timer and a resource pool (kata, ~30 min).

"Show me the same timer written two ways, then a tiny connection pool."

- `Timer(name, record, clock=...)` works with both `with` and `async with`. On exit it sets `.elapsed`
  and calls `record(name, elapsed)`, measured with `clock()`; `.elapsed` is None until then. It records
  even when the block raises, and never swallows the exception. Exiting a Timer that was never entered
  is a RuntimeError whose message says so ("... without being entered"), and records nothing.
- `timed(...)` and `atimed(...)`: the same timer with `@contextmanager` / `@asynccontextmanager`.
- `Pool(factory, size)`: at most `size` resources (an int >= 1; a bool, a str or a float, even 2.0, is
  not: ValueError naming `size`), created with `factory()` only when needed and reused once released.
  `with pool.acquire() as resource:` hands one out and always gives it back, even if the block raises.
  When all `size` are in use, `acquire()` raises `PoolExhaustedError` at once (fail fast; no waiting),
  its message saying how many are in use. If `factory()` raises, the pool is left as it was.
  `pool.in_use` and `pool.idle` count resources handed out and waiting for reuse.

Run `dojo check context_managers`; `dojo hint context_managers` when stuck.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from types import TracebackType
from typing import Generic, TypeVar

T = TypeVar("T")

Recorder = Callable[[str, float], None]
"""Receives (the block's name, elapsed seconds) once per block."""


class Timer:
    def __init__(self, name: str, record: Recorder, *, clock: Callable[[], float] = time.perf_counter) -> None:
        self.name = name
        self.elapsed: float | None = None
        raise NotImplementedError("Timer.__init__")  # TODO

    def __enter__(self) -> Timer:
        raise NotImplementedError("Timer.__enter__")  # TODO

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        raise NotImplementedError("Timer.__exit__")  # TODO

    async def __aenter__(self) -> Timer:
        raise NotImplementedError("Timer.__aenter__")  # TODO

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        raise NotImplementedError("Timer.__aexit__")  # TODO


@contextmanager
def timed(name: str, record: Recorder, *, clock: Callable[[], float] = time.perf_counter) -> Iterator[None]:
    raise NotImplementedError("timed")  # TODO


@asynccontextmanager
async def atimed(name: str, record: Recorder, *, clock: Callable[[], float] = time.perf_counter) -> AsyncIterator[None]:
    raise NotImplementedError("atimed")  # TODO
    yield  # keeps this an async generator, which @asynccontextmanager requires


class PoolExhaustedError(RuntimeError):
    """Every resource of the pool is in use."""


class Pool(Generic[T]):
    def __init__(self, factory: Callable[[], T], size: int) -> None:
        raise NotImplementedError("Pool.__init__")  # TODO

    @property
    def in_use(self) -> int:
        raise NotImplementedError("Pool.in_use")  # TODO

    @property
    def idle(self) -> int:
        raise NotImplementedError("Pool.idle")  # TODO

    @contextmanager
    def acquire(self) -> Iterator[T]:
        raise NotImplementedError("Pool.acquire")  # TODO
