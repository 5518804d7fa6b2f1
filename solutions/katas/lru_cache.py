"""LRU cache: a dict that remembers order, so every operation is O(1).

``OrderedDict`` is a hash map plus a doubly linked list: ``move_to_end`` and ``popitem(last=False)``
relink nodes in constant time. (Written by hand it is the same: a dict from key to list node.)
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRUCache(Generic[K, V]):
    # Two fixed attributes: slots make reading them a fixed offset, not a dict lookup, and a typo such
    # as self._entires = ... an AttributeError instead of a silent new attribute.
    __slots__ = ("_entries", "capacity")

    def __init__(self, capacity: int) -> None:
        # bool is an int subclass; LRUCache(True) is a bug, not a cache of one.
        if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
            raise ValueError(f"capacity must be a positive integer, got {capacity!r}")
        self.capacity = capacity
        self._entries: OrderedDict[K, V] = OrderedDict()

    # get and put run on every request, so each does the fewest dict operations it can: the dict is
    # bound to a local once, a hit costs a membership test, a relink and a read, a new key is never
    # relinked (a write puts it at the end already), and the eviction passes last=False by position
    # (popitem(False) pops the oldest; a keyword argument to a C method is parsed on every call).

    def get(self, key: K, default: V | None = None) -> V | None:
        entries = self._entries
        if key not in entries:
            return default
        entries.move_to_end(key)
        return entries[key]

    def put(self, key: K, value: V) -> None:
        entries = self._entries
        if key in entries:
            entries.move_to_end(key)  # an update keeps its old place unless moved
        entries[key] = value
        if len(entries) > self.capacity:
            entries.popitem(False)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries
