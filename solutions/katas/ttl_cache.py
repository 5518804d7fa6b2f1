"""TTL cache: cache-aside loading over a small backend interface, with hashed keys and single-flight.

- ``CacheBackend`` is what Redis would also satisfy: get/set-with-TTL/delete, ``None`` for a miss.
- ``InMemoryBackend`` is an OrderedDict of (value, expires_at): LRU order for eviction, a deadline
  per entry checked lazily on read, one lock around every operation.
- ``TTLCache.get_or_load`` reads without locking (hits are the hot path). On a miss it takes that
  key's lock, checks again (someone may have loaded it while we waited), and only then loads.
  Per-key locks live in a WeakValueDictionary, so the table shrinks as soon as no thread holds one.
"""

from __future__ import annotations

import hashlib
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

V = TypeVar("V")


def make_key(prefix: str, raw: str, length: int = 16) -> str:
    """``prefix:<first `length` hex chars of sha256(raw)>``: raw input (an email, a prompt) never becomes a key."""
    digest = hashlib.sha256(raw.encode("utf-8")).hexdigest()
    return f"{prefix}:{digest[:length]}"


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
        if isinstance(max_entries, bool) or not isinstance(max_entries, int) or max_entries < 1:
            raise ValueError(f"max_entries must be a positive integer, got {max_entries!r}")
        self.max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, tuple[V, float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> V | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            value, expires_at = entry
            if self._clock() >= expires_at:  # alive on [set, set + ttl): gone at exactly the TTL
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return value

    def set(self, key: str, value: V, ttl: float) -> None:
        if not ttl > 0:
            raise ValueError(f"ttl must be a positive number of seconds, got {ttl!r}")
        with self._lock:
            self._entries[key] = (value, self._clock() + ttl)
            self._entries.move_to_end(key)
            if len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def delete(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)


class TTLCache(Generic[V]):
    def __init__(self, backend: CacheBackend[V], prefix: str, ttl: float) -> None:
        if not ttl > 0:
            raise ValueError(f"ttl must be a positive number of seconds, got {ttl!r}")
        self._backend = backend
        self.prefix = prefix
        self.ttl = ttl
        self._locks: weakref.WeakValueDictionary[str, threading.Lock] = weakref.WeakValueDictionary()
        self._locks_guard = threading.Lock()

    def get_or_load(self, raw_key: str, loader: Callable[[], V]) -> V:
        key = make_key(self.prefix, raw_key)
        value = self._backend.get(key)
        if value is not None:
            return value
        with self._locks_guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            value = self._backend.get(key)  # another thread may have loaded it while we waited
            if value is None:
                value = loader()  # if this raises, nothing is cached and the lock is released
                self._backend.set(key, value, self.ttl)
            return value

    def invalidate(self, raw_key: str) -> None:
        self._backend.delete(make_key(self.prefix, raw_key))
