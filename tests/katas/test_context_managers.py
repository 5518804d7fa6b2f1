"""context_managers: a timer that always records and never swallows, and a pool that always gets its resource back."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, AbstractContextManager, ExitStack
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dojo.testing import FakeClock
from katas.context_managers import Pool, PoolExhaustedError, Timer, atimed, timed

Record = list[tuple[str, float]]
SyncFactory = Callable[[str, Callable[[str, float], None], FakeClock], AbstractContextManager[Any]]
AsyncFactory = Callable[[str, Callable[[str, float], None], FakeClock], AbstractAsyncContextManager[Any]]

SYNC_TIMERS: list[SyncFactory] = [
    lambda name, record, clock: Timer(name, record, clock=clock),
    lambda name, record, clock: timed(name, record, clock=clock),
]
ASYNC_TIMERS: list[AsyncFactory] = [
    lambda name, record, clock: Timer(name, record, clock=clock),
    lambda name, record, clock: atimed(name, record, clock=clock),
]
IDS = ["class Timer", "@contextmanager timed"]
ASYNC_IDS = ["class Timer", "@asynccontextmanager atimed"]


class Boom(Exception):
    pass


def run_failing_block(manager: AbstractContextManager[Any], clock: FakeClock) -> BaseException | None:
    """Run a `with` block that takes 1.5 s and then raises Boom; return what escaped the block."""
    escaped: BaseException | None = None
    try:
        with manager:
            clock.advance(1.5)
            raise Boom("the block failed")
    except BaseException as error:
        escaped = error
    return escaped


async def run_failing_async_block(manager: AbstractAsyncContextManager[Any], clock: FakeClock) -> BaseException | None:
    escaped: BaseException | None = None
    try:
        async with manager:
            clock.advance(1.5)
            raise Boom("the block failed")
    except BaseException as error:
        escaped = error
    return escaped


# ---- the timer ----


@pytest.mark.parametrize("make", SYNC_TIMERS, ids=IDS)
def test_timer_records_the_time_the_block_took(make):
    clock, record = FakeClock(), []
    manager = make("db.query", lambda name, seconds: record.append((name, seconds)), clock)
    clock.advance(10)  # creating the manager is not entering it
    with manager:
        clock.advance(0.25)
    assert record == [("db.query", 0.25)]


@pytest.mark.parametrize("make", SYNC_TIMERS, ids=IDS)
def test_timer_records_when_the_block_raises_and_lets_the_exception_propagate(make):
    clock, record = FakeClock(), []
    escaped = run_failing_block(make("job", lambda name, seconds: record.append((name, seconds)), clock), clock)
    assert isinstance(escaped, Boom), f"the block raised Boom, but {escaped!r} came out: exit must not swallow it"
    assert record == [("job", 1.5)], "the timer must record on the way out of a failing block too (finally)"


@pytest.mark.parametrize("make", ASYNC_TIMERS, ids=ASYNC_IDS)
async def test_async_timer_records_the_time_the_block_took(make):
    clock, record = FakeClock(), []
    async with make("http.get", lambda name, seconds: record.append((name, seconds)), clock):
        clock.advance(0.75)
    assert record == [("http.get", 0.75)]


@pytest.mark.parametrize("make", ASYNC_TIMERS, ids=ASYNC_IDS)
async def test_async_timer_records_when_the_block_raises_and_lets_the_exception_propagate(make):
    clock, record = FakeClock(), []
    escaped = await run_failing_async_block(
        make("job", lambda name, seconds: record.append((name, seconds)), clock), clock
    )
    assert isinstance(escaped, Boom), f"the block raised Boom, but {escaped!r} came out: __aexit__ must not swallow it"
    assert record == [("job", 1.5)]


def test_timer_exposes_elapsed_and_returns_itself_from_enter():
    clock = FakeClock()
    timer = Timer("t", lambda name, seconds: None, clock=clock)
    assert timer.elapsed is None, "elapsed is None until a block has ended"
    with timer as bound:
        clock.advance(3.0)
        assert timer.elapsed is None, "elapsed is None until the block has ended"
    assert bound is timer
    assert isinstance(timer, Timer), "`with Timer(...) as t` binds what __enter__ returns: return self"
    assert timer.elapsed == 3.0


def test_leaving_a_timer_that_was_never_entered_is_a_runtime_error():
    seen: list[tuple[str, float]] = []
    timer = Timer("t", lambda name, seconds: seen.append((name, seconds)), clock=FakeClock())
    with pytest.raises(RuntimeError, match="entered"):
        timer.__exit__(None, None, None)
    assert seen == [], "nothing was timed, so nothing is recorded"


# ---- the pool ----


class Connections:
    """A factory that numbers the connections it makes."""

    def __init__(self) -> None:
        self.made = 0

    def __call__(self) -> str:
        self.made += 1
        return f"conn-{self.made}"


@pytest.mark.parametrize(
    "size", [0, -1, 1.5, 2.0, "2", True], ids=["zero", "negative", "float", "whole_float", "str", "bool"]
)
def test_pool_rejects_a_size_that_is_not_a_positive_int(size):
    with pytest.raises(ValueError, match="size"):
        Pool(Connections(), size)


def test_pool_creates_lazily_and_reuses_released_resources():
    factory = Connections()
    pool = Pool(factory, size=3)
    assert factory.made == 0, "nothing should be created before the first acquire()"
    with pool.acquire() as first:
        assert (first, pool.in_use, pool.idle) == ("conn-1", 1, 0)
    assert (pool.in_use, pool.idle) == (0, 1)
    with pool.acquire() as again:
        assert again == "conn-1", "a released resource should be reused, not replaced"
    assert factory.made == 1


def test_pool_hands_out_at_most_size_then_fails_fast():
    pool = Pool(Connections(), size=2)
    with pool.acquire() as a, pool.acquire() as b:
        assert a != b, "two holders at once must get two different resources"
        with pytest.raises(PoolExhaustedError, match="2"), pool.acquire():
            pass
        assert pool.in_use == 2, "a refused acquire must not change the count"
    with pool.acquire():
        assert pool.in_use == 1


def test_pool_gets_the_resource_back_when_the_block_raises():
    pool = Pool(Connections(), size=1)
    escaped = run_failing_block(pool.acquire(), FakeClock())
    assert isinstance(escaped, Boom), "acquire() must let the block's exception propagate"
    assert (pool.in_use, pool.idle) == (0, 1), "the resource must be released in `finally`, even on error"
    with pool.acquire() as conn:  # a pool of one would be exhausted forever if that release were skipped
        assert conn == "conn-1"


def test_pool_is_unchanged_when_the_factory_fails():
    def cannot_connect() -> str:
        raise ConnectionError("database is down")

    pool = Pool(cannot_connect, size=1)
    with pytest.raises(ConnectionError), pool.acquire():
        pass
    assert (pool.in_use, pool.idle) == (0, 0), "a failed create must not use up a slot"


@given(steps=st.lists(st.booleans(), max_size=40))
def test_pool_never_exceeds_its_size_whatever_the_order(steps):
    """True = acquire (kept open), False = release the most recent; counts must always add up."""
    factory = Connections()
    pool = Pool(factory, size=3)
    held: list[ExitStack] = []
    for acquire in steps:
        if acquire:
            stack = ExitStack()
            try:
                stack.enter_context(pool.acquire())
            except PoolExhaustedError:
                assert len(held) == 3, f"refused with only {len(held)} of 3 in use"
                continue
            held.append(stack)
        elif held:
            held.pop().close()
        assert pool.in_use == len(held)
        assert factory.made <= 3
        assert pool.in_use + pool.idle == factory.made
    for stack in held:
        stack.close()
    assert pool.in_use == 0
