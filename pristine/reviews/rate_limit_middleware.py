"""Code review: a rate-limiting middleware (~20 min).

The pull request says: "Limits each client to `limit` requests per `window` seconds, so one script
cannot hammer the API. Clients are told by IP; behind our load balancer the IP is in
X-Forwarded-For." The service runs as four worker processes behind that load balancer (10.0.0.2),
which appends the address it saw to X-Forwarded-For. Review it as you would at work: name every
problem, say what it breaks in production and how badly, then fix this file in place.

The contract the tests hold you to: over the limit, the answer is 429 with the body {"detail": "too many
requests"} and a Retry-After header: the whole seconds, rounded up, until the client is served again
(not more); the client is identified by its address, never by address and port, and a connection with no
peer address is still served; X-Forwarded-For is believed only when the direct peer is one of
`trusted_proxies` (then the client is the address the last trusted proxy saw, in X-Forwarded-For as
proxies write it: one or more header lines of comma-separated hops, with or without spaces); the counts
live in a `store`, so the workers can share them (in Redis, say): a store is any object with `async def
increment(key: str, ttl: float) -> int`, which adds one to the counter at `key` (starting from 0 and
expiring `ttl` seconds after it was created) and returns the new count. Without a store, each app gets
its own `MemoryStore(clock)`, the in-memory store the fix adds: it follows that contract on `clock`'s
time (a counter has expired once `ttl` seconds have passed, and then starts again from 0), and it drops
expired counters now and then, so `len(store)` (how many counters it holds) stays bounded however many
clients come and go. Anything that is not an HTTP request (the lifespan's startup and shutdown, a
websocket) passes through the middleware untouched.

Keep the seam the tests use: `create_app(limit=, window=, clock=)` builds the app (GET /ping answers
{"pong": true}; by default 60 requests per 60 seconds), reading the time from `clock` (seconds,
monotonic; the tests pass a fake one). The fix adds two keyword arguments: `trusted_proxies` (a
collection of IP addresses, empty by default) and `store` (None by default).

Run `dojo check rate_limit_middleware` (behaviour) and `dojo lint rate_limit_middleware` (ruff's review
profile, mypy --strict and the rule pack); `dojo answer rate_limit_middleware` shows the answer key once the tests pass.
"""

import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, HTTPException, Request, Response
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.types import ASGIApp


_hits: dict[str, list[float]] = {}


class RateLimitMiddleware(BaseHTTPMiddleware):
    def __init__(self, app: ASGIApp, limit: int, window: float, clock: Callable[[], float]) -> None:
        super().__init__(app)
        self.limit = limit
        self.window = window
        self.clock = clock

    async def dispatch(self, request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        client = request.headers.get("x-forwarded-for") or request.client.host
        now = self.clock()
        recent = [t for t in _hits.get(client, []) if now - t < self.window]
        if len(recent) >= self.limit:
            raise HTTPException(status_code=429, detail="too many requests")
        recent.append(now)
        _hits[client] = recent
        return await call_next(request)


def create_app(
    limit: int = 60,
    window: float = 60.0,
    clock: Callable[[], float] = time.monotonic,
) -> FastAPI:
    app = FastAPI()
    app.add_middleware(RateLimitMiddleware, limit=limit, window=window, clock=clock)

    @app.get("/ping")
    async def ping() -> dict[str, bool]:
        return {"pong": True}

    return app
