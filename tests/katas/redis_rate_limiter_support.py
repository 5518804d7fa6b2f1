"""Helpers for the redis_rate_limiter tests: the plain-Python bucket model, and the app uvicorn's workers run.

``BucketModel`` is the token bucket of the rate_limiter kata, in one process's memory: the Hypothesis
test compares the Redis script against it, and the multi-worker test serves it as the in-memory
limiter that each worker holds on its own. ``create_worker_app`` is the factory that
``uvicorn --factory --workers N`` imports in every worker; it reads its set-up from the environment and
serves the kata's app twice, on the in-memory limiter and on the Redis one.
"""

from __future__ import annotations

import math
import os
import time
from typing import Final

from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from katas.redis_rate_limiter import Decision, Limiter, RedisTokenBucket, create_app

REDIS_ENV: Final = "DOJO_REDIS_URL"
PID_HEADER: Final = "x-worker-pid"
# The worker app's set-up, passed by the test through the environment of `uvicorn --workers`.
PREFIX_ENV: Final = "DOJO_TEST_LIMITER_PREFIX"
RATE_ENV: Final = "DOJO_TEST_LIMITER_RATE"
BURST_ENV: Final = "DOJO_TEST_LIMITER_BURST"


class BucketModel:
    """Token buckets per key, refilled lazily from the ``now`` each hit is given. The rules of the brief."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self.buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, when counted)

    def hit(self, key: str, now: float) -> tuple[bool, int, float]:
        tokens, counted_at = self.buckets.get(key, (float(self.burst), now))
        if now > counted_at:  # a clock behind the stored time neither refills nor moves it back
            tokens = min(float(self.burst), tokens + (now - counted_at) * self.rate)
            counted_at = now
        if tokens >= 1:
            self.buckets[key] = (tokens - 1, counted_at)
            return True, math.floor(tokens - 1), 0.0
        self.buckets[key] = (tokens, counted_at)
        return False, 0, (1 - tokens) / self.rate


class MemoryLimiter:
    """The in-memory limiter, behind the same async ``hit`` as the Redis one: each process has its own."""

    def __init__(self, rate: float, burst: int) -> None:
        self.model = BucketModel(rate, burst)

    async def hit(self, key: str) -> Decision:
        return Decision(*self.model.hit(key, time.time()))


class PidHeader:
    """Pure ASGI: every HTTP response says which worker process answered it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_pid(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (PID_HEADER.encode(), str(os.getpid()).encode())]
            await send(message)

        await self.app(scope, receive, send_with_pid if scope["type"] == "http" else send)


def create_worker_app() -> Starlette:
    """Both limiters in one app, so one `uvicorn --workers N` serves them: /memory/ping and /redis/ping."""
    rate, burst = float(os.environ[RATE_ENV]), int(os.environ[BURST_ENV])
    redis_bucket = RedisTokenBucket(Redis.from_url(os.environ[REDIS_ENV]), rate, burst, prefix=os.environ[PREFIX_ENV])
    limiters: dict[str, Limiter] = {"memory": MemoryLimiter(rate, burst), "redis": redis_bucket}
    app = Starlette(routes=[Mount(f"/{name}", app=create_app(limiter)) for name, limiter in limiters.items()])
    app.add_middleware(PidHeader)
    return app
