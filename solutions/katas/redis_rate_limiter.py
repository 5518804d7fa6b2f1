"""Redis rate limiter: the token bucket as one Lua script, so every worker shares one atomic bucket.

The in-memory bucket (the rate_limiter kata) lives in one process: under ``uvicorn --workers 3`` each
worker has its own, and a client gets three times the limit. Here the two numbers per key live in a
Redis hash, and the whole read-refill-spend-write runs inside Redis as one script: Redis runs a script
to the end before it serves any other command, so two workers can never both spend the last token.

Time is an argument of the script, read from an injected clock, so tests drive it by hand (Redis's
own TIME would tie them to the wall clock). Lua numbers returned to Redis become integers (0.5 is
truncated to 0), so the script returns its fractions as strings, formatted with 17 significant digits
so they read back exactly.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Final, Protocol

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

# KEYS[1]: the client's bucket, a hash {tokens, ts}. ARGV: rate (tokens/s), burst, now (seconds).
# Returns {allowed (1 or 0), remaining whole tokens, retry_after seconds as a string}.
BUCKET_LUA: Final = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local stored = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(stored[1])
local ts = tonumber(stored[2])
if tokens == nil or ts == nil then
  tokens, ts = burst, now
end
if now > ts then
  tokens = math.min(burst, tokens + (now - ts) * rate)
  ts = now
end
local allowed, retry_after = 0, 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  retry_after = (1 - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'ts', string.format('%.17g', ts))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate * 1000))
return {allowed, math.floor(tokens), string.format('%.17g', retry_after)}
"""


@dataclass(slots=True)
class Decision:
    """The verdict on one hit: allowed or not, whole tokens left, seconds until the next token."""

    allowed: bool
    remaining: int
    retry_after: float


class Limiter(Protocol):
    """What the app needs from a limiter: the Redis bucket here, an in-memory one in the tests."""

    async def hit(self, key: str) -> Decision: ...


class RedisTokenBucket:
    def __init__(
        self,
        redis: Redis,
        rate: float,
        burst: int,
        *,
        clock: Callable[[], float] = time.time,
        prefix: str = "ratelimit",
    ) -> None:
        # `not rate > 0` also refuses NaN, which every comparison answers with False.
        if not rate > 0:
            raise ValueError(f"rate must be a positive number of tokens per second, got {rate!r}")
        if isinstance(burst, bool) or not isinstance(burst, int) or burst < 1:
            raise ValueError(f"burst must be a positive integer, got {burst!r}")
        self.rate = float(rate)
        self.burst = burst
        self.prefix = prefix
        self._clock = clock
        # register_script sends EVALSHA, and on NOSCRIPT (a restarted server) loads the script and retries.
        self._script = redis.register_script(BUCKET_LUA)

    async def hit(self, key: str) -> Decision:
        """Spend one of ``key``'s tokens if it has one: one script call, atomic across every worker."""
        allowed, remaining, retry_after = await self._script(
            keys=[f"{self.prefix}:{key}"], args=[self.rate, self.burst, self._clock()]
        )
        return Decision(allowed == 1, int(remaining), float(retry_after))


class RateLimited(Exception):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited for {retry_after} s")
        self.retry_after = retry_after


class LimiterUnavailable(Exception):
    """The limiter's store (Redis) did not answer."""


async def limit_by_client(request: Request) -> None:
    """A dependency: one bucket per client host; raises RateLimited or LimiterUnavailable for the handlers."""
    limiter: Limiter = request.app.state.limiter
    key = request.client.host if request.client else "unknown"
    try:
        decision = await limiter.hit(key)
    except (RedisConnectionError, RedisTimeoutError) as error:
        raise LimiterUnavailable() from error
    if not decision.allowed:
        raise RateLimited(decision.retry_after)


def _envelope(status_code: int, code: str, message: str, retry_after: int) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message, "retry_after": retry_after}
    return JSONResponse({"error": body}, status_code=status_code, headers={"Retry-After": str(retry_after)})


async def rate_limited_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RateLimited)
    # Retry-After is whole seconds: round UP, or a client retrying on time is refused again.
    seconds = max(1, math.ceil(exc.retry_after))
    return _envelope(429, "rate_limited", "too many requests; retry later", seconds)


async def limiter_unavailable_handler(request: Request, exc: Exception) -> JSONResponse:
    return _envelope(503, "limiter_unavailable", "the rate limiter is unavailable; retry later", 1)


RateLimit = Annotated[None, Depends(limit_by_client)]


def create_app(limiter: Limiter) -> FastAPI:
    app = FastAPI()
    app.state.limiter = limiter
    app.add_exception_handler(RateLimited, rate_limited_handler)
    app.add_exception_handler(LimiterUnavailable, limiter_unavailable_handler)

    @app.get("/ping")
    async def ping(_: RateLimit) -> dict[str, bool]:
        return {"pong": True}

    return app
