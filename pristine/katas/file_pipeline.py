"""File-processing pipeline (system design kata, ~40 min).

"Users upload files for us to process. Take the upload as a stream with a size limit, record a job,
process it off the request path, and let the client poll for its status and fetch the result."

- `create_app(executor, *, blobs, process, max_bytes)`: jobs go to `executor.submit(fn, job_id)` (a
  `concurrent.futures.Executor`: a pool of workers, which may also run the job at once). `process` turns
  the upload's bytes into the result (default: the given `summarise_csv`); `max_bytes` defaults to
  `MAX_UPLOAD_BYTES` (1 MiB).
- `POST /files`: the raw request body is the file. Read it with `request.stream()`, counting bytes:
  at the first chunk that takes the total over `max_bytes`, stop reading (never pull the rest) and
  answer 413 with a `detail` that states the limit in bytes. Exactly `max_bytes` is allowed. A
  `Content-Length` over the limit is a 413 before reading anything, one that is not a number is a 400
  (the detail says Content-Length), and a Content-Length that understates the body is no excuse: the
  count decides. An empty body is 422 (the detail says "empty"). A refused upload leaves no job and no
  blob behind. Errors use FastAPI's `{"detail": ...}`.
- Store the bytes in `blobs` under `uploads/{job id}`, record the job as `queued`, and only then submit
  it; answer 202 with the job (`{"id", "status", "size", "error"}`, its current status) and
  `Location: /files/{id}`. Every upload is a new job. If `submit` raises RuntimeError (a shut-down
  executor), answer 503 and remove the stored upload.
- Processing never runs in the request: the worker marks the job `running`, calls `process`, then
  stores the result and marks it `done`; if `process` raises, the job is `failed` with `error` set to
  the exception's message (never left `running`).
- `GET /files/{id}` -> the job. `GET /files/{id}/result` -> 200 `{"id", "result"}` once done. Not done
  yet is 409 Conflict (425 Too Early is about TLS early data; 404 would say there is no job): for a
  queued or running job with `Retry-After: 1` and a detail that names the status, for a failed job
  with a detail that says "failed" and gives the error, and no Retry-After. 404 for an unknown id
  (the detail names it), on both routes.

Run `dojo check file_pipeline`; `dojo hint file_pipeline` when stuck.
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
    """The default processing step (given): a UTF-8 CSV's header and the number of rows under it."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("the file is not UTF-8 text") from None
    rows = list(csv.reader(io.StringIO(text)))
    return {"columns": rows[0] if rows else [], "rows": max(len(rows) - 1, 0)}


# ---- storage (given: in-memory stand-ins for object storage and a jobs table) ----


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
        """What the executor runs, off the event loop."""
        raise NotImplementedError("run_job")  # TODO

    # Add status codes where the default 200 is wrong.

    @app.post("/files")
    async def upload(request: Request, response: Response) -> JobOut:
        raise NotImplementedError("POST /files")  # TODO

    @app.get("/files/{job_id}")
    async def job_status(job_id: str) -> JobOut:
        raise NotImplementedError("GET /files/{id}")  # TODO

    @app.get("/files/{job_id}/result")
    async def job_result(job_id: str) -> ResultOut:
        raise NotImplementedError("GET /files/{id}/result")  # TODO

    return app
