"""The background job store, reviewed: tasks it can account for, failures it reports, aware times.

- ``asyncio.create_task`` returns the only strong reference to the task: the event loop keeps tasks in
  a weak set. A job awaiting something nobody else holds could be garbage-collected mid-flight and
  stay "running" forever. The store keeps every task in a set until it finishes (``add_done_callback``
  discards it, so finished tasks do not pile up).
- A bare ``except: pass`` swallowed every error, and BaseExceptions too (cancellation, even the
  GeneratorExit of a task being torn down). A job that raises is now recorded as failed with its
  error, and logged with its traceback; cancellation is recorded and re-raised.
- ``datetime.utcnow()`` returns a naive datetime: the UTC clock reading without saying so, which
  serializes without an offset and is read as local time. ``datetime.now(UTC)`` is aware.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

logger = logging.getLogger(__name__)

Status = Literal["pending", "running", "done", "failed", "cancelled"]


@dataclass
class Job:
    id: str
    status: Status
    created_at: datetime
    finished_at: datetime | None = None
    result: object = None
    error: str | None = None


class JobStore:
    """Starts jobs on the running event loop and remembers how each one went."""

    def __init__(self) -> None:
        self.jobs: dict[str, Job] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def submit(self, work: Callable[[], Awaitable[object]]) -> Job:
        job = Job(id=uuid.uuid4().hex, status="pending", created_at=datetime.now(UTC))
        self.jobs[job.id] = job
        task = asyncio.create_task(self._run(job, work), name=f"job-{job.id}")
        self._tasks.add(task)  # the loop holds tasks weakly: this set keeps the job alive
        task.add_done_callback(self._tasks.discard)
        return job

    def get(self, job_id: str) -> Job | None:
        return self.jobs.get(job_id)

    async def _run(self, job: Job, work: Callable[[], Awaitable[object]]) -> None:
        job.status = "running"
        try:
            job.result = await work()
        except asyncio.CancelledError:
            job.status = "cancelled"
            raise
        except Exception as error:
            job.status = "failed"
            job.error = f"{type(error).__name__}: {error}"
            logger.exception("job %s failed", job.id)
        else:
            job.status = "done"
        finally:
            job.finished_at = datetime.now(UTC)
