"""task_store: jobs that cannot vanish, failures that are recorded and logged, timestamps in aware UTC."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import weakref
from datetime import timedelta

import pytest

from reviews.task_store import Job, JobStore


async def settle() -> None:
    """Wait until every task the store started has finished."""
    for task in asyncio.all_tasks() - {asyncio.current_task()}:
        await task
    await asyncio.sleep(0)  # one more turn: the loop lets go of the callback that woke us


async def export_report() -> str:
    return "report.csv"


async def fail_export() -> str:
    raise ValueError("disk full")


async def wait_forever() -> None:
    # A future only this coroutine knows about: nothing but the job's task refers to it.
    await asyncio.get_running_loop().create_future()


def submit_and_watch(store: JobStore, work) -> tuple[Job, weakref.ref[asyncio.Task[object]]]:
    """Submit `work` and return the job plus a weak reference to the task running it."""
    before = asyncio.all_tasks()
    job = store.submit(work)
    (task,) = asyncio.all_tasks() - before
    return job, weakref.ref(task)


@pytest.mark.guard
async def test_a_successful_job_ends_done_with_its_result():
    store = JobStore()
    job = store.submit(export_report)
    assert job.status == "pending", f"a job the loop has not started yet is 'pending', not {job.status!r}"
    await settle()
    assert store.get(job.id) is job
    assert (job.status, job.result) == ("done", "report.csv")
    assert store.get("no-such-job") is None


async def test_timestamps_are_timezone_aware_utc():
    store = JobStore()
    job = store.submit(export_report)
    await settle()
    for name in ("created_at", "finished_at"):
        stamp = getattr(job, name)
        assert stamp is not None, f"job.{name} was never set"
        assert stamp.utcoffset() == timedelta(0), (
            f"job.{name} is {stamp.isoformat()}: a naive datetime (no offset) is read as local time by "
            "whoever receives it; it must say it is UTC"
        )


async def test_a_failing_job_is_recorded_as_failed_with_its_error():
    store = JobStore()
    job = store.submit(fail_export)
    await settle()
    assert job.status == "failed", f"a job whose work raised ValueError ended as {job.status!r}, not 'failed'"
    assert job.error is not None
    assert "ValueError" in job.error, f"job.error names the exception's type, got {job.error!r}"
    assert "disk full" in job.error, f"job.error should say what went wrong, got {job.error!r}"
    assert job.finished_at is not None, "a failed job has finished too"


async def test_a_failing_job_is_logged_with_its_traceback(caplog):
    store = JobStore()
    with caplog.at_level(logging.ERROR):
        job = store.submit(fail_export)
        await settle()
    logged = [record for record in caplog.records if record.levelno >= logging.ERROR and record.exc_info]
    assert logged, "a job failed and nothing was logged at ERROR with the exception: nobody will ever know"
    assert job.id in logged[0].getMessage(), "the log line should name the job that failed"


async def test_a_running_job_is_not_garbage_collected():
    store = JobStore()
    job, task_ref = submit_and_watch(store, wait_forever)
    await asyncio.sleep(0)  # let the job start and park on its future
    gc.collect()
    task = task_ref()
    assert task is not None, (
        "the task running a job was garbage-collected while the job was still running: the event loop only "
        "keeps weak references to tasks, so whoever calls create_task must keep the task"
    )
    assert job.status == "running"
    assert task.get_name() == f"job-{job.id}", (
        f"the task running job {job.id} is named {task.get_name()!r}: name it job-<id>, so a task dump says which"
        " job is stuck"
    )
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert store.jobs[job.id].status == "cancelled", "a cancelled job should say so"


@pytest.mark.guard
async def test_a_finished_job_does_not_keep_its_task_forever():
    store = JobStore()
    job, task_ref = submit_and_watch(store, export_report)
    await settle()
    gc.collect()
    assert job.status == "done"
    assert task_ref() is None, "the store still holds the task of a finished job: every job ever run leaks"
