"""Background jobs over HTTP: 202 and a status URL, asyncio tasks held in a registry, real cancellation.

The decisions worth saying aloud:

- ``POST /tasks`` answers 202 Accepted, not 200: the work has not happened yet. The body and the
  ``Location`` header point at the status resource the client polls.
- Every asyncio task is kept in ``TaskManager._tasks`` until it finishes. The event loop holds only a
  weak reference to a task, so a fire-and-forget ``create_task`` can be garbage-collected mid-run, and
  without the handle nothing could cancel it or wait for it at shutdown.
- ``_run`` is the one place a task's status moves: a failing job becomes ``failed`` with its error
  (it never escapes to crash anything), a cancelled one ``cancelled`` (and CancelledError is re-raised).
- Timestamps come from an injected clock that returns aware UTC datetimes; the response model uses
  ``AwareDatetime``, so a naive timestamp is a server error rather than an ambiguous string.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from uuid import uuid4

from fastapi import FastAPI, HTTPException, Response, status
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, JsonValue

JSONObject = dict[str, JsonValue]
Job = Callable[[JSONObject], Awaitable[JsonValue]]
"""A job takes the submitted params and returns a JSON-able result (or raises)."""
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_task_id() -> str:
    return uuid4().hex


class TaskStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in (TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.CANCELLED)


@dataclass
class TaskRecord:
    id: str
    job: str
    params: JSONObject
    created_at: datetime
    status: TaskStatus = TaskStatus.PENDING
    started_at: datetime | None = None
    finished_at: datetime | None = None
    result: JsonValue = None
    error: str | None = None


class UnknownJob(LookupError):
    pass


class TaskNotFound(LookupError):
    pass


class TaskAlreadyFinished(Exception):
    def __init__(self, record: TaskRecord) -> None:
        super().__init__(f"task {record.id} is already {record.status}")
        self.record = record


class TaskManager:
    """Runs jobs on asyncio tasks, at most ``max_concurrency`` at a time, and remembers every outcome."""

    def __init__(
        self,
        jobs: Mapping[str, Job],
        *,
        clock: Clock = utc_now,
        new_id: Callable[[], str] = new_task_id,
        max_concurrency: int = 4,
    ) -> None:
        self._jobs = dict(jobs)
        self._clock = clock
        self._new_id = new_id
        self._slots = asyncio.Semaphore(max_concurrency)
        self._records: dict[str, TaskRecord] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}  # the unfinished ones; strong references on purpose

    def submit(self, job_name: str, params: JSONObject) -> TaskRecord:
        job = self._jobs.get(job_name)
        if job is None:
            raise UnknownJob(job_name)
        record = TaskRecord(id=self._new_id(), job=job_name, params=params, created_at=self._clock())
        self._records[record.id] = record
        self._tasks[record.id] = asyncio.create_task(self._run(record, job), name=f"task-{record.id}")
        return record

    def get(self, task_id: str) -> TaskRecord:
        try:
            return self._records[task_id]
        except KeyError:
            raise TaskNotFound(task_id) from None

    async def cancel(self, task_id: str) -> TaskRecord:
        record = self.get(task_id)
        if record.status.is_final:
            raise TaskAlreadyFinished(record)
        task = self._tasks[task_id]
        task.cancel()
        await asyncio.wait([task])  # let the job unwind (its finally blocks run) before we answer
        if not record.status.is_final:
            # Cancelled before its first step: the coroutine never ran, so _run could not record it.
            self._finish(record, TaskStatus.CANCELLED)
            self._tasks.pop(task_id, None)
        return record

    async def shutdown(self) -> None:
        """Cancel every unfinished task and wait for them: nothing outlives the app."""
        for task_id in list(self._tasks):
            if not self._records[task_id].status.is_final:
                await self.cancel(task_id)

    async def _run(self, record: TaskRecord, job: Job) -> None:
        try:
            async with self._slots:  # pending until a worker slot is free
                record.status = TaskStatus.RUNNING
                record.started_at = self._clock()
                result = await job(record.params)
        except asyncio.CancelledError:
            self._finish(record, TaskStatus.CANCELLED)
            raise
        except Exception as exc:  # a failing job is an outcome to report, not a crash
            self._finish(record, TaskStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
        else:
            self._finish(record, TaskStatus.COMPLETED, result=result)
        finally:
            self._tasks.pop(record.id, None)

    def _finish(
        self, record: TaskRecord, outcome: TaskStatus, *, result: JsonValue = None, error: str | None = None
    ) -> None:
        record.status = outcome
        record.finished_at = self._clock()
        record.result = result
        record.error = error


# ---- HTTP ----


class TaskIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    job: str = Field(min_length=1)
    params: JSONObject = Field(default_factory=dict)


class TaskOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    job: str
    status: TaskStatus
    created_at: AwareDatetime
    started_at: AwareDatetime | None
    finished_at: AwareDatetime | None
    result: JsonValue
    error: str | None


def create_app(
    jobs: Mapping[str, Job],
    *,
    clock: Clock = utc_now,
    new_id: Callable[[], str] = new_task_id,
    max_concurrency: int = 4,
) -> FastAPI:
    manager = TaskManager(jobs, clock=clock, new_id=new_id, max_concurrency=max_concurrency)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await manager.shutdown()

    app = FastAPI(title="Tasks", lifespan=lifespan)
    app.state.tasks = manager

    def record_or_404(task_id: str) -> TaskRecord:
        try:
            return manager.get(task_id)
        except TaskNotFound:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"task {task_id} not found") from None

    @app.post("/tasks", status_code=status.HTTP_202_ACCEPTED)
    async def submit_task(payload: TaskIn, response: Response) -> TaskOut:
        try:
            record = manager.submit(payload.job, payload.params)
        except UnknownJob:
            known = ", ".join(sorted(jobs))
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT, detail=f"unknown job {payload.job!r}; known jobs: {known}"
            ) from None
        response.headers["Location"] = f"/tasks/{record.id}"
        return TaskOut.model_validate(record)

    @app.get("/tasks/{task_id}")
    async def read_task(task_id: str) -> TaskOut:
        return TaskOut.model_validate(record_or_404(task_id))

    @app.post("/tasks/{task_id}/cancel")
    async def cancel_task(task_id: str) -> TaskOut:
        record_or_404(task_id)
        try:
            record = await manager.cancel(task_id)
        except TaskAlreadyFinished as finished:
            raise HTTPException(status.HTTP_409_CONFLICT, detail=str(finished)) from None
        return TaskOut.model_validate(record)

    return app
