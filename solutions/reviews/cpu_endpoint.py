"""A CPU-heavy endpoint, reviewed: one process pool for the app, awaited, never the event loop.

- Every digest, single or batched, runs in the executor through ``loop.run_in_executor`` and is
  awaited: while a worker hashes, the event loop keeps serving /health and every other request.
  Calling ``work`` inline in ``async def`` (or waiting on ``future.result()`` there) freezes them all.
- One executor for the app's lifetime: created in the lifespan when the app starts, shut down when
  it stops. A pool per request pays the process start-up every time, and ten concurrent batches
  means ten pools of CPU-count processes each: that is how the box ran out of memory.
- The default is a ``ProcessPoolExecutor`` on purpose: ``stretch`` is pure Python and holds the GIL,
  so threads would take turns on one core. A thread pool would keep the loop responsive (it gets the
  GIL back every few milliseconds) but would not compute two digests at once, and each busy thread
  slows the loop down. Processes each have their own interpreter and GIL. The price: what crosses
  into the pool must be picklable, so ``work`` is a module-level function, not a lambda or closure.
- ``rounds`` and the batch size are bounded: one request can no longer hold a worker for an hour.

No ``from __future__ import annotations``: FastAPI reads the endpoint's annotations at runtime.
"""

import asyncio
import hashlib
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import FastAPI
from pydantic import BaseModel, Field

DEFAULT_ROUNDS = 100_000
MAX_ROUNDS = 1_000_000
MAX_BATCH = 32

Rounds = Annotated[int, Field(ge=1, le=MAX_ROUNDS)]


def stretch(text: str, rounds: int) -> str:
    """SHA-256 applied `rounds` times: slow on purpose, and pure Python CPU work that holds the GIL."""
    digest = text.encode()
    for _ in range(rounds):
        digest = hashlib.sha256(digest).digest()
    return digest.hex()


class DigestIn(BaseModel):
    text: str
    rounds: Rounds = DEFAULT_ROUNDS


class BatchIn(BaseModel):
    texts: list[str] = Field(min_length=1, max_length=MAX_BATCH)
    rounds: Rounds = DEFAULT_ROUNDS


class DigestOut(BaseModel):
    digest: str


def create_app(
    executor_factory: Callable[[], Executor] = ProcessPoolExecutor,
    work: Callable[[str, int], str] = stretch,
) -> FastAPI:
    running: list[Executor] = []  # the app's one executor, from startup to shutdown

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        running.append(executor_factory())
        try:
            yield
        finally:
            executor = running.pop()
            # No request is running any more; cancel_futures drops work queued by a client that left.
            executor.shutdown(wait=True, cancel_futures=True)

    async def compute(text: str, rounds: int) -> str:
        (executor,) = running  # requests are served only while the app runs: exactly one executor
        return await asyncio.get_running_loop().run_in_executor(executor, work, text, rounds)

    app = FastAPI(lifespan=lifespan)

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/digest")
    async def digest(body: DigestIn) -> DigestOut:
        return DigestOut(digest=await compute(body.text, body.rounds))

    @app.post("/digests")
    async def digests(body: BatchIn) -> list[DigestOut]:
        found = await asyncio.gather(*(compute(text, body.rounds) for text in body.texts))
        return [DigestOut(digest=digest) for digest in found]

    return app
