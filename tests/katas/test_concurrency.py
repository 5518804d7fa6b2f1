"""concurrency: TaskGroup vs gather fan-out with per-call timeouts, a locked counter, one executor for CPU work.

Nothing here waits on the wall clock to decide an outcome. Fake sources finish when the test opens
their asyncio.Event, so "concurrent" means "all started before any finished"; "the loop stays
responsive" means "a coroutine ran to the end while the job was still blocked".
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest

from katas.concurrency import CpuOffloader, HitCounter, Source, fetch_all, fetch_settled

T = TypeVar("T")

SAFETY_NET_SECONDS = 5.0
"""Only a wrong answer ever gets near this: it turns 'waits forever' into a failing test."""


async def finishes(awaitable: Awaitable[T], what: str) -> T:
    """Await ``awaitable``, failing (not hanging) the test if it never completes."""
    try:
        async with asyncio.timeout(SAFETY_NET_SECONDS) as net:
            return await awaitable
    except TimeoutError:
        if net.expired():
            pytest.fail(f"{what} never finished: is something awaited one at a time, or a timeout not applied?")
        raise


async def let_tasks_run(rounds: int = 20) -> None:
    """Give every ready task a turn (and then some) without any real waiting."""
    for _ in range(rounds):
        await asyncio.sleep(0)


class Upstream:
    """Fake upstream sources that log what happens to them and finish only when the test says so."""

    def __init__(self) -> None:
        self.log: list[str] = []

    def waits_for(self, name: str, gate: asyncio.Event) -> Source[str]:
        async def source() -> str:
            self.log.append(f"{name} started")
            try:
                await gate.wait()
            except asyncio.CancelledError:
                self.log.append(f"{name} cancelled")
                raise
            self.log.append(f"{name} finished")
            return name

        return source

    def never_answers(self, name: str) -> Source[str]:
        return self.waits_for(name, asyncio.Event())  # nobody ever sets this one

    def answers(self, name: str) -> Source[str]:
        return self.waits_for(name, opened())

    def fails(self, name: str, error: Exception) -> Source[str]:
        async def source() -> str:
            self.log.append(f"{name} started")
            await asyncio.sleep(0)  # fail a moment later, once the siblings are under way
            self.log.append(f"{name} failed")
            raise error

        return source


def opened() -> asyncio.Event:
    gate = asyncio.Event()
    gate.set()
    return gate


# ---- fetch_all and fetch_settled ----

Fetch = Callable[..., Coroutine[Any, Any, list[Any]]]


@pytest.mark.parametrize("fetch", [fetch_all, fetch_settled], ids=["fetch_all", "fetch_settled"])
async def test_every_source_starts_before_any_finishes(fetch: Fetch) -> None:
    upstream, gate = Upstream(), asyncio.Event()
    sources = [upstream.waits_for(name, gate) for name in ("users", "orders", "prices")]
    batch = asyncio.create_task(fetch(sources))
    await let_tasks_run()
    started_before_any_finished = list(upstream.log)
    gate.set()
    results = await finishes(batch, f"{fetch.__name__}(...)")
    assert started_before_any_finished == ["users started", "orders started", "prices started"], (
        f"{fetch.__name__} should start all sources at once; while the first one waited, the log was "
        f"{started_before_any_finished}: the calls were awaited one after another"
    )
    assert results == ["users", "orders", "prices"]


async def test_fetch_all_returns_results_in_the_order_of_the_sources_not_of_completion() -> None:
    upstream = Upstream()
    gates = {name: asyncio.Event() for name in ("users", "orders", "prices")}
    batch = asyncio.create_task(fetch_all([upstream.waits_for(name, gate) for name, gate in gates.items()]))
    for name in ("prices", "orders", "users"):  # finish back to front
        await let_tasks_run()
        gates[name].set()
    results = await finishes(batch, "fetch_all(...)")
    assert results == ["users", "orders", "prices"], (
        "results must line up with the sources, not with who finished first"
    )


async def test_fetch_all_cancels_the_sources_still_running_when_one_fails() -> None:
    upstream = Upstream()
    sources = [
        upstream.never_answers("users"),
        upstream.fails("orders", ValueError("orders: 502")),
        upstream.never_answers("prices"),
    ]
    with pytest.raises(ExceptionGroup) as caught:
        await finishes(fetch_all(sources), "fetch_all(...) with a failing source")
    assert caught.group_contains(ValueError, match="orders: 502"), (
        f"the group should carry the source's error, got {caught.value!r}"
    )
    assert sorted(upstream.log) == [
        "orders failed",
        "orders started",
        "prices cancelled",
        "prices started",
        "users cancelled",
        "users started",
    ], (
        f"once 'orders' failed, the sources still running must be cancelled (they see CancelledError); log: {upstream.log}"
    )


async def test_fetch_settled_returns_results_and_errors_in_order_and_lets_the_others_finish() -> None:
    upstream, gate = Upstream(), asyncio.Event()
    sources = [
        upstream.waits_for("users", gate),
        upstream.fails("orders", ValueError("orders: 502")),
        upstream.waits_for("prices", gate),
    ]
    batch = asyncio.create_task(fetch_settled(sources))
    await let_tasks_run()
    before_the_others_finished = list(upstream.log)
    gate.set()  # the others finish only after the failure
    results = await finishes(batch, "fetch_settled(...)")
    assert "orders failed" in before_the_others_finished
    assert not [entry for entry in upstream.log if entry.endswith("cancelled")], (
        f"fetch_settled must not cancel anyone; log: {upstream.log}"
    )
    assert results[0] == "users"
    assert isinstance(results[1], ValueError), f"the failed source's slot should hold its exception, got {results[1]!r}"
    assert str(results[1]) == "orders: 502"
    assert results[2] == "prices"


async def test_fetch_all_times_out_a_source_that_never_answers() -> None:
    upstream = Upstream()
    sources = [upstream.answers("users"), upstream.never_answers("orders")]
    with pytest.raises(ExceptionGroup) as caught:
        await finishes(fetch_all(sources, call_timeout=0.01), "fetch_all(..., call_timeout=0.01)")
    assert caught.group_contains(TimeoutError), (
        f"the stuck call should fail with TimeoutError inside the group, got {caught.value!r}"
    )
    assert "orders cancelled" in upstream.log


async def test_fetch_settled_times_out_each_call_on_its_own() -> None:
    upstream = Upstream()
    sources = [upstream.answers("users"), upstream.never_answers("orders"), upstream.answers("prices")]
    results = await finishes(fetch_settled(sources, call_timeout=0.01), "fetch_settled(..., call_timeout=0.01)")
    assert results[0] == "users"
    assert isinstance(results[1], TimeoutError), (
        f"only the stuck call should time out, with TimeoutError in its own slot; got {results[1]!r}"
    )
    assert results[2] == "prices", "a timeout on one call must not cost the results of the others"


# ---- HitCounter ----


@dataclass(frozen=True)
class Route:
    """A realistic key. Its generated __hash__ is Python code, so a thread switch can land mid-update."""

    method: str
    path: str


LIST_DEALS, CREATE_DEAL = Route("GET", "/deals"), Route("POST", "/deals")


def test_the_counter_counts_per_key_and_hands_out_a_copy() -> None:
    counter: HitCounter[Route] = HitCounter()
    counter.increment(LIST_DEALS)
    counter.increment(LIST_DEALS)
    counter.increment(CREATE_DEAL, by=5)
    assert (counter.count(LIST_DEALS), counter.count(CREATE_DEAL), counter.count(Route("GET", "/health"))) == (2, 5, 0)
    snapshot = counter.snapshot()
    assert snapshot == {LIST_DEALS: 2, CREATE_DEAL: 5}
    snapshot[LIST_DEALS] = 100
    assert counter.count(LIST_DEALS) == 2, "snapshot() must return a copy, not the counter's own dict"


@pytest.fixture
def threads_switch_constantly() -> Iterator[None]:
    """Ask CPython to switch threads every microsecond (default: 5 ms), so races show up at once."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


def hammer(counter: HitCounter[Route], threads: int, increments: int) -> None:
    """`threads` real threads, lined up on a barrier, each incrementing both routes `increments` times."""
    start_together = threading.Barrier(threads)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            start_together.wait()
            for _ in range(increments):
                counter.increment(LIST_DEALS)
                counter.increment(CREATE_DEAL, by=2)
        except BaseException as error:  # reported below instead of dying quietly in the thread
            errors.append(error)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not errors, f"increment() raised in a thread: {errors[0]!r}"


def test_the_counter_loses_no_update_under_real_threads(threads_switch_constantly: None) -> None:
    threads, increments = 8, 1_000
    for attempt in range(1, 11):  # a lost update is likely in any one round; ten clean rounds are not luck
        counter: HitCounter[Route] = HitCounter()
        hammer(counter, threads, increments)
        counts = (counter.count(LIST_DEALS), counter.count(CREATE_DEAL))
        assert counts == (threads * increments, 2 * threads * increments), (
            f"round {attempt}: {threads} threads x {increments} increments ended at {counts}, expected "
            f"{(threads * increments, 2 * threads * increments)}: updates were lost (read-modify-write without a lock)"
        )


# ---- CpuOffloader ----


def on_the_event_loop() -> bool:
    """Whether the calling thread is running an asyncio event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class RecordingPool(ThreadPoolExecutor):
    """A thread pool whose workers are called 'offload-...' and which remembers being shut down."""

    def __init__(self) -> None:
        super().__init__(max_workers=2, thread_name_prefix="offload")
        self.shutdowns = 0
        self.waited: list[bool] = []
        self.shut_down_on_the_loop: list[bool] = []

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.shutdowns += 1
        self.waited.append(wait)
        self.shut_down_on_the_loop.append(on_the_event_loop())
        super().shutdown(wait=wait, cancel_futures=cancel_futures)


class PoolFactory:
    """The executor factory handed to CpuOffloader: counts how many pools it was asked for."""

    def __init__(self) -> None:
        self.made: list[RecordingPool] = []

    def __call__(self) -> RecordingPool:
        pool = RecordingPool()
        self.made.append(pool)
        return pool


@pytest.fixture
def pools() -> Iterator[PoolFactory]:
    factory = PoolFactory()
    yield factory
    for pool in factory.made:  # whatever the code under test did, leave no worker threads behind
        ThreadPoolExecutor.shutdown(pool, wait=False, cancel_futures=True)


def current_thread_name() -> str:
    return threading.current_thread().name


async def test_run_returns_the_result_or_raises_the_error_of_the_function(pools: PoolFactory) -> None:
    async with CpuOffloader(pools) as offloader:
        assert await offloader.run(divmod, 17, 5) == (3, 2)
        assert await offloader.run(int, "ff", base=16) == 255, "keyword arguments must reach the function too"
        with pytest.raises(ValueError, match="invalid literal"):
            await offloader.run(int, "not a number")


async def test_one_executor_serves_every_call(pools: PoolFactory) -> None:
    async with CpuOffloader(pools) as offloader:
        names = [await offloader.run(current_thread_name) for _ in range(3)]
    assert len(pools.made) == 1, (
        f"3 calls created {len(pools.made)} executors: create it once, in __init__, and reuse it"
    )
    assert all(name.startswith("offload") for name in names), (
        f"the work ran in threads {names}: it should run in the injected executor (worker names start with 'offload'), "
        "not on the event loop's thread or in the loop's default executor"
    )


async def test_the_event_loop_keeps_serving_while_a_job_blocks(pools: PoolFactory) -> None:
    order: list[str] = []
    released = threading.Event()

    def blocking_job() -> str:
        released.wait(timeout=SAFETY_NET_SECONDS)  # bounded, so a blocked loop fails the test instead of hanging it
        order.append("job done")
        return "crunched"

    async def another_request() -> None:
        order.append("other request served")
        released.set()

    async with CpuOffloader(pools) as offloader:
        job = asyncio.create_task(offloader.run(blocking_job))
        other = asyncio.create_task(another_request())
        assert await finishes(job, "run(blocking_job)") == "crunched"
        await other
    assert order == ["other request served", "job done"], (
        f"events: {order}. The other coroutine could only run after the job, so the job blocked the event loop: "
        "await loop.run_in_executor(...) instead of calling the function"
    )


async def test_closing_shuts_the_executor_down(pools: PoolFactory) -> None:
    async with CpuOffloader(pools) as offloader:
        await offloader.run(divmod, 7, 2)
    assert [pool.shutdowns for pool in pools.made] == [1], (
        "leaving `async with` (aclose) should shut the executor down once"
    )
    assert [pool.waited for pool in pools.made] == [[True]], (
        "aclose should wait for work still running (shutdown(wait=True)), off the event loop"
    )
    assert [pool.shut_down_on_the_loop for pool in pools.made] == [[False]], (
        "aclose called shutdown(wait=True) on the event loop's thread: while it waits for running work, no"
        " other coroutine moves; wait in a worker thread (asyncio.to_thread)"
    )
    with pytest.raises(RuntimeError):
        await offloader.run(divmod, 7, 2)


async def test_by_default_the_work_runs_in_another_process() -> None:
    async with CpuOffloader() as offloader:
        worker_pid = await finishes(offloader.run(os.getpid), "run(os.getpid) on the default executor")
    assert worker_pid != os.getpid(), (
        "the default executor should be a ProcessPoolExecutor: CPU work needs another process to escape the GIL"
    )
