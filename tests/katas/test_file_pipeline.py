"""file_pipeline: a streamed upload with a limit, a job on an executor, status and result endpoints."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule

from katas.file_pipeline import MAX_UPLOAD_BYTES, BlobStore, create_app, summarise_csv

CSV = b"city,deals\nLisbon,3\nPorto,5\n"


class ManualExecutor(Executor):
    """Queues jobs and runs them only when the test says so, like a worker pool that is busy elsewhere.

    Like a real executor, a job's exception ends up in its Future: it never reaches the caller.
    """

    def __init__(self) -> None:
        self.queue: list[tuple[Callable[..., Any], tuple[Any, ...], Future[Any]]] = []
        self.closed = False

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        if self.closed:
            raise RuntimeError("cannot schedule new futures after shutdown")
        future: Future[Any] = Future()
        self.queue.append((lambda: fn(*args, **kwargs), (), future))
        return future

    def run_next(self) -> None:
        call, _, future = self.queue.pop(0)
        try:
            future.set_result(call())
        except Exception as error:
            future.set_exception(error)

    def run_all(self) -> None:
        while self.queue:
            self.run_next()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.closed = True


class InlineExecutor(ManualExecutor):
    """Runs each job at once, inside submit: a worker that was idle and picked the job up immediately."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        self.run_all()
        return future


class CountingProcessor:
    def __init__(self, fail_with: Exception | None = None) -> None:
        self.seen: list[bytes] = []
        self.fail_with = fail_with

    def __call__(self, data: bytes) -> dict[str, Any]:
        self.seen.append(data)
        if self.fail_with is not None:
            raise self.fail_with
        return {"bytes": len(data)}


class Chunks:
    """A request body sent in chunks, counting how many the server pulled."""

    def __init__(self, count: int, size: int) -> None:
        self.count = count
        self.size = size
        self.pulled = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.count):
            self.pulled += 1
            yield b"x" * self.size


@asynccontextmanager
async def client_for(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        yield client


async def upload(client: httpx.AsyncClient, content: Any = CSV, **headers: str) -> dict[str, Any]:
    response = await client.post("/files", content=content, headers=headers)
    assert response.status_code == 202, f"POST /files answered {response.status_code}: {response.text}"
    body: dict[str, Any] = response.json()
    return body


# ---- the upload ----


async def test_an_upload_answers_202_with_a_queued_job_and_a_location():
    executor = ManualExecutor()
    async with client_for(create_app(executor)) as client:
        response = await client.post("/files", content=CSV)
        assert response.status_code == 202, f"the job is accepted, not done: 202, got {response.status_code}"
        body = response.json()
        assert (body["status"], body["size"], body["error"]) == ("queued", len(CSV), None)
        assert response.headers.get("location", "").endswith(f"/files/{body['id']}")
        assert (await client.get(f"/files/{body['id']}")).json() == body
        assert (await upload(client))["id"] != body["id"], "every upload is a new job"


async def test_processing_happens_on_the_executor_not_in_the_request():
    executor, processor = ManualExecutor(), CountingProcessor()
    async with client_for(create_app(executor, process=processor)) as client:
        job = await upload(client)
        assert processor.seen == [], "the processor ran during the request: hand the job to the executor instead"
        assert len(executor.queue) == 1, "one upload, one job submitted to the executor"
        executor.run_all()
        assert processor.seen == [CSV], "the worker processes exactly the uploaded bytes"
        status = (await client.get(f"/files/{job['id']}")).json()
        assert status["status"] == "done"
        result = await client.get(f"/files/{job['id']}/result")
        assert (result.status_code, result.json()) == (200, {"id": job["id"], "result": {"bytes": len(CSV)}})


async def test_the_job_is_recorded_before_a_worker_can_pick_it_up():
    async with client_for(create_app(InlineExecutor())) as client:
        job = await upload(client)
        status = (await client.get(f"/files/{job['id']}")).json()
        assert status["status"] == "done", (
            f"a worker that runs the job at once must find it recorded, and its result must not be overwritten: {status}"
        )
        assert (await client.get(f"/files/{job['id']}/result")).json()["result"] == {
            "columns": ["city", "deals"],
            "rows": 2,
        }


async def test_the_upload_is_kept_in_the_blob_store():
    blobs = BlobStore()
    async with client_for(create_app(ManualExecutor(), blobs=blobs)) as client:
        job = await upload(client, Chunks(3, 10))
    assert blobs.keys() == [f"uploads/{job['id']}"], "the upload is stored under uploads/<job id>"
    assert blobs.get(f"uploads/{job['id']}") == b"x" * 30, "every chunk, in order"


async def test_a_job_is_running_while_the_processor_works():
    seen: list[str] = []
    executor = ManualExecutor()
    app_box: list[Any] = []

    def peeking(data: bytes) -> dict[str, Any]:
        async def look() -> None:
            async with client_for(app_box[0]) as inner:
                seen.append((await inner.get(f"/files/{job['id']}")).json()["status"])
                seen.append(str((await inner.get(f"/files/{job['id']}/result")).status_code))

        asyncio.run(look())  # the worker is a thread of its own, with no loop running
        return {}

    app_box.append(create_app(executor, process=peeking))
    async with client_for(app_box[0]) as client:
        job = await upload(client)
    await asyncio.to_thread(executor.run_all)
    assert seen == ["running", "409"], f"while processing, the job is running and has no result yet: {seen}"


# ---- the size limit ----


async def test_an_upload_over_the_limit_is_413_and_the_rest_is_never_read():
    executor, blobs = ManualExecutor(), BlobStore()
    body = Chunks(count=100, size=1024)
    async with client_for(create_app(executor, blobs=blobs, max_bytes=4096)) as client:
        response = await client.post("/files", content=body)
    assert response.status_code == 413, f"over the limit is 413 Content Too Large, got {response.status_code}"
    assert "4096" in str(response.json().get("detail")), f"the detail states the limit, got {response.json()}"
    assert body.pulled == 5, (
        f"the server read {body.pulled} of 100 chunks of 1 KiB: stop at the 5th, the first past 4096 bytes "
        "(never read the whole body, then measure it)"
    )
    assert (executor.queue, blobs.keys()) == ([], []), "a refused upload leaves no job and no blob behind"


async def test_a_declared_content_length_over_the_limit_is_refused_before_reading():
    body = Chunks(count=10, size=1024)
    async with client_for(create_app(ManualExecutor(), max_bytes=4096)) as client:
        response = await client.post("/files", content=body, headers={"Content-Length": "10240"})
    assert response.status_code == 413
    assert body.pulled == 0, "a Content-Length over the limit already says no: read nothing"


async def test_a_content_length_that_lies_does_not_get_past_the_count():
    body = Chunks(count=10, size=1024)
    executor = ManualExecutor()
    async with client_for(create_app(executor, max_bytes=4096)) as client:
        response = await client.post("/files", content=body, headers={"Content-Length": "100"})
    assert response.status_code == 413, "Content-Length is a claim: count the bytes as they arrive"
    assert body.pulled == 5
    assert executor.queue == []


async def test_exactly_the_limit_is_accepted_and_one_byte_more_is_not():
    async with client_for(create_app(ManualExecutor(), max_bytes=4096)) as client:
        assert (await upload(client, Chunks(4, 1024)))["size"] == 4096, "the limit itself is allowed"
        assert (await client.post("/files", content=b"x" * 4096)).status_code == 202
        assert (await client.post("/files", content=b"x" * 4097)).status_code == 413
        one_more = Chunks(4, 1024)
        response = await client.post("/files", content=_then(one_more, b"!"))
        assert response.status_code == 413, "4096 bytes in chunks, then one more: over the limit"


async def _then(chunks: Chunks, last: bytes) -> AsyncIterator[bytes]:
    async for chunk in chunks:
        yield chunk
    yield last


async def test_the_default_limit_is_one_mebibyte():
    assert MAX_UPLOAD_BYTES == 1024 * 1024
    async with client_for(create_app(ManualExecutor())) as client:
        assert (await client.post("/files", content=b"x" * MAX_UPLOAD_BYTES)).status_code == 202
        assert (await client.post("/files", content=b"x" * (MAX_UPLOAD_BYTES + 1))).status_code == 413


@pytest.mark.parametrize(
    ("content", "headers", "code", "word"),
    [
        (b"", {}, 422, "empty"),
        (b"abc", {"Content-Length": "three"}, 400, "Content-Length"),
    ],
    ids=["empty", "bad_content_length"],
)
async def test_bad_uploads_are_4xx_with_a_detail_and_make_no_job(content, headers, code, word):
    executor, blobs = ManualExecutor(), BlobStore()
    async with client_for(create_app(executor, blobs=blobs)) as client:
        response = await client.post("/files", content=content, headers=headers)
    assert response.status_code == code, f"POST /files {content!r} {headers}: {code}, got {response.status_code}"
    assert word in str(response.json().get("detail")), f"the detail should say what is wrong, got {response.json()}"
    assert (executor.queue, blobs.keys()) == ([], [])


async def test_a_shut_down_executor_is_503_and_leaves_no_job():
    executor, blobs = ManualExecutor(), BlobStore()
    executor.shutdown()
    async with client_for(create_app(executor, blobs=blobs)) as client:
        response = await client.post("/files", content=CSV)
        assert response.status_code == 503, f"workers that refuse jobs are an outage: 503, got {response.status_code}"
        assert "detail" in response.json()
    assert blobs.keys() == [], "a job that was never queued leaves no upload behind"


# ---- status and result ----


async def test_unknown_jobs_are_404():
    async with client_for(create_app(ManualExecutor())) as client:
        for path in ("/files/nope", "/files/nope/result"):
            response = await client.get(path)
            assert response.status_code == 404, f"GET {path} should be 404, got {response.status_code}"
            assert "nope" in str(response.json().get("detail")), "the 404's detail names the job"


async def test_a_result_that_is_not_ready_is_409_with_retry_after():
    executor = ManualExecutor()
    async with client_for(create_app(executor)) as client:
        job = await upload(client)
        response = await client.get(f"/files/{job['id']}/result")
        assert response.status_code == 409, f"a queued job has no result yet: 409, got {response.status_code}"
        assert response.headers.get("retry-after") == "1", "tell the client when to ask again"
        assert "queued" in str(response.json().get("detail")), "the detail says the job's status"
        executor.run_all()
        assert (await client.get(f"/files/{job['id']}/result")).status_code == 200


async def test_a_failing_processor_marks_the_job_failed_with_its_reason():
    executor = ManualExecutor()
    processor = CountingProcessor(fail_with=ValueError("row 3 has 4 columns"))
    async with client_for(create_app(executor, process=processor)) as client:
        job = await upload(client)
        executor.run_all()
        status = (await client.get(f"/files/{job['id']}")).json()
        assert (status["status"], status["error"]) == ("failed", "row 3 has 4 columns"), (
            f"catch the processor's exception in the job and record it; it must not stay running: {status}"
        )
        result = await client.get(f"/files/{job['id']}/result")
        assert result.status_code == 409, "a failed job has no result either"
        assert "failed" in str(result.json().get("detail"))
        assert "row 3 has 4 columns" in str(result.json().get("detail")), "the detail says why it failed"
        assert "retry-after" not in result.headers, "asking again will not help a failed job"


async def test_a_real_thread_pool_runs_the_job_off_the_event_loop():
    threads: list[str] = []

    def on_a_worker(data: bytes) -> dict[str, Any]:
        threads.append(threading.current_thread().name)
        return {"bytes": len(data)}

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pipeline-worker") as pool:
        app = create_app(pool, process=on_a_worker)
        async with client_for(app) as client:
            job = await upload(client)
    async with client_for(app) as client:  # the pool has been shut down: every job has finished
        result = (await client.get(f"/files/{job['id']}/result")).json()
    assert result == {"id": job["id"], "result": {"bytes": len(CSV)}}
    assert threads == ["pipeline-worker_0"], f"the job ran on {threads}, not on the pool's worker"


# ---- the default processing step ----


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (CSV, {"columns": ["city", "deals"], "rows": 2}),
        (b"city,deals\n", {"columns": ["city", "deals"], "rows": 0}),
        (b'name\n"Porto, Portugal"\n', {"columns": ["name"], "rows": 1}),
        (b"\n", {"columns": [], "rows": 0}),
        (b"", {"columns": [], "rows": 0}),
    ],
    ids=["rows", "header_only", "quoted_comma", "blank", "nothing"],
)
@pytest.mark.guard  # given code: it must keep working
def test_summarise_csv_reports_the_header_and_the_row_count(data, expected):
    assert summarise_csv(data) == expected


@pytest.mark.guard
def test_summarise_csv_rejects_bytes_that_are_not_utf8():
    with pytest.raises(ValueError, match="UTF-8"):
        summarise_csv(b"\xff\xfe")


# ---- the model: the job lifecycle under random sequences ----


class JobsAgainstModel(RuleBasedStateMachine):
    """Random uploads (good, failing, over the limit), worker steps and reads must match a model of jobs."""

    LIMIT = 64

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.stack = contextlib.AsyncExitStack()
        self.executor = ManualExecutor()
        app = create_app(self.executor, process=self.process, max_bytes=self.LIMIT)
        self.client: httpx.AsyncClient = self.run(self.stack.enter_async_context(client_for(app)))
        self.jobs: dict[str, str] = {}  # id -> the status the model expects
        self.sizes: dict[str, int] = {}
        self.queued: list[str] = []  # in submission order

    @staticmethod
    def process(data: bytes) -> dict[str, Any]:
        if data.startswith(b"!"):
            raise ValueError("cannot parse")
        return {"bytes": len(data)}

    def run(self, coroutine: Any) -> Any:
        return self.loop.run_until_complete(coroutine)

    def teardown(self) -> None:
        self.run(self.stack.aclose())
        self.loop.close()

    @rule(size=st.sampled_from([1, 10, 63, 64, 65, 200]), bad=st.booleans())
    def upload(self, size: int, bad: bool) -> None:
        data = (b"!" if bad else b"a") + b"b" * (size - 1)
        response = self.run(self.client.post("/files", content=data))
        if size > self.LIMIT:
            assert response.status_code == 413
            return
        assert response.status_code == 202, response.text
        job_id = response.json()["id"]
        assert job_id not in self.jobs
        self.jobs[job_id] = "failed" if bad else "done"
        self.sizes[job_id] = size
        self.queued.append(job_id)

    @rule()
    def work(self) -> None:
        if self.executor.queue:
            self.executor.run_next()
            self.queued.pop(0)

    @rule(pick=st.integers(0, 30))
    def read(self, pick: int) -> None:
        if not self.jobs:
            assert self.run(self.client.get("/files/none")).status_code == 404
            return
        job_id = sorted(self.jobs)[pick % len(self.jobs)]
        expected = "queued" if job_id in self.queued else self.jobs[job_id]
        status = self.run(self.client.get(f"/files/{job_id}")).json()
        assert (status["status"], status["size"]) == (expected, self.sizes[job_id])
        result = self.run(self.client.get(f"/files/{job_id}/result"))
        if expected == "done":
            assert (result.status_code, result.json()["result"]) == (200, {"bytes": self.sizes[job_id]})
        else:
            assert result.status_code == 409


TestJobsAgainstModel = JobsAgainstModel.TestCase
TestJobsAgainstModel.settings = settings(max_examples=25, stateful_step_count=15)


@pytest.mark.parametrize(
    ("fail_with", "expected"),
    [(None, ("done", None)), (ValueError("bad row"), ("failed", "bad row"))],
    ids=["done", "failed"],
)
async def test_the_202_shows_the_job_as_it_is_when_submit_already_ran_it(
    fail_with: Exception | None, expected: tuple[str, str | None]
) -> None:
    async with client_for(create_app(InlineExecutor(), process=CountingProcessor(fail_with))) as client:
        job = await upload(client)
        assert (job["status"], job["error"]) == expected, f"the 202 shows the job as it is now, not as queued: {job}"
        assert (await client.get(f"/files/{job['id']}")).json() == job
