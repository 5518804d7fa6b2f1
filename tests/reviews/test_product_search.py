"""product_search: GET /products/search filters and pages in SQL, bounds `limit`, counts matches, hides internals."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session

from dojo.testing import serve
from reviews.product_search import Base, Product, create_app

PUBLIC_FIELDS = {"id", "name", "category", "price"}


def make_catalogue(path: Path, lamps: int, others: int) -> Path:
    """`lamps` products named "... Lamp ..." (in mixed case) among `others` that are not lamps."""
    engine = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        for number in range(others):
            session.add(product(f"Ceramic Mug {number:03}", "kitchen"))
        for number in range(lamps):
            spelling = ("Lamp", "LAMP", "lamp")[number % 3]
            session.add(product(f"Desk {spelling} {number:03}", "lighting"))
        session.commit()
    engine.dispose()
    return path


def product(name: str, category: str) -> Product:
    return Product(name=name, category=category, price=Decimal("19.99"), cost_price=Decimal("4.10"), supplier_id=7)




async def search(path: Path, **params: Any) -> httpx.Response:
    async with serve(create_app(path)) as client:
        return await client.get("/products/search", params=params)


@pytest.fixture
def loaded() -> Iterator[list[Product]]:
    """Every Product object the ORM builds from a database row during the test."""
    seen: list[Product] = []

    def on_load(target: Product, _: Any) -> None:
        seen.append(target)

    event.listen(Product, "load", on_load)
    try:
        yield seen
    finally:
        event.remove(Product, "load", on_load)


def ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, f"GET {response.request.url} answered {response.status_code}: {response.text}"
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.guard
async def test_finds_products_whose_name_contains_the_query_in_any_case(tmp_path):
    path = make_catalogue(tmp_path / "shop.db", lamps=5, others=5)
    body = ok(await search(path, q="lamp"))
    names = [item["name"] for item in body["items"]]
    assert len(names) == 5, f"searching 'lamp' among 5 lamps and 5 mugs found {names}"
    assert all("lamp" in name.lower() for name in names), f"searching 'lamp' found {names}"


async def test_the_filter_runs_in_the_database(tmp_path, loaded):
    path = make_catalogue(tmp_path / "shop.db", lamps=3, others=200)
    body = ok(await search(path, q="lamp"))
    assert len(body["items"]) == 3, f"expected the 3 lamps, got {[item['name'] for item in body['items']]}"
    rows = len(loaded)
    assert rows <= 3, (
        f"answering a search with 3 matches loaded {rows} products from the database: every row comes into"
        " Python to be filtered there, on every keystroke, however big the catalogue is"
    )


async def test_a_page_holds_at_most_limit_items_and_loads_no_more(tmp_path, loaded):
    path = make_catalogue(tmp_path / "shop.db", lamps=30, others=20)
    body = ok(await search(path, q="lamp", limit=10))
    assert len(body["items"]) == 10, f"GET ?q=lamp&limit=10 returned {len(body['items'])} items"
    rows = len(loaded)
    assert rows <= 10, f"a page of 10 loaded {rows} rows: the limit must be applied in SQL"


async def test_without_a_limit_a_page_is_not_the_whole_result(tmp_path):
    path = make_catalogue(tmp_path / "shop.db", lamps=150, others=0)
    body = ok(await search(path, q="lamp"))
    assert 0 < len(body["items"]) <= 100, (
        f"GET ?q=lamp with 150 matches returned {len(body['items'])} items: with no limit given, the page must"
        " still be bounded (default 20)"
    )


@pytest.mark.parametrize("limit", [101, 10_000, 0, -1], ids=["101", "10000", "zero", "negative"])
async def test_a_limit_outside_1_to_100_is_rejected_with_422(tmp_path, limit):
    path = make_catalogue(tmp_path / "shop.db", lamps=3, others=3)
    response = await search(path, q="lamp", limit=limit)
    assert response.status_code == 422, (
        f"GET ?q=lamp&limit={limit} answered {response.status_code}: a limit outside 1..100 must fail validation,"
        " or any client can ask for the whole table in one page"
    )


async def test_pages_follow_each_other_without_gaps_or_repeats(tmp_path):
    path = make_catalogue(tmp_path / "shop.db", lamps=30, others=10)
    pages = [ok(await search(path, q="lamp", limit=10, offset=offset))["items"] for offset in (0, 10, 20)]
    ids = [item["id"] for page in pages for item in page]
    assert [len(page) for page in pages] == [10, 10, 10], (
        f"pages of 10 at offsets 0, 10, 20 had {[len(p) for p in pages]}"
    )
    assert len(set(ids)) == 30, f"three pages of 10 held {len(set(ids))} different products: pages overlap"
    last = ok(await search(path, q="lamp", limit=10, offset=30))["items"]
    assert last == [], f"offset 30 of 30 matches returned {len(last)} items"


async def test_total_counts_every_match_not_the_catalogue(tmp_path):
    path = make_catalogue(tmp_path / "shop.db", lamps=12, others=50)
    body = ok(await search(path, q="lamp", limit=5))
    assert body["total"] == 12, (
        f"12 of 62 products match 'lamp', and total says {body['total']}: the results header would be wrong"
    )
    assert len(body["items"]) == 5


async def test_items_show_only_public_fields(tmp_path):
    path = make_catalogue(tmp_path / "shop.db", lamps=3, others=3)
    body = ok(await search(path, q="lamp"))
    assert body["items"], "searching 'lamp' found nothing"
    for item in body["items"]:
        assert set(item) == PUBLIC_FIELDS, (
            f"an item has the fields {sorted(item)}: expected exactly {sorted(PUBLIC_FIELDS)}; the cost price and"
            " the supplier are internal"
        )
