"""ttl_cache: TTL expiry and LRU eviction behind a backend interface, cache-aside loading, hashed keys."""

from __future__ import annotations

import hashlib
import threading

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from dojo.testing import FakeClock
from katas.ttl_cache import InMemoryBackend, TTLCache, make_key

# Only a safety net against a hang: a correct answer never waits this long.
HANG_GUARD_SECONDS = 2.0


class SpyBackend:
    """A CacheBackend for testing TTLCache on its own: a plain dict that records what it was asked."""

    def __init__(self) -> None:
        self.data: dict[str, object] = {}
        self.set_calls: list[tuple[str, object, float]] = []
        self.keys_seen: set[str] = set()
        self.reads: list[str] = []
        self._missed_by: set[int] = set()
        self._changed = threading.Condition()

    def get(self, key):
        with self._changed:
            self.keys_seen.add(key)
            self.reads.append(key)
            value = self.data.get(key)
            if value is None:
                self._missed_by.add(threading.get_ident())
                self._changed.notify_all()
            return value

    def set(self, key, value, ttl):
        with self._changed:
            self.keys_seen.add(key)
            self.data[key] = value
            self.set_calls.append((key, value, ttl))

    def delete(self, key):
        with self._changed:
            self.keys_seen.add(key)
            self.data.pop(key, None)

    def wait_for_misses_from(self, threads: int) -> int:
        """Block until `threads` different threads have each seen a miss; returns how many did."""
        with self._changed:
            self._changed.wait_for(lambda: len(self._missed_by) >= threads, timeout=HANG_GUARD_SECONDS)
            return len(self._missed_by)


class CountingLoader:
    def __init__(self, value: object = "loaded") -> None:
        self.value = value
        self.calls = 0

    def __call__(self) -> object:
        self.calls += 1
        return self.value


# ---- make_key ----


def test_make_key_is_the_prefix_and_a_sha256_prefix_of_the_raw_input():
    expected = "user:" + hashlib.sha256(b"ada@example.com").hexdigest()[:16]
    assert make_key("user", "ada@example.com") == expected
    assert make_key("user", "ada@example.com", length=8) == expected[:13]


def test_make_key_hashes_utf8_and_never_contains_the_raw_input():
    raw = "résumé of Ada Lovelace"
    key = make_key("prompt", raw)
    assert key == "prompt:" + hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]
    assert raw not in key
    assert make_key("prompt", raw) != make_key("prompt", raw + " "), "different inputs need different keys"


# ---- the in-memory backend ----


@pytest.mark.parametrize(
    "max_entries", [0, -1, 2.5, 2.0, "2", True], ids=["zero", "negative", "float", "whole_float", "str", "bool"]
)
def test_backend_rejects_a_size_that_is_not_a_positive_int(max_entries):
    with pytest.raises(ValueError, match="max_entries"):
        InMemoryBackend(max_entries=max_entries, clock=FakeClock())


def test_a_backend_of_size_one_keeps_the_newest_entry():
    backend: InMemoryBackend[str] = InMemoryBackend(max_entries=1, clock=FakeClock())
    backend.set("a", "1", ttl=10)
    assert backend.get("a") == "1", "max_entries=1 is a valid size: it holds one entry"
    backend.set("b", "2", ttl=10)
    assert (backend.get("a"), backend.get("b")) == (None, "2")


@pytest.mark.parametrize("ttl", [0.25, 0.5, 1.5], ids=["quarter_second", "half_second", "fractional"])
def test_a_sub_second_or_fractional_ttl_is_valid_and_exact(ttl):
    clock = FakeClock()
    backend: InMemoryBackend[str] = InMemoryBackend(max_entries=2, clock=clock)
    backend.set("k", "v", ttl=ttl)
    clock.advance(ttl * 0.9)
    assert backend.get("k") == "v", f"a ttl of {ttl} s is a positive number of seconds: the entry is alive before it"
    clock.advance(ttl * 0.1)
    assert backend.get("k") is None, f"the entry must be gone exactly {ttl} s after it was set"
    cache: TTLCache[str] = TTLCache(backend, prefix="p", ttl=ttl)
    assert cache.get_or_load("x", lambda: "loaded") == "loaded"


@pytest.mark.parametrize(
    "value", [0, "", [], False, 0.0], ids=["zero", "empty_str", "empty_list", "false", "zero_float"]
)
def test_a_falsy_value_is_a_value_not_a_miss(value):
    clock = FakeClock()
    backend: InMemoryBackend[object] = InMemoryBackend(max_entries=2, clock=clock)
    backend.set("k", value, ttl=10)
    got = backend.get("k")
    assert got == value, f"get returned {got!r} for a stored {value!r}: only None means a miss"
    assert type(got) is type(value), f"get returned {got!r} for a stored {value!r}: only None means a miss"
    spy = SpyBackend()
    cache: TTLCache[object] = TTLCache(spy, prefix="p", ttl=10)
    loader = CountingLoader(value)
    assert cache.get_or_load("x", loader) == value
    reads_before = len(spy.reads)
    assert cache.get_or_load("x", loader) == value
    assert loader.calls == 1, f"a loaded {value!r} is cached like any other value; only None is a miss"
    assert len(spy.reads) - reads_before == 1, (
        f"a hit on a cached {value!r} should read the backend once and return (the hit path takes no lock)"
    )


@pytest.mark.parametrize("ttl", [0, -5, -0.5, float("nan")], ids=["zero", "negative", "negative_fraction", "nan"])
def test_backend_rejects_a_ttl_that_is_not_positive(ttl):
    backend: InMemoryBackend[str] = InMemoryBackend(max_entries=2, clock=FakeClock())
    with pytest.raises(ValueError, match="ttl"):
        backend.set("k", "v", ttl=ttl)


def test_backend_get_set_and_delete():
    backend: InMemoryBackend[str] = InMemoryBackend(max_entries=2, clock=FakeClock())
    assert backend.get("k") is None
    backend.set("k", "v", ttl=10)
    assert backend.get("k") == "v"
    backend.delete("k")
    assert backend.get("k") is None
    backend.delete("never-there")  # not an error


def test_an_entry_lives_until_just_before_its_ttl_and_is_gone_exactly_at_it():
    clock = FakeClock()
    backend: InMemoryBackend[str] = InMemoryBackend(max_entries=2, clock=clock)
    backend.set("k", "v", ttl=10)
    clock.advance(9.875)
    assert backend.get("k") == "v", "set 9.875 s ago with ttl=10: still alive"
    clock.advance(0.125)
    assert backend.get("k") is None, "set exactly 10 s ago with ttl=10: expired (alive while now < set_time + ttl)"


def test_setting_a_key_again_restarts_its_ttl():
    clock = FakeClock()
    backend: InMemoryBackend[str] = InMemoryBackend(max_entries=2, clock=clock)
    backend.set("k", "old", ttl=10)
    clock.advance(8)
    backend.set("k", "new", ttl=10)
    clock.advance(8)
    assert backend.get("k") == "new", "the second set at t=8 should live until t=18"


def test_a_full_backend_evicts_the_least_recently_used_key():
    backend: InMemoryBackend[str] = InMemoryBackend(max_entries=2, clock=FakeClock())
    backend.set("a", "A", ttl=60)
    backend.set("b", "B", ttl=60)
    assert backend.get("a") == "A"  # 'a' is now the most recent, so 'b' goes first
    backend.set("c", "C", ttl=60)
    got = {key: backend.get(key) for key in "abc"}
    assert got == {"a": "A", "b": None, "c": "C"}, (
        f"expected 'b' (least recently used) to be evicted, got {got}: does get() refresh recency, "
        "and do you evict from the old end?"
    )


def test_overwriting_a_key_evicts_nothing():
    backend: InMemoryBackend[str] = InMemoryBackend(max_entries=2, clock=FakeClock())
    backend.set("a", "A", ttl=60)
    backend.set("b", "B", ttl=60)
    backend.set("a", "A2", ttl=60)
    assert (backend.get("a"), backend.get("b")) == ("A2", "B"), "two keys fit in max_entries=2"


def test_overwriting_a_key_makes_it_most_recent():
    backend: InMemoryBackend[str] = InMemoryBackend(max_entries=2, clock=FakeClock())
    backend.set("a", "A", ttl=60)
    backend.set("b", "B", ttl=60)
    backend.set("a", "A2", ttl=60)  # a use, like a hit: 'b' is now the least recently used
    backend.set("c", "C", ttl=60)
    got = {key: backend.get(key) for key in "abc"}
    assert got == {"a": "A2", "b": None, "c": "C"}, (
        f"after set a, set b, set a again, set c (max_entries=2), the backend holds {got}: overwriting 'a' made it"
        " the most recent, so 'b' is the one to evict"
    )


# ---- cache-aside loading ----


@pytest.mark.parametrize("ttl", [0, -1, float("nan")], ids=["zero", "negative", "nan"])
def test_cache_rejects_a_ttl_that_is_not_positive(ttl):
    with pytest.raises(ValueError, match="ttl"):
        TTLCache(SpyBackend(), prefix="user", ttl=ttl)


def test_get_or_load_calls_the_loader_on_a_miss_only():
    backend = SpyBackend()
    cache: TTLCache[object] = TTLCache(backend, prefix="user", ttl=30)
    loader = CountingLoader({"name": "Ada"})
    first = cache.get_or_load("ada@example.com", loader)
    second = cache.get_or_load("ada@example.com", loader)
    assert first == second == {"name": "Ada"}
    assert loader.calls == 1, f"the second call should be a hit, but the loader ran {loader.calls} times"
    assert [ttl for _, _, ttl in backend.set_calls] == [30], (
        "the loaded value should be stored once, with the cache's ttl"
    )


def test_the_backend_only_ever_sees_hashed_keys():
    backend = SpyBackend()
    cache: TTLCache[object] = TTLCache(backend, prefix="user", ttl=30)
    cache.get_or_load("ada@example.com", CountingLoader())
    cache.invalidate("ada@example.com")
    assert backend.keys_seen == {make_key("user", "ada@example.com")}, (
        f"the backend saw {backend.keys_seen}: build every key with make_key(prefix, raw) so no email reaches it"
    )


def test_invalidate_makes_the_next_get_load_again():
    cache: TTLCache[object] = TTLCache(SpyBackend(), prefix="user", ttl=30)
    loader = CountingLoader()
    cache.get_or_load("ada", loader)
    cache.invalidate("ada")
    cache.get_or_load("ada", loader)
    assert loader.calls == 2


def test_an_expired_entry_is_loaded_again():
    clock = FakeClock()
    backend: InMemoryBackend[object] = InMemoryBackend(max_entries=10, clock=clock)
    cache: TTLCache[object] = TTLCache(backend, prefix="price", ttl=60)
    loader = CountingLoader()
    cache.get_or_load("EURUSD", loader)
    clock.advance(59)
    cache.get_or_load("EURUSD", loader)
    assert loader.calls == 1, "59 s into a 60 s ttl the entry is still fresh"
    clock.advance(1)
    cache.get_or_load("EURUSD", loader)
    assert loader.calls == 2, "at 60 s the entry has expired and must be loaded again"


def test_a_loader_that_raises_caches_nothing():
    backend = SpyBackend()
    cache: TTLCache[object] = TTLCache(backend, prefix="user", ttl=30)

    def broken() -> object:
        raise ConnectionError("database down")

    with pytest.raises(ConnectionError):
        cache.get_or_load("ada", broken)
    assert backend.set_calls == []
    results: list[object] = []
    retry = threading.Thread(
        target=lambda: results.append(cache.get_or_load("ada", CountingLoader("back"))), daemon=True
    )
    retry.start()
    retry.join(HANG_GUARD_SECONDS)
    assert not retry.is_alive(), (
        "the call after a failed load is still waiting for the key's lock: a loader that raises must not "
        "leave it held (`with lock:` releases it on an exception too; acquire() ... release() does not)"
    )
    assert results == ["back"], "after a failed load the next call loads again"


# ---- threads ----


def test_concurrent_misses_on_one_key_call_the_loader_once():
    threads = 8
    backend = SpyBackend()
    cache: TTLCache[object] = TTLCache(backend, prefix="report", ttl=30)
    release = threading.Event()
    calls: list[int] = []
    calls_lock = threading.Lock()

    def slow_loader() -> object:
        with calls_lock:
            calls.append(1)
        release.wait(HANG_GUARD_SECONDS)  # hold the load until every thread has seen the miss
        return "report"

    results: list[object] = []
    start = threading.Barrier(threads)

    def worker() -> None:
        start.wait(HANG_GUARD_SECONDS)
        results.append(cache.get_or_load("q3", slow_loader))

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    missed = backend.wait_for_misses_from(threads)
    release.set()
    for thread in pool:
        thread.join(HANG_GUARD_SECONDS)
    assert missed == threads, (
        f"only {missed} of {threads} threads read the backend while the first load was running: "
        "a hit must not wait on a lock, so read the backend before taking one"
    )
    assert results == ["report"] * threads
    assert len(calls) == 1, (
        f"{threads} threads missed on the same key at once and the loader ran {len(calls)} times: "
        "take a per-key lock on a miss, and check the backend again once you hold it"
    )


def test_a_slow_load_does_not_hold_up_a_miss_on_another_key():
    cache: TTLCache[object] = TTLCache(SpyBackend(), prefix="report", ttl=30)
    slow_started = threading.Event()
    fast_done = threading.Event()
    finished_in_order: list[bool] = []

    def slow_loader() -> object:
        slow_started.set()
        finished_in_order.append(fast_done.wait(HANG_GUARD_SECONDS))  # can only finish after the fast key
        return "slow"

    thread = threading.Thread(target=cache.get_or_load, args=("slow-key", slow_loader))
    thread.start()
    assert slow_started.wait(HANG_GUARD_SECONDS)
    assert cache.get_or_load("fast-key", CountingLoader("fast")) == "fast"
    fast_done.set()
    thread.join(HANG_GUARD_SECONDS)
    assert finished_in_order == [True], (
        "loading 'fast-key' waited for the slow load of 'slow-key': lock per key, not one lock for the whole cache"
    )


class BackendAgainstModel(RuleBasedStateMachine):
    """Random set/get/delete and clock moves must match a plain model: a dict of (value, expiry) in LRU order.

    The machine stays where the brief leaves no choice: it never overflows the backend while an expired
    entry is still held (whether an expired entry is dropped before the least recently used is up to you).
    """

    def __init__(self) -> None:
        super().__init__()
        self.clock = FakeClock()
        self.capacity = 0
        self.backend: InMemoryBackend[int] | None = None
        self.model: dict[str, tuple[int, float]] = {}  # key -> (value, expires_at), least recent first

    @precondition(lambda self: self.backend is None)
    @rule(capacity=st.integers(1, 3))
    def create(self, capacity: int) -> None:
        self.capacity = capacity
        self.backend = InMemoryBackend(max_entries=capacity, clock=self.clock)

    def _expired(self) -> bool:
        return any(self.clock.now >= expires for _, expires in self.model.values())

    @precondition(lambda self: self.backend is not None)
    @rule(key=st.sampled_from("abcd"), value=st.integers(-1, 2), ttl=st.sampled_from([0.25, 0.5, 1, 2.5]))
    def set(self, key: str, value: int, ttl: float) -> None:
        assert self.backend is not None
        overflow = key not in self.model and len(self.model) >= self.capacity
        if overflow and self._expired():
            return  # the brief leaves this case open
        self.backend.set(key, value, ttl)
        self.model.pop(key, None)
        self.model[key] = (value, self.clock.now + ttl)
        if len(self.model) > self.capacity:
            del self.model[next(iter(self.model))]

    @precondition(lambda self: self.backend is not None)
    @rule(key=st.sampled_from("abcd"))
    def get(self, key: str) -> None:
        assert self.backend is not None
        entry = self.model.pop(key, None)
        expected = None
        if entry is not None and self.clock.now < entry[1]:
            expected = entry[0]
            self.model[key] = entry  # a hit makes it most recent
        got = self.backend.get(key)
        assert got == expected, (
            f"get({key!r}) at t={self.clock.now - 1000:g} returned {got!r}, the model says {expected!r}"
        )

    @precondition(lambda self: self.backend is not None)
    @rule(key=st.sampled_from("abcd"))
    def delete(self, key: str) -> None:
        assert self.backend is not None
        self.backend.delete(key)
        self.model.pop(key, None)

    @rule(seconds=st.sampled_from([0.1, 0.25, 0.5, 1]))
    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)

    @invariant()
    def every_live_entry_is_there(self) -> None:
        if self.backend is None:
            return
        for key, (value, expires) in list(self.model.items()):
            if self.clock.now < expires:
                # Reading refreshes recency, so peek in model order (least recent first) to keep the order.
                assert self.backend.get(key) == value, f"{key!r} should still hold {value!r}"
                self.model[key] = self.model.pop(key)


TestBackendAgainstModel = BackendAgainstModel.TestCase
TestBackendAgainstModel.settings = settings(max_examples=60, stateful_step_count=30)
