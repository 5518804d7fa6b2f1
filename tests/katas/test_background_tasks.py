"""background_tasks: 202 + a status URL, jobs on asyncio tasks, cancellation, aware UTC timestamps.

The jobs here are `Gate`s the test drives with asyncio.Events, so every step is ordered by the test
rather than by timing. Waiting is counted in event-loop turns (`asyncio.sleep(0)` yields once and
never waits on the clock), so a wrong answer fails with a message instead of hanging.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
import weakref
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from pydantic import JsonValue

from dojo.testing import serve
from katas.background_tasks import create_app

MAX_TURNS = 100
SHUTDOWN_TURNS = 1_000  # cancelling and awaiting each unfinished task takes a few turns per task
T0 = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)


class Gate:
    """A job the test drives: it records its call, says it started, then waits until the test opens it."""

    def __init__(self, result: JsonValue = None, error: Exception | None = None) -> None:
        self.result = result
        self.error = error
        self.calls: list[dict[str, JsonValue]] = []
        self.started = asyncio.Event()
        self.opened = asyncio.Event()
        self.saw_cancellation = False

    async def __call__(self, params: dict[str, JsonValue]) -> JsonValue:
        self.calls.append(params)
        self.started.set()
        try:
            await self.opened.wait()
        except asyncio.CancelledError:
            self.saw_cancellation = True
            raise
        if self.error is not None:
            raise self.error
        return self.result


class UtcClock:
    """An aware UTC wall clock the test sets by hand."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def sequential_ids() -> Callable[[], str]:
    counter = itertools.count(1)
    return lambda: f"t{next(counter)}"


async def turns_until(condition: Callable[[], bool], what: str) -> None:
    for _ in range(MAX_TURNS):
        if condition():
            return
        await asyncio.sleep(0)  # one turn of the event loop, not a timed wait
    pytest.fail(f"after {MAX_TURNS} event-loop turns, still waiting for {what}")


@contextlib.asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """`dojo.testing.serve`, except that a shutdown that never ends fails the test instead of hanging it."""
    lifespan = app.router.lifespan_context(app)
    await lifespan.__aenter__()
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            yield client
    finally:
        shutting_down = asyncio.create_task(lifespan.__aexit__(None, None, None))
        for _ in range(SHUTDOWN_TURNS):
            if shutting_down.done():
                break
            await asyncio.sleep(0)  # one turn of the event loop, not a timed wait
        else:
            shutting_down.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await shutting_down
            pytest.fail(
                f"after {SHUTDOWN_TURNS} event-loop turns the app was still shutting down, waiting for a job "
                "that was still running: on shutdown, cancel the unfinished tasks (then wait for them)"
            )
        await shutting_down  # anything the shutdown raised


async def let_the_loop_run() -> None:
    """Give every ready task its turns (an HTTP call through ASGITransport alone does not yield)."""
    for _ in range(MAX_TURNS):
        await asyncio.sleep(0)


async def status_until(client: httpx.AsyncClient, task_id: str, *statuses: str) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for _ in range(MAX_TURNS):
        body = (await client.get(f"/tasks/{task_id}")).json()
        if body["status"] in statuses:
            return body
        await asyncio.sleep(0)
    pytest.fail(f"task {task_id} never reached {' or '.join(statuses)}; last seen: {body}")


async def submit(client: httpx.AsyncClient, job: str, params: dict[str, Any] | None = None) -> str:
    response = await client.post("/tasks", json={"job": job, "params": params or {}})
    assert response.status_code == 202, f"POST /tasks answered {response.status_code}: {response.text}"
    task_id: str = response.json()["id"]
    return task_id


def when(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


async def test_submit_answers_202_with_the_task_and_where_to_poll_it():
    gate = Gate()
    async with serving(create_app({"report": gate}, clock=UtcClock(), new_id=sequential_ids())) as client:
        response = await client.post("/tasks", json={"job": "report", "params": {"month": "2030-01"}})
        assert response.status_code == 202, (
            f"submitting work answers 202 Accepted (not done yet), got {response.status_code}"
        )
        body = response.json()
        assert (body["id"], body["job"], body["status"]) == ("t1", "report", "pending")
        assert response.headers.get("location", "").endswith("/tasks/t1"), "Location should point at /tasks/{id}"
        await turns_until(gate.started.is_set, "the job to start")
        assert gate.calls == [{"month": "2030-01"}], "the job should be called with the submitted params"


async def test_status_moves_from_running_to_completed_with_the_result():
    gate = Gate(result={"rows": 42})
    async with serving(create_app({"report": gate}, clock=UtcClock())) as client:
        task_id = await submit(client, "report")
        await turns_until(gate.started.is_set, "the job to start")
        running = (await client.get(f"/tasks/{task_id}")).json()
        assert running["status"] == "running", f"the job is executing, so the status should be running: {running}"
        assert running["result"] is None
        gate.opened.set()
        done = await status_until(client, task_id, "completed", "failed", "cancelled")
        assert (done["status"], done["result"], done["error"]) == ("completed", {"rows": 42}, None)


async def test_a_task_stays_pending_while_every_worker_is_busy():
    first, second = Gate(), Gate()
    app = create_app({"first": first, "second": second}, clock=UtcClock(), max_concurrency=1)
    async with serving(app) as client:
        first_id = await submit(client, "first")
        await turns_until(first.started.is_set, "the first job to start")
        second_id = await submit(client, "second")
        await let_the_loop_run()
        waiting = (await client.get(f"/tasks/{second_id}")).json()
        assert (waiting["status"], waiting["started_at"]) == ("pending", None), (
            f"with max_concurrency=1 and one job running, the second must wait: {waiting}"
        )
        assert second.calls == [], "the second job started although no worker slot was free"
        first.opened.set()
        await turns_until(second.started.is_set, "the second job to start once the first finished")
        second.opened.set()
        assert (await status_until(client, first_id, "completed"))["status"] == "completed"
        assert (await status_until(client, second_id, "completed"))["status"] == "completed"


async def test_a_failing_job_is_reported_and_the_app_keeps_serving():
    broken, fine = Gate(error=ValueError("month out of range")), Gate(result="ok")
    async with serving(create_app({"broken": broken, "fine": fine}, clock=UtcClock())) as client:
        task_id = await submit(client, "broken")
        broken.opened.set()
        failed = await status_until(client, task_id, "failed", "completed", "cancelled")
        assert failed["status"] == "failed", f"a job that raised must be reported as failed: {failed}"
        assert "month out of range" in (failed["error"] or ""), "the error message should be recorded"
        assert "ValueError" in (failed["error"] or ""), "the error should name the exception's type too"
        assert failed["finished_at"] is not None
        other = await submit(client, "fine")
        fine.opened.set()
        assert (await status_until(client, other, "completed"))["result"] == "ok"


async def test_timestamps_are_taken_from_the_clock_at_each_step():
    clock = UtcClock(T0)
    first, second = Gate(), Gate()
    app = create_app({"first": first, "second": second}, clock=clock, max_concurrency=1)
    async with serving(app) as client:
        first_id = await submit(client, "first")
        await turns_until(first.started.is_set, "the first job to start")
        second_id = await submit(client, "second")  # created at T0, must wait for the first
        clock.now = T0 + timedelta(minutes=1)
        first.opened.set()
        await turns_until(second.started.is_set, "the second job to start")
        clock.now = T0 + timedelta(minutes=2)
        second.opened.set()
        body = await status_until(client, second_id, "completed")
        assert await status_until(client, first_id, "completed")
    stamps = tuple(when(body[key]) for key in ("created_at", "started_at", "finished_at"))
    expected = (T0, T0 + timedelta(minutes=1), T0 + timedelta(minutes=2))
    assert stamps == expected, f"created/started/finished should be {expected}, got {stamps}"


async def test_the_default_clock_gives_aware_utc_timestamps():
    gate = Gate()
    async with serving(create_app({"report": gate})) as client:
        task_id = await submit(client, "report")
        gate.opened.set()
        body = await status_until(client, task_id, "completed")
    for key in ("created_at", "started_at", "finished_at"):
        stamp = when(body[key])
        assert stamp is not None, f"{key} is missing"
        assert stamp.tzinfo is not None, f"{key}={body[key]!r} has no UTC offset: use datetime.now(UTC), not utcnow()"
        assert stamp.utcoffset() == timedelta(0), f"{key}={body[key]!r} is not in UTC"


async def test_cancelling_a_running_task_stops_the_job():
    gate = Gate()
    async with serving(create_app({"report": gate}, clock=UtcClock())) as client:
        task_id = await submit(client, "report")
        await turns_until(gate.started.is_set, "the job to start")
        response = await client.post(f"/tasks/{task_id}/cancel")
        assert response.status_code == 200, f"cancelling a running task answered {response.status_code}"
        assert response.json()["status"] == "cancelled"
        assert response.json()["finished_at"] is not None
        assert gate.saw_cancellation, "the job kept running: cancel the asyncio task, do not just flip the status"
        assert (await client.get(f"/tasks/{task_id}")).json()["status"] == "cancelled"


@pytest.mark.parametrize("moment", ["waiting_for_a_worker", "right_after_submit"])
async def test_cancelling_a_pending_task_means_it_never_runs(moment):
    first, second = Gate(), Gate()
    app = create_app({"first": first, "second": second}, clock=UtcClock(), max_concurrency=1)
    async with serving(app) as client:
        first_id = await submit(client, "first")
        await turns_until(first.started.is_set, "the first job to start")
        second_id = await submit(client, "second")
        if moment == "waiting_for_a_worker":
            await let_the_loop_run()  # the task is up and queued for a slot
        # else: no loop turn yet, so the asyncio task has not even taken its first step
        response = await client.post(f"/tasks/{second_id}/cancel")
        assert response.status_code == 200
        assert (response.json()["status"], response.json()["started_at"]) == ("cancelled", None)
        first.opened.set()
        await status_until(client, first_id, "completed")
        assert second.calls == [], "a task cancelled while pending must never run its job"
        assert (await client.get(f"/tasks/{second_id}")).json()["status"] == "cancelled"


@pytest.mark.parametrize("outcome", ["completed", "failed", "cancelled"])
async def test_cancelling_a_finished_task_is_a_409_and_changes_nothing(outcome):
    gate = Gate(result="done", error=RuntimeError("boom") if outcome == "failed" else None)
    async with serving(create_app({"job": gate}, clock=UtcClock())) as client:
        task_id = await submit(client, "job")
        await turns_until(gate.started.is_set, "the job to start")
        if outcome == "cancelled":
            assert (await client.post(f"/tasks/{task_id}/cancel")).status_code == 200
        else:
            gate.opened.set()
        await status_until(client, task_id, outcome)
        response = await client.post(f"/tasks/{task_id}/cancel")
        assert response.status_code == 409, f"cancelling a {outcome} task should be 409 Conflict"
        assert outcome in str(response.json().get("detail")), f"the 409's detail should say the task is {outcome}"
        assert (await client.get(f"/tasks/{task_id}")).json()["status"] == outcome


async def test_unknown_tasks_are_404_and_unknown_jobs_are_422():
    async with serving(create_app({"report": Gate()}, clock=UtcClock())) as client:
        missing = await client.get("/tasks/nope")
        assert missing.status_code == 404
        assert "nope" in str(missing.json().get("detail")), (
            f"the 404's detail should name the task id, got {missing.json()}"
        )
        assert (await client.post("/tasks/nope/cancel")).status_code == 404
        response = await client.post("/tasks", json={"job": "mine_bitcoin"})
        assert response.status_code == 422, f"an unknown job name should be a 422, got {response.status_code}"


async def test_shutdown_cancels_unfinished_tasks():
    gate = Gate()
    app = create_app({"report": gate}, clock=UtcClock())
    async with serving(app) as client:
        task_id = await submit(client, "report")
        await turns_until(gate.started.is_set, "the job to start")
    assert gate.saw_cancellation, "the app shut down but the job kept running: cancel unfinished tasks on shutdown"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        assert (await client.get(f"/tasks/{task_id}")).json()["status"] == "cancelled"


def job_tasks() -> set[asyncio.Task[Any]]:
    return {task for task in asyncio.all_tasks() if task is not asyncio.current_task()}


async def test_at_most_four_jobs_run_at_once_by_default():
    gates = [Gate() for _ in range(6)]
    async with serving(create_app({f"job{i}": gate for i, gate in enumerate(gates)}, clock=UtcClock())) as client:
        for i in range(6):
            await submit(client, f"job{i}")
        await let_the_loop_run()
        started = [gate.started.is_set() for gate in gates]
        assert started == [True] * 4 + [False] * 2, (
            f"max_concurrency defaults to 4, in submission order; started: {started}"
        )
        gates[2].opened.set()
        await let_the_loop_run()
        assert gates[4].started.is_set(), "when a worker frees up, the oldest pending task starts next"
        assert not gates[5].started.is_set()
        for gate in gates:
            gate.opened.set()


async def test_a_cancelled_task_really_ends_cancelled_and_finished_tasks_are_let_go():
    running, waiting, done = Gate(), Gate(), Gate(result=1)
    app = create_app({"running": running, "waiting": waiting, "done": done}, clock=UtcClock(), max_concurrency=2)
    async with serving(app) as client:
        before = job_tasks()
        done_id = await submit(client, "done")
        await submit(client, "running")
        waiting_id = await submit(client, "waiting")
        tasks = job_tasks() - before
        assert len(tasks) == 3, "each job runs on an asyncio task of its own"
        await turns_until(running.started.is_set, "the job to start")
        done.opened.set()
        await status_until(client, done_id, "completed")
        assert (await client.post(f"/tasks/{waiting_id}/cancel")).status_code == 200
        unstarted_id = await submit(client, "done")  # cancelled before its task takes a first step
        tasks |= job_tasks() - before
        assert (await client.post(f"/tasks/{unstarted_id}/cancel")).status_code == 200
        refs = [weakref.ref(task) for task in tasks]
        cancelled = [task for task in tasks if task.done() and task.cancelled()]
        assert len(cancelled) == 2, (
            "the cancelled task's asyncio task should end cancelled: re-raise CancelledError, never swallow it"
        )
        del tasks, cancelled
        gc.collect()
        alive = sum(ref() is not None for ref in refs)
        assert alive == 1, f"{alive} task objects are still referenced: keep only the unfinished ones (1 here)"
        running.opened.set()


class TasksAgainstModel(RuleBasedStateMachine):
    """Random submits, finishes, failures and cancels must match a model of a FIFO pool of two workers."""

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.stack = contextlib.AsyncExitStack()
        self.gates: dict[str, Gate] = {}
        self.order: list[str] = []  # task ids in submission order
        self.model: dict[str, str] = {}  # task id -> expected status
        jobs = {"gate": self.job}
        app = create_app(jobs, clock=UtcClock(), max_concurrency=2)
        self.client = self.run(self.stack.enter_async_context(serve(app)))

    async def job(self, params: dict[str, JsonValue]) -> JsonValue:
        return await self.gates[str(params["name"])](params)

    def run(self, coroutine: Any) -> Any:
        return self.loop.run_until_complete(coroutine)

    def teardown(self) -> None:
        for gate in self.gates.values():
            gate.opened.set()
        self.run(self.stack.aclose())
        self.loop.close()

    def settle(self) -> None:
        self.run(let_the_loop_run())
        active = [t for t in self.order if self.model[t] in ("pending", "running")]
        for index, task_id in enumerate(active):
            self.model[task_id] = "running" if index < 2 else "pending"

    @rule()
    def submit(self) -> None:
        name = f"g{len(self.gates)}"
        self.gates[name] = Gate(result=name)
        task_id = self.run(submit(self.client, "gate", {"name": name}))
        self.order.append(task_id)
        self.model[task_id] = "pending"
        self.gates[task_id] = self.gates[name]
        self.settle()

    def pick(self, index: int, *statuses: str) -> str | None:
        matching = [t for t in self.order if self.model[t] in statuses]
        return matching[index % len(matching)] if matching else None

    @rule(index=st.integers(0, 5), fail=st.booleans())
    def finish(self, index: int, fail: bool) -> None:
        task_id = self.pick(index, "running")
        if task_id is None:
            return
        gate = self.gates[task_id]
        if fail:
            gate.error = RuntimeError("boom")
        gate.opened.set()
        self.model[task_id] = "failed" if fail else "completed"
        self.settle()

    @rule(index=st.integers(0, 5))
    def cancel(self, index: int) -> None:
        task_id = self.pick(index, "pending", "running", "completed", "failed", "cancelled")
        if task_id is None:
            return
        response = self.run(self.client.post(f"/tasks/{task_id}/cancel"))
        if self.model[task_id] in ("pending", "running"):
            assert response.status_code == 200, response.text
            self.model[task_id] = "cancelled"
        else:
            assert response.status_code == 409
        self.settle()

    @invariant()
    def every_status_matches(self) -> None:
        for task_id in self.order:
            body = self.run(self.client.get(f"/tasks/{task_id}")).json()
            assert body["status"] == self.model[task_id], (
                f"{task_id}: {body['status']}, the model says {self.model[task_id]}"
            )
            if body["status"] == "completed":
                assert body["result"] == self.gates[task_id].result


TestTasksAgainstModel = TasksAgainstModel.TestCase
TestTasksAgainstModel.settings = settings(max_examples=25, stateful_step_count=15)
