"""Code review: the background job store (~15 min).

"POST /exports answers 202 with a job id and the export runs in the background; GET /jobs/{id}
polls it. Support says some jobs stay 'running' forever, with nothing about them in the logs, and
the UI shows job times off by the user's UTC offset. Review the store, then fix it."

Read it as a reviewer first: what keeps a started job alive, what happens when one raises, and
what the UI receives as `created_at`. Then fix this file in place: the same `JobStore` API (a job
is "pending" until the loop starts it; a failed job's `error` names the exception's type and message,
like "ValueError: disk full"; the task running a job is named `job-<id>`, so a task dump says which job
it is), and a file that `dojo lint task_store` passes.

Run `dojo check task_store`; `dojo hint task_store` when stuck.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

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

    def submit(self, work: Callable[[], Awaitable[object]]) -> Job:
        job = Job(id=uuid.uuid4().hex, status="pending", created_at=datetime.utcnow())
        self.jobs[job.id] = job
        asyncio.create_task(self._run(job, work))
        return job

    def get(self, job_id: str) -> Job | None:
        return self.jobs.get(job_id)

    async def _run(self, job: Job, work: Callable[[], Awaitable[object]]) -> None:
        job.status = "running"
        try:
            job.result = await work()
            job.status = "done"
        except:
            pass
        job.finished_at = datetime.utcnow()
