"""The in-process LRU cache, reviewed: O(1) per operation, and one lock around each one.

Two problems in the flawed version:

- Recency lived in a list. ``list.remove`` scans (and compares keys) until it finds the key, and
  ``pop(0)`` shifts every element left: each get and put was O(n), 50,000 steps at capacity 50,000.
  ``OrderedDict`` is a dict plus a doubly linked list, so ``move_to_end`` and ``popitem(last=False)``
  are O(1).
- Request threads shared it with no lock. Each method is several steps (look up, then reorder; check
  the size, then insert), and a thread switch between two steps lets another thread act on a state
  that is about to change: a get whose key was evicted under it raises KeyError, two puts that both
  saw room leave the cache over capacity. The GIL makes single bytecodes atomic, not methods. One
  ``threading.Lock`` held for the whole of each method makes every operation atomic.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRUCache(Generic[K, V]):
    """At most `capacity` entries; a full cache drops the least recently used one. Thread-safe."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._entries: OrderedDict[K, V] = OrderedDict()  # least recently used first
        self._lock = threading.Lock()

    def get(self, key: K, default: V | None = None) -> V | None:
        with self._lock:
            if key not in self._entries:
                return default
            self._entries.move_to_end(key)
            return self._entries[key]

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            if len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._entries
