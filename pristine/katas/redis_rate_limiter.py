"""Redis rate limiter (kata, ~40 min).

"Your token bucket works, until we run `uvicorn --workers 3`: every worker has its own buckets and a
client gets three times the limit. Move the bucket into Redis so every worker shares it."

- `BUCKET_LUA`: the whole bucket as one Lua script, so read-refill-spend-write is atomic for
  every worker. KEYS[1] is the bucket (a hash of two fields); ARGV is rate, burst, now (seconds).
  The rules are the rate_limiter kata's: a new key starts full; refill lazily by
  `(now - stored time) * rate`, never above burst; spend one token if there is a whole one; a
  refused hit costs nothing. A `now` behind the stored time (another worker's clock) neither
  refills nor moves the stored time back. After each hit, PEXPIRE the key for as long as the bucket
  needs to be full again, `ceil((burst - tokens) / rate * 1000)` ms: a missing key is a full bucket.
  Careful: a Lua number returned to Redis is truncated to an integer, so return fractions as
  strings (`string.format('%.17g', x)` reads back exactly).
- `RedisTokenBucket(redis, rate, burst, *, clock=time.time, prefix="ratelimit")`: ValueError naming
  `rate` or `burst` unless rate > 0 (NaN is refused) and burst is an int >= 1 (not a bool or 1.5).
  Register the script once (`redis.register_script`: EVALSHA, reloaded on NOSCRIPT).
  `await hit(key) -> Decision`: one script call on the key `"<prefix>:<key>"` with `clock()` as now
  (time is an argument so tests can drive it: never Redis's TIME or time.time() inside hit).
  `remaining` is the whole tokens left; when refused, `retry_after` is the exact seconds until the
  next token (0.0 when allowed). Hits from several clients at once spend each token once.
- `limit_by_client` (a FastAPI dependency, already on `/ping`): one client is one host,
  `request.client.host`, whatever its port; no client address shares the bucket "unknown". Raise
  `RateLimited(retry_after)` when refused, and `LimiterUnavailable` when Redis is unreachable (redis's
  ConnectionError or TimeoutError).
- The handlers answer in the error envelope `{"error": {"code", "message", "retry_after"}}` with a
  `Retry-After` header of the same whole seconds: 429 `rate_limited`, seconds rounded UP, at least 1;
  503 `limiter_unavailable` with 1 second (Redis down is never a 500).

The tests run on fakeredis (embedded, with real Lua) and on a real redis-server when DOJO_REDIS_URL is
set (`eval "$(uv run dojo redis start)"`), where one also runs this app under uvicorn --workers 3.

Run `dojo check redis_rate_limiter`; `dojo hint redis_rate_limiter` when stuck.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Final, Protocol

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from redis.asyncio import Redis

BUCKET_LUA: Final = """
-- TODO: the token bucket. KEYS[1]: the bucket. ARGV: rate, burst, now.
-- Return {allowed (1 or 0), remaining whole tokens, retry_after as a string}.
return {0, 0, '0'}
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
        raise NotImplementedError("RedisTokenBucket.__init__")  # TODO

    async def hit(self, key: str) -> Decision:
        raise NotImplementedError("RedisTokenBucket.hit")  # TODO


class RateLimited(Exception):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited for {retry_after} s")
        self.retry_after = retry_after


class LimiterUnavailable(Exception):
    """The limiter's store (Redis) did not answer."""


async def limit_by_client(request: Request) -> None:
    """A dependency: one bucket per client host; raises RateLimited or LimiterUnavailable for the handlers."""
    limiter: Limiter = request.app.state.limiter
    raise NotImplementedError("limit_by_client")  # TODO


async def rate_limited_handler(request: Request, exc: Exception) -> JSONResponse:
    raise NotImplementedError("rate_limited_handler")  # TODO


async def limiter_unavailable_handler(request: Request, exc: Exception) -> JSONResponse:
    raise NotImplementedError("limiter_unavailable_handler")  # TODO


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
