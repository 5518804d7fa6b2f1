"""rate_limiter: a per-key token bucket on an injected clock, and ASGI middleware that answers 429."""

from __future__ import annotations

import math
from collections import Counter

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule
from starlette.types import ASGIApp

from dojo.testing import FakeClock
from katas.rate_limiter import RateLimitMiddleware, TokenBucketLimiter, create_app


def client_for(
    app: ASGIApp, host: str = "203.0.113.7", *, port: int = 50_000, raise_app_exceptions: bool = True
) -> httpx.AsyncClient:
    """An HTTP client that looks to the app like it connects from `host` (scope["client"])."""
    transport = httpx.ASGITransport(app=app, client=(host, port), raise_app_exceptions=raise_app_exceptions)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


# ---- the bucket ----


@pytest.mark.parametrize(
    ("rate", "burst", "named"),
    [
        (0, 5, "rate"),
        (-1, 5, "rate"),
        (math.nan, 5, "rate"),
        (1, 0, "burst"),
        (1, -2, "burst"),
        (1, 1.5, "burst"),
        (1, 2.0, "burst"),
        (1, True, "burst"),
    ],
    ids=[
        "zero_rate", "negative_rate", "nan_rate", "zero_burst", "negative_burst", "float_burst", "whole_float_burst",
        "bool_burst",
    ],
)
def test_rejects_a_rate_or_burst_that_cannot_make_a_bucket(rate, burst, named):
    with pytest.raises(ValueError, match=named):
        TokenBucketLimiter(rate=rate, burst=burst, clock=FakeClock())


def test_a_new_key_starts_with_a_full_bucket_and_counts_down():
    limiter = TokenBucketLimiter(rate=1, burst=3, clock=FakeClock())
    decisions = [limiter.hit("alice") for _ in range(4)]
    got = [(d.allowed, d.remaining) for d in decisions]
    assert got == [(True, 2), (True, 1), (True, 0), (False, 0)], (
        f"burst=3 and no time passing: expected three hits allowed (2, 1, 0 tokens left) then a refusal, got {got}"
    )


def test_a_refusal_says_how_long_until_the_next_token():
    clock = FakeClock()
    limiter = TokenBucketLimiter(rate=2, burst=1, clock=clock)  # one token every 0.5 s
    assert limiter.hit("alice").allowed
    first = limiter.hit("alice")
    assert (first.allowed, first.retry_after) == (False, 0.5), (
        f"empty bucket at 2 tokens/s: expected retry_after=0.5, got {first}"
    )
    clock.advance(0.25)
    second = limiter.hit("alice")
    assert (second.allowed, second.retry_after) == (False, 0.25), (
        f"half a token later: expected retry_after=0.25, got {second}"
    )
    clock.advance(0.25)
    third = limiter.hit("alice")
    assert (third.allowed, third.retry_after) == (True, 0.0), (
        f"retry_after has passed: expected an allowed hit, got {third}"
    )


def test_tokens_refill_continuously_not_in_whole_steps():
    clock = FakeClock()
    limiter = TokenBucketLimiter(rate=1, burst=1, clock=clock)
    limiter.hit("alice")
    results = []
    for _ in range(4):
        clock.advance(0.25)
        results.append(limiter.hit("alice").allowed)
    assert results == [False, False, False, True], (
        f"four quarter-second waits at 1 token/s add up to one token, got {results}: "
        "are fractions of a token thrown away when you reset the timestamp?"
    )


def test_a_long_idle_refills_the_bucket_to_burst_and_no_further():
    clock = FakeClock()
    limiter = TokenBucketLimiter(rate=1, burst=2, clock=clock)
    limiter.hit("alice")
    limiter.hit("alice")
    clock.advance(3_600)
    results = [limiter.hit("alice").allowed for _ in range(3)]
    assert results == [True, True, False], f"after an hour idle, exactly burst=2 hits should pass, got {results}"


def test_refused_hits_cost_nothing():
    clock = FakeClock()
    limiter = TokenBucketLimiter(rate=1, burst=1, clock=clock)
    limiter.hit("alice")
    for _ in range(5):
        assert not limiter.hit("alice").allowed
    clock.advance(1)
    assert limiter.hit("alice").allowed, "one second at 1 token/s refills a token, however often the client was refused"


def test_each_key_has_its_own_bucket():
    limiter = TokenBucketLimiter(rate=1, burst=1, clock=FakeClock())
    assert limiter.hit("alice").allowed
    assert not limiter.hit("alice").allowed
    assert limiter.hit("bob").allowed, "alice emptied her bucket; bob's should still be full"


def test_time_comes_from_the_injected_clock():
    clock = FakeClock()
    limiter = TokenBucketLimiter(rate=1, burst=1, clock=clock)
    limiter.hit("alice")
    clock.advance(1)
    assert limiter.hit("alice").allowed, (
        "the fake clock moved 1 s (one token): read time from `clock()`, not time.monotonic()"
    )


# Rates are powers of two and waits multiples of 1/8 s, so every sum below is exact in floating point.
rates = st.sampled_from([0.25, 0.5, 1.0, 2.0, 4.0, 8.0])
steps = st.lists(st.tuples(st.integers(0, 24).map(lambda n: n / 8), st.sampled_from(["a", "b"])), max_size=60)


@given(rate=rates, burst=st.integers(1, 5), steps=steps)
def test_property_never_more_than_burst_plus_refill_and_full_again_after_idle(rate, burst, steps):
    clock = FakeClock()
    limiter = TokenBucketLimiter(rate=rate, burst=burst, clock=clock)
    first_hit: dict[str, float] = {}
    allowed: Counter[str] = Counter()
    for wait, key in steps:
        clock.advance(wait)
        first_hit.setdefault(key, clock.now)
        if limiter.hit(key).allowed:
            allowed[key] += 1
        ceiling = burst + rate * (clock.now - first_hit[key])
        assert allowed[key] <= ceiling, (
            f"key {key!r}: {allowed[key]} hits allowed, but burst + rate * elapsed is only {ceiling}"
        )
    clock.advance(burst / rate)  # exactly long enough to refill an empty bucket
    for key in ("a", "b"):
        run = [limiter.hit(key).allowed for _ in range(burst + 1)]
        assert run == [True] * burst + [False], (
            f"key {key!r} after a full refill: expected exactly burst={burst} hits to pass, got {run}"
        )


# ---- the middleware ----


async def test_requests_under_the_limit_reach_the_app():
    app = create_app(TokenBucketLimiter(rate=1, burst=2, clock=FakeClock()))
    async with client_for(app) as client:
        responses = [await client.get("/ping") for _ in range(3)]
    assert [r.status_code for r in responses[:2]] == [200, 200]
    assert responses[0].json() == {"pong": True}
    assert responses[2].status_code == 429, "the third request in the same instant is over burst=2"


async def test_over_the_limit_the_client_gets_a_429_with_json_and_retry_after():
    app = create_app(TokenBucketLimiter(rate=1, burst=1, clock=FakeClock()))
    # Report app errors as responses, like a real server would, to see exactly what a client sees.
    async with client_for(app, raise_app_exceptions=False) as client:
        await client.get("/ping")
        refused = await client.get("/ping")
    assert refused.status_code == 429, f"expected 429, got {refused.status_code}" + (
        ": an HTTPException raised in middleware skips FastAPI's exception handlers and reaches the "
        "client as a 500. Return a response instead."
        if refused.status_code == 500
        else ""
    )
    assert refused.headers["content-type"] == "application/json", "the 429 body should be JSON"
    body = refused.json()
    assert isinstance(body.get("detail"), str), f"the 429 body should explain itself under 'detail', got {body}"
    assert body["detail"], f"the 429 body should explain itself under 'detail', got {body}"
    assert body.get("retry_after") == 1, f"the 429 body should carry retry_after, the header's seconds, got {body}"
    assert refused.headers.get("retry-after") == "1", (
        f"expected Retry-After: 1, got {refused.headers.get('retry-after')!r}"
    )


@pytest.mark.parametrize(
    ("rate", "expected"),
    [(2.0, "1"), (0.4, "3"), (0.25, "4")],
    ids=["half_a_second_rounds_up_to_1", "2.5_seconds_rounds_up_to_3", "exactly_4_seconds_stays_4"],
)
async def test_retry_after_is_whole_seconds_rounded_up(rate, expected):
    app = create_app(TokenBucketLimiter(rate=rate, burst=1, clock=FakeClock()))
    async with client_for(app) as client:
        await client.get("/ping")
        refused = await client.get("/ping")
    assert refused.status_code == 429
    got = refused.headers.get("retry-after")
    assert got == expected, (
        f"next token in {1 / rate} s: expected Retry-After: {expected}, got {got!r} "
        "(round up, or a client that waits as told is refused again; never 0)"
    )
    body = refused.json()
    assert body.get("retry_after") == int(expected), (
        f"the body's retry_after is the header's whole seconds, {expected}; got {body.get('retry_after')!r}"
    )


async def test_each_client_address_has_its_own_limit():
    app = create_app(TokenBucketLimiter(rate=1, burst=1, clock=FakeClock()))
    async with client_for(app, host="10.0.0.1") as first, client_for(app, host="10.0.0.2") as second:
        assert (await first.get("/ping")).status_code == 200
        assert (await first.get("/ping")).status_code == 429
        other = await second.get("/ping")
    assert other.status_code == 200, "10.0.0.1 used up its bucket; 10.0.0.2 should not pay for it"


async def test_a_refused_client_gets_through_once_the_clock_has_moved():
    clock = FakeClock()
    app = create_app(TokenBucketLimiter(rate=0.5, burst=1, clock=clock))
    async with client_for(app) as client:
        await client.get("/ping")
        refused = await client.get("/ping")
        clock.advance(float(refused.headers.get("retry-after", "0")))
        retried = await client.get("/ping")
    assert retried.status_code == 200, "after waiting Retry-After seconds the request should pass"


async def test_non_http_scopes_pass_through_without_spending_tokens():
    limiter = TokenBucketLimiter(rate=1, burst=1, clock=FakeClock())
    seen = []
    sent = []

    async def inner(scope, receive, send):
        message = await receive()
        seen.append((scope["type"], message["type"]))
        await send({"type": "lifespan.startup.complete"})

    async def receive():
        return {"type": "lifespan.startup"}

    async def send(message):
        sent.append(message["type"])

    middleware = RateLimitMiddleware(inner, limiter)
    for _ in range(3):
        await middleware({"type": "lifespan"}, receive, send)
    assert seen == [("lifespan", "lifespan.startup")] * 3, f"lifespan events must reach the app untouched, the app saw {seen}"
    assert sent == ["lifespan.startup.complete"] * 3, "the app's replies must reach the server through the original send"


async def test_one_client_is_its_host_whatever_port_it_connects_from():
    app = create_app(TokenBucketLimiter(rate=1, burst=1, clock=FakeClock()))
    async with client_for(app, port=50_000) as first, client_for(app, port=50_001) as second:
        assert (await first.get("/ping")).status_code == 200
        again = await second.get("/ping")
    assert again.status_code == 429, (
        "a new connection from the same host is the same client: key on the host, scope['client'][0], not host:port"
    )


async def test_requests_without_a_client_address_share_one_bucket():
    limiter = TokenBucketLimiter(rate=1, burst=1, clock=FakeClock())
    statuses = []

    async def send(message):
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    middleware = RateLimitMiddleware(create_app(TokenBucketLimiter(rate=100, burst=100, clock=FakeClock())), limiter)
    for _ in range(2):
        scope: dict[str, object] = {"type": "http", "method": "GET", "path": "/ping", "raw_path": b"/ping", "query_string": b"",
                 "headers": [], "client": None, "server": ("test", 80), "scheme": "http", "http_version": "1.1",
                 "root_path": ""}  # fmt: skip
        await middleware(scope, receive, send)
    assert statuses == [200, 429], f"with no client address, requests share one bucket; the statuses were {statuses}"


async def test_an_allowed_request_reaches_the_app_with_its_body_and_its_response():
    limiter = TokenBucketLimiter(rate=1, burst=5, clock=FakeClock())

    async def echo(scope, receive, send):
        message = await receive()
        await send({"type": "http.response.start", "status": 201, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": message.get("body", b"")})

    async with client_for(RateLimitMiddleware(echo, limiter)) as client:
        response = await client.post("/anything", content=b"hello")
    assert (response.status_code, response.content) == (201, b"hello"), (
        "an allowed request must reach the app with the original receive and send"
    )


class BucketAgainstModel(RuleBasedStateMachine):
    """Random hits on a few keys and clock moves must match a plain token-bucket model.

    Rates and steps are powers of two, so the float arithmetic is exact in both.
    """

    def __init__(self) -> None:
        super().__init__()
        self.clock = FakeClock()
        self.rate = 0.0
        self.burst = 0
        self.limiter: TokenBucketLimiter | None = None
        self.tokens: dict[str, float] = {}
        self.seen_at: dict[str, float] = {}

    @rule(rate=st.sampled_from([0.25, 0.5, 1.0, 2.0, 4.0]), burst=st.integers(1, 4))
    def start(self, rate: float, burst: int) -> None:
        if self.limiter is None:
            self.rate, self.burst = rate, burst
            self.limiter = TokenBucketLimiter(rate=rate, burst=burst, clock=self.clock)

    @rule(seconds=st.sampled_from([0.125, 0.25, 0.5, 1.0, 3.0]))
    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)

    @rule(key=st.sampled_from(["a", "b", "c"]))
    def hit(self, key: str) -> None:
        if self.limiter is None:
            return
        now = self.clock.now
        tokens = self.tokens.get(key, float(self.burst))
        tokens = min(float(self.burst), tokens + (now - self.seen_at.get(key, now)) * self.rate)
        self.seen_at[key] = now
        decision = self.limiter.hit(key)
        if tokens >= 1:
            tokens -= 1
            expected = (True, math.floor(tokens), 0.0)
        else:
            expected = (False, 0, (1 - tokens) / self.rate)
        self.tokens[key] = tokens
        got = (decision.allowed, decision.remaining, decision.retry_after)
        where = f"hit({key!r}) at t={now - 1000:g} (rate={self.rate}, burst={self.burst})"
        assert got[:2] == expected[:2], f"{where}: got {got}, the model says {expected}"
        assert math.isclose(got[2], expected[2], abs_tol=1e-9), f"{where}: got {got}, the model says {expected}"


TestBucketAgainstModel = BucketAgainstModel.TestCase
TestBucketAgainstModel.settings = settings(max_examples=60, stateful_step_count=30)
