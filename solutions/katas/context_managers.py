"""Context managers: cleanup that runs however the block ends.

Two ways to write one. The protocol by hand (``__enter__``/``__exit__``, ``__aenter__``/``__aexit__``):
``__exit__`` always runs, and its return value decides whether the exception is swallowed (truthy) or
propagates (None/False). Or a generator with ``@contextmanager``: the code after ``yield`` only runs
on an exception if it sits in ``finally``, because the exception is thrown into the generator at the
``yield``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from types import TracebackType
from typing import Generic, TypeVar

T = TypeVar("T")

Recorder = Callable[[str, float], None]
"""Receives (the block's name, elapsed seconds) once per block."""


class Timer:
    """Times a ``with`` or ``async with`` block and reports it to ``record``, even when the block raises."""

    def __init__(self, name: str, record: Recorder, *, clock: Callable[[], float] = time.perf_counter) -> None:
        self.name = name
        self._record = record
        self._clock = clock
        self._start: float | None = None
        self.elapsed: float | None = None

    def __enter__(self) -> Timer:
        self._start = self._clock()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._start is None:
            raise RuntimeError("Timer exited without being entered")
        self.elapsed = self._clock() - self._start
        self._record(self.name, self.elapsed)
        # Returning None (falsy) lets any exception from the block propagate. Returning True would swallow it.

    async def __aenter__(self) -> Timer:
        return self.__enter__()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.__exit__(exc_type, exc, tb)


@contextmanager
def timed(name: str, record: Recorder, *, clock: Callable[[], float] = time.perf_counter) -> Iterator[None]:
    """The same timer as a generator: ``finally`` is what makes it record when the block raises."""
    start = clock()
    try:
        yield
    finally:
        record(name, clock() - start)


@asynccontextmanager
async def atimed(name: str, record: Recorder, *, clock: Callable[[], float] = time.perf_counter) -> AsyncIterator[None]:
    """``timed`` for ``async with``."""
    start = clock()
    try:
        yield
    finally:
        record(name, clock() - start)


class PoolExhaustedError(RuntimeError):
    """Every resource of the pool is in use: acquire() fails fast rather than waiting."""


class Pool(Generic[T]):
    """At most ``size`` resources made by ``factory``, created on demand and reused after release.

    Policy when all are in use: ``acquire()`` raises PoolExhaustedError at once (fail fast, no waiting).
    A lock guards the bookkeeping, so threads may share a pool.
    """

    def __init__(self, factory: Callable[[], T], size: int) -> None:
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ValueError(f"size must be a positive int, got {size!r}")
        self._factory = factory
        self.size = size
        self._idle: list[T] = []
        self._in_use = 0
        self._lock = threading.Lock()

    @property
    def in_use(self) -> int:
        return self._in_use

    @property
    def idle(self) -> int:
        return len(self._idle)

    @contextmanager
    def acquire(self) -> Iterator[T]:
        resource = self._checkout()
        try:
            yield resource
        finally:
            self._release(resource)

    def _checkout(self) -> T:
        with self._lock:
            if self._in_use >= self.size:
                raise PoolExhaustedError(f"all {self.size} resources are in use")
            self._in_use += 1
            if self._idle:
                return self._idle.pop()
        # Create outside the lock (a slow connect must not block releases); undo the count if it fails.
        try:
            return self._factory()
        except BaseException:
            with self._lock:
                self._in_use -= 1
            raise

    def _release(self, resource: T) -> None:
        with self._lock:
            self._in_use -= 1
            self._idle.append(resource)
