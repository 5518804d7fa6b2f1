"""reviewing_the_reviewer: every claim of the fix holds: a real Page, literal search, true totals, a capped limit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from reviews.reviewing_the_reviewer import MAX_LIMIT, Base, Product, create_app

CATALOGUE = [
    "50% off bundle",  # 1
    "500 ml water bottle",  # 2
    "a_b adapter",  # 3
    "axb adapter",  # 4
    "back\\slash poster",  # 5: a real backslash
    "backslash poster",  # 6
    "USB cable",  # 7
    "HDMI Cable",  # 8
    "cable ties (100)",  # 9
    "Ethernet CABLE 5 m",  # 10
    "cable organiser",  # 11
    "desk lamp",  # 12
]
CABLES = [7, 8, 9, 10, 11]


def reverse_unordered_selects(dbapi_connection: Any, _: Any) -> None:
    """SQLite then returns rows a query did not order in reverse: a query that relies on scan order shows it."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA reverse_unordered_selects = ON")
    cursor.close()


@pytest.fixture
async def sessions(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    async for made in catalogue(tmp_path):
        yield made


@pytest.fixture
async def reversed_scan_sessions(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    async for made in catalogue(tmp_path, reverse_unordered=True):
        yield made


async def catalogue(
    tmp_path: Path, *, reverse_unordered: bool = False
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}")
    if reverse_unordered:
        event.listen(engine.sync_engine, "connect", reverse_unordered_selects)
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    async with sessions.begin() as session:
        session.add_all(Product(id=n, name=name) for n, name in enumerate(CATALOGUE, start=1))
    yield sessions
    await engine.dispose()


async def search(sessions: async_sessionmaker[AsyncSession], **params: Any) -> httpx.Response:
    """GET /products with `params`; an exception in the app is a 500 here, as a client would see it."""
    transport = httpx.ASGITransport(app=create_app(sessions), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get("/products", params=params)


async def page(sessions: async_sessionmaker[AsyncSession], **params: Any) -> dict[str, Any]:
    response = await search(sessions, **params)
    assert response.status_code == 200, (
        f"GET /products {params} answered {response.status_code} {response.text}: the endpoint declares a Page,"
        " so FastAPI validates what it returns against Page and answers 500 when it is something else"
    )
    body: dict[str, Any] = response.json()
    assert isinstance(body, dict), f"GET /products {params} returned {type(body).__name__}, not a Page object"
    return body


async def test_the_response_is_a_page_with_items_total_limit_offset_and_has_more(sessions):
    body = await page(sessions, q="cable", limit=2)
    assert body == {
        "items": [{"id": 7, "name": "USB cable"}, {"id": 8, "name": "HDMI Cable"}],
        "total": 5,
        "limit": 2,
        "offset": 0,
        "has_more": True,
    }, f"GET /products?q=cable&limit=2 returned {body}"


@pytest.mark.parametrize(
    ("q", "expected"),
    [("50%", [1]), ("%", [1]), ("a_b", [3]), ("_", [3]), ("k\\s", [5]), ("back\\", [5])],
    ids=["percent-in-text", "percent-alone", "underscore-in-text", "underscore-alone", "backslash", "backslash-last"],
)
async def test_wildcards_in_the_search_text_match_literally(sessions, q, expected):
    body = await page(sessions, q=q)
    found = [item["id"] for item in body["items"]]
    assert found == expected, (
        f"searching for {q!r} found {[CATALOGUE[i - 1] for i in found]}; expected only "
        f"{[CATALOGUE[i - 1] for i in expected]}: '%' and '_' are LIKE wildcards until escaped, and a backslash"
        " is the escape character itself once the query declares one"
    )
    assert body["total"] == len(expected), f"total is {body['total']} for {len(expected)} matching product(s)"


@pytest.mark.parametrize(
    ("q", "expected_total"),
    [("cable", 5), ("poster", 2), ("nothing like this", 0), ("", len(CATALOGUE))],
    ids=["cable", "poster", "no-match", "no-search"],
)
async def test_total_counts_only_the_products_matching_the_search(sessions, q, expected_total):
    body = await page(sessions, q=q, limit=1)
    assert body["total"] == expected_total, (
        f"GET /products?q={q}&limit=1 says total={body['total']}; {expected_total} product(s) match: the count"
        " must use the same filter as the items"
    )


@pytest.mark.parametrize(
    ("offset", "limit", "expected"),
    [(0, 2, True), (2, 2, True), (3, 2, False), (4, 2, False), (0, 4, True), (0, 5, False), (5, 5, False)],
    ids=["first", "middle", "last-ends-on-total", "last-partial", "one-left", "exactly-all", "past-the-end"],
)
async def test_has_more_is_true_only_when_another_page_exists(sessions, offset, limit, expected):
    body = await page(sessions, q="cable", limit=limit, offset=offset)
    assert body["has_more"] is expected, (
        f"5 cables, offset={offset}, limit={limit}: this page holds {len(body['items'])}, so has_more should be"
        f" {expected}, not {body['has_more']}"
    )


async def test_paging_through_a_case_insensitive_search_visits_every_match_once(sessions):
    seen: list[int] = []
    offset = 0
    for _ in range(len(CATALOGUE)):  # bounded: a has_more that never turns false must not loop forever
        body = await page(sessions, q="CABLE", limit=2, offset=offset)
        seen += [item["id"] for item in body["items"]]
        if not body["has_more"]:
            break
        offset += 2
    assert seen == CABLES, f"paging through q=CABLE with limit=2 visited {seen}; expected {CABLES}"


async def test_pages_are_in_id_order_whatever_order_the_database_scans_in(reversed_scan_sessions):
    seen = []
    for offset in (0, 2, 4):
        body = await page(reversed_scan_sessions, q="cable", limit=2, offset=offset)
        seen += [item["id"] for item in body["items"]]
    assert seen == CABLES, (
        f"paging through q=cable with limit=2 visited {seen} on a database that scans in reverse; expected"
        f" {CABLES}: LIMIT and OFFSET without an ORDER BY take whatever order the database scans in, which can"
        " change between requests (a new plan, an index, a vacuum), so pages repeat or skip rows. Keep"
        " .order_by(Product.id), a unique key"
    )


@pytest.mark.parametrize("limit", [MAX_LIMIT + 1, 1_000_000], ids=["just-over", "huge"])
async def test_a_limit_above_the_cap_is_rejected_with_422(sessions, limit):
    response = await search(sessions, limit=limit)
    assert response.status_code == 422, (
        f"GET /products?limit={limit} answered {response.status_code}: the fix claims limit is capped at"
        f" {MAX_LIMIT}, so anything above it should fail validation"
    )
    capped = await page(sessions, limit=MAX_LIMIT)
    assert capped["limit"] == MAX_LIMIT
