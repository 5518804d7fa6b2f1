"""user_lookup: GET /users/{user_id} answers 404 when absent, leaks no hash, closes its session, never blocks."""

from __future__ import annotations

import asyncio
import gc
import threading
import warnings
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool

from dojo.testing import serve
from reviews.user_lookup import Base, User, create_app

ADA = {"id": 1, "email": "ada@example.com", "name": "Ada Lovelace"}
ADA_HASH = "scrypt$n=16384$r=8$p=1$c2FsdHNhbHQ$ZmFrZWhhc2hmYWtlaGFzaA"
SAFETY_TIMEOUT = 3.0  # seconds; only ever reached when the code under test is broken


def make_database(path: Path) -> Path:
    engine = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add(User(**ADA, password_hash=ADA_HASH))
        session.commit()
    engine.dispose()
    return path


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return make_database(tmp_path / "users.db")


@pytest.mark.guard
async def test_returns_the_profile_of_an_existing_user(database):
    async with serve(create_app(database)) as client:
        response = await client.get("/users/1")
    assert response.status_code == 200, f"GET /users/1 answered {response.status_code}: {response.text}"
    body = response.json()
    assert {key: body.get(key) for key in ADA} == ADA, f"GET /users/1 returned {body}"


async def test_never_returns_the_password_hash(database):
    async with serve(create_app(database)) as client:
        response = await client.get("/users/1")
    assert response.status_code == 200, f"GET /users/1 answered {response.status_code}: {response.text}"
    assert "password_hash" not in response.json(), "the response names the password_hash field"
    assert ADA_HASH not in response.text, "the stored password hash left the service in the response body"
    assert set(response.json()) == set(ADA), f"expected exactly {sorted(ADA)}, got {sorted(response.json())}"


async def test_an_unknown_user_is_a_404(database):
    async with serve(create_app(database)) as client:
        response = await client.get("/users/999")
    assert response.status_code == 404, (
        f"GET /users/999 (no such user) answered {response.status_code} {response.text}: a missing resource is a"
        " 404, or every client, cache and dashboard sees a success"
    )


@pytest.mark.parametrize("user_id", ["abc", "1.5", "1 OR 1=1"], ids=["word", "float", "sql"])
async def test_an_id_that_is_not_an_integer_is_rejected_with_422(database, user_id):
    async with serve(create_app(database)) as client:
        response = await client.get(f"/users/{user_id}")
    assert response.status_code == 422, (
        f"GET /users/{user_id} answered {response.status_code} {response.text}: an id that is not an integer"
        " should fail validation (422) before any query runs"
    )


@dataclass
class PoolCounts:
    checked_out: int = 0
    checked_in: int = 0
    opened: int = 0  # DBAPI connections made to the database
    closed: int = 0  # ...and closed again (by a pool's dispose, or by an overflowing pool)


@pytest.fixture
async def pool_counts() -> AsyncIterator[PoolCounts]:
    """Counts connections made, closed, taken from and given back to every SQLAlchemy pool during the test.

    The garbage collector is paused meanwhile: a session nobody closed must not be rescued by it. What
    leaked is collected here, with its warnings silenced, so that the verdict is this test's assertions
    and not a warning that surfaces at teardown.
    """
    counts = PoolCounts()

    def on_checkout(*_: Any) -> None:
        counts.checked_out += 1

    def on_checkin(*_: Any) -> None:
        counts.checked_in += 1

    def on_connect(*_: Any) -> None:
        counts.opened += 1

    def on_close(*_: Any) -> None:
        counts.closed += 1

    listeners = {"checkout": on_checkout, "checkin": on_checkin, "connect": on_connect, "close": on_close}
    for name, listener in listeners.items():
        event.listen(Pool, name, listener)
    gc.disable()
    try:
        yield counts
    finally:
        for name, listener in listeners.items():
            event.remove(Pool, name, listener)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # whatever leaked is cleaned up here, not in the next test
            gc.enable()
            gc.collect()
            await asyncio.sleep(0)
            gc.collect()


async def test_every_request_gives_its_database_connection_back(database, pool_counts):
    async with serve(create_app(database)) as client:
        for path in ("/users/1", "/users/999", "/users/1"):
            await client.get(path)
        still_out = pool_counts.checked_out - pool_counts.checked_in
    assert pool_counts.checked_out >= 3, "expected each request to use a database connection"
    assert still_out == 0, (
        f"after 3 requests, {still_out} connection(s) were never returned to the pool: a session that is not"
        " closed (on every path, the 404 too) holds its connection until the pool runs dry and every request hangs"
    )


async def test_the_app_closes_its_database_connections_when_it_shuts_down(database, pool_counts):
    async with serve(create_app(database)) as client:
        for path in ("/users/1", "/users/999"):
            await client.get(path)
    assert pool_counts.opened >= 1, "expected the app to connect to its database"
    assert pool_counts.closed == pool_counts.opened, (
        f"the app opened {pool_counts.opened} database connection(s) and, once it had shut down, had closed"
        f" {pool_counts.closed}: the engine must be disposed at shutdown (the app's lifespan), or its pooled"
        " connections outlive it (one engine for the app, not one per request)"
    )


@dataclass
class QueryGate:
    """Pauses a query inside SQLite: `entered` once it is there, then it waits until `released`."""

    entered: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)
    released_in_time: list[bool] = field(default_factory=list)

    def __call__(self) -> int:
        self.entered.set()
        self.released_in_time.append(self.released.wait(SAFETY_TIMEOUT))
        return 1


@pytest.fixture
def paused_database(tmp_path: Path) -> Iterator[tuple[Path, QueryGate]]:
    """A database whose `users` table is a view that calls `query_gate()` for each row it reads.

    Whatever thread runs the query waits in the gate: with a blocking driver, that is the event loop,
    and nothing else in the process runs until the gate gives up waiting.
    """
    path = make_database(tmp_path / "users.db")
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE users RENAME TO user_rows"))
        connection.execute(text("CREATE VIEW users AS SELECT * FROM user_rows WHERE query_gate()"))
    engine.dispose()
    gate = QueryGate()

    def register_gate(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.create_function("query_gate", 0, gate)

    event.listen(Pool, "connect", register_gate)
    try:
        yield path, gate
    finally:
        gate.released.set()
        event.remove(Pool, "connect", register_gate)


async def test_a_slow_query_does_not_stop_other_requests(paused_database):
    path, gate = paused_database
    async with serve(create_app(path)) as client:
        lookup = asyncio.create_task(client.get("/users/1"))
        assert await asyncio.to_thread(gate.entered.wait, SAFETY_TIMEOUT), "GET /users/1 never reached the database"
        other = await client.get("/openapi.json")  # can the app serve this while the lookup's query waits?
        gate.released.set()
        response = await lookup
    assert other.status_code == 200
    assert response.status_code == 200, f"GET /users/1 answered {response.status_code}: {response.text}"
    assert gate.released_in_time == [True], (
        "the slow query was never released by the second request: it ran on the event loop (a sync Session"
        " inside `async def`), so nothing else in the process could run until it finished"
    )
