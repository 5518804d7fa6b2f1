"""Koans: the GIL, threads, processes and the event loop, side by side. Time box: 15 minutes.

In CPython one thread at a time runs Python bytecode (the global interpreter lock); the others wait
for their turn, which comes at the next switch. Threads share every object; processes share nothing
and receive pickled copies; an event loop runs all its coroutines on one thread. Each function below
states one claim in its docstring and proves it by running code, never by timing it. Fill each blank:
a `__` takes the value you predict (`3`, `True`, `['a']`, a name such as `TypeError`); change nothing
else (the check compares your file with the stub).

Run `dojo check koan_threads`; `dojo hint koan_threads` when stuck.
"""

from __future__ import annotations

import asyncio
import dis
import pickle
import sys
import threading


def test_the_gil_is_offered_to_another_thread_every_five_milliseconds() -> None:
    """A running thread is asked to hand the GIL over every sys.getswitchinterval() seconds."""
    assert sys.getswitchinterval() == 0.005


def test_plus_equals_is_a_read_an_add_and_a_write() -> None:
    """`box['n'] += 1` compiles to separate read, add and write steps: a thread switch can fall between them."""

    def bump(box: dict[str, int]) -> None:
        box["n"] += 1

    steps = {"BINARY_SUBSCR": "read", "BINARY_OP": "add", "STORE_SUBSCR": "write"}
    seen = [steps[i.opname] for i in dis.get_instructions(bump) if i.opname in steps]
    assert seen == ["read", "add", "write"]


def test_a_switch_between_the_read_and_the_write_loses_an_update() -> None:
    """Two threads add one each, but one read before the other wrote: the count ends one short."""
    counter = {"n": 0}
    a_has_read, b_has_written = threading.Event(), threading.Event()

    def thread_a() -> None:
        seen = counter["n"]  # read...
        a_has_read.set()  # ...and the switch comes now (forced here, by chance in production)
        b_has_written.wait()
        counter["n"] = seen + 1  # write

    def thread_b() -> None:
        a_has_read.wait()
        counter["n"] += 1
        b_has_written.set()

    threads = [threading.Thread(target=thread_a), threading.Thread(target=thread_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counter["n"] == 1


def test_threads_share_objects() -> None:
    """A thread sees and changes the very objects of the thread that started it: no copy is made."""
    results: list[int] = []
    worker = threading.Thread(target=results.append, args=(42,))
    worker.start()
    worker.join()
    assert results == [42]


def can_travel_to_a_process(value: object) -> bool:
    """What a process pool does to every function and argument it sends: pickle it."""
    try:
        pickle.dumps(value)
    except (pickle.PicklingError, AttributeError, TypeError):
        return False
    return True


def test_a_process_receives_pickled_copies() -> None:
    """A process pool sends functions and arguments pickled: a lambda or a lock cannot travel, and the worker changes only its copy."""
    assert (
        can_travel_to_a_process(len),
        can_travel_to_a_process(lambda: 1),
        can_travel_to_a_process(threading.Lock()),
    ) == (True, False, False)
    data = [1, 2, 3]
    copy = pickle.loads(pickle.dumps(data))  # what a worker process gets
    copy.append(4)
    assert data == [1, 2, 3]


def test_an_event_loop_runs_every_coroutine_on_one_thread() -> None:
    """Every coroutine of a loop runs on the loop's thread; asyncio.to_thread hands a blocking call to a worker thread."""

    async def main() -> tuple[int, int, int]:
        async def where() -> int:
            return threading.get_ident()

        first, second = await asyncio.gather(where(), where())
        worker = await asyncio.to_thread(threading.get_ident)
        return first, second, worker

    first, second, worker = asyncio.run(main())
    here = threading.get_ident()
    assert (first == second, first == here, worker == here) == (True, True, False)
