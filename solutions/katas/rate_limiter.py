"""Rate limiter: a per-key token bucket, and a pure ASGI middleware that answers 429 for it.

The bucket is two numbers per key, the tokens left and when they were counted (a tuple in a dict),
and refills lazily: each hit first adds ``elapsed * rate`` tokens (capped at ``burst``), then spends one. No
timers, no background task, and time comes from an injected clock so tests never sleep.

The middleware RETURNS its 429. It sits outside FastAPI's exception handlers, so an HTTPException
raised here would reach ServerErrorMiddleware and the client would get a 500.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import FastAPI
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send


# A plain dataclass with slots, not frozen: a frozen one sets each field through object.__setattr__,
# which made building a verdict 2.5x dearer, once per request (see `dojo bench rate_limiter`).
@dataclass(slots=True)
class Decision:
    """The verdict on one hit: allowed or not, whole tokens left, seconds until the next token."""

    allowed: bool
    remaining: int
    retry_after: float


class TokenBucketLimiter:
    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        # `not rate > 0` also refuses NaN, which every comparison answers with False.
        if not rate > 0:
            raise ValueError(f"rate must be a positive number of tokens per second, got {rate!r}")
        if isinstance(burst, bool) or not isinstance(burst, int) or burst < 1:
            raise ValueError(f"burst must be a positive integer, got {burst!r}")
        self.rate = float(rate)
        self.burst = burst
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens left, when counted)

    def hit(self, key: str) -> Decision:
        """Spend one of ``key``'s tokens if it has one. No await inside: atomic on an event loop."""
        now = self._clock()
        # A key seen for the first time starts full. The default is built on every call, used or not,
        # so it is a tuple: a bucket object with an __init__ here cost more than the arithmetic.
        tokens, counted_at = self._buckets.get(key, (self.burst, now))
        if now > counted_at:  # lazy refill, capped at burst; a clock that has not moved adds nothing
            tokens = min(self.burst, tokens + (now - counted_at) * self.rate)
        if tokens < 1:
            # A refusal costs nothing: the client is told when one whole token will be there.
            self._buckets[key] = (tokens, now)
            return Decision(False, 0, (1 - tokens) / self.rate)
        self._buckets[key] = (tokens - 1, now)
        return Decision(True, math.floor(tokens - 1), 0.0)


class RateLimitMiddleware:
    """Pure ASGI middleware: one bucket per client address; over the limit, a 429 with Retry-After."""

    def __init__(self, app: ASGIApp, limiter: TokenBucketLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan and websocket messages are not requests to limit
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        key = client[0] if client else "unknown"
        decision = self.limiter.hit(key)
        if decision.allowed:
            await self.app(scope, receive, send)
            return
        # Retry-After is whole seconds: round UP, or a client retrying on time is refused again.
        seconds = max(1, math.ceil(decision.retry_after))
        response = JSONResponse(
            {"detail": "rate limit exceeded", "retry_after": seconds},
            status_code=429,
            headers={"Retry-After": str(seconds)},
        )
        await response(scope, receive, send)


def create_app(limiter: TokenBucketLimiter) -> FastAPI:
    app = FastAPI()
    app.add_middleware(RateLimitMiddleware, limiter=limiter)

    @app.get("/ping")
    async def ping() -> dict[str, bool]:
        return {"pong": True}

    return app
