"""Code review: the in-process LRU cache (~15 min).

"This cache sits in front of the pricing service. Request threads share one instance. It passed its
unit tests; since we raised capacity to 50,000 entries, CPU is up and we see the odd KeyError and a
cache bigger than its capacity. Review it, then fix it."

Read it as a reviewer first: what does one get() cost with 50,000 entries, and what can happen when
two request threads use it at the same time? Then fix this file in place: same class and methods,
O(1) per operation, safe to share between threads, and a file that `dojo lint list_lru` passes.

Run `dojo check list_lru`; `dojo hint list_lru` when stuck.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRUCache(Generic[K, V]):
    """At most `capacity` entries; a full cache drops the least recently used one."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._values: dict[K, V] = {}
        self._order: list[K] = []  # least recently used first

    def get(self, key: K, default: V | None = None) -> V | None:
        if key not in self._values:
            return default
        value = self._values[key]
        self._order.remove(key)
        self._order.append(key)
        return value

    def put(self, key: K, value: V) -> None:
        if key in self._values:
            self._order.remove(key)
        elif len(self._values) >= self.capacity:
            oldest = self._order.pop(0)
            del self._values[oldest]
        self._values[key] = value
        self._order.append(key)

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, key: object) -> bool:
        return key in self._values
