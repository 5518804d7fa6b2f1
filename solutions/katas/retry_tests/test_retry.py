"""Write the tests of an async retry helper (test-writing kata, ~25 min).

"This is the retry helper every outgoing call of ours goes through. Test it. The suite must stay
fast: nothing in it may actually wait."

`retry.py`, beside this file, is given and correct: read its docstring, the rules are there. Your
job is this file: pytest tests of `retry`. Async tests need no marker here (pytest-asyncio's auto
mode): write `async def test_...`. `dojo check retry_tests` grades them on these rules:

1. They pass against the real `retry.py` (and there is at least one), and against a copy of it that
   behaves the same but is written differently: they call the code, and never read its source,
   its file or its bytecode.
2. They catch its bugs: the kit runs them against fifteen broken copies of `retry.py`, each with one
   classic mistake, and at most one copy may pass all your tests. The ones that get past you are
   named in words ("the delay never grows"), never shown as code.
3. The technique: the waiting is injected. Some `retry(..., sleep=...)` gets a fake sleep of yours
   (an `async def` that records each delay and returns at once), and nothing in the file sleeps
   for real (`time.sleep`, `asyncio.sleep` with anything but 0).

Run your tests as you go: `uv run pytest katas/retry_tests`. Do not edit `retry.py`.
`dojo hint retry_tests` when stuck.
"""

from collections.abc import Awaitable, Callable

import pytest

from katas.retry_tests.retry import retry


class FakeSleep:
    """Records every delay it is asked to wait, and returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def failing(*errors: Exception, result: str = "ok") -> tuple[Callable[[], Awaitable[str]], list[int]]:
    """An operation that raises ``errors`` one per call, then returns ``result``; and its call count."""
    calls: list[int] = []

    async def operation() -> str:
        calls.append(len(calls) + 1)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]
        return result

    return operation, calls


@pytest.fixture
def sleep() -> FakeSleep:
    return FakeSleep()


async def test_a_success_is_returned_at_once(sleep: FakeSleep) -> None:
    operation, calls = failing()
    assert await retry(operation, sleep=sleep) == "ok"
    assert calls == [1]
    assert sleep.delays == []


async def test_by_default_it_makes_three_attempts_waiting_a_tenth_then_a_fifth_of_a_second(sleep: FakeSleep) -> None:
    operation, calls = failing(*[ConnectionError()] * 5)
    with pytest.raises(ConnectionError):
        await retry(operation, sleep=sleep)
    assert calls == [1, 2, 3]
    assert sleep.delays == [0.1, 0.2]


async def test_the_delays_double_from_the_base_delay(sleep: FakeSleep) -> None:
    operation, _ = failing(*[TimeoutError()] * 4)
    assert await retry(operation, attempts=5, base_delay=0.01, max_delay=100, sleep=sleep) == "ok"
    assert sleep.delays == [0.01, 0.02, 0.04, 0.08]


async def test_each_delay_is_capped_at_max_delay(sleep: FakeSleep) -> None:
    operation, _ = failing(*[TimeoutError()] * 5)
    assert await retry(operation, attempts=6, base_delay=0.01, max_delay=0.03, sleep=sleep) == "ok"
    assert sleep.delays == [0.01, 0.02, 0.03, 0.03, 0.03]


async def test_it_retries_until_it_succeeds(sleep: FakeSleep) -> None:
    operation, calls = failing(ConnectionError("down"), TimeoutError("slow"))
    assert await retry(operation, attempts=3, sleep=sleep) == "ok"
    assert calls == [1, 2, 3]


async def test_after_the_last_attempt_its_error_propagates_without_a_last_wait(sleep: FakeSleep) -> None:
    last = ConnectionError("third")
    operation, calls = failing(ConnectionError("first"), ConnectionError("second"), last)
    with pytest.raises(ConnectionError) as raised:
        await retry(operation, attempts=3, sleep=sleep)
    assert raised.value is last
    assert calls == [1, 2, 3]
    assert len(sleep.delays) == 2


async def test_an_error_outside_retry_on_propagates_at_once(sleep: FakeSleep) -> None:
    operation, calls = failing(ValueError("bad input"))
    with pytest.raises(ValueError, match="bad input"):
        await retry(operation, sleep=sleep)
    assert calls == [1]
    assert sleep.delays == []


async def test_retry_on_chooses_what_is_retried(sleep: FakeSleep) -> None:
    operation, calls = failing(KeyError("busy"))
    assert await retry(operation, retry_on=(KeyError,), sleep=sleep) == "ok"
    assert calls == [1, 2]
    operation, calls = failing(ConnectionError("down"))
    with pytest.raises(ConnectionError):
        await retry(operation, retry_on=(KeyError,), sleep=sleep)
    assert calls == [1]


async def test_one_attempt_means_no_retry(sleep: FakeSleep) -> None:
    operation, calls = failing(ConnectionError("down"))
    with pytest.raises(ConnectionError):
        await retry(operation, attempts=1, sleep=sleep)
    assert calls == [1]
    assert sleep.delays == []


@pytest.mark.parametrize("attempts", [0, -1], ids=["zero", "negative"])
async def test_attempts_below_one_are_refused_before_any_call(sleep: FakeSleep, attempts: int) -> None:
    operation, calls = failing()
    with pytest.raises(ValueError, match="attempts"):
        await retry(operation, attempts=attempts, sleep=sleep)
    assert calls == []
