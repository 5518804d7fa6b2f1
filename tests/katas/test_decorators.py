"""decorators: `timing` and `retry` keep the function's identity and work on sync and async functions."""

from __future__ import annotations

import inspect

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dojo.testing import FakeClock
from katas.decorators import retry, timing


class Recorded:
    """Stands in for a metrics client: remembers every (name, seconds) it is given."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, float]] = []

    def __call__(self, name: str, seconds: float) -> None:
        self.calls.append((name, seconds))


class Sleeps:
    """Stands in for time.sleep / asyncio.sleep: records each delay instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)

    async def async_sleep(self, seconds: float) -> None:
        self.delays.append(seconds)


def must_not_block(seconds: float) -> None:
    raise AssertionError("an async function was retried with the blocking `sleep`; it must `await async_sleep`")


class Flaky:
    """Raises the given errors in turn, one per call, then returns 'ok'."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


# ---- timing ----


def test_timing_records_each_call_with_the_injected_clock():
    clock, record = FakeClock(), Recorded()

    def work(seconds: float) -> str:
        clock.advance(seconds)
        return "done"

    timed = timing(record, clock=clock)(work)
    assert timed(0.25) == "done"
    clock.advance(100)  # time between calls must not be charged to either call
    assert timed(1.5) == "done"
    assert record.calls == [(work.__qualname__, 0.25), (work.__qualname__, 1.5)]


def test_timing_records_a_call_that_raises_and_lets_the_error_through():
    clock, record = FakeClock(), Recorded()

    @timing(record, clock=clock)
    def explode() -> None:
        clock.advance(2.0)
        raise KeyError("boom")

    with pytest.raises(KeyError, match="boom"):
        explode()
    assert [seconds for _, seconds in record.calls] == [2.0], "a failed call still took time: record it (try/finally)"


async def test_timing_an_async_function_measures_the_awaited_work():
    clock, record = FakeClock(), Recorded()

    async def fetch() -> str:
        clock.advance(0.5)  # the body only runs when the coroutine is awaited
        return "page"

    timed = timing(record, clock=clock)(fetch)
    assert inspect.iscoroutinefunction(timed), "timing(async function) must return an async function"
    assert await timed() == "page"
    assert [seconds for _, seconds in record.calls] == [0.5], (
        "the wrapper must await the call before stopping the clock"
    )


def test_timing_keeps_name_doc_wrapped_and_signature():
    def price(sku: str, *, quantity: int = 1) -> int:
        """Price of `quantity` units of `sku`, in cents."""
        return 100 * quantity

    timed = timing(Recorded(), clock=FakeClock())(price)
    assert (timed.__name__, timed.__doc__) == (price.__name__, price.__doc__), "use functools.wraps(func)"
    assert getattr(timed, "__wrapped__", None) is price
    assert inspect.signature(timed) == inspect.signature(price)


# ---- retry ----


@pytest.mark.parametrize(
    "max_attempts", [0, -1, 2.5, 3.0, "3", True], ids=["zero", "negative", "float", "whole_float", "str", "bool"]
)
def test_retry_rejects_fewer_than_one_attempt(max_attempts):
    with pytest.raises(ValueError, match="max_attempts"):
        retry(max_attempts=max_attempts)


def test_retry_returns_as_soon_as_an_attempt_succeeds():
    sleeps = Sleeps()
    flaky = Flaky(ConnectionError("1"), ConnectionError("2"))
    call = retry(max_attempts=5, exceptions=(ConnectionError,), backoff=0.1, sleep=sleeps)(flaky)
    assert call() == "ok"
    assert flaky.calls == 3
    assert sleeps.delays == [0.1, 0.2], "wait backoff * 2 ** (n - 1) after failed attempt n"


def test_retry_reraises_the_last_error_after_the_last_attempt():
    sleeps = Sleeps()
    flaky = Flaky(TimeoutError("attempt 1"), TimeoutError("attempt 2"), TimeoutError("attempt 3"))
    call = retry(max_attempts=3, exceptions=(TimeoutError,), backoff=1.0, sleep=sleeps)(flaky)
    with pytest.raises(TimeoutError, match="attempt 3"):
        call()
    assert flaky.calls == 3, "max_attempts=3 means three calls in total, not three retries"
    assert sleeps.delays == [1.0, 2.0], "no wait after the last attempt: nobody is going to try again"


def test_retry_lets_an_unlisted_exception_through_at_once():
    sleeps = Sleeps()
    flaky = Flaky(ValueError("bad input"))
    call = retry(max_attempts=3, exceptions=(ConnectionError,), sleep=sleeps)(flaky)
    with pytest.raises(ValueError, match="bad input"):
        call()
    assert (flaky.calls, sleeps.delays) == (1, []), "a ValueError is a bug, not a blip: do not retry it"


def test_retry_defaults_are_three_attempts_on_any_exception_with_no_wait():
    sleeps = Sleeps()
    flaky = Flaky(*(RuntimeError(f"failure {i}") for i in range(1, 6)))
    with pytest.raises(RuntimeError, match="failure 3"):
        retry(sleep=sleeps)(flaky)()
    assert flaky.calls == 3, f"retry() with no arguments makes 3 attempts, made {flaky.calls}"
    assert all(delay == 0 for delay in sleeps.delays), f"the default backoff is 0 s, waited {sleeps.delays}"


@pytest.mark.parametrize("backoff", [-0.5, -1], ids=["negative_fraction", "negative"])
def test_retry_rejects_a_negative_backoff_naming_it(backoff):
    with pytest.raises(ValueError, match="backoff"):
        retry(backoff=backoff)


def test_retry_accepts_a_single_exception_class():
    flaky = Flaky(ConnectionError())
    assert retry(max_attempts=2, exceptions=ConnectionError, sleep=Sleeps())(flaky)() == "ok"


def test_retry_passes_arguments_through_and_keeps_name_doc_wrapped_and_signature():
    def charge(account: str, cents: int, *, currency: str = "EUR") -> str:
        """Charge an account."""
        return f"{account}:{cents}{currency}"

    wrapped = retry(max_attempts=2, sleep=Sleeps())(charge)
    assert wrapped("acc-1", 250, currency="USD") == "acc-1:250USD"
    assert (wrapped.__name__, wrapped.__doc__) == ("charge", "Charge an account."), "use functools.wraps(func)"
    assert getattr(wrapped, "__wrapped__", None) is charge
    assert inspect.signature(wrapped) == inspect.signature(charge)


async def test_retry_an_async_function_awaits_each_attempt_and_the_async_sleep():
    sleeps = Sleeps()
    calls = 0

    async def fetch(url: str) -> str:
        """Fetch a page."""
        nonlocal calls
        calls += 1
        if calls < 3:
            raise ConnectionError(f"attempt {calls}")
        return f"page at {url}"

    wrapped = retry(
        max_attempts=3, exceptions=ConnectionError, backoff=0.5, sleep=must_not_block, async_sleep=sleeps.async_sleep
    )(fetch)
    assert inspect.iscoroutinefunction(wrapped), "retry(async function) must return an async function"
    assert (wrapped.__name__, wrapped.__doc__) == ("fetch", "Fetch a page.")
    assert await wrapped("/a") == "page at /a"
    assert calls == 3
    assert sleeps.delays == [0.5, 1.0]


async def test_retry_an_async_function_reraises_the_last_error():
    sleeps = Sleeps()
    calls = 0

    async def always_down() -> None:
        nonlocal calls
        calls += 1
        raise ConnectionError(f"attempt {calls}")

    wrapped = retry(max_attempts=2, exceptions=ConnectionError, sleep=must_not_block, async_sleep=sleeps.async_sleep)(
        always_down
    )
    with pytest.raises(ConnectionError, match="attempt 2"):
        await wrapped()
    assert (calls, len(sleeps.delays)) == (2, 1)


@given(max_attempts=st.integers(1, 6), failures=st.integers(0, 8), backoff=st.sampled_from([0.0, 0.25, 1.0]))
def test_retry_attempts_and_waits_follow_the_rules(max_attempts, failures, backoff):
    sleeps = Sleeps()
    flaky = Flaky(*[ConnectionError(f"attempt {n}") for n in range(1, failures + 1)])
    call = retry(max_attempts=max_attempts, exceptions=ConnectionError, backoff=backoff, sleep=sleeps)(flaky)
    expected_calls = min(failures + 1, max_attempts)
    if failures < max_attempts:
        assert call() == "ok"
    else:
        with pytest.raises(ConnectionError, match=f"attempt {max_attempts}$"):
            call()
    assert flaky.calls == expected_calls
    assert sleeps.delays == [backoff * 2**n for n in range(expected_calls - 1)]
