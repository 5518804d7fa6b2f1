"""TTL cache (kata, ~35 min).

"This lookup is slow and gets called with the same inputs all day. Put a cache in front of it:
entries expire, the cache has a size limit, and it must hold up under threads."

- `make_key(prefix, raw, length=16)`: `prefix + ":" + the first `length` hex chars of SHA-256 of raw`
  (UTF-8), so raw input such as an email or a prompt never becomes a cache key.
- `InMemoryBackend(max_entries, clock=time.monotonic)` implements `CacheBackend` (get/set/delete):
  - `set(key, value, ttl)`: the entry lives while `clock() < set_time + ttl`, and is gone from exactly
    `set_time + ttl`; ttl is in seconds and may be fractional (0.25). ValueError naming `ttl` unless ttl
    > 0 (so NaN is refused too). A set, new key or overwrite, makes the key most recent. When over
    `max_entries`, evict the least recently used (whether an expired entry goes first instead is up to
    you).
  - `get(key)`: the live value or None (a hit makes the key most recent). `delete(key)`: forget it.
  - ValueError naming `max_entries` if it is not an int >= 1 (1 is valid; a bool, a str or a float, even
    2.0, is not). Every operation is thread safe.
- `TTLCache(backend, prefix, ttl)`: talks to the backend only through `CacheBackend`, with hashed keys.
  - `get_or_load(raw_key, loader)`: cache-aside. Return the cached value; on a miss (or an expired
    entry) call `loader()`, store its result for `ttl` seconds, return it. A hit takes no lock: read
    the backend first. Threads missing on the same key at once call `loader` ONCE between them; a slow
    load of one key must not hold up other keys. If `loader` raises, cache nothing.
  - `invalidate(raw_key)`: delete the entry. ValueError naming `ttl` unless ttl > 0 (NaN too).
  - None means "miss" (as in Redis), so loaders return non-None values; any other value, falsy ones
    such as 0, "" or [] included, is cached like the rest.

Run `dojo check ttl_cache`; `dojo hint ttl_cache` when stuck.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

V = TypeVar("V")


def make_key(prefix: str, raw: str, length: int = 16) -> str:
    raise NotImplementedError("make_key")  # TODO


class CacheBackend(Protocol[V]):
    def get(self, key: str) -> V | None:
        """The live value stored under ``key``, or None."""
        ...

    def set(self, key: str, value: V, ttl: float) -> None:
        """Store ``value`` under ``key`` for ``ttl`` seconds."""
        ...

    def delete(self, key: str) -> None:
        """Forget ``key``; deleting a missing key is not an error."""
        ...


class InMemoryBackend(Generic[V]):
    def __init__(self, max_entries: int, clock: Callable[[], float] = time.monotonic) -> None:
        raise NotImplementedError("InMemoryBackend.__init__")  # TODO

    def get(self, key: str) -> V | None:
        raise NotImplementedError("InMemoryBackend.get")  # TODO

    def set(self, key: str, value: V, ttl: float) -> None:
        raise NotImplementedError("InMemoryBackend.set")  # TODO

    def delete(self, key: str) -> None:
        raise NotImplementedError("InMemoryBackend.delete")  # TODO


class TTLCache(Generic[V]):
    def __init__(self, backend: CacheBackend[V], prefix: str, ttl: float) -> None:
        raise NotImplementedError("TTLCache.__init__")  # TODO

    def get_or_load(self, raw_key: str, loader: Callable[[], V]) -> V:
        raise NotImplementedError("TTLCache.get_or_load")  # TODO

    def invalidate(self, raw_key: str) -> None:
        raise NotImplementedError("TTLCache.invalidate")  # TODO
