"""Koans: coroutines are not promises. Time box: 15 minutes.

`async`/`await` read like JavaScript's, but a Python coroutine is lazy: calling an `async def`
function runs none of it, and nothing runs at all until an event loop is started and something
awaits. Each function below states one claim in its docstring and proves it by running code. Fill
each blank: a `__` takes the value you predict (`3`, `True`, `['a', 'b']`, a name such as
`RuntimeError`); change nothing else (the check compares your file with the stub). `await
asyncio.sleep(0)` is not a delay: it hands the loop to whatever else is ready, once.

Run `dojo check koan_async_await`; `dojo hint koan_async_await` when stuck.
"""

from __future__ import annotations

import asyncio

import pytest


async def fetch(log: list[str], name: str) -> str:
    """A stand-in for an I/O call: it logs, gives the loop away once, logs again."""
    log.append(f"{name} started")
    await asyncio.sleep(0)
    log.append(f"{name} done")
    return name


async def test_calling_an_async_function_runs_none_of_it() -> None:
    """Calling an async def function only builds a coroutine: its body runs when it is awaited (a JS promise starts at once)."""
    log: list[str] = []
    coroutine = fetch(log, "a")
    before_await = list(log)
    result = await coroutine
    assert before_await == []
    assert (result, log) == ("a", ["a started", "a done"])


async def test_create_task_starts_at_the_next_await() -> None:
    """create_task schedules a coroutine, but it starts only when the current one gives the loop away."""
    log: list[str] = []
    task = asyncio.create_task(fetch(log, "task"))
    log.append("caller goes on")
    await asyncio.sleep(0)
    assert log == ["caller goes on", "task started"]
    await task


async def test_awaiting_one_by_one_runs_in_sequence_gather_runs_together() -> None:
    """Awaiting coroutines in a loop runs them one after another; gather interleaves them at every await."""
    log: list[str] = []
    for name in ("a", "b"):
        await fetch(log, name)
    assert log == ["a started", "a done", "b started", "b done"]
    log.clear()
    await asyncio.gather(fetch(log, "a"), fetch(log, "b"))
    assert log == ["a started", "b started", "a done", "b done"]


async def test_gather_returns_results_in_argument_order() -> None:
    """gather's results come in the order of its arguments, not in the order they finish."""

    async def after(turns: int, value: str) -> str:
        for _ in range(turns):
            await asyncio.sleep(0)
        return value

    assert list(await asyncio.gather(after(3, "slow"), after(0, "fast"))) == ["slow", "fast"]


async def test_a_coroutine_is_awaited_once_a_task_many_times() -> None:
    """A coroutine is single-use, unlike a JS promise; a Task keeps its result and can be awaited again."""
    coroutine = fetch([], "once")
    await coroutine
    with pytest.raises(RuntimeError):
        await coroutine
    task = asyncio.create_task(fetch([], "task"))
    assert await task == "task"
    assert await task == "task"


def test_there_is_no_event_loop_until_you_start_one() -> None:
    """Plain code has no running event loop (Node's is always on): asyncio.run starts one, runs the coroutine, closes it."""
    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()

    async def inside() -> bool:
        return asyncio.get_running_loop().is_running()

    assert asyncio.run(inside()) is True


async def test_a_coroutine_that_never_awaits_keeps_the_loop_to_itself() -> None:
    """Concurrency is cooperative: code with no await in it (a blocking call, a CPU loop) lets nothing else run."""
    log: list[str] = []

    async def ticker() -> None:
        for tick in range(3):
            log.append(f"tick {tick}")
            await asyncio.sleep(0)

    async def busy() -> None:
        for step in range(3):
            log.append(f"busy {step}")  # no await in here: time.sleep() or CPU work looks the same to the loop

    await asyncio.gather(ticker(), busy())
    assert log == ["tick 0", "busy 0", "busy 1", "busy 2", "tick 1", "tick 2"]


async def test_plain_gather_raises_the_first_error_and_leaves_the_rest_running() -> None:
    """gather raises the first exception as it is, and its other tasks keep running, unsupervised."""
    release = asyncio.Event()

    async def fail() -> None:
        raise ValueError("boom")

    async def slow() -> str:
        await release.wait()
        return "finished anyway"

    slow_task = asyncio.create_task(slow())
    with pytest.raises(ValueError):
        await asyncio.gather(fail(), slow_task)
    assert slow_task.done() is False
    release.set()
    assert await slow_task == "finished anyway"


async def test_a_task_group_cancels_the_siblings_of_a_failure() -> None:
    """A TaskGroup cancels the other tasks when one fails, waits for them, and raises every failure in an ExceptionGroup."""
    release = asyncio.Event()

    async def fail() -> None:
        raise ValueError("boom")

    async def slow() -> None:
        await release.wait()

    with pytest.raises(ExceptionGroup) as caught:
        async with asyncio.TaskGroup() as group:
            slow_task = group.create_task(slow())
            group.create_task(fail())
    assert slow_task.cancelled() is True
    assert [type(error) for error in caught.value.exceptions] == [ValueError]
