"""Rate limiter (kata, ~30 min).

"Our API gets hammered by a few clients. Limit each client with a token bucket, then put it in
front of the app as middleware."

- `TokenBucketLimiter(rate, burst, clock=time.monotonic)`: `rate` tokens per second, at most `burst`
  tokens per bucket; rate may be fractional (0.25 is one token every 4 s). ValueError, with a message
  that names the parameter (`rate` or `burst`), unless rate > 0 (NaN is refused too) and burst is an
  int >= 1 (a bool or a float such as 1.5 or even 2.0 is not).
- `hit(key) -> Decision`: one bucket per key, starting full. Refill lazily on each call from
  `clock()` (no timers, never above `burst`), then spend one token if there is a whole one.
  `Decision.remaining` is the whole tokens left; when refused, `retry_after` is the seconds until
  the next token (0.0 when allowed). A refused hit costs nothing.
- `RateLimitMiddleware` (pure ASGI, already wired by `create_app`): one client is one host,
  `scope["client"][0]` (a new connection from another port is the same client); requests without a
  client address share one bucket. Over the limit, answer 429 with a JSON body
  `{"detail": "<a message>", "retry_after": <seconds>}` and a `Retry-After` header, both in whole
  seconds, rounded up, at least 1. An allowed request reaches the app untouched (its body too), and
  anything that is not an HTTP request passes straight through without spending a token.

Careful: RETURN the 429 (build a response and `await response(scope, receive, send)`). An
HTTPException raised in middleware never reaches FastAPI's exception handlers: the client gets a 500.

Run `dojo check rate_limiter`; `dojo hint rate_limiter` when stuck.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send


@dataclass(slots=True)
class Decision:
    """The verdict on one hit: allowed or not, whole tokens left, seconds until the next token."""

    allowed: bool
    remaining: int
    retry_after: float


class TokenBucketLimiter:
    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        raise NotImplementedError("TokenBucketLimiter.__init__")  # TODO

    def hit(self, key: str) -> Decision:
        raise NotImplementedError("TokenBucketLimiter.hit")  # TODO


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, limiter: TokenBucketLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError("RateLimitMiddleware.__call__")  # TODO


def create_app(limiter: TokenBucketLimiter) -> FastAPI:
    app = FastAPI()
    app.add_middleware(RateLimitMiddleware, limiter=limiter)

    @app.get("/ping")
    async def ping() -> dict[str, bool]:
        return {"pong": True}

    return app
