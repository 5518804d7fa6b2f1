"""Code review: a CPU-heavy endpoint (~15 min).

The pull request says: "Adds POST /digest and POST /digests, which stretch a text into a slow SHA-256
digest (the same thing our password hashing does, so the mobile team can check their tokens). Single
digests are quick, so they run inline; batches are the slow ones, so they get a process pool." Under
load in staging, /health started timing out and the box ran out of memory. Review it as you would at
work: name every problem, say what it breaks in production and how badly, then fix this file in place.

The contract the tests hold you to: the same URLs, bodies and answers; `rounds` between 1 and
MAX_ROUNDS and a batch of 1 to MAX_BATCH texts, or a 422; other requests keep being served while a
digest is computed; and one executor for the whole app, created when it starts and shut down when it
stops, that runs every digest.

Keep the seams the tests use: `create_app(executor_factory, work)` builds the app; `executor_factory()`
makes an executor and `work(text, rounds)` computes one digest (the tests pass a thread pool and a
`work` they can pause; the defaults stay a process pool and `stretch`).

Run `dojo check cpu_endpoint` (behaviour) and `dojo lint cpu_endpoint` (ruff's review profile,
mypy --strict and the rule pack); `dojo hint cpu_endpoint` when stuck, `dojo answer cpu_endpoint` once the tests pass.
"""

import hashlib
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor

from fastapi import FastAPI
from pydantic import BaseModel

DEFAULT_ROUNDS = 100_000
MAX_ROUNDS = 1_000_000
MAX_BATCH = 32


def stretch(text: str, rounds: int) -> str:
    """SHA-256 applied `rounds` times: slow on purpose, and pure Python CPU work that holds the GIL."""
    digest = text.encode()
    for _ in range(rounds):
        digest = hashlib.sha256(digest).digest()
    return digest.hex()


class DigestIn(BaseModel):
    text: str
    rounds: int = DEFAULT_ROUNDS


class BatchIn(BaseModel):
    texts: list[str]
    rounds: int = DEFAULT_ROUNDS


class DigestOut(BaseModel):
    digest: str


def create_app(
    executor_factory: Callable[[], Executor] = ProcessPoolExecutor,
    work: Callable[[str, int], str] = stretch,
) -> FastAPI:
    app = FastAPI()

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/digest")
    async def digest(body: DigestIn) -> DigestOut:
        # One digest is quick: not worth a pool.
        return DigestOut(digest=work(body.text, body.rounds))

    @app.post("/digests")
    async def digests(body: BatchIn) -> list[DigestOut]:
        with executor_factory() as pool:
            futures = [pool.submit(work, text, body.rounds) for text in body.texts]
            results = []
            for future in futures:
                results.append(DigestOut(digest=future.result()))
        return results

    return app
