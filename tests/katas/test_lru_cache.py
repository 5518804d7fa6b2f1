"""lru_cache: a bounded cache that evicts the least recently used key, O(1) per operation."""

from __future__ import annotations

from collections import OrderedDict

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from katas.lru_cache import LRUCache


@pytest.mark.parametrize(
    "capacity",
    [0, -1, 2.5, 2.0, "3", "two", True],
    ids=["zero", "negative", "float", "whole_float", "str", "word", "bool"],
)
def test_rejects_a_capacity_that_is_not_a_positive_int(capacity):
    with pytest.raises(ValueError, match="capacity"):
        LRUCache(capacity)


def test_get_returns_what_put_stored_and_default_when_absent():
    cache: LRUCache[str, int] = LRUCache(2)
    cache.put("a", 1)
    assert cache.get("a") == 1
    assert cache.get("missing") is None
    assert cache.get("missing", 0) == 0


@pytest.mark.parametrize("value", [0, "", [], False, 0.0], ids=["zero", "empty-str", "empty-list", "false", "zero-float"])
def test_a_falsy_value_is_a_hit_not_a_miss(value):
    cache: LRUCache[str, object] = LRUCache(2)
    cache.put("a", value)
    cache.put("b", 1)
    assert cache.get("a", "default") == value, "a cached 0, '' or [] is a value: only an absent key gives the default"
    cache.put("c", 2)  # the hit on 'a' made it most recent, so 'b' goes
    assert "a" in cache, "reading a falsy value is a use too: it must refresh the key's recency"
    assert "b" not in cache


def test_a_full_cache_evicts_the_least_recently_used_key():
    cache: LRUCache[str, int] = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("c", 3)
    assert "a" not in cache, "'a' was used least recently, so it should have been evicted"
    assert cache.get("b") == 2
    assert cache.get("c") == 3
    assert len(cache) == 2


def test_get_makes_a_key_most_recent():
    cache: LRUCache[str, int] = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # 'a' is now the most recent, so 'b' goes next
    cache.put("c", 3)
    assert "b" not in cache, "get('a') should have refreshed 'a', leaving 'b' as least recent"
    assert "a" in cache


def test_updating_a_key_replaces_its_value_refreshes_it_and_evicts_nothing():
    cache: LRUCache[str, int] = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("a", 10)
    assert len(cache) == 2, "updating an existing key must not count as a new entry"
    assert cache.get("b") == 2
    cache.put("c", 3)  # 'a' was refreshed by the update, then 'b' by get: 'a' is least recent now
    assert cache.get("a") is None
    assert cache.get("b") == 2


def test_a_membership_test_does_not_change_recency():
    cache: LRUCache[str, int] = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert "a" in cache
    cache.put("c", 3)
    assert "a" not in cache, "`in` is a peek, not a use: 'a' should still have been least recent"


def test_capacity_one_keeps_only_the_latest_key():
    cache: LRUCache[int, str] = LRUCache(1)
    cache.put(1, "one")
    cache.put(2, "two")
    assert (cache.get(1), cache.get(2), len(cache)) == (None, "two", 1)


class CountedKey:
    """A key that counts how often the cache compares it: an O(n) scan compares it n times."""

    comparisons = 0

    def __init__(self, n: int) -> None:
        self.n = n

    def __hash__(self) -> int:
        return self.n

    def __eq__(self, other: object) -> bool:
        CountedKey.comparisons += 1
        return isinstance(other, CountedKey) and other.n == self.n


def test_get_and_put_do_not_scan_the_entries():
    size = 2_000
    cache: LRUCache[CountedKey, int] = LRUCache(size)
    keys = [CountedKey(n) for n in range(size)]
    for key in keys:
        cache.put(key, key.n)
    CountedKey.comparisons = 0
    for key in keys[size // 2 : size // 2 + 50]:  # from the middle: a scan would pass ~1,000 others
        assert cache.get(key) == key.n
        cache.put(key, key.n + 1)
    per_operation = CountedKey.comparisons / 100
    assert per_operation < 5, f"{per_operation:.0f} key comparisons per operation: something walks a list (O(n))"


class CacheAgainstModel(RuleBasedStateMachine):
    """Random sequences of get/put must match a model that is obviously right (and slow)."""

    capacity = 3

    def __init__(self) -> None:
        super().__init__()
        self.cache: LRUCache[int, int] = LRUCache(self.capacity)
        self.model: OrderedDict[int, int] = OrderedDict()

    @rule(key=st.integers(0, 6), value=st.integers())
    def put(self, key: int, value: int) -> None:
        self.cache.put(key, value)
        self.model[key] = value
        self.model.move_to_end(key)
        while len(self.model) > self.capacity:
            self.model.popitem(last=False)

    @rule(key=st.integers(0, 6))
    def get(self, key: int) -> None:
        expected = self.model.get(key)
        if key in self.model:
            self.model.move_to_end(key)
        assert self.cache.get(key) == expected

    @precondition(lambda self: bool(self.model))
    @rule()
    def oldest_goes_first(self) -> None:
        assert next(iter(self.model)) in self.cache

    @invariant()
    def same_keys(self) -> None:
        assert len(self.cache) == len(self.model)
        assert all(key in self.cache for key in self.model)


TestCacheAgainstModel = CacheAgainstModel.TestCase
TestCacheAgainstModel.settings = settings(max_examples=60, stateful_step_count=25)
