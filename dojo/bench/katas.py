"""The kata workloads: the LRU cache, the TTL cache and the token bucket, against the libraries.

Every contender gets the same seeded key sequence and is driven the same way (its methods bound to
locals once, then one call per access), so the loop's own cost is shared and the ratios compare the
caches, not the drivers. All of it runs in this process and one thread, so it is timed by the
process's CPU clock. The LRU workload also times that loop around a cache that does nothing (its
floor) and judges its goal on what each cache costs above it.
"""

from __future__ import annotations

import functools
import random
import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any

from dojo.bench.context import Context, library, unavailable
from dojo.bench.harness import Contender, Goal, Run, Workload, scaled

LRU_ACCESSES, LRU_KEYS, LRU_CAPACITY = 1_000_000, 2_000, 1_000
TTL_ACCESSES, TTL_KEYS, TTL_CAPACITY, TTL_SECONDS = 200_000, 2_000, 1_000, 60.0
HITS, CLIENTS, RATE, BURST = 1_000_000, 1_000, 100.0, 100


def _keys(ctx: Context, count: int, distinct: int) -> list[int]:
    rng = random.Random(ctx.seed)
    return [rng.randrange(distinct) for _ in range(count)]


def _contender(
    name: str, kind: Any, build: Callable[[], Callable[[], None]], note: str = "", floored: bool = True
) -> Contender:
    """A contender whose untimed ``build`` returns the synchronous step to time."""

    async def prepare() -> Run:
        step = build()

        async def run() -> None:
            step()

        return run

    return Contender(name, kind, prepare, note=note, floored=floored)


# ---- LRU ----


def lru(ctx: Context) -> list[Workload]:
    accesses = scaled(LRU_ACCESSES, ctx.scale)
    keys = _keys(ctx, accesses, LRU_KEYS)

    def with_get_and_put(make: Callable[[int], Any]) -> Callable[[], Callable[[], None]]:
        def build() -> Callable[[], None]:
            cache = make(LRU_CAPACITY)
            get, put = cache.get, cache.put

            def step() -> None:
                for key in keys:  # cache-aside: read, and on a miss store what the source would return
                    if get(key) is None:
                        put(key, key)

            return step

        return build

    contenders = [
        _contender(row, kind, with_get_and_put(module.LRUCache)) for row, kind, module in ctx.katas("lru_cache")
    ]
    cachetools = library("cachetools")
    if cachetools is None:
        contenders.append(unavailable("cachetools.LRUCache", "alternative", "cachetools"))
    else:

        def build_cachetools() -> Callable[[], None]:
            cache = cachetools.LRUCache(maxsize=LRU_CAPACITY)
            get = cache.get

            def step() -> None:
                for key in keys:
                    if get(key) is None:
                        cache[key] = key

            return step

        contenders.append(_contender("cachetools.LRUCache", "alternative", build_cachetools, "pure Python"))

    def build_functools() -> Callable[[], None]:
        load = functools.lru_cache(maxsize=LRU_CAPACITY)(_identity)

        def step() -> None:
            for key in keys:
                load(key)

        return step

    contenders.append(
        _contender(
            "functools.lru_cache", "alternative", build_functools, "C; memoises a function, no put", floored=False
        )
    )
    # The loop, a Python get and a put that do nothing: what driving any cache costs here, the floor.
    contenders.append(_contender(LRU_FLOOR, "alternative", with_get_and_put(_Empty), "does nothing: the floor"))
    title = f"LRU cache: {accesses:,} cache-aside accesses over {LRU_KEYS:,} keys, capacity {LRU_CAPACITY:,}"
    goals = (Goal("cachetools.LRUCache", 3.0),)
    return [
        Workload(
            "lru", "lru_cache", title, "accesses", accesses, tuple(contenders), goals, clock="cpu", floor=LRU_FLOOR
        )
    ]


LRU_FLOOR = "empty get/put"


def _identity(key: int) -> int:
    return key


class _Empty:
    """Stores nothing, and "hits" the keys below its capacity (half of them, as the real caches do here):
    timing it measures the method calls alone."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity

    def get(self, key: int, default: int | None = None) -> int | None:
        return key if key < self.capacity else default

    def put(self, key: int, value: int) -> None:
        return None


# ---- TTL cache ----


def ttl(ctx: Context) -> list[Workload]:
    accesses = scaled(TTL_ACCESSES, ctx.scale)
    raw_keys = [f"user-{n}@example.com" for n in _keys(ctx, accesses, TTL_KEYS)]

    def value() -> str:
        return "profile"

    def with_get_or_load(module: ModuleType) -> Callable[[], Callable[[], None]]:
        def build() -> Callable[[], None]:
            cache = module.TTLCache(module.InMemoryBackend(max_entries=TTL_CAPACITY), prefix="user", ttl=TTL_SECONDS)
            get_or_load = cache.get_or_load

            def step() -> None:
                for raw in raw_keys:
                    get_or_load(raw, value)

            return step

        return build

    contenders = [
        _contender(row, kind, with_get_or_load(module), "get_or_load: SHA-256 key, locks")
        for row, kind, module in ctx.katas("ttl_cache")
    ]
    cachetools = library("cachetools")
    if cachetools is None:
        contenders.append(unavailable("cachetools.TTLCache + Lock", "alternative", "cachetools"))
    else:

        def build_cachetools() -> Callable[[], None]:
            cache = cachetools.TTLCache(maxsize=TTL_CAPACITY, ttl=TTL_SECONDS)
            lock = threading.Lock()  # cachetools is not thread safe; the reference's backend is
            get = cache.get

            def step() -> None:
                for raw in raw_keys:
                    with lock:
                        found = get(raw)
                    if found is None:
                        loaded = value()
                        with lock:
                            cache[raw] = loaded

            return step

        contenders.append(
            _contender("cachetools.TTLCache + Lock", "alternative", build_cachetools, "raw keys, one lock")
        )
    title = (
        f"TTL cache: {accesses:,} cache-aside accesses over {TTL_KEYS:,} keys, capacity {TTL_CAPACITY:,}, "
        f"TTL {TTL_SECONDS:.0f} s"
    )
    return [Workload("ttl", "ttl_cache", title, "accesses", accesses, tuple(contenders), clock="cpu")]


# ---- token bucket ----


def token_bucket(ctx: Context) -> list[Workload]:
    hits = scaled(HITS, ctx.scale)
    clients = [f"10.0.{n // 256}.{n % 256}" for n in _keys(ctx, hits, CLIENTS)]

    def with_hit(module: ModuleType) -> Callable[[], Callable[[], None]]:
        def build() -> Callable[[], None]:
            hit = module.TokenBucketLimiter(rate=RATE, burst=BURST).hit

            def step() -> None:
                for client in clients:
                    hit(client)

            return step

        return build

    contenders = [
        _contender(row, kind, with_hit(module), "returns a Decision") for row, kind, module in ctx.katas("rate_limiter")
    ]
    limits = library("limits")
    for strategy, name in (
        ("FixedWindowRateLimiter", "limits fixed window"),
        ("MovingWindowRateLimiter", "limits moving window"),
    ):
        if limits is None:
            contenders.append(unavailable(name, "alternative", "limits"))
            continue
        contenders.append(
            _contender(name, "alternative", _limits_build(limits, strategy, clients), "MemoryStorage; returns a bool")
        )
    title = f"token bucket: {hits:,} hits over {CLIENTS:,} clients, {RATE:.0f} per second, burst {BURST}"
    goals = (Goal("limits fixed window", 4.0),)
    return [Workload("rate", "rate_limiter", title, "hits", hits, tuple(contenders), goals, clock="cpu")]


def _limits_build(limits: ModuleType, strategy: str, clients: list[str]) -> Callable[[], Callable[[], None]]:
    strategies, storage = library("limits.strategies"), library("limits.storage")
    assert strategies is not None  # both come with limits itself
    assert storage is not None

    def build() -> Callable[[], None]:
        limiter = getattr(strategies, strategy)(storage.MemoryStorage())
        item = limits.RateLimitItemPerSecond(int(RATE))
        hit = limiter.hit

        def step() -> None:
            for client in clients:
                hit(item, client)

        return step

    return build
