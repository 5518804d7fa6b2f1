"""File pipeline: a streamed upload with a size limit, a job record, processing on an executor, status and result.

The decisions worth defending:

- The body is read chunk by chunk (``request.stream()``), counting bytes as they arrive, and the upload
  is refused with 413 at the first chunk that crosses the limit: never ``await request.body()`` first,
  which would hold a 10 GB upload in memory before saying no. A Content-Length over the limit is refused
  before reading anything, but the count is what enforces it: a chunked upload has no Content-Length,
  and a client can lie in it.
- The job is recorded (status ``queued``) before it is handed to the executor, so a worker that starts
  at once finds it, and the request answers 202 with the job's id and Location without waiting.
- Processing never runs on the request path or on the event loop: it goes to the injected executor (a
  process pool for CPU-heavy work, owned and shut down by whoever runs the app; a queue and workers in
  production).
  A processor that raises marks the job ``failed`` with the reason: it never leaves it ``running``.
- The result of a job that is not done yet is a 409 Conflict (the resource is not in a state that has a
  result; 425 Too Early is about TLS early data, and 404 would say the job does not exist), with
  Retry-After for a job still queued or running.
- An executor that refuses work (shut down) is a 503, and neither the job nor the upload is left behind.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, HTTPException, Request, Response, status
from pydantic import BaseModel

MAX_UPLOAD_BYTES = 1024 * 1024
RETRY_AFTER_SECONDS = 1

Processor = Callable[[bytes], dict[str, Any]]


def summarise_csv(data: bytes) -> dict[str, Any]:
    """The default processing step: a UTF-8 CSV's header and the number of rows under it."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("the file is not UTF-8 text") from None
    rows = list(csv.reader(io.StringIO(text)))
    return {"columns": rows[0] if rows else [], "rows": max(len(rows) - 1, 0)}


# ---- storage (in-memory stand-ins for object storage and a jobs table) ----


class BlobStore:
    """Object storage: bytes under a key (S3, GCS, a disk)."""

    def __init__(self) -> None:
        self._blobs: dict[str, bytes] = {}

    def put(self, key: str, data: bytes) -> None:
        self._blobs[key] = data

    def get(self, key: str) -> bytes:
        return self._blobs[key]

    def delete(self, key: str) -> None:
        del self._blobs[key]

    def keys(self) -> list[str]:
        return sorted(self._blobs)


@dataclass
class Job:
    id: str
    key: str  # where the upload is in the blob store
    size: int
    status: str = "queued"  # queued | running | done | failed
    result: dict[str, Any] = field(default_factory=dict)  # filled in when done
    error: str | None = None


# ---- HTTP ----


class JobOut(BaseModel):
    id: str
    status: str
    size: int
    error: str | None


class ResultOut(BaseModel):
    id: str
    result: dict[str, Any]


def job_out(job: Job) -> JobOut:
    return JobOut(id=job.id, status=job.status, size=job.size, error=job.error)


def create_app(
    executor: Executor,
    *,
    blobs: BlobStore | None = None,
    process: Processor = summarise_csv,
    max_bytes: int = MAX_UPLOAD_BYTES,
) -> FastAPI:
    storage = blobs if blobs is not None else BlobStore()
    jobs: dict[str, Job] = {}
    app = FastAPI(title="File pipeline")

    def run_job(job_id: str) -> None:
        """Runs on the executor, off the event loop."""
        job = jobs[job_id]
        job.status = "running"
        try:
            result = process(storage.get(job.key))
        except Exception as error:
            job.error = str(error)
            job.status = "failed"
        else:
            job.result = result
            job.status = "done"

    def too_large() -> HTTPException:
        return HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE, detail=f"the upload is larger than the limit of {max_bytes} bytes"
        )

    def found(job_id: str) -> Job:
        job = jobs.get(job_id)
        if job is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no job {job_id!r}")
        return job

    @app.post("/files", status_code=status.HTTP_202_ACCEPTED)
    async def upload(request: Request, response: Response) -> JobOut:
        declared = request.headers.get("content-length")
        if declared is not None:
            try:
                length = int(declared)
            except ValueError:
                raise HTTPException(status.HTTP_400_BAD_REQUEST, detail="Content-Length is not a number") from None
            if length > max_bytes:
                raise too_large()  # refused before reading a single byte
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_bytes:
                raise too_large()  # stop reading: the rest of the body is never pulled
            chunks.append(chunk)
        if size == 0:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail="the upload is empty")
        job_id = uuid.uuid4().hex
        job = Job(id=job_id, key=f"uploads/{job_id}", size=size)
        storage.put(job.key, b"".join(chunks))
        jobs[job.id] = job  # recorded before it is queued: a worker that starts at once finds it
        try:
            executor.submit(run_job, job.id)
        except RuntimeError:  # the executor is shut down
            del jobs[job.id]
            storage.delete(job.key)
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE, detail="the workers are not accepting jobs; try again"
            ) from None
        response.headers["Location"] = f"/files/{job.id}"
        return job_out(job)

    @app.get("/files/{job_id}")
    async def job_status(job_id: str) -> JobOut:
        return job_out(found(job_id))

    @app.get("/files/{job_id}/result")
    async def job_result(job_id: str) -> ResultOut:
        job = found(job_id)
        if job.status == "failed":
            raise HTTPException(status.HTTP_409_CONFLICT, detail=f"job {job_id!r} failed: {job.error}")
        if job.status != "done":
            raise HTTPException(
                status.HTTP_409_CONFLICT,
                detail=f"job {job_id!r} is {job.status}: no result yet",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        return ResultOut(id=job.id, result=job.result)

    return app
