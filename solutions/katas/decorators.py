"""Decorators: `timing` and `retry`, for plain and async functions alike.

Both are decorator factories (three layers: settings -> decorate(func) -> wrapper). Each picks its
wrapper once, at decoration time: an ``async def`` function gets an ``async def`` wrapper that awaits
it, because a plain wrapper would hand back an un-awaited coroutine (timing its creation, retrying
nothing). ``functools.wraps`` copies ``__name__``, ``__qualname__``, ``__doc__`` and ``__module__`` and
sets ``__wrapped__``, which is what ``inspect.signature`` follows.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar, cast

P = ParamSpec("P")
R = TypeVar("R")

Recorder = Callable[[str, float], None]
"""Receives (the function's qualified name, elapsed seconds) once per call."""


def timing(
    record: Recorder, *, clock: Callable[[], float] = time.perf_counter
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Report how long each call took to ``record``, whether it returned or raised."""

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        name = func.__qualname__
        if inspect.iscoroutinefunction(func):
            async_func = cast(Callable[P, Awaitable[Any]], func)

            @functools.wraps(func)
            async def async_wrapper(*args: P.args, **kwargs: P.kwargs) -> Any:
                start = clock()
                try:
                    return await async_func(*args, **kwargs)
                finally:
                    record(name, clock() - start)

            return cast(Callable[P, R], async_wrapper)

        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            start = clock()
            try:
                return func(*args, **kwargs)
            finally:
                record(name, clock() - start)

        return wrapper

    return decorate


def retry(
    max_attempts: int = 3,
    exceptions: type[Exception] | tuple[type[Exception], ...] = (Exception,),
    backoff: float = 0.0,
    *,
    sleep: Callable[[float], None] = time.sleep,
    async_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Call the function up to ``max_attempts`` times while it raises one of ``exceptions``.

    After failed attempt n (1-based) wait ``backoff * 2 ** (n - 1)`` seconds; never wait after the
    last attempt, whose error is re-raised unchanged. Other exceptions propagate at once.
    """
    # Validate when the decorator is configured, not on the first call: a typo fails at import time.
    if isinstance(max_attempts, bool) or not isinstance(max_attempts, int) or max_attempts < 1:
        raise ValueError(f"max_attempts must be an int >= 1, got {max_attempts!r}")
    if backoff < 0:
        raise ValueError(f"backoff must be >= 0 seconds, got {backoff!r}")

    def delay_after(attempt: int) -> float:
        return backoff * 2.0 ** (attempt - 1)

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        if inspect.iscoroutinefunction(func):
            async_func = cast(Callable[P, Awaitable[Any]], func)

            @functools.wraps(func)
            async def async_wrapper(*args: P.args, **kwargs: P.kwargs) -> Any:
                attempt = 1
                while True:
                    try:
                        return await async_func(*args, **kwargs)
                    except exceptions:
                        if attempt >= max_attempts:
                            raise
                    # Never time.sleep here: it would freeze the event loop and every other task.
                    await async_sleep(delay_after(attempt))
                    attempt += 1

            return cast(Callable[P, R], async_wrapper)

        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            attempt = 1
            while True:
                try:
                    return func(*args, **kwargs)
                except exceptions:
                    if attempt >= max_attempts:
                        raise  # a bare raise keeps the original traceback
                sleep(delay_after(attempt))
                attempt += 1

        return wrapper

    return decorate
