"""redis_rate_limiter: the token bucket as a Redis Lua script, and a dependency that answers 429 or 503.

Every test that needs Redis runs on fakeredis (an embedded Redis with a real Lua interpreter) and,
when ``DOJO_REDIS_URL`` names a server, on that real redis-server too. Keys carry a prefix unique to
the test, so runs that share one server never see each other's buckets.
"""

from __future__ import annotations

import asyncio
import math
import os
import socket
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import fakeredis
import httpx
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule, run_state_machine_as_test
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from dojo.testing import FakeClock
from katas.redis_rate_limiter import Decision, RedisTokenBucket, create_app
from tests.katas.redis_rate_limiter_support import REDIS_ENV, BucketModel

BACKENDS = ["fakeredis", "redis"] if os.environ.get(REDIS_ENV) else ["fakeredis"]


class Store:
    """Clients of one Redis (fake or real), and the test's own key prefix; deletes its keys at the end."""

    def __init__(self, backend: str) -> None:
        self.backend = backend
        self.prefix = f"dojo-test-{uuid.uuid4().hex[:12]}"
        self.server = fakeredis.FakeServer()
        self.clients: list[Redis] = []

    def client(self) -> Redis:
        """A new client: its own connections, as a separate worker process would have."""
        made: Redis = (
            fakeredis.FakeAsyncRedis(server=self.server)
            if self.backend == "fakeredis"
            else Redis.from_url(os.environ[REDIS_ENV])
        )
        self.clients.append(made)
        return made

    def limiter(
        self, rate: float, burst: int, clock: Callable[[], float], client: Redis | None = None
    ) -> RedisTokenBucket:
        return RedisTokenBucket(client or self.client(), rate, burst, clock=clock, prefix=self.prefix)

    async def close(self) -> None:
        if self.clients:
            keys = [key async for key in self.clients[0].scan_iter(match=f"{self.prefix}:*")]
            if keys:
                await self.clients[0].delete(*keys)
        for client in self.clients:
            await client.aclose()


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest) -> AsyncIterator[Store]:
    found = Store(request.param)
    yield found
    await found.close()


def client_for(app: Any, host: str = "203.0.113.7", *, port: int = 50_000) -> httpx.AsyncClient:
    """An HTTP client that looks to the app like it connects from `host` (scope["client"])."""
    transport = httpx.ASGITransport(app=app, client=(host, port), raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


def as_tuple(decision: Decision) -> tuple[bool, int, float]:
    return decision.allowed, decision.remaining, decision.retry_after


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
        (1, True, "burst"),
    ],
    ids=["zero_rate", "negative_rate", "nan_rate", "zero_burst", "negative_burst", "float_burst", "bool_burst"],
)
def test_rejects_a_rate_or_burst_that_cannot_make_a_bucket(rate, burst, named):
    with pytest.raises(ValueError, match=named):
        RedisTokenBucket(fakeredis.FakeAsyncRedis(), rate=rate, burst=burst, clock=FakeClock())


async def test_a_new_key_starts_with_a_full_bucket_and_counts_down(store):
    limiter = store.limiter(rate=1, burst=3, clock=FakeClock())
    got = [as_tuple(await limiter.hit("alice")) for _ in range(4)]
    assert got == [(True, 2, 0.0), (True, 1, 0.0), (True, 0, 0.0), (False, 0, 1.0)], (
        f"burst=3 and no time passing: expected three hits allowed (2, 1, 0 tokens left) then a refusal, got {got}"
    )


async def test_a_refusal_says_how_long_until_the_next_token_to_the_fraction(store):
    clock = FakeClock()
    limiter = store.limiter(rate=2, burst=1, clock=clock)  # one token every 0.5 s
    assert (await limiter.hit("alice")).allowed
    first = await limiter.hit("alice")
    assert (first.allowed, first.retry_after) == (False, 0.5), (
        f"empty bucket at 2 tokens/s: expected retry_after=0.5, got {first}. A Lua number returned to Redis is "
        "truncated to an integer: return fractions as strings"
    )
    clock.advance(0.25)
    second = await limiter.hit("alice")
    assert (second.allowed, second.retry_after) == (False, 0.25), f"half a token later: expected 0.25, got {second}"
    clock.advance(0.25)
    third = await limiter.hit("alice")
    assert (third.allowed, third.retry_after) == (True, 0.0), f"retry_after has passed: expected allowed, got {third}"


@pytest.mark.parametrize("rate", [3.0, 0.3, 7.0], ids=["a_third", "three_tenths", "a_seventh"])
async def test_retry_after_arrives_as_the_exact_float(store, rate):
    limiter = store.limiter(rate=rate, burst=1, clock=FakeClock())
    await limiter.hit("alice")
    refused = await limiter.hit("alice")
    assert refused.retry_after == 1 / rate, (
        f"one token at {rate} tokens/s is {1 / rate!r} s away, got {refused.retry_after!r}: tostring() keeps 14 "
        "digits; string.format('%.17g', x) reads back to the same float"
    )


async def test_tokens_refill_continuously_not_in_whole_steps(store):
    clock = FakeClock()
    limiter = store.limiter(rate=1, burst=1, clock=clock)
    await limiter.hit("alice")
    results = []
    for _ in range(4):
        clock.advance(0.25)
        results.append((await limiter.hit("alice")).allowed)
    assert results == [False, False, False, True], (
        f"four quarter-second waits at 1 token/s add up to one token, got {results}: "
        "are fractions of a token lost when they are stored (an integer field, tostring rounding)?"
    )


async def test_a_long_idle_refills_the_bucket_to_burst_and_no_further(store):
    clock = FakeClock()
    limiter = store.limiter(rate=1, burst=2, clock=clock)
    await limiter.hit("alice")
    await limiter.hit("alice")
    clock.advance(3_600)
    results = [(await limiter.hit("alice")).allowed for _ in range(3)]
    assert results == [True, True, False], f"after an hour idle, exactly burst=2 hits should pass, got {results}"


async def test_refused_hits_cost_nothing(store):
    clock = FakeClock()
    limiter = store.limiter(rate=1, burst=1, clock=clock)
    await limiter.hit("alice")
    for _ in range(5):
        assert not (await limiter.hit("alice")).allowed
    clock.advance(1)
    assert (await limiter.hit("alice")).allowed, "one second at 1 token/s refills a token, however often refused"


async def test_each_key_has_its_own_bucket_stored_under_the_prefix(store):
    limiter = store.limiter(rate=1, burst=1, clock=FakeClock())
    assert (await limiter.hit("alice")).allowed
    assert not (await limiter.hit("alice")).allowed
    assert (await limiter.hit("bob")).allowed, "alice emptied her bucket; bob's should still be full"
    keys = sorted([key.decode() async for key in store.clients[0].scan_iter(match=f"{store.prefix}:*")])
    assert keys == [f"{store.prefix}:alice", f"{store.prefix}:bob"], (
        f"expected one Redis key per client, named '<prefix>:<key>', got {keys}"
    )


async def test_the_default_prefix_is_ratelimit(store):
    client = store.client()
    limiter = RedisTokenBucket(client, rate=1, burst=2, clock=FakeClock())
    key = store.prefix  # unique to this test, so a shared server's other keys are never touched
    try:
        await limiter.hit(key)
        assert await client.exists(f"ratelimit:{key}") == 1, (
            f"with no prefix given, the bucket's key should be 'ratelimit:<key>'; keys now: "
            f"{[k async for k in client.scan_iter(match=f'*{key}*')]}"
        )
    finally:
        await client.delete(f"ratelimit:{key}")


async def test_time_comes_from_the_injected_clock(store):
    clock = FakeClock(start=50_000.0)
    limiter = store.limiter(rate=1, burst=1, clock=clock)
    await limiter.hit("alice")
    clock.advance(1)
    assert (await limiter.hit("alice")).allowed, (
        "the fake clock moved 1 s (one token): pass `clock()` to the script, do not read Redis's TIME or time.time()"
    )


@pytest.mark.parametrize(
    ("rate", "burst", "hits", "full_again_ms"),
    [(0.001, 5, 3, 3_000_000), (0.0005, 1, 2, 2_000_000), (0.004, 4, 1, 250_000)],
    ids=["two_tokens_left_of_five", "empty_after_a_refusal", "one_token_spent"],
)
async def test_a_bucket_key_expires_when_the_bucket_would_be_full_again(store, rate, burst, hits, full_again_ms):
    limiter = store.limiter(rate=rate, burst=burst, clock=FakeClock())
    for _ in range(hits):
        await limiter.hit("alice")
    ttl = await store.clients[0].pttl(f"{store.prefix}:alice")
    assert ttl != -1, "the bucket's key has no expiry: idle clients would stay in Redis forever (PEXPIRE it)"
    # PTTL counts down on Redis's own clock from the moment the script ran: never above what was set, and
    # the 10% margin below is minutes of slack, not a timing.
    assert 0.9 * full_again_ms < ttl <= full_again_ms, (
        f"rate={rate}, burst={burst}, {hits} hit(s): the bucket is full again in {full_again_ms} ms, "
        f"so the key should expire then (PEXPIRE, in milliseconds), but its PTTL is {ttl}"
    )


async def test_concurrent_hits_from_several_workers_spend_each_token_once(store):
    clock = FakeClock()
    workers = [store.limiter(rate=1, burst=5, clock=clock) for _ in range(4)]  # four clients, four connections
    decisions = await asyncio.gather(*(workers[i % 4].hit("alice") for i in range(20)))
    allowed = sorted(d.remaining for d in decisions if d.allowed)
    assert allowed == [0, 1, 2, 3, 4], (
        f"20 hits at once through 4 workers on a bucket of 5: expected exactly 5 allowed, leaving 4, 3, 2, 1, 0, "
        f"got remaining={allowed}. A read then a write in separate commands lets two workers spend the same token: "
        "do it in one script"
    )


async def test_a_worker_whose_clock_is_behind_mints_no_tokens(store):
    ahead, behind = FakeClock(start=1_010.0), FakeClock(start=1_005.0)
    first = store.limiter(rate=1, burst=1, clock=ahead)
    second = store.limiter(rate=1, burst=1, clock=behind)
    assert (await first.hit("alice")).allowed
    refused = await second.hit("alice")
    assert (refused.allowed, refused.remaining) == (False, 0), f"the bucket is empty whatever the clock, got {refused}"
    ahead.advance(0.5)
    again = await first.hit("alice")
    assert (again.allowed, again.retry_after) == (False, 0.5), (
        f"half a second after the last refill on the clock that stored it, got {again}: a clock behind the "
        "stored time must not move it back (the next hit would count those seconds again)"
    )


class BucketAgainstModel(RuleBasedStateMachine):
    """Random hits through two workers on a few keys, and clock moves, must match the plain-Python model.

    Rates and steps are powers of two, so the float arithmetic is exact in Lua and in Python alike.
    """

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.store = Store(self.backend)
        self.clock = FakeClock()
        self.model = BucketModel(1.0, 1)
        self.workers: list[RedisTokenBucket] = []

    backend = "fakeredis"

    @initialize(rate=st.sampled_from([0.25, 0.5, 1.0, 2.0, 4.0]), burst=st.integers(1, 4))
    def start(self, rate: float, burst: int) -> None:
        self.model = BucketModel(rate, burst)
        self.workers = [self.store.limiter(rate, burst, self.clock) for _ in range(2)]

    @rule(seconds=st.sampled_from([0.125, 0.25, 0.5, 1.0, 3.0]))
    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)

    @rule(key=st.sampled_from(["a", "b", "c"]), worker=st.integers(0, 1))
    def hit(self, key: str, worker: int) -> None:
        got = as_tuple(self.loop.run_until_complete(self.workers[worker].hit(key)))
        expected = self.model.hit(key, self.clock.now)
        where = f"hit({key!r}) through worker {worker} at t={self.clock.now - 1000:g} (rate={self.model.rate}, burst={self.model.burst})"
        assert got[:2] == expected[:2], f"{where}: got {got}, the model says {expected}"
        assert math.isclose(got[2], expected[2], abs_tol=1e-9), f"{where}: got {got}, the model says {expected}"

    def teardown(self) -> None:
        self.loop.run_until_complete(self.store.close())
        self.loop.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_script_matches_a_plain_token_bucket_model(backend):
    machine = type(f"BucketAgainstModel_{backend}", (BucketAgainstModel,), {"backend": backend})
    run_state_machine_as_test(machine, settings=settings(max_examples=40, stateful_step_count=25, deadline=None))


# ---- the dependency and its answers ----


async def test_requests_under_the_limit_reach_the_app(store):
    app = create_app(store.limiter(rate=1, burst=2, clock=FakeClock()))
    async with client_for(app) as client:
        responses = [await client.get("/ping") for _ in range(3)]
    assert [r.status_code for r in responses[:2]] == [200, 200]
    assert responses[0].json() == {"pong": True}
    assert responses[2].status_code == 429, "the third request in the same instant is over burst=2"


async def test_over_the_limit_the_client_gets_a_429_in_the_error_envelope(store):
    app = create_app(store.limiter(rate=1, burst=1, clock=FakeClock()))
    async with client_for(app) as client:
        await client.get("/ping")
        refused = await client.get("/ping")
    assert refused.status_code == 429, f"expected 429, got {refused.status_code}: {refused.text}"
    assert refused.headers["content-type"] == "application/json", "the 429 body should be JSON"
    error = refused.json().get("error")
    assert isinstance(error, dict), f"expected the envelope {{'error': {{...}}}}, got {refused.json()}"
    assert error.get("code") == "rate_limited", f"expected error.code 'rate_limited', got {error}"
    assert isinstance(error.get("message"), str), f"the envelope should explain itself in error.message, got {error}"
    assert error["message"], f"the envelope should explain itself in error.message, got {error}"
    assert error.get("retry_after") == 1, f"error.retry_after should be the header's seconds, got {error}"
    assert refused.headers.get("retry-after") == "1", (
        f"expected Retry-After: 1, got {refused.headers.get('retry-after')!r}"
    )


@pytest.mark.parametrize(
    ("rate", "expected"),
    [(2.0, "1"), (0.4, "3"), (0.25, "4")],
    ids=["half_a_second_rounds_up_to_1", "2.5_seconds_rounds_up_to_3", "exactly_4_seconds_stays_4"],
)
async def test_retry_after_is_whole_seconds_rounded_up(store, rate, expected):
    app = create_app(store.limiter(rate=rate, burst=1, clock=FakeClock()))
    async with client_for(app) as client:
        await client.get("/ping")
        refused = await client.get("/ping")
    assert refused.status_code == 429
    got = refused.headers.get("retry-after")
    assert (got, refused.json()["error"]["retry_after"]) == (expected, int(expected)), (
        f"next token in {1 / rate} s: expected Retry-After: {expected} in the header and the body, got {got!r} and "
        f"{refused.json()['error'].get('retry_after')!r} (round up, or a client that waits as told is refused again; never 0)"
    )


async def test_each_client_address_has_its_own_limit(store):
    app = create_app(store.limiter(rate=1, burst=1, clock=FakeClock()))
    async with client_for(app, host="10.0.0.1") as first, client_for(app, host="10.0.0.2") as second:
        assert (await first.get("/ping")).status_code == 200
        assert (await first.get("/ping")).status_code == 429
        other = await second.get("/ping")
    assert other.status_code == 200, "10.0.0.1 used up its bucket; 10.0.0.2 should not pay for it"


async def test_one_client_is_its_host_whatever_port_it_connects_from(store):
    app = create_app(store.limiter(rate=1, burst=1, clock=FakeClock()))
    async with client_for(app, port=50_000) as first, client_for(app, port=50_001) as second:
        assert (await first.get("/ping")).status_code == 200
        again = await second.get("/ping")
    assert again.status_code == 429, (
        "a new connection from the same host is the same client: key on request.client.host, not host:port"
    )


async def test_requests_without_a_client_address_share_one_bucket(store):
    app = create_app(store.limiter(rate=1, burst=1, clock=FakeClock()))
    statuses = []

    async def send(message):
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    for _ in range(2):
        scope: dict[str, object] = {"type": "http", "method": "GET", "path": "/ping", "raw_path": b"/ping", "query_string": b"",
                 "headers": [], "client": None, "server": ("test", 80), "scheme": "http", "http_version": "1.1",
                 "root_path": ""}  # fmt: skip
        await app(scope, receive, send)
    assert statuses == [200, 429], f"with no client address, requests share one bucket; the statuses were {statuses}"
    keys = [key.decode() async for key in store.clients[0].scan_iter(match=f"{store.prefix}:*")]
    assert keys == [f"{store.prefix}:unknown"], f"requests without a client address share the key 'unknown', got {keys}"


@contextmanager
def refusing_port() -> Iterator[int]:
    """A loopback port bound but not listening: every connection to it is refused, for as long as it is held."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as held:
        held.bind(("127.0.0.1", 0))
        yield held.getsockname()[1]


@contextmanager
def silent_port() -> Iterator[int]:
    """A loopback port that accepts connections (the kernel's backlog) and never answers a byte."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield server.getsockname()[1]


@pytest.mark.parametrize("outage", ["refused", "no_answer"], ids=["connection_refused", "server_never_answers"])
async def test_redis_down_is_a_503_in_the_envelope_never_a_500(outage):
    ports = refusing_port() if outage == "refused" else silent_port()
    with ports as port:
        redis = Redis(
            host="127.0.0.1", port=port, socket_connect_timeout=2, socket_timeout=0.2, retry=Retry(NoBackoff(), 0)
        )
        try:
            app = create_app(RedisTokenBucket(redis, rate=1, burst=1, clock=FakeClock()))
            async with client_for(app) as client:
                response = await client.get("/ping")
        finally:
            await redis.aclose()
    assert response.status_code == 503, (
        f"Redis {outage.replace('_', ' ')}: expected 503, got {response.status_code} ({response.text}). Catch redis's "
        "ConnectionError and TimeoutError and answer 503; an outage is not a bug"
    )
    error = response.json().get("error", {})
    assert error.get("code") == "limiter_unavailable", (
        f"expected error.code 'limiter_unavailable', got {response.json()}"
    )
    assert error.get("message"), f"the envelope should explain itself in error.message, got {response.json()}"
    assert response.headers.get("retry-after") == "1", "a 503 should say when to retry: Retry-After: 1"
