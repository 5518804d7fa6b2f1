"""product_search: GET /products/search filters, sorts and pages in SQL, takes the query literally and in any
case, bounds `limit` and `offset`, counts matches, hides internals.

SQLite's LIKE ignores ASCII case, PostgreSQL's does not: every test runs with `PRAGMA case_sensitive_like`
on, so a filter that only works because SQLite is lenient fails here as it would in production.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Result
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.pool import Pool

from dojo.testing import count_connections, serve
from reviews.product_search import Base, Product, create_app

PUBLIC_FIELDS = {"id", "name", "category", "price"}


@pytest.fixture(autouse=True)
def like_is_case_sensitive() -> Iterator[None]:
    """Every SQLite connection of the test compares LIKE patterns case-sensitively, as PostgreSQL does."""

    def on_connect(dbapi_connection: Any, _: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA case_sensitive_like = ON")
        cursor.close()

    event.listen(Pool, "connect", on_connect)
    try:
        yield
    finally:
        event.remove(Pool, "connect", on_connect)


def make_shop(path: Path, names: list[str]) -> Path:
    engine = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add_all(product(name, "misc") for name in names)
        session.commit()
    engine.dispose()
    return path


def make_catalogue(path: Path, lamps: int, others: int) -> Path:
    """`lamps` products named "... Lamp ..." (in mixed case) among `others` that are not lamps."""
    spellings = ("Lamp", "LAMP", "lamp")
    mugs = [f"Ceramic Mug {number:03}" for number in range(others)]
    return make_shop(path, mugs + [f"Desk {spellings[number % 3]} {number:03}" for number in range(lamps)])


def product(name: str, category: str) -> Product:
    return Product(name=name, category=category, price=Decimal("19.99"), cost_price=Decimal("4.10"), supplier_id=7)


def make_shuffled_shop(path: Path, names_by_id: dict[int, str]) -> Path:
    """A shop whose rows sit on disk in DESCENDING id order (`products` is a view over them).

    SQLite returns equal names, or rows with no ORDER BY, in storage order; storing them backwards
    shows what a query's own ORDER BY decides and what it leaves to chance.
    """
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TABLE product_rows (seq INTEGER PRIMARY KEY, id INTEGER NOT NULL, name VARCHAR(200) NOT NULL,"
                " category VARCHAR(50) NOT NULL, price NUMERIC(10, 2) NOT NULL, cost_price NUMERIC(10, 2) NOT NULL,"
                " supplier_id INTEGER NOT NULL)"
            )
        )
        connection.execute(
            text("CREATE VIEW products AS SELECT id, name, category, price, cost_price, supplier_id FROM product_rows")
        )
        for product_id in sorted(names_by_id, reverse=True):
            connection.execute(
                text("INSERT INTO product_rows (id, name, category, price, cost_price, supplier_id)"
                     " VALUES (:id, :name, 'lighting', 19.99, 4.10, 7)"),
                {"id": product_id, "name": names_by_id[product_id]},
            )  # fmt: skip
    engine.dispose()
    return path


async def search(path: Path, **params: Any) -> httpx.Response:
    async with serve(create_app(path)) as client:
        return await client.get("/products/search", params=params)


@dataclass
class Fetched:
    """Rows the database sent back to the app, statement by statement."""

    rows_per_statement: list[int] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(self.rows_per_statement)


@pytest.fixture
def fetched() -> Iterator[Fetched]:
    """Counts every row any Session statement returns during the test: ORM objects, bare columns, text()."""
    seen = Fetched()

    def on_execute(state: ORMExecuteState) -> Result[Any]:
        frozen = state.invoke_statement().freeze()
        seen.rows_per_statement.append(len(frozen.data))
        return frozen()

    event.listen(Session, "do_orm_execute", on_execute)
    try:
        yield seen
    finally:
        event.remove(Session, "do_orm_execute", on_execute)


def ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, f"GET {response.request.url} answered {response.status_code}: {response.text}"
    body: dict[str, Any] = response.json()
    return body


def names(body: dict[str, Any]) -> list[str]:
    return [item["name"] for item in body["items"]]


@pytest.mark.guard
async def test_finds_products_whose_name_contains_the_query_in_any_case(tmp_path):
    path = make_catalogue(tmp_path / "shop.db", lamps=5, others=5)
    for query in ("lamp", "LAMP", "lAmP"):
        found = names(ok(await search(path, q=query)))
        assert len(found) == 5, (
            f"searching {query!r} among 5 lamps (spelt Lamp, LAMP and lamp) and 5 mugs found {found}"
        )
        assert all("lamp" in name.lower() for name in found), f"searching {query!r} found {found}"


LITERAL_SHOP = [
    "100% Cotton Tee",
    "1000 Thread Sheets",
    "Desk_Lamp Clamp",
    "Desk-Lamp Stand",
    "O'Brien Reading Lamp",
    "AC/DC Adapter",
    "ACDC Adapter",
    "Back\\Slash Hook",
    "Back Slash Hook",
]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("100%", ["100% Cotton Tee"]),
        ("%", ["100% Cotton Tee"]),
        ("k_l", ["Desk_Lamp Clamp"]),
        ("_", ["Desk_Lamp Clamp"]),
        ("O'Brien", ["O'Brien Reading Lamp"]),
        ("ac/dc", ["AC/DC Adapter"]),
        ("k\\s", ["Back\\Slash Hook"]),
    ],
    ids=["percent", "lone-percent", "underscore", "lone-underscore", "quote", "slash", "backslash"],
)
async def test_the_query_is_matched_literally(tmp_path, query, expected):
    path = make_shop(tmp_path / "shop.db", LITERAL_SHOP)
    body = ok(await search(path, q=query))
    assert names(body) == expected, (
        f"searching {query!r} in {LITERAL_SHOP} found {names(body)}, expected {expected}: the shopper's text is"
        " matched as typed; a `%` or `_` pasted into a LIKE pattern is a wildcard unless it is escaped (and so is"
        " the escape character itself)"
    )
    assert body["total"] == len(expected), f"searching {query!r}: total {body['total']}, expected {len(expected)}"


async def test_the_filter_runs_in_the_database(tmp_path, fetched):
    path = make_catalogue(tmp_path / "shop.db", lamps=3, others=200)
    body = ok(await search(path, q="lamp"))
    assert len(body["items"]) == 3, f"expected the 3 lamps, got {names(body)}"
    assert fetched.rows <= 3 + 1, (
        f"answering a search with 3 matches fetched {fetched.rows} rows from the database"
        f" ({fetched.rows_per_statement} by statement): every row comes into Python to be filtered there, on"
        " every keystroke, however big the catalogue is"
    )


@pytest.mark.parametrize("offset", [0, 20], ids=["first-page", "third-page"])
async def test_a_page_holds_at_most_limit_items_and_loads_no_more(tmp_path, fetched, offset):
    path = make_catalogue(tmp_path / "shop.db", lamps=40, others=20)
    body = ok(await search(path, q="lamp", limit=10, offset=offset))
    assert len(body["items"]) == 10, f"GET ?q=lamp&limit=10&offset={offset} returned {len(body['items'])} items"
    assert fetched.rows <= 10 + 1, (
        f"a page of 10 at offset {offset} fetched {fetched.rows} rows ({fetched.rows_per_statement} by statement):"
        " the page (limit and offset) must be cut in SQL, and the total counted there (COUNT, one row)"
    )


async def test_without_a_limit_a_page_holds_20_items(tmp_path):
    path = make_catalogue(tmp_path / "shop.db", lamps=150, others=0)
    body = ok(await search(path, q="lamp"))
    assert len(body["items"]) == 20, (
        f"GET ?q=lamp with 150 matches returned {len(body['items'])} items: with no limit given, a page holds the"
        " default 20"
    )
    assert body["total"] == 150


@pytest.mark.parametrize(
    ("params", "why"),
    [
        ({"limit": 101}, "limit 101"),
        ({"limit": 10_000}, "limit 10000"),
        ({"limit": 0}, "limit 0"),
        ({"limit": -1}, "a negative limit"),
        ({"offset": -1}, "a negative offset"),
    ],
    ids=["limit-101", "limit-10000", "limit-zero", "limit-negative", "offset-negative"],
)
async def test_a_limit_or_offset_out_of_bounds_is_rejected_with_422(tmp_path, params, why):
    path = make_catalogue(tmp_path / "shop.db", lamps=3, others=3)
    response = await search(path, q="lamp", **params)
    assert response.status_code == 422, (
        f"GET ?q=lamp with {why} answered {response.status_code}: limit is 1..100 and offset 0 or more, anything"
        " else fails validation (in SQLite, LIMIT -1 means no limit at all: the whole table in one page)"
    )


# Ids 1..12 with names that tie in threes, stored backwards: only the query's ORDER BY decides the order.
TIED = {number: f"Lamp {'CAB'[number % 3]}" for number in range(1, 13)}
BY_NAME_THEN_ID = sorted(TIED, key=lambda number: (TIED[number], number))


async def test_items_are_sorted_by_name_then_id(tmp_path):
    path = make_shuffled_shop(tmp_path / "shop.db", TIED)
    body = ok(await search(path, q="lamp", limit=12))
    ids = [item["id"] for item in body["items"]]
    assert ids == BY_NAME_THEN_ID, (
        f"12 lamps (names that tie in threes) came back as ids {ids}, expected {BY_NAME_THEN_ID}: sorted by name,"
        " then by id. Without an ORDER BY, or with one the ties can escape, the database returns rows in whatever"
        " order it finds them, and that order changes between pages"
    )


async def test_pages_follow_each_other_without_gaps_or_repeats(tmp_path):
    path = make_shuffled_shop(tmp_path / "shop.db", TIED)
    pages = [ok(await search(path, q="lamp", limit=5, offset=offset))["items"] for offset in (0, 5, 10)]
    ids = [item["id"] for page in pages for item in page]
    assert [len(page) for page in pages] == [5, 5, 2], f"pages of 5 at offsets 0, 5, 10 had {[len(p) for p in pages]}"
    assert ids == BY_NAME_THEN_ID, (
        f"three pages of 5 held ids {ids}, expected {BY_NAME_THEN_ID}: pages overlap, skip or are not in order"
    )
    last = ok(await search(path, q="lamp", limit=5, offset=12))["items"]
    assert last == [], f"offset 12 of 12 matches returned {len(last)} items"


async def test_total_counts_every_match_not_the_catalogue(tmp_path):
    path = make_catalogue(tmp_path / "shop.db", lamps=12, others=50)
    body = ok(await search(path, q="LAMP", limit=5))
    assert body["total"] == 12, (
        f"12 of 62 products match 'LAMP' (in any case), and total says {body['total']}: the results header would"
        " be wrong"
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


@pytest.mark.guard
async def test_the_app_closes_its_database_connections_when_it_shuts_down(tmp_path):
    path = make_catalogue(tmp_path / "shop.db", lamps=3, others=3)
    with count_connections() as connections:
        async with serve(create_app(path)) as client:
            await client.get("/products/search", params={"q": "lamp"})
    connections.assert_all_closed()
