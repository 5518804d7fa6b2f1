"""A rate-limiting middleware, reviewed: a 429 with Retry-After, a client key that cannot be forged, a shared store.

- Over the limit, the middleware answers 429 itself, with ``Retry-After``. An ``HTTPException`` raised in
  middleware never reaches FastAPI's exception handlers (they sit inside the middleware stack), so it
  became a 500 and a traceback: the client retried at once, and the alerting paged someone.
- ``X-Forwarded-For`` is a request header, so anyone can send one. It is believed only when the direct
  peer is a configured trusted proxy, and then read from the right: the client is the last address
  that a trusted proxy did not add, so a client cannot pick its own key by prefixing addresses.
- The counts live behind ``CounterStore`` (``increment(key, ttl) -> count``): one atomic increment per
  request, which Redis does with INCR and EXPIRE, so every worker shares one budget per client. A
  module-level dict gave each of the four workers its own budget (four times the limit), leaked across
  every app in the process, and grew forever. ``MemoryStore`` (one per app) is for a single process.
- Fixed windows keyed by ``(client, window number)``: an old window's counter simply expires, there is
  no per-client list to trim or to grow. (Sliding logs or token buckets smooth the burst at a window
  edge, at the cost of more state per client.)
- A pure ASGI middleware: no ``BaseHTTPMiddleware`` wrapping of the response stream.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Collection
from typing import Protocol

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send


class CounterStore(Protocol):
    """Where the counts live: an in-process dict, or Redis (INCR key; EXPIRE key ttl NX) for many workers."""

    async def increment(self, key: str, ttl: float) -> int:
        """Add one to the counter at ``key`` (new counters start at 0 and expire ``ttl`` seconds after
        they are created) and return the new count, atomically."""
        ...


class MemoryStore:
    """A CounterStore for one process: counters expire on the given clock and are dropped when they do."""

    SWEEP_AT = 10_000

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._counters: dict[str, tuple[int, float]] = {}  # key -> (count, expires at)

    def __len__(self) -> int:
        """How many counters the store holds, expired ones not yet dropped included."""
        return len(self._counters)

    async def increment(self, key: str, ttl: float) -> int:
        now = self._clock()
        if len(self._counters) >= self.SWEEP_AT:  # drop expired counters now and then, so memory stays bounded
            self._counters = {k: entry for k, entry in self._counters.items() if entry[1] > now}
        count, expires_at = self._counters.get(key, (0, now + ttl))
        if expires_at <= now:
            count, expires_at = 0, now + ttl
        self._counters[key] = (count + 1, expires_at)
        return count + 1


def client_address(scope: Scope, trusted_proxies: Collection[str]) -> str:
    """The address to limit: the direct peer, or, behind trusted proxies, the address the last one saw."""
    peer = scope["client"][0] if scope.get("client") else "unknown"
    if peer not in trusted_proxies:
        return peer
    forwarded = Headers(scope=scope).getlist("x-forwarded-for")
    hops = [hop.strip() for header in forwarded for hop in header.split(",") if hop.strip()]
    for hop in reversed(hops):
        if hop not in trusted_proxies:
            return hop
    return peer


class RateLimitMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        limit: int,
        window: float,
        store: CounterStore,
        clock: Callable[[], float],
        trusted_proxies: Collection[str],
    ) -> None:
        self.app = app
        self.limit = limit
        self.window = window
        self.store = store
        self.clock = clock
        self.trusted_proxies = frozenset(trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        now = self.clock()
        number = math.floor(now / self.window)
        key = f"rate:{client_address(scope, self.trusted_proxies)}:{number}"
        if await self.store.increment(key, ttl=self.window) > self.limit:
            retry_after = max(1, math.ceil((number + 1) * self.window - now))
            response = JSONResponse(
                {"detail": "too many requests"}, status_code=429, headers={"Retry-After": str(retry_after)}
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def create_app(
    limit: int = 60,
    window: float = 60.0,
    clock: Callable[[], float] = time.monotonic,
    trusted_proxies: Collection[str] = (),
    store: CounterStore | None = None,
) -> FastAPI:
    app = FastAPI()
    app.add_middleware(
        RateLimitMiddleware,
        limit=limit,
        window=window,
        store=store if store is not None else MemoryStore(clock),
        clock=clock,
        trusted_proxies=trusted_proxies,
    )

    @app.get("/ping")
    async def ping() -> dict[str, bool]:
        return {"pong": True}

    return app
