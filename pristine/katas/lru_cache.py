"""LRU cache (kata, ~20 min).

"Build a cache that holds at most `capacity` entries. When it is full and a new key arrives, drop the
entry that was used least recently. Both `get` and `put` must be O(1)."

- `LRUCache(capacity)`: capacity must be an int >= 1 (a bool, a float such as 2.5 or even 2.0, or a str
  is not), otherwise raise ValueError with a message that names `capacity`.
- `get(key, default=None)`: the value, or `default` if absent. A hit makes the key most recent. A stored
  value that is falsy (0, "", []) is still a hit.
- `put(key, value)`: insert or update; the key becomes most recent; evict the least recent if over capacity.
- `len(cache)` and `key in cache` (a membership test is not a use: it does not change recency).

Run `dojo check lru_cache`; `dojo hint lru_cache` when stuck.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRUCache(Generic[K, V]):
    def __init__(self, capacity: int) -> None:
        raise NotImplementedError("LRUCache.__init__")  # TODO

    def get(self, key: K, default: V | None = None) -> V | None:
        raise NotImplementedError("LRUCache.get")  # TODO

    def put(self, key: K, value: V) -> None:
        raise NotImplementedError("LRUCache.put")  # TODO

    def __len__(self) -> int:
        raise NotImplementedError("LRUCache.__len__")  # TODO

    def __contains__(self, key: object) -> bool:
        raise NotImplementedError("LRUCache.__contains__")  # TODO
