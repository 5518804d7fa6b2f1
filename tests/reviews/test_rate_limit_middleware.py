"""rate_limit_middleware: 429 with Retry-After, X-Forwarded-For only from trusted proxies, counts in a store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, cast

import httpx
import pytest
from fastapi import FastAPI, Request
from starlette.types import Message, Receive, Scope, Send

from dojo import testing
from dojo.testing import FakeClock
from reviews import rate_limit_middleware
from reviews.rate_limit_middleware import create_app

PROXY = "10.0.0.2"  # the load balancer
WINDOW = 60.0


def serve(app: FastAPI, peer: str) -> AbstractAsyncContextManager[httpx.AsyncClient]:
    """The app behind an in-process client whose connections come from `peer`; a crash comes back as a 500."""
    return testing.serve(app, crash_as_500=True, peer=(peer, 51000))


def forwarded_for(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


class DictStore:
    """A store the tests own, shared by several apps as Redis would be by several workers."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.ttls: list[float] = []

    async def increment(self, key: str, ttl: float) -> int:
        self.counts[key] = self.counts.get(key, 0) + 1
        self.ttls.append(ttl)
        return self.counts[key]


@pytest.mark.guard
async def test_requests_under_the_limit_are_served():
    app = create_app(limit=3, window=WINDOW, clock=FakeClock())
    async with serve(app, "198.51.100.1") as client:
        responses = [await client.get("/ping") for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert responses[-1].json() == {"pong": True}


async def test_over_the_limit_is_a_429_with_retry_after():
    app = create_app(limit=2, window=WINDOW, clock=FakeClock())
    async with serve(app, "198.51.100.2") as client:
        statuses = [(await client.get("/ping")).status_code for _ in range(2)]
        over = await client.get("/ping")
    assert statuses == [200, 200], f"the first 2 requests (limit 2) answered {statuses}"
    assert over.status_code == 429, (
        f"the 3rd request of 2 allowed answered {over.status_code} {over.text}: over the limit is a 429 (an"
        " HTTPException raised in middleware never reaches FastAPI's handlers, so it becomes a 500)"
    )
    retry_after = over.headers.get("Retry-After", "")
    assert retry_after.isdigit(), f"a 429 needs Retry-After in whole seconds; got {retry_after!r}"
    assert 1 <= int(retry_after) <= WINDOW, f"Retry-After {retry_after} s for a {WINDOW} s window"


async def test_the_client_is_served_again_once_retry_after_has_passed():
    clock = FakeClock()
    app = create_app(limit=2, window=WINDOW, clock=clock)
    async with serve(app, "198.51.100.3") as client:
        for _ in range(2):
            await client.get("/ping")
        over = await client.get("/ping")
        assert over.status_code == 429, f"the 3rd request of 2 allowed answered {over.status_code} {over.text}"
        clock.advance(float(over.headers["Retry-After"]))
        again = await client.get("/ping")
    assert again.status_code == 200, (
        f"after waiting the {over.headers['Retry-After']} s Retry-After asked for, the client got {again.status_code}"
    )


async def test_x_forwarded_for_is_ignored_from_a_peer_that_is_not_a_trusted_proxy():
    app = create_app(limit=2, window=WINDOW, clock=FakeClock())
    async with serve(app, "203.0.113.9") as client:
        statuses = [(await client.get("/ping", headers=forwarded_for(f"192.0.2.{n}"))).status_code for n in range(1, 4)]
    assert statuses == [200, 200, 429], (
        f"one client sending 3 requests (limit 2), each with a made-up X-Forwarded-For, got {statuses}: anyone can"
        " set that header, so believing it from any peer lets every script reset its own limit"
    )


async def test_behind_a_trusted_proxy_each_client_has_its_own_budget():
    app = create_app(limit=2, window=WINDOW, clock=FakeClock(), trusted_proxies={PROXY})
    async with serve(app, PROXY) as client:
        first = [(await client.get("/ping", headers=forwarded_for("198.51.100.20"))).status_code for _ in range(3)]
        second = (await client.get("/ping", headers=forwarded_for("198.51.100.21"))).status_code
    assert first == [200, 200, 429], f"3 requests from one client through the proxy (limit 2) got {first}"
    assert second == 200, (
        f"another client through the same proxy got {second}: behind a trusted proxy, the client is the address"
        " in X-Forwarded-For, not the proxy (or every user shares one budget)"
    )


async def test_a_client_cannot_choose_its_key_by_prefixing_x_forwarded_for():
    app = create_app(limit=2, window=WINDOW, clock=FakeClock(), trusted_proxies={PROXY})
    async with serve(app, PROXY) as client:
        # The client sent "192.0.2.N" itself; the proxy appended the address it really saw.
        statuses = [
            (await client.get("/ping", headers=forwarded_for(f"192.0.2.{n}, 198.51.100.30"))).status_code
            for n in range(1, 4)
        ]
    assert statuses == [200, 200, 429], (
        f"3 requests from 198.51.100.30 with made-up addresses in front got {statuses}: read X-Forwarded-For from"
        " the right, the last address a trusted proxy added, not the first one the client wrote"
    )


async def test_two_apps_do_not_share_counts_through_module_state():
    peer = "198.51.100.4"
    first, second = (create_app(limit=1, window=WINDOW, clock=FakeClock()) for _ in range(2))
    async with serve(first, peer) as client:
        on_first = (await client.get("/ping")).status_code
    async with serve(second, peer) as client:
        on_second = (await client.get("/ping")).status_code
    assert (on_first, on_second) == (200, 200), (
        f"one request to each of two separate apps (limit 1) answered {on_first} and {on_second}: the counts live"
        " in a module-level global, shared by whatever lives in the process and by nothing outside it"
    )


async def test_workers_that_share_a_store_share_the_budget():
    store = DictStore()
    peer = "198.51.100.5"
    workers = [create_app(limit=2, window=WINDOW, clock=FakeClock(), store=store) for _ in range(2)]
    statuses = []
    for worker in (workers[0], workers[1], workers[0]):
        async with serve(worker, peer) as client:
            statuses.append((await client.get("/ping")).status_code)
    assert statuses == [200, 200, 429], (
        f"3 requests (limit 2) spread over two workers sharing one store got {statuses}: the counts must live in"
        " the store the app is given, or each worker process grants its own full budget"
    )
    assert all(ttl > 0 for ttl in store.ttls), f"counters must expire; the store was given ttls {store.ttls}"


async def test_one_client_is_one_host_whatever_port_it_connects_from():
    app = create_app(limit=2, window=WINDOW, clock=FakeClock())
    statuses = []
    for port in (51000, 51001, 51002):  # a client opens a new connection, from a new source port, at will
        async with testing.serve(app, crash_as_500=True, peer=("198.51.100.6", port)) as client:
            statuses.append((await client.get("/ping")).status_code)
    assert statuses == [200, 200, 429], (
        f"3 requests (limit 2) from 198.51.100.6, each on a new connection (another source port), got {statuses}:"
        " a client is its address, not address and port, or every new connection gets a fresh budget"
    )


@pytest.mark.parametrize(
    "headers",
    [
        [("X-Forwarded-For", "192.0.2.{n},198.51.100.31")],
        [("X-Forwarded-For", "192.0.2.{n} ,  198.51.100.31")],
        [("X-Forwarded-For", "192.0.2.{n}"), ("X-Forwarded-For", "198.51.100.31")],
    ],
    ids=["no-spaces", "odd-spaces", "two-header-lines"],
)
async def test_x_forwarded_for_is_read_as_proxies_write_it(headers):
    app = create_app(limit=2, window=WINDOW, clock=FakeClock(), trusted_proxies={PROXY})
    statuses = []
    async with serve(app, PROXY) as client:
        for n in range(1, 4):
            sent = [(name, value.format(n=n)) for name, value in headers]
            statuses.append((await client.get("/ping", headers=sent)).status_code)
    assert statuses == [200, 200, 429], (
        f"3 requests from 198.51.100.31 (limit 2), X-Forwarded-For sent as {headers}, got {statuses}: hops are"
        " separated by commas (spaces around them or not), and a proxy may add its own header line"
    )


async def test_the_429_has_the_error_body_and_the_shortest_retry_after():
    clock = FakeClock(start=59.5)  # half a second before the window of [0, 60) ends
    app = create_app(limit=1, window=WINDOW, clock=clock)
    async with serve(app, "198.51.100.7") as client:
        await client.get("/ping")
        over = await client.get("/ping")
        assert over.status_code == 429, f"the 2nd request of 1 allowed answered {over.status_code} {over.text}"
        assert over.json() == {"detail": "too many requests"}, f"the 429 answered {over.text}"
        retry_after = int(over.headers["Retry-After"])
        clock.advance(retry_after - 1)
        early = await client.get("/ping")
    assert early.status_code == 200 or retry_after == 1, (
        f"Retry-After said {retry_after} s, yet the client was served again after {retry_after - 1} s: Retry-After"
        " is the whole seconds, rounded up, until the client is served again, not more"
    )
    assert retry_after == 1, f"half a second before the window ends, Retry-After is 1 s, not {retry_after} s"


async def test_retry_after_rounds_a_fraction_of_a_second_up():
    clock = FakeClock(start=30.25)  # 29.75 s before the window of [0, 60) ends
    app = create_app(limit=1, window=WINDOW, clock=clock)
    async with serve(app, "198.51.100.10") as client:
        await client.get("/ping")
        over = await client.get("/ping")
        assert over.status_code == 429, f"the 2nd request of 1 allowed answered {over.status_code} {over.text}"
        retry_after = int(over.headers["Retry-After"])
        clock.advance(retry_after)
        again = await client.get("/ping")
    assert again.status_code == 200, (
        f"29.75 s before the window ends, Retry-After said {retry_after} s, and a client that waited exactly that"
        f" long got {again.status_code}: round the wait up (math.ceil), since int() rounds down and sends the"
        " client back too early"
    )
    assert retry_after == 30, f"29.75 s before the window ends, Retry-After is 30 s, not {retry_after} s"


async def test_behind_a_chain_of_trusted_proxies_the_client_is_the_first_untrusted_hop_from_the_right():
    edge = "10.0.0.1"  # a trusted proxy in front of the load balancer: it writes the client, the balancer writes it
    app = create_app(limit=2, window=WINDOW, clock=FakeClock(), trusted_proxies={edge, PROXY})
    async with serve(app, PROXY) as client:
        first = [
            (await client.get("/ping", headers=forwarded_for(f"192.0.2.{n}, 198.51.100.40, {edge}"))).status_code
            for n in range(1, 4)
        ]
        second = (await client.get("/ping", headers=forwarded_for(f"198.51.100.41, {edge}"))).status_code
    assert (first, second) == ([200, 200, 429], 200), (
        f"through two trusted proxies ({edge}, then {PROXY}), 3 requests from 198.51.100.40 (limit 2) got {first}"
        f" and one from 198.51.100.41 got {second}: skip every trusted hop from the right and take the first"
        " address no trusted proxy wrote, or every client counts as the inner proxy (and shares one budget)"
    )


@pytest.mark.guard
async def test_by_default_the_app_allows_60_requests_per_60_seconds():
    clock = FakeClock(start=0.0)
    app = create_app(clock=clock)
    async with serve(app, "198.51.100.8") as client:
        statuses = [(await client.get("/ping")).status_code for _ in range(61)]
        clock.advance(60.0)
        again = (await client.get("/ping")).status_code
    assert statuses[:60] == [200] * 60, "create_app() without a limit serves 60 requests per window"
    assert statuses[60] != 200, "the 61st request in 60 s was served: the default limit is 60"
    assert again == 200, "60 s later, a new window: the client is served again"


async def test_a_connection_without_a_peer_address_is_served():
    app = create_app(limit=2, window=WINDOW, clock=FakeClock())

    async def no_peer(scope: Scope, receive: Receive, send: Send) -> None:
        await app({**scope, "client": None}, receive, send)  # ASGI allows it: a Unix socket has no peer

    transport = httpx.ASGITransport(app=no_peer, raise_app_exceptions=False)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        statuses = [(await client.get("/ping")).status_code for _ in range(3)]
    assert statuses == [200, 200, 429], (
        f"3 requests (limit 2) on connections with no peer address got {statuses}: scope['client'] may be None,"
        " and such requests still count as one client"
    )


@pytest.mark.guard
async def test_the_lifespan_passes_through_the_middleware():
    app = create_app(limit=1, window=WINDOW, clock=FakeClock())
    started: list[str] = []

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        started.append("startup")
        yield
        started.append("shutdown")

    app.router.lifespan_context = lifespan
    inbox = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[str] = []

    async def receive() -> Message:
        return inbox.pop(0)

    async def send(message: Message) -> None:
        sent.append(message["type"])

    await app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, receive, send)
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"], (
        f"running the app's lifespan through the middleware sent {sent}: only HTTP requests are counted, anything"
        " else goes to the app untouched"
    )
    assert started == ["startup", "shutdown"]


def memory_store(clock: FakeClock) -> Any:
    """The fix's MemoryStore on `clock` (looked up here, so the flawed file without one fails only these tests)."""
    store_class = getattr(rate_limit_middleware, "MemoryStore", None)
    assert store_class is not None, "the fix adds MemoryStore(clock), the in-memory store each app gets by default"
    return cast("type[Any]", store_class)(clock)


async def test_the_memory_store_counts_and_expires_on_its_clock():
    clock = FakeClock(start=0.0)
    store = memory_store(clock)
    counts = [await store.increment("a", ttl=10.0) for _ in range(3)]
    assert counts == [1, 2, 3], f"three increments of a new counter returned {counts}"
    clock.advance(9.5)
    assert await store.increment("a", ttl=10.0) == 4, "9.5 s into a 10 s ttl the counter is still alive"
    assert await store.increment("b", ttl=10.0) == 1, "each key has its own counter"
    clock.advance(0.5)  # exactly 10 s after "a" was created
    restarted = [await store.increment("a", ttl=10.0) for _ in range(2)]
    assert restarted == [1, 2], (
        f"once its ttl has passed, a counter starts again from 0 (and lives another ttl); got {restarted}"
    )
    assert await store.increment("b", ttl=10.0) == 2, "b was created 0.5 s later: it has not expired"


async def test_the_memory_store_drops_expired_counters_and_keeps_live_ones():
    clock = FakeClock(start=0.0)
    store = memory_store(clock)
    assert await store.increment("regular", ttl=1_000_000.0) == 1
    for n in range(30_000):  # one-off clients, each counter expiring a second after it was made
        await store.increment(f"one-off:{n}", ttl=1.0)
        clock.advance(0.5)
    assert len(store) < 30_000, (
        f"the store holds {len(store)} counters after 30,000 one-off clients whose counters expired: it must drop"
        " expired counters now and then, or memory grows with every client ever seen"
    )
    assert await store.increment("regular", ttl=1_000_000.0) == 2, "dropping expired counters lost a live one"


@pytest.mark.guard
async def test_a_request_body_reaches_the_app_through_the_middleware():
    app = create_app(limit=2, window=WINDOW, clock=FakeClock())

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, str]:
        return {"body": (await request.body()).decode()}

    async with serve(app, "198.51.100.9") as client:
        response = await client.post("/echo", content=b"hello")
    assert response.status_code == 200, f"POST /echo answered {response.status_code} {response.text}"
    assert response.json() == {"body": "hello"}, "a request the middleware lets through reaches the app whole"
