"""cpu_endpoint: digests run in one app-wide executor, awaited, so the event loop keeps serving."""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import ParamSpec, TypeVar

import httpx
import pytest

from dojo.testing import serve
from reviews.cpu_endpoint import MAX_BATCH, MAX_ROUNDS, create_app

P = ParamSpec("P")
T = TypeVar("T")
SAFETY_TIMEOUT = 2.0  # seconds; only ever reached when the code under test is broken


def expected_digest(text: str, rounds: int) -> str:
    """The digest computed here, independently of the code under review."""
    value = text.encode()
    for _ in range(rounds):
        value = hashlib.sha256(value).digest()
    return value.hex()


@dataclass
class ExecutorLog:
    created: int = 0
    shut_down: int = 0
    submitted: int = 0


class CountingExecutor(ThreadPoolExecutor):
    """A thread pool that counts how often it is created, given work and shut down."""

    def __init__(self, log: ExecutorLog) -> None:
        super().__init__(max_workers=4)
        self.log = log
        log.created += 1

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        self.log.submitted += 1
        return super().submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.log.shut_down += 1
        super().shutdown(wait=wait, cancel_futures=cancel_futures)


def counting_factory(log: ExecutorLog) -> Callable[[], CountingExecutor]:
    return lambda: CountingExecutor(log)


@dataclass
class Gate:
    """A `work` function that pauses: `entered` once a digest has started, then it waits for `released`."""

    entered: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)
    released_in_time: list[bool] = field(default_factory=list)

    def work(self, text: str, rounds: int) -> str:
        self.entered.set()
        self.released_in_time.append(self.released.wait(SAFETY_TIMEOUT))
        return expected_digest(text, rounds)


@pytest.fixture
def gate() -> Iterator[Gate]:
    gate = Gate()
    yield gate
    gate.released.set()


@pytest.mark.guard
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
@pytest.mark.parametrize(
    "executor_factory",
    # A thread pool too: the same default `work`, computed in this process, where it can be inspected.
    [ProcessPoolExecutor, lambda: ThreadPoolExecutor(max_workers=2)],
    ids=["default-process-pool", "thread-pool"],
)
async def test_the_default_work_answers_correct_digests(executor_factory):
    async with serve(create_app(executor_factory=executor_factory)) as client:
        single = await client.post("/digest", json={"text": "hello", "rounds": 1000})
        batch = await client.post("/digests", json={"texts": ["a", "b", "a"], "rounds": 10})
    assert single.status_code == 200, f"POST /digest answered {single.status_code}: {single.text}"
    assert single.json() == {"digest": expected_digest("hello", 1000)}
    assert batch.status_code == 200, f"POST /digests answered {batch.status_code}: {batch.text}"
    assert batch.json() == [{"digest": expected_digest(text, 10)} for text in ("a", "b", "a")], (
        "a batch answers one digest per text, in the order of the texts"
    )


@pytest.mark.parametrize(
    ("path", "body", "expected"),
    [
        ("/digest", {"text": "hello", "rounds": 3}, {"digest": expected_digest("hello", 3)}),
        (
            "/digests",
            {"texts": ["hello", "world"], "rounds": 3},
            [{"digest": expected_digest("hello", 3)}, {"digest": expected_digest("world", 3)}],
        ),
    ],
    ids=["single", "batch"],
)
async def test_a_digest_in_progress_does_not_stop_other_requests(gate, path, body, expected):
    app = create_app(executor_factory=counting_factory(ExecutorLog()), work=gate.work)
    async with serve(app) as client:
        heavy = asyncio.create_task(client.post(path, json=body))
        assert await asyncio.to_thread(gate.entered.wait, SAFETY_TIMEOUT), f"POST {path} never started a digest"
        cheap = await client.get("/health")  # can the app answer this while the digest is computed?
        gate.released.set()
        response = await heavy
    assert cheap.status_code == 200
    assert response.status_code == 200, f"POST {path} answered {response.status_code}: {response.text}"
    assert response.json() == expected, f"POST {path} answered {response.json()}"
    assert all(gate.released_in_time), (
        f"GET /health could not be answered while POST {path} computed: the digest ran on the event loop (or the"
        " loop sat waiting on future.result()), so nothing else in the process moved until it finished"
    )


async def test_one_executor_is_created_at_startup_and_shut_down_at_shutdown():
    log = ExecutorLog()
    app = create_app(executor_factory=counting_factory(log), work=expected_digest)
    async with app.router.lifespan_context(app):
        assert log.created == 1, f"starting the app created {log.created} executor(s); expected 1, in the lifespan"
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            for n in range(3):
                response = await client.post("/digest", json={"text": f"t{n}", "rounds": 2})
                assert response.status_code == 200, response.text
                response = await client.post("/digests", json={"texts": ["x", "y"], "rounds": 2})
                assert response.status_code == 200, response.text
        assert log.created == 1, (
            f"6 requests created {log.created} executors in all: a pool per request pays the process start-up"
            " every time and, under concurrency, starts a pool of workers per request"
        )
        assert log.shut_down == 0, "the app's executor was shut down while the app was still serving"
    assert log.shut_down == 1, f"stopping the app shut its executor down {log.shut_down} time(s); expected once"


async def test_every_digest_is_computed_in_the_apps_executor():
    log = ExecutorLog()
    app = create_app(executor_factory=counting_factory(log), work=expected_digest)
    async with serve(app) as client:
        await client.post("/digest", json={"text": "one", "rounds": 2})
        await client.post("/digests", json={"texts": ["two", "three"], "rounds": 2})
    assert log.submitted == 3, (
        f"3 digests were asked for and {log.submitted} went to the app's executor: CPU work belongs in the process"
        " pool, not on the event loop nor in asyncio's default thread pool (one core, because of the GIL)"
    )


@dataclass
class RecordingWork:
    calls: list[tuple[str, int]] = field(default_factory=list)

    def __call__(self, text: str, rounds: int) -> str:
        self.calls.append((text, rounds))
        return "0" * 64


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/digest", {"text": "x", "rounds": MAX_ROUNDS + 1}),
        ("/digest", {"text": "x", "rounds": 10**12}),
        ("/digest", {"text": "x", "rounds": 0}),
        ("/digests", {"texts": ["x"], "rounds": 10**12}),
        ("/digests", {"texts": ["x"], "rounds": -1}),
    ],
    ids=["single-just-over", "single-huge", "single-zero", "batch-huge", "batch-negative"],
)
async def test_rounds_out_of_range_are_rejected_with_422(path, body):
    work = RecordingWork()
    async with serve(create_app(executor_factory=counting_factory(ExecutorLog()), work=work)) as client:
        response = await client.post(path, json=body)
    assert response.status_code == 422, (
        f"POST {path} with rounds={body['rounds']} answered {response.status_code}: rounds must be between 1 and"
        f" {MAX_ROUNDS}, or one request holds a worker for as long as it likes"
    )
    assert work.calls == [], "the digest was computed before the request was validated"


@pytest.mark.parametrize("size", [0, MAX_BATCH + 1, 10_000], ids=["empty", "just-over", "huge"])
async def test_a_batch_of_the_wrong_size_is_rejected_with_422(size):
    work = RecordingWork()
    async with serve(create_app(executor_factory=counting_factory(ExecutorLog()), work=work)) as client:
        response = await client.post("/digests", json={"texts": ["x"] * size, "rounds": 1})
    assert response.status_code == 422, (
        f"POST /digests with {size} texts answered {response.status_code}: a batch holds 1 to {MAX_BATCH} texts"
    )
    assert work.calls == [], "digests were computed for a batch that should have been refused"
