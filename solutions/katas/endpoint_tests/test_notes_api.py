"""Write the tests of a FastAPI endpoint with a database dependency (test-writing kata, ~35 min).

"Here is our notes API. Write its tests the way you would for a real service: against a real
database, not mocks."

`notes_api.py`, beside this file, is given and correct: read its docstring, the rules are there.
Your job is this file: pytest tests of its four endpoints through HTTP. Async tests and fixtures
need no marker here (pytest-asyncio's auto mode). `dojo check endpoint_tests` grades them on
these rules:

1. They pass against the real `notes_api.py` (and there is at least one), and against a copy of it that
   behaves the same but is written differently: they call the code, and never read its source,
   its file or its bytecode.
2. They catch its bugs: the kit runs them against sixteen broken copies of `notes_api.py`, each with
   one classic mistake, and at most one copy may pass all your tests. The ones that get past you
   are named in words ("a created note is never committed"), never shown as code.
3. The techniques:
   - a fixture that yields and cleans up after the yield (`@pytest.fixture`, code after `yield`,
     or the `yield` inside `async with`);
   - the app's session dependency replaced: `app.dependency_overrides[get_session] = ...`, and
     undone again after the test (`app.dependency_overrides.clear()`);
   - a real SQLite database behind it: `create_async_engine("sqlite+aiosqlite://", ...)` with the
     tables created from `Base.metadata`; no `unittest.mock`.

Call the app in-process with `httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
base_url="http://test")`. Run your tests as you go: `uv run pytest katas/endpoint_tests`. Do not
edit `notes_api.py`. `dojo hint endpoint_tests` when stuck.
"""

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import StaticPool

from katas.endpoint_tests.notes_api import Base, app, get_session


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """The app on a fresh in-memory SQLite database, each request with its own session, as in production."""
    # One in-memory database shared by every connection (StaticPool), created empty for each test.
    engine = create_async_engine("sqlite+aiosqlite://", poolclass=StaticPool)
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    sessions = async_sessionmaker(engine, expire_on_commit=False)

    async def session_per_request() -> AsyncIterator[AsyncSession]:
        async with sessions() as session:
            yield session

    app.dependency_overrides[get_session] = session_per_request
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            yield client
    finally:
        app.dependency_overrides.clear()
        await engine.dispose()


async def create(client: httpx.AsyncClient, title: str, body: str | None = None) -> dict[str, object]:
    payload = {"title": title} if body is None else {"title": title, "body": body}
    response = await client.post("/notes", json=payload)
    assert response.status_code == 201, response.text
    note: dict[str, object] = response.json()
    return note


async def test_a_created_note_is_stored_and_can_be_read_back(client: httpx.AsyncClient) -> None:
    note = await create(client, "groceries", "milk, eggs")
    assert note == {"id": note["id"], "title": "groceries", "body": "milk, eggs"}
    response = await client.get(f"/notes/{note['id']}")
    assert response.status_code == 200
    assert response.json() == note


async def test_the_body_is_optional(client: httpx.AsyncClient) -> None:
    note = await create(client, "no body")
    assert note["body"] == ""


async def test_a_missing_note_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/notes/12345")
    assert response.status_code == 404
    assert response.json() == {"detail": "note not found"}


@pytest.mark.parametrize(
    ("title", "status"),
    [
        pytest.param("", 422, id="empty"),
        pytest.param("x", 201, id="one character"),
        pytest.param("x" * 100, 201, id="100 characters"),
        pytest.param("x" * 101, 422, id="101 characters"),
    ],
)
async def test_a_title_has_1_to_100_characters(client: httpx.AsyncClient, title: str, status: int) -> None:
    response = await client.post("/notes", json={"title": title})
    assert response.status_code == status


async def test_the_list_is_oldest_first_and_limited(client: httpx.AsyncClient) -> None:
    notes = [await create(client, f"note {n}") for n in range(3)]
    everything = await client.get("/notes")
    assert everything.json() == notes
    first_two = await client.get("/notes", params={"limit": 2})
    assert first_two.json() == notes[:2]


async def test_without_a_limit_the_list_holds_20_notes(client: httpx.AsyncClient) -> None:
    notes = [await create(client, f"note {n}") for n in range(21)]
    assert (await client.get("/notes")).json() == notes[:20]


@pytest.mark.parametrize(("limit", "status"), [(0, 422), (1, 200), (100, 200), (101, 422)], ids=str)
async def test_the_limit_is_1_to_100(client: httpx.AsyncClient, limit: int, status: int) -> None:
    response = await client.get("/notes", params={"limit": limit})
    assert response.status_code == status


async def test_a_deleted_note_is_gone(client: httpx.AsyncClient) -> None:
    kept, doomed = await create(client, "kept"), await create(client, "doomed")
    response = await client.delete(f"/notes/{doomed['id']}")
    assert response.status_code == 204
    assert response.content == b""
    assert (await client.get(f"/notes/{doomed['id']}")).status_code == 404
    assert (await client.get("/notes")).json() == [kept]


async def test_deleting_a_missing_note_is_404(client: httpx.AsyncClient) -> None:
    response = await client.delete("/notes/12345")
    assert response.status_code == 404
    assert response.json() == {"detail": "note not found"}
