"""Write the tests of a token bucket (test-writing kata, ~25 min).

"Here is the token bucket our rate limiter uses. Test it, without making the suite slow."

`token_bucket.py`, beside this file, is given and correct: read its docstring, the rules are there.
Your job is this file: pytest tests of `TokenBucket`. `dojo check token_bucket_tests` grades
them on these rules:

1. They pass against the real `token_bucket.py` (and there is at least one), and against a copy of it that
   behaves the same but is written differently: they call the code, and never read its source,
   its file or its bytecode.
2. They catch its bugs: the kit runs them against fifteen broken copies of `token_bucket.py`, each with
   one classic mistake, and at most one copy may pass all your tests. The ones that get past you
   are named in words ("a bucket that never refills"), never shown as code.
3. The techniques:
   - time is a fake clock the test moves: some `TokenBucket(..., clock=...)` gets a callable you
     control, and nothing in the file sleeps for real (`time.sleep`, `asyncio.sleep`);
   - at least one Hypothesis property: a test decorated with `@given(...)` that states a rule for
     every input it draws (Hypothesis runs it derandomized: the same examples every time).

Run your tests as you go: `uv run pytest katas/token_bucket_tests`. Do not edit `token_bucket.py`.
`dojo hint token_bucket_tests` when stuck.
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from katas.token_bucket_tests.token_bucket import TokenBucket


class FakeClock:
    """A clock the test moves by hand: the bucket reads it, nothing sleeps."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_a_new_bucket_is_full(clock: FakeClock) -> None:
    bucket = TokenBucket(3, 1, clock=clock)
    assert bucket.tokens == 3
    assert [bucket.allow() for _ in range(4)] == [True, True, True, False]


def test_a_request_that_takes_the_last_tokens_exactly_is_allowed(clock: FakeClock) -> None:
    bucket = TokenBucket(3, 1, clock=clock)
    assert bucket.allow(3)
    assert bucket.tokens == 0


def test_a_request_spends_its_cost(clock: FakeClock) -> None:
    bucket = TokenBucket(5, 1, clock=clock)
    assert bucket.allow(2)
    assert bucket.tokens == 3


def test_costs_and_tokens_are_fractional(clock: FakeClock) -> None:
    bucket = TokenBucket(5, 1, clock=clock)
    assert bucket.allow(2.5)
    assert bucket.tokens == 2.5, "tokens is a float: nothing is rounded"
    assert bucket.allow(1.3)
    assert not bucket.allow(1.5), "1.2 tokens are not enough for a cost of 1.5"
    assert bucket.tokens == pytest.approx(1.2)


def test_a_refused_request_spends_nothing(clock: FakeClock) -> None:
    bucket = TokenBucket(3, 1, clock=clock)
    assert bucket.allow(2)
    assert not bucket.allow(2)
    assert bucket.tokens == 1
    assert bucket.allow(1)


def test_a_cost_above_the_capacity_is_never_allowed(clock: FakeClock) -> None:
    bucket = TokenBucket(3, 1, clock=clock)
    clock.advance(3600)
    assert not bucket.allow(4)
    assert bucket.tokens == 3


def test_it_refills_at_the_rate(clock: FakeClock) -> None:
    bucket = TokenBucket(4, 2, clock=clock)
    assert bucket.allow(4)
    clock.advance(0.5)
    assert bucket.tokens == 1
    clock.advance(1)
    assert bucket.allow(3)
    assert not bucket.allow()


def test_time_is_counted_once(clock: FakeClock) -> None:
    bucket = TokenBucket(10, 1, clock=clock)
    assert bucket.allow(10)
    clock.advance(1)
    assert bucket.allow()
    assert not bucket.allow()
    assert bucket.tokens == 0


def test_it_never_refills_past_its_capacity(clock: FakeClock) -> None:
    bucket = TokenBucket(3, 1, clock=clock)
    assert bucket.allow()
    clock.advance(3600)
    assert bucket.tokens == 3


def test_a_rate_of_zero_never_refills(clock: FakeClock) -> None:
    bucket = TokenBucket(2, 0, clock=clock)
    assert bucket.allow(2)
    clock.advance(3600)
    assert not bucket.allow()


def test_a_clock_that_steps_back_takes_nothing_away(clock: FakeClock) -> None:
    bucket = TokenBucket(3, 1, clock=clock)
    assert bucket.allow(2)
    clock.advance(-10)
    assert bucket.tokens == 1


@pytest.mark.parametrize(
    ("capacity", "rate"),
    [
        pytest.param(0, 1, id="no capacity"),
        pytest.param(-1, 1, id="negative capacity"),
        pytest.param(3, -1, id="negative rate"),
    ],
)
def test_a_bucket_needs_a_capacity_and_a_rate(clock: FakeClock, capacity: float, rate: float) -> None:
    with pytest.raises(ValueError, match=r"capacity|refill_per_second"):
        TokenBucket(capacity, rate, clock=clock)


@pytest.mark.parametrize("cost", [0, -1], ids=["zero", "negative"])
def test_a_cost_must_be_positive(clock: FakeClock, cost: float) -> None:
    bucket = TokenBucket(3, 1, clock=clock)
    with pytest.raises(ValueError, match="cost"):
        bucket.allow(cost)


steps = st.lists(
    st.tuples(st.floats(min_value=0, max_value=10, allow_nan=False), st.integers(min_value=1, max_value=4)),
    max_size=30,
)


@given(capacity=st.integers(min_value=1, max_value=10), rate=st.integers(min_value=0, max_value=5), steps=steps)
def test_it_never_allows_more_than_capacity_plus_what_refilled(
    capacity: int, rate: int, steps: list[tuple[float, int]]
) -> None:
    clock = FakeClock()
    bucket = TokenBucket(capacity, rate, clock=clock)
    allowed = 0.0
    waited = 0.0
    for wait, cost in steps:
        clock.advance(wait)
        waited += wait
        if bucket.allow(cost):
            allowed += cost
        assert 0 <= bucket.tokens <= capacity
    assert allowed <= capacity + rate * waited + 1e-9
