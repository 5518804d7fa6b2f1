"""Round 8 (after the interview): hardening. Bounded inputs, exact cents, the envelope on every error,
liveness and readiness, 503 (not 500) while the database is down, and concurrent writes that queue.

Outages are made real and deterministic, with no sleeps: a database file in a folder that does not
exist (SQLite); a port that refuses connections, a server that accepts and never answers, and a real
database that stops accepting connections and then accepts again (PostgreSQL). Concurrency runs N
requests at once through the app with its real connection pool (``asyncio.gather``); a row lock held
by the test makes "every pooled connection is busy" happen on purpose.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import threading
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import event, make_url
from sqlalchemy.pool import Pool

from tests.capstone.helpers import SAMPLE_CSV, Database, error_of, items

MAX_INTEGER = 2**31 - 1  # PostgreSQL INTEGER, the type of every id and of the version
GUARD_SECONDS = 20  # a request that hangs fails the test after this long instead of hanging CI

ON_POSTGRES_ONLY = pytest.mark.parametrize(
    "backend",
    [
        pytest.param(
            "postgres",
            marks=pytest.mark.skipif(
                not os.environ.get("DOJO_POSTGRES_URL"),
                reason="outages, row locks and pools are checked on PostgreSQL: set DOJO_POSTGRES_URL",
            ),
        )
    ],
)


@asynccontextmanager
async def app_client(database_url: str, **settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    """The learner's app with extra settings (timeouts, pool size), started, behind an httpx client."""
    from katas.deals_api.config import Settings
    from katas.deals_api.main import create_app

    app = create_app(Settings(database_url=database_url, debug=False, **settings))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def call(client: httpx.AsyncClient, method: str, path: str, **kwargs: Any) -> httpx.Response:
    return await asyncio.wait_for(client.request(method, path, **kwargs), GUARD_SECONDS)


def new_deal(hotel_id: int, **overrides: Any) -> dict[str, Any]:
    body = {
        "hotel_id": hotel_id, "room_type": "Suite", "star_rating": 5, "price_per_night": 180.0,
        "original_price": 200.0, "discount_percent": 10, "checkin_date": "2025-07-01",
        "checkout_date": "2025-07-05",
    }  # fmt: skip
    return {**body, **overrides}


async def a_hotel_id(db: Database) -> int:
    return int(await db.scalar("SELECT min(id) FROM hotels"))


async def a_deal_id(db: Database) -> int:
    return int(await db.scalar("SELECT min(id) FROM deals"))


def assert_rejected(response: httpx.Response, what: str) -> dict[str, Any]:
    assert response.status_code == 422, f"{what}: expected a 422, got {response.status_code} {response.text[:300]}"
    return error_of(response)


# --- bounds: a number beyond the column's type is bad input, not a crash ---------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"/deals/{MAX_INTEGER + 1}"),
        ("GET", "/deals/99999999999999999999"),
        ("DELETE", f"/deals/{MAX_INTEGER + 1}"),
        ("GET", f"/deals?skip={2**63}"),
        ("GET", f"/deals?skip={MAX_INTEGER + 1}"),
    ],
    ids=["id-2^31", "id-20-digits", "delete-id-2^31", "skip-2^63", "skip-2^31"],
)
async def test_numbers_beyond_the_column_type_are_a_422(known, client, method, path):
    error = assert_rejected(await call(client, method, path), f"{method} {path}")
    assert error["code"] == "validation_error"
    assert error.get("details"), "a validation error carries details"


async def test_ids_in_bodies_and_cursors_beyond_the_column_type_are_a_422(known, client):
    deal_id = await a_deal_id(known)
    assert_rejected(await call(client, "POST", "/deals", json=new_deal(MAX_INTEGER + 1)), "POST with hotel_id 2^31")
    assert_rejected(await call(client, "POST", "/deals", json=new_deal(10**20)), "POST with a 20-digit hotel_id")
    too_new = {"price_per_night": 10, "version": MAX_INTEGER + 1}
    assert_rejected(await call(client, "PATCH", f"/deals/{deal_id}", json=too_new), "PATCH with version 2^31")
    forged = base64.urlsafe_b64encode(json.dumps({"after_id": 10**20}).encode()).decode().rstrip("=")
    response = await call(client, "GET", "/deals/feed", params={"after": forged})
    # Whatever the learner's cursor format, a cursor the API did not issue is refused (round 4's rule).
    assert response.status_code == 422, (
        f"a forged cursor: expected 422, got {response.status_code} {response.text[:200]}"
    )
    assert await known.count("deals") == 7, "nothing was written"
    assert (await call(client, "GET", f"/deals/{deal_id}")).status_code == 200


# --- money: exact cents, the same on both databases --------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "kept"),
    [(80.015, 80.02), (80.014, 80.01), (99.995, 100.0), (0.014, 0.01), (19.9, 19.9)],
    ids=["half-up", "down", "carries-to-the-unit", "smallest", "already-cents"],
)
async def test_prices_are_rounded_half_up_to_the_cent_and_stored_so(known, client, sent, kept):
    hotel_id = await a_hotel_id(known)
    response = await call(client, "POST", "/deals", json=new_deal(hotel_id, price_per_night=sent, original_price=150))
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["price_per_night"] == kept, f"{sent} is kept as {created['price_per_night']}, expected {kept}"
    stored = await known.scalar("SELECT price_per_night FROM deals WHERE id = :id", id=created["id"])
    assert float(stored) == kept, f"the database holds {stored!r} for {sent}, expected {kept}"
    patched = await call(client, "PATCH", f"/deals/{created['id']}", json={"original_price": 150.005})
    assert patched.status_code == 200, patched.text
    assert patched.json()["original_price"] == 150.01


@pytest.mark.parametrize(
    "price", [0.004, 5e-324, 0.0, 100_000_000.0], ids=["sub-cent", "denormal", "zero", "too-large"]
)
async def test_prices_outside_one_cent_to_99999999_99_are_a_422(known, client, price):
    hotel_id = await a_hotel_id(known)
    body = new_deal(hotel_id, price_per_night=price, original_price=max(price, 200.0))
    error = assert_rejected(await call(client, "POST", "/deals", json=body), f"price_per_night {price}")
    assert "price_per_night" in str(error), f"the error names price_per_night: {error}"
    assert await known.count("deals") == 7


# --- text: NUL and undecodable bodies are bad input -----------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("POST", "/deals", {"json": {"room_type": "Suite\u0000"}}),
        ("POST", "/deals", {"json": {"categories": ["spa\u0000"]}}),
        ("GET", "/deals", {"params": {"city": "Berlin\u0000"}}),
        ("GET", "/deals", {"params": {"category": "\u0000"}}),
        ("GET", "/deals/feed", {"params": {"city": "\u0000x"}}),
    ],
    ids=["room-type", "category-name", "city-filter", "category-filter", "feed-city"],
)
async def test_a_nul_character_in_text_is_a_422(known, client, method, path, kwargs):
    if "json" in kwargs:
        kwargs = {"json": new_deal(await a_hotel_id(known), **kwargs["json"])}
    error = assert_rejected(await call(client, method, path, **kwargs), f"{method} {path} with a NUL character")
    assert error["code"] == "validation_error"
    assert await known.count("deals") == 7


@pytest.mark.parametrize("body", [b"\xff\xfe{}", b'{"room_type": "\xe9"}'], ids=["binary", "latin-1"])
async def test_a_body_that_is_not_utf8_is_a_422_in_the_envelope(known, client, body):
    headers = {"Content-Type": "application/json"}
    for method, path in (("POST", "/deals"), ("PATCH", f"/deals/{await a_deal_id(known)}")):
        error = assert_rejected(await call(client, method, path, content=body, headers=headers), f"{method} {path}")
        assert error["code"] == "validation_error"


async def test_types_are_not_coerced(known, client):
    hotel_id = await a_hotel_id(known)
    deal_id = await a_deal_id(known)
    for field, value in (("checkin_date", 0), ("star_rating", "5"), ("is_available", "yes"), ("price_per_night", "80")):
        assert_rejected(
            await call(client, "POST", "/deals", json=new_deal(hotel_id, **{field: value})), f"POST {field}={value!r}"
        )
        assert_rejected(
            await call(client, "PATCH", f"/deals/{deal_id}", json={field: value}), f"PATCH {field}={value!r}"
        )
    assert await known.count("deals") == 7


# --- the envelope on every 4xx, and 405 says what is allowed ----------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/deals/1", {"GET", "PATCH", "DELETE"}),
        ("DELETE", "/deals", {"GET", "POST"}),
        ("POST", "/health", {"GET"}),
    ],
    ids=["put-deal", "delete-list", "post-health"],
)
async def test_a_wrong_method_is_a_405_in_the_envelope_with_allow(client, method, path, allowed):
    response = await call(client, method, path)
    assert response.status_code == 405, response.text
    error_of(response)
    header = response.headers.get("Allow")
    assert header is not None, "a 405 must carry an Allow header (RFC 9110)"
    named = {m.strip().upper() for m in header.split(",")}
    assert allowed <= named, f"Allow: {header} must name {sorted(allowed)}"
    assert "PUT" not in named or method != "PUT", f"Allow: {header} names the method that was refused"


# --- the schema says what the server does -------------------------------------------------------------------------


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = schema
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _allows_null(node: dict[str, Any]) -> bool:
    if node.get("nullable") is True or node.get("type") == "null":
        return True
    types = node.get("type")
    if isinstance(types, list) and "null" in types:
        return True
    return any(_allows_null(option) for key in ("anyOf", "oneOf") for option in node.get(key, []))


async def test_the_schema_documents_non_nullable_patch_fields_dates_and_503(client):
    schema = (await call(client, "GET", "/openapi.json")).json()
    patch = schema["paths"]["/deals/{deal_id}"]["patch"]
    body = _resolve(schema, patch["requestBody"]["content"]["application/json"]["schema"])
    properties = body.get("properties", {})
    assert {"price_per_night", "checkin_date", "room_type"} <= set(properties), (
        f"PATCH documents its fields: {sorted(properties)}"
    )
    nullable = sorted(name for name, node in properties.items() if _allows_null(_resolve(schema, node)))
    assert not nullable, f"null is a 422 for these PATCH fields, yet the schema documents them nullable: {nullable}"
    post = _resolve(schema, schema["paths"]["/deals"]["post"]["requestBody"]["content"]["application/json"]["schema"])
    checkin = _resolve(schema, post["properties"]["checkin_date"])
    assert checkin.get("format") == "date", f"checkin_date is documented as a date: {checkin}"
    for path, operations in schema["paths"].items():
        if not path.startswith("/deals"):
            continue
        for method, operation in operations.items():
            assert "503" in operation.get("responses", {}), f"{method.upper()} {path} does not document its 503"


# --- liveness and readiness ---------------------------------------------------------------------------------------


async def test_ready_says_ready_when_the_database_answers(db, client):
    response = await call(client, "GET", "/ready")
    assert response.status_code == 200, response.text
    assert (await call(client, "GET", "/health")).status_code == 200


DATA_REQUESTS = [
    ("GET", "/deals", {}),
    ("GET", "/deals/1", {}),
    ("GET", "/deals/feed", {}),
    ("GET", "/deals/stats", {}),
    ("DELETE", "/deals/1", {}),
    ("POST", "/deals", {"json": new_deal(1)}),
]


async def assert_unavailable(client: httpx.AsyncClient) -> None:
    for method, path, kwargs in [*DATA_REQUESTS, ("GET", "/ready", {})]:
        response = await call(client, method, path, **kwargs)
        assert response.status_code == 503, (
            f"{method} {path} with the database down: expected 503, got {response.status_code} {response.text[:200]}"
        )
        assert error_of(response)["code"] == "database_unavailable"
        retry_after = response.headers.get("Retry-After", "")
        assert retry_after.isdigit(), (
            f"{method} {path}: a 503 says when to retry (Retry-After: seconds), got {retry_after!r}"
        )
    health = await call(client, "GET", "/health")
    assert health.status_code == 200, "liveness does not depend on the database: /health stays 200"


async def test_sqlite_file_that_cannot_be_opened_is_a_503(tmp_path):
    async with app_client(f"sqlite+aiosqlite:///{tmp_path / 'no-such-folder' / 'deals.db'}") as client:
        await assert_unavailable(client)
    await aiosqlite_threads_finished()


async def aiosqlite_threads_finished() -> None:
    """Join aiosqlite's worker threads: after a failed connect one may still report to this event loop,
    and once pytest has closed the loop that report would be an error attributed to the next test."""
    for thread in threading.enumerate():
        if "_connection_worker_thread" in thread.name:
            await asyncio.to_thread(thread.join, GUARD_SECONDS)


@contextmanager
def refusing_port() -> Iterator[int]:
    """A port on 127.0.0.1 bound but not listening: connecting gets 'connection refused' at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@asynccontextmanager
async def silent_server() -> AsyncIterator[int]:
    """A TCP server that accepts connections and never says a word (a hung or black-holed database)."""
    connections: list[asyncio.StreamWriter] = []

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        for writer in connections:
            writer.close()
        server.close()
        await server.wait_closed()


def postgres_url_on(port: int) -> str:
    url = make_url(os.environ["DOJO_POSTGRES_URL"]).set(drivername="postgresql+asyncpg", port=port, database="deals")
    return url.render_as_string(hide_password=False)


@ON_POSTGRES_ONLY
async def test_postgres_refusing_connections_is_a_503(backend):
    with refusing_port() as port:
        async with app_client(postgres_url_on(port)) as client:
            await assert_unavailable(client)


@ON_POSTGRES_ONLY
async def test_a_server_that_never_answers_is_a_503_after_the_connect_timeout(backend):
    async with silent_server() as port, app_client(postgres_url_on(port), connect_timeout=0.2) as client:
        # Without a connect timeout this waits for the operating system's TCP timeout (minutes).
        await assert_unavailable(client)


def admin_dsn() -> str:
    return make_url(os.environ["DOJO_POSTGRES_URL"]).set(drivername="postgresql").render_as_string(hide_password=False)


async def admin(sql: str, *args: Any) -> None:
    connection = await asyncpg.connect(admin_dsn())
    try:
        await connection.execute(sql, *args)
    finally:
        await connection.close()


@ON_POSTGRES_ONLY
async def test_postgres_outage_is_a_503_and_the_app_recovers_without_a_restart(known):
    name = make_url(known.url).database
    async with app_client(known.url) as client:
        assert (await call(client, "GET", "/deals")).status_code == 200  # the pool holds a live connection now
        await admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        await admin(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            name,
        )
        try:
            await assert_unavailable(client)
        finally:
            await admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        ready = await call(client, "GET", "/ready")
        assert ready.status_code == 200, f"the database is back: /ready must say so without a restart, got {ready.text}"
        listed = await call(client, "GET", "/deals")
        assert listed.status_code == 200, listed.text
        assert len(items(listed.json())) == 7


# --- concurrency on PostgreSQL, with the real pool --------------------------------------------------------------

N = 12


async def gathered(client: httpx.AsyncClient, requests: list[tuple[str, str, dict[str, Any]]]) -> list[httpx.Response]:
    return list(await asyncio.gather(*(call(client, method, path, **kwargs) for method, path, kwargs in requests)))


@ON_POSTGRES_ONLY
async def test_concurrent_patches_without_a_version_all_apply(known, client):
    deal_id = await a_deal_id(known)
    before = (await call(client, "GET", f"/deals/{deal_id}")).json()
    responses = await gathered(
        client, [("PATCH", f"/deals/{deal_id}", {"json": {"room_type": f"Room {i}"}}) for i in range(N)]
    )
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {200: N}, (
        f"{N} PATCHes without a version: every one applies (no 409 without a version), got {dict(statuses)}"
    )
    after = (await call(client, "GET", f"/deals/{deal_id}")).json()
    assert after["version"] == before["version"] + N, "each accepted PATCH adds exactly 1 to the version"


@ON_POSTGRES_ONLY
async def test_concurrent_patches_with_the_same_version_have_exactly_one_winner(known, client):
    deal_id = await a_deal_id(known)
    version = (await call(client, "GET", f"/deals/{deal_id}")).json()["version"]
    body = {"json": {"price_per_night": 50, "version": version}}
    statuses = Counter(r.status_code for r in await gathered(client, [("PATCH", f"/deals/{deal_id}", body)] * N))
    assert statuses == {200: 1, 409: N - 1}, (
        f"{N} PATCHes all sent with version {version}: expected one 200 and {N - 1} 409s, got {dict(statuses)}"
    )


@ON_POSTGRES_ONLY
async def test_concurrent_deletes_have_one_204_and_the_rest_404(known, client):
    deal_id = await a_deal_id(known)
    statuses = Counter(r.status_code for r in await gathered(client, [("DELETE", f"/deals/{deal_id}", {})] * N))
    assert statuses == {204: 1, 404: N - 1}, (
        f"{N} DELETEs of one deal: expected one 204 and {N - 1} 404s, got {dict(statuses)}"
    )


@ON_POSTGRES_ONLY
async def test_concurrent_creates_and_deletes_keep_the_counts_consistent(known, client):
    hotel_id = await a_hotel_id(known)
    ids = [int(row[0]) for row in await known.rows("SELECT id FROM deals ORDER BY id")]
    creates = [("POST", "/deals", {"json": new_deal(hotel_id, room_type=f"New {i}")}) for i in range(N)]
    deletes: list[tuple[str, str, dict[str, Any]]] = [("DELETE", f"/deals/{deal_id}", {}) for deal_id in ids * 2]
    statuses = Counter(r.status_code for r in await gathered(client, creates + deletes))
    assert statuses == {201: N, 204: len(ids), 404: len(ids)}, f"got {dict(statuses)}"
    assert await known.count("deals") == N
    assert (await call(client, "GET", "/deals")).json()["total"] == N


@contextmanager
def pool_checkouts() -> Iterator[asyncio.Event]:
    """An event set when any SQLAlchemy pool hands out a connection (the app's, whatever its layering)."""
    checked_out = asyncio.Event()

    def on_checkout(*_: Any) -> None:
        checked_out.set()

    event.listen(Pool, "checkout", on_checkout)
    try:
        yield checked_out
    finally:
        event.remove(Pool, "checkout", on_checkout)


@ON_POSTGRES_ONLY
async def test_an_exhausted_pool_is_a_503_after_the_pool_timeout_never_a_hang(known):
    deal_id = await a_deal_id(known)
    locker = await asyncpg.connect(
        make_url(known.url).set(drivername="postgresql").render_as_string(hide_password=False)
    )
    try:
        transaction = locker.transaction()
        await transaction.start()
        await locker.execute("SELECT 1 FROM deals WHERE id = $1 FOR UPDATE", deal_id)  # the PATCH below waits for it
        async with app_client(known.url, pool_size=1, max_overflow=0, pool_timeout=0.2) as client:
            with pool_checkouts() as checked_out:
                blocked = asyncio.create_task(call(client, "PATCH", f"/deals/{deal_id}", json={"room_type": "Locked"}))
                await asyncio.wait_for(checked_out.wait(), GUARD_SECONDS)  # the only connection is now busy
            starved = await call(client, "GET", "/deals")
            assert starved.status_code == 503, (
                f"no free connection within pool_timeout: expected 503, got {starved.status_code} {starved.text[:200]}"
            )
            assert error_of(starved)["code"] == "database_unavailable"
            assert starved.headers.get("Retry-After", "").isdigit()
            await transaction.rollback()
            patched = await blocked
            assert patched.status_code == 200, (
                f"the waiting PATCH completes once the lock is gone: {patched.text[:200]}"
            )
            assert (await call(client, "GET", "/deals")).status_code == 200, "the pool serves again"
    finally:
        await locker.close()


# --- statistics after a bulk load (PostgreSQL) ----------------------------------------------------------------------


@ON_POSTGRES_ONLY
async def test_the_loader_analyzes_the_tables_it_filled(db):
    from katas.deals_api import loader

    await loader.load_csv(db.url, SAMPLE_CSV)
    analyzed = await db.scalar("SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'deals'")
    assert analyzed, (
        "after a bulk load, run ANALYZE: until autovacuum gets there the planner guesses without statistics"
    )
    columns = await db.scalar("SELECT count(*) FROM pg_stats WHERE tablename = 'deals' AND attname = 'price_per_night'")
    assert columns == 1, "ANALYZE gathers statistics for deals.price_per_night"
