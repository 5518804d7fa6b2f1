"""Koans: the memory model, reference counting and the cycle collector. Time box: 15 minutes.

CPython frees an object the moment its last reference goes (reference counting); a separate cycle
collector (the `gc` module) finds groups of objects that only point at each other. Each function
below states one claim in its docstring and proves it by running code. Fill each blank: a `__` takes
the value you predict (`3`, `True`, `None`, `[1, 2]`, a name such as `KeyError`); a line that is
just `__()` takes the one statement the claim needs. Change nothing else: the check compares your
file with the stub and does not count an edited line. Predict first, then run it.

Run `dojo check koan_memory`; `dojo hint koan_memory` when stuck.
"""

from __future__ import annotations

import gc
import sys
import weakref


class Node:
    """An object that can point at another one (a child that knows its parent, an observer)."""

    def __init__(self) -> None:
        self.other: Node | None = None


def test_getrefcount_counts_its_own_argument() -> None:
    """sys.getrefcount(x) is one higher than you might think: its own parameter is a reference too."""
    data = [1, 2, 3]  # one reference: the name `data`
    assert sys.getrefcount(data) == 2


def test_names_and_containers_add_references() -> None:
    """Every name and every container slot bound to an object adds one reference; del removes a name, not the object."""
    data = [1, 2, 3]
    before = sys.getrefcount(data)
    alias = data
    holder = {"key": data}
    assert sys.getrefcount(data) - before == 2
    del alias
    holder.clear()
    assert sys.getrefcount(data) - before == 0


def test_the_last_reference_frees_the_object_at_once() -> None:
    """When the last reference goes, the object is freed on that line, before any collector runs."""
    freed: list[str] = []
    node = Node()
    weakref.finalize(node, freed.append, "node")  # calls freed.append("node") when node is freed
    del node
    assert freed == ["node"]


def test_a_cycle_outlives_its_names_until_the_collector_runs() -> None:
    """Two objects that point at each other keep their counts above zero: only gc.collect() frees them."""
    enabled = gc.isenabled()
    gc.disable()  # no automatic collection in the middle of the claim
    try:
        a, b = Node(), Node()
        a.other, b.other = b, a
        probe = weakref.ref(a)  # a weak reference does not keep `a` alive
        del a, b
        assert (probe() is None) is False
        gc.collect()
        assert (probe() is None) is True
    finally:
        if enabled:
            gc.enable()


def test_a_weak_reference_does_not_keep_its_object_alive() -> None:
    """A WeakValueDictionary forgets an entry as soon as nothing else holds its value: a cache that never pins memory."""
    cache: weakref.WeakValueDictionary[str, Node] = weakref.WeakValueDictionary()
    node = Node()
    cache["n"] = node
    assert len(cache) == 1
    del node
    assert len(cache) == 0


def test_except_as_unbinds_its_name_when_the_block_ends() -> None:
    """`except E as error` deletes `error` at the end of the block, so the traceback's frames can be freed."""
    try:
        raise ValueError("boom")
    except ValueError as error:
        message = str(error)
    assert message == "boom"
    assert ("error" in locals()) is False
