"""list_lru: the shared LRU cache must do O(1) work per operation and stay correct across threads.

The thread tests do not hope for an unlucky thread switch: they force one. A key can pause the thread
that hashes it, so thread A is stopped halfway through a cache operation (the cache hashes a key on
every dict lookup), thread B gets its turn, then A carries on. A cache with a lock keeps B waiting
until A is done; the flawed cache lets B change the entries under A's feet.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from reviews.list_lru import LRUCache

# How long thread B gets to finish while A is paused. A correct cache makes B wait for A's lock, so B
# cannot finish and this wait simply runs out; the verdict never depends on how long it is.
B_GETS_A_TURN = 0.5
GIVE_UP = 10.0


class Key:
    """A cache key that counts equality checks and can pause the thread hashing it."""

    comparisons = 0

    def __init__(self, name: str) -> None:
        self.name = name
        self.on_hash: Callable[[], None] | None = None

    def __hash__(self) -> int:
        if self.on_hash is not None:
            self.on_hash()
        return hash(self.name)

    def __eq__(self, other: object) -> bool:
        Key.comparisons += 1
        return isinstance(other, Key) and other.name == self.name

    def __repr__(self) -> str:
        return f"Key({self.name!r})"


class Worker(threading.Thread):
    """A thread that runs one cache operation and keeps its result or exception for the test."""

    def __init__(self, operation: Callable[[], Any]) -> None:
        super().__init__(daemon=True)
        self.operation = operation
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self.operation()
        except BaseException as error:  # the test reports it; a thread must not die silently
            self.error = error


def interleave(key: Key, hash_number: int, a: Callable[[], Any], b: Callable[[], Any]) -> tuple[Worker, Worker]:
    """Run `a` in thread A, pause A when it hashes `key` for the `hash_number`-th time, run `b` in
    thread B meanwhile, then let A finish. Returns both workers, finished."""
    paused, resume = threading.Event(), threading.Event()
    thread_a = Worker(a)
    hashes = 0

    def pause_a() -> None:
        nonlocal hashes
        if threading.current_thread() is not thread_a:
            return
        hashes += 1
        if hashes == hash_number:
            paused.set()
            resume.wait(GIVE_UP)

    key.on_hash = pause_a
    thread_a.start()
    while not paused.wait(0.01):
        if not thread_a.is_alive():  # A never hashed the key that often: nothing to interleave with
            break
    thread_b = Worker(b)
    thread_b.start()
    thread_b.join(B_GETS_A_TURN)
    resume.set()
    thread_a.join(GIVE_UP)
    thread_b.join(GIVE_UP)
    key.on_hash = None
    assert not thread_a.is_alive(), "thread A's cache operation never finished (deadlock?)"
    assert not thread_b.is_alive(), "thread B's cache operation never finished (deadlock?)"
    return thread_a, thread_b


def full_cache() -> tuple[LRUCache[Key, str], Key, Key]:
    """A cache of capacity 2 holding a (least recent) and b."""
    cache: LRUCache[Key, str] = LRUCache(2)
    a, b = Key("a"), Key("b")
    cache.put(a, "A")
    cache.put(b, "B")
    return cache, a, b


@pytest.mark.guard
def test_behaves_as_a_least_recently_used_cache():
    cache, a, b = full_cache()
    assert cache.get(a) == "A"  # a is now the most recent, so b goes next
    c = Key("c")
    cache.put(c, "C")
    assert b not in cache, "b was least recently used and should have been evicted"
    assert (cache.get(a), cache.get(c), len(cache)) == ("A", "C", 2)
    assert cache.get(Key("missing"), "default") == "default"


def test_get_and_put_do_not_scan_the_entries():
    size = 2_000
    cache: LRUCache[Key, int] = LRUCache(size)
    keys = [Key(str(n)) for n in range(size)]
    for n, key in enumerate(keys):
        cache.put(key, n)
    Key.comparisons = 0
    for n, key in enumerate(keys[:50]):  # the oldest keys: a scan from the front finds them late
        assert cache.get(key) == n
        cache.put(key, n)
    per_operation = Key.comparisons / 100
    assert per_operation < 5, (
        f"{per_operation:.0f} key comparisons per get/put with {size} entries: something scans a list of keys "
        "(O(n)); a dict-based structure finds a key by its hash"
    )


def test_a_get_cut_short_by_a_concurrent_eviction_does_not_raise():
    cache, a, _ = full_cache()
    c = Key("c")
    # A: get(a) is paused right after finding `a`; B: put(c) evicts `a`, the least recent key.
    reader, writer = interleave(a, 2, lambda: cache.get(a), lambda: cache.put(c, "C"))
    assert reader.error is None, (
        f"get() raised {reader.error!r} when another thread evicted its key halfway through: "
        "check-then-act without a lock"
    )
    assert writer.error is None, f"put() raised {writer.error!r}"
    assert reader.result == "A", "get() ran before the eviction could land, so it should still see 'A'"


def test_concurrent_puts_never_leave_the_cache_over_capacity():
    cache, _, _ = full_cache()
    c, d = Key("c"), Key("d")
    # A: put(c) is paused after making room for c; B: put(d) sees that room too.
    first, second = interleave(c, 2, lambda: cache.put(c, "C"), lambda: cache.put(d, "D"))
    assert first.error is None, f"put(c) raised {first.error!r}"
    assert second.error is None, f"put(d) raised {second.error!r}"
    assert len(cache) <= cache.capacity, (
        f"two threads each put a new key into a full cache of capacity {cache.capacity} and it now holds "
        f"{len(cache)}: both checked for room before either inserted"
    )


@pytest.mark.guard
def test_a_capacity_of_one_holds_one_entry_and_below_one_is_refused():
    cache: LRUCache[Key, str] = LRUCache(1)
    a, b = Key("a"), Key("b")
    cache.put(a, "A")
    assert cache.get(a) == "A", "a cache of capacity 1 must hold one entry"
    cache.put(b, "B")
    assert (a in cache, cache.get(b), len(cache)) == (False, "B", 1), "a new key must replace the only entry"
    with pytest.raises(ValueError, match="capacity"):
        LRUCache(0)
