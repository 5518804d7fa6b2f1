"""bulk_upload: POST /products/import is bounded (413), validated (400/422), atomic and committed once."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.orm import Session

from dojo import testing
from dojo.testing import count_connections
from reviews.bulk_upload import Base, Product, create_app

LIMIT = 1024 * 1024  # the documented cap: 1 MiB


def product(sku: str, **overrides: Any) -> dict[str, Any]:
    return {"sku": sku, "name": f"Product {sku}", "price_cents": 1999, "description": "", **overrides}


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "products.db"
    engine = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    engine.dispose()
    return path


def stored_skus(path: Path) -> list[str]:
    engine = create_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        skus = list(session.scalars(select(Product.sku).order_by(Product.sku)))
    engine.dispose()
    return skus


def count_products(path: Path) -> int:
    engine = create_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        count = session.scalar(select(func.count()).select_from(Product)) or 0
    engine.dispose()
    return count


def serve(app: FastAPI) -> AbstractAsyncContextManager[httpx.AsyncClient]:
    """The app with its startup and shutdown run; a crash in the app comes back as a 500 response."""
    return testing.serve(app, crash_as_500=True)


async def post_import(path: Path, content: bytes) -> httpx.Response:
    async with serve(create_app(path)) as client:
        return await client.post("/products/import", content=content, headers={"content-type": "application/json"})


@pytest.mark.guard
async def test_imports_a_valid_batch(database):
    batch = [product("A-1"), product("A-2"), product("A-3", description="blue")]
    del batch[1]["description"]  # optional
    response = await post_import(database, json.dumps(batch).encode())
    assert response.status_code == 200, f"importing 3 valid products answered {response.status_code}: {response.text}"
    assert response.json() == {"imported": 3}
    assert stored_skus(database) == ["A-1", "A-2", "A-3"]


@pytest.fixture
def commits() -> Iterator[list[object]]:
    """Every COMMIT any engine sends during the test."""
    seen: list[object] = []

    def on_commit(connection: object) -> None:
        seen.append(connection)

    event.listen(Engine, "commit", on_commit)
    try:
        yield seen
    finally:
        event.remove(Engine, "commit", on_commit)


async def test_a_batch_is_committed_once(database, commits):
    batch = [product(f"B-{n}") for n in range(20)]
    response = await post_import(database, json.dumps(batch).encode())
    assert response.status_code == 200, f"importing 20 valid products answered {response.status_code}: {response.text}"
    assert len(commits) == 1, (
        f"importing 20 products sent {len(commits)} COMMITs: one per row means one fsync per row (slow) and a"
        " batch that can stop half-way; add them all, then commit once"
    )


@pytest.mark.parametrize("stored", [[], ["C-1"]], ids=["twice-in-the-batch", "already-in-the-catalogue"])
async def test_a_sku_that_is_taken_is_a_409_and_leaves_nothing_written(database, stored):
    if stored:
        first = await post_import(database, json.dumps([product(sku) for sku in stored]).encode())
        assert first.status_code == 200, f"importing {stored} into an empty catalogue answered {first.status_code}"
    batch = [product("C-2"), product("C-3"), product("C-1", name="the same sku again")]
    if not stored:
        batch.insert(0, product("C-1"))
    response = await post_import(database, json.dumps(batch).encode())
    where = "in the catalogue" if stored else "twice in the batch"
    assert response.status_code == 409, (
        f"a batch with a sku that is taken ({where}) answered {response.status_code} {response.text}: the client"
        " sent a conflicting batch, a 409 Conflict, not a crash"
    )
    assert stored_skus(database) == stored, (
        f"the batch was refused but the catalogue now holds {stored_skus(database)} (it held {stored}): a batch lands"
        " completely or not at all (one transaction)"
    )


async def test_a_failed_import_does_not_break_the_next_one(database):
    async with serve(create_app(database)) as client:
        duplicate = [product("D-1"), product("D-1")]
        await client.post("/products/import", content=json.dumps(duplicate).encode())
        response = await client.post("/products/import", content=json.dumps([product("D-2")]).encode())
    assert response.status_code == 200, (
        f"after one failed import, a valid one answered {response.status_code}: {response.text}. A session shared"
        " by every request stays broken after a failed commit (and is used by concurrent requests at once)"
    )
    assert stored_skus(database) == ["D-2"]


def padded_batch(size: int) -> bytes:
    """A valid one-product batch of exactly `size` bytes (JSON allows trailing whitespace)."""
    body = json.dumps([product("E-1")]).encode()
    return body + b" " * (size - len(body))


async def test_a_body_over_the_limit_is_refused_with_413(database):
    big = json.dumps([product("E-1", description="x" * LIMIT)]).encode()
    response = await post_import(database, big)
    assert response.status_code == 413, (
        f"a {len(big)}-byte upload (limit {LIMIT}) answered {response.status_code}: the service read and stored it"
        " all. Without a cap, one client can exhaust the server's memory"
    )
    assert count_products(database) == 0


@pytest.mark.parametrize("streamed", [False, True], ids=["content-length", "streamed"])
async def test_a_body_of_exactly_the_limit_is_accepted_and_one_byte_more_is_not(tmp_path, streamed):
    async def chunks(body: bytes) -> AsyncIterator[bytes]:
        for start in range(0, len(body), 64 * 1024):
            yield body[start : start + 64 * 1024]

    statuses = []
    for size in (LIMIT, LIMIT + 1):
        path = tmp_path / f"products-{size}.db"
        engine = create_engine(f"sqlite:///{path}")
        Base.metadata.create_all(engine)
        engine.dispose()
        body = padded_batch(size)
        async with serve(create_app(path)) as client:
            content = chunks(body) if streamed else body
            statuses.append((await client.post("/products/import", content=content)).status_code)
    how = "streamed" if streamed else "with Content-Length"
    assert statuses == [200, 413], (
        f"bodies of exactly {LIMIT} and {LIMIT + 1} bytes ({how}) answered {statuses}: the cap is 1 MiB, so a body"
        " of exactly 1 MiB is allowed and one byte more is not"
    )


async def test_a_streamed_body_over_the_limit_is_refused_with_413(database):
    """No Content-Length header: the server only learns the size by reading, so it must count as it reads."""
    chunk = b" " * (64 * 1024)
    sent: list[int] = []

    async def endless_body() -> AsyncIterator[bytes]:
        yield b'[{"sku": "F-1", "name": "n", "price_cents": 1, "description": "'
        for _ in range(2 * LIMIT // len(chunk)):
            sent.append(len(chunk))
            yield chunk
        yield b'"}]'

    async with serve(create_app(database)) as client:
        response = await client.post("/products/import", content=endless_body())
    assert response.status_code == 413, (
        f"a streamed upload of about {2 * LIMIT} bytes (no Content-Length) answered {response.status_code}: a"
        " Content-Length check alone is not a limit; count the bytes while reading the stream"
    )
    assert count_products(database) == 0
    assert sum(sent) <= LIMIT + len(chunk), (
        f"the server read {sum(sent)} bytes of a body it refused for being over {LIMIT}: it read the whole body"
        " first and measured it after. Stop reading as soon as the count passes the limit"
    )


@pytest.mark.parametrize(
    "content",
    [b'[{"sku": "G-1", "name": "cut off', b"not json at all", b"\xff\xfe\xfa"],
    ids=["truncated", "text", "not-utf8"],
)
async def test_a_body_that_is_not_json_is_a_400(database, content):
    response = await post_import(database, content)
    assert response.status_code == 400, (
        f"POST {content!r} answered {response.status_code}: a body that does not parse is the client's mistake"
        " (400), not a server error"
    )


@pytest.mark.parametrize(
    "payload",
    [
        [product("H-1"), product("H-2", price_cents=-500)],
        [product("H-1"), {"sku": "H-2", "price_cents": 100}],
        [product("H-1"), product("H-2", price_cents="cheap")],
        [product("H-1"), product("H-2", price_cents=19.99)],
        [product("H-1"), product("H-2", is_admin=True)],
        [product("H-1"), product("")],
        [product("H-1"), product("H" * 33)],
        [product("H-1"), product("H-2", name="")],
        [product("H-1"), product("H-2", name="n" * 201)],
        [product("H-1"), "H-2"],
        product("H-1"),
    ],
    ids=[
        "negative-price",
        "missing-name",
        "price-not-a-number",
        "fractional-price",
        "unknown-field",
        "empty-sku",
        "sku-of-33",
        "empty-name",
        "name-of-201",
        "not-an-object",
        "not-a-list",
    ],
)
async def test_products_that_do_not_fit_the_schema_are_a_422_and_nothing_is_written(database, payload):
    response = await post_import(database, json.dumps(payload).encode())
    assert response.status_code == 422, (
        f"POST {json.dumps(payload)} answered {response.status_code}: products are validated before anything is"
        " written, and a product that does not fit the schema is a 422 that says which field is wrong"
    )
    assert count_products(database) == 0, f"an invalid batch stored {stored_skus(database)}"


async def test_the_app_closes_its_database_connections_when_it_shuts_down(database):
    with count_connections() as connections:
        response = await post_import(database, json.dumps([product("K-1")]).encode())
    assert response.status_code == 200, f"importing one product answered {response.status_code}: {response.text}"
    connections.assert_all_closed()
