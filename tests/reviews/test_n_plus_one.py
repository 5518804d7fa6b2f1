"""n_plus_one: the order list must cost the same few queries whether the page holds 1 order or 25."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from reviews.n_plus_one import Base, Customer, Order, OrderLine, create_app


class StatementCounter:
    """Counts the SQL statements an engine sends to the database while `counting` is on."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.count = 0
        self.counting = False
        event.listen(engine.sync_engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, *args: Any) -> None:
        if self.counting:
            self.count += 1


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def seed_orders(sessions: async_sessionmaker[AsyncSession], count: int) -> None:
    """`count` orders, each for its own customer, each with two lines."""
    async with sessions.begin() as session:
        for n in range(1, count + 1):
            customer = Customer(name=f"customer {n}")
            order = Order(customer=customer)
            order.lines = [
                OrderLine(sku=f"SKU-{n}-A", quantity=2, unit_price=Decimal("1.50")),
                OrderLine(sku=f"SKU-{n}-B", quantity=1, unit_price=Decimal("10.00")),
            ]
            session.add(order)


async def get_orders(sessions: async_sessionmaker[AsyncSession], counter: StatementCounter | None = None) -> Any:
    app = create_app(sessions)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        if counter is not None:
            counter.counting = True
        try:
            response = await client.get("/orders", params={"limit": 100})
        finally:
            if counter is not None:
                counter.counting = False
    assert response.status_code == 200, f"GET /orders answered {response.status_code}: {response.text}"
    return response.json()


@pytest.mark.guard
async def test_lists_each_order_with_its_customer_lines_and_total(sessions):
    await seed_orders(sessions, 2)
    orders = await get_orders(sessions)
    assert [order["id"] for order in orders] == [1, 2]
    first = orders[0]
    assert first["customer"] == "customer 1"
    assert [line["sku"] for line in first["lines"]] == ["SKU-1-A", "SKU-1-B"]
    assert Decimal(first["total"]) == Decimal("13.00"), "total is the sum of quantity * unit_price over the lines"


@pytest.mark.guard
async def test_an_order_without_lines_is_listed_with_a_zero_total(sessions):
    async with sessions.begin() as session:
        session.add(Order(customer=Customer(name="new customer"), lines=[]))
    (order,) = await get_orders(sessions)
    assert (order["lines"], Decimal(order["total"])) == ([], Decimal(0)), f"an order with no lines answered {order}"


@pytest.mark.guard
async def test_the_app_keeps_its_api_docs(sessions):
    app = create_app(sessions)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        schema = (await client.get("/openapi.json")).json()
    assert schema["info"]["title"] == "Back office", f"the API docs are now titled {schema['info']['title']!r}"
    assert "get" in schema["paths"].get("/orders", {}), f"the API docs list {sorted(schema['paths'])}"


@pytest.mark.guard
@pytest.mark.parametrize("limit", [0, 201], ids=["zero", "over-200"])
async def test_a_limit_outside_1_to_200_is_a_422(sessions, limit):
    app = create_app(sessions)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        response = await client.get("/orders", params={"limit": limit})
    assert response.status_code == 422, (
        f"GET /orders?limit={limit} answered {response.status_code}: the page size stays bounded (1 to 200), or"
        " one request can load every order. Moving `limit` into Annotated[int, Query(...)] keeps ge=1 and le=200"
    )


@pytest.mark.guard
async def test_without_a_limit_a_page_holds_50_orders(sessions):
    await seed_orders(sessions, 51)
    app = create_app(sessions)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        response = await client.get("/orders")
    assert response.status_code == 200, f"GET /orders answered {response.status_code}: {response.text}"
    assert len(response.json()) == 50, f"GET /orders with 51 orders listed {len(response.json())}: the default is 50"


async def test_queries_per_request_do_not_grow_with_the_number_of_orders(engine, sessions):
    counts = {}
    seeded = 0
    for orders_on_page in (1, 5, 25):
        await seed_orders(sessions, orders_on_page - seeded)
        seeded = orders_on_page
        counter = StatementCounter(engine)
        assert len(await get_orders(sessions, counter)) == orders_on_page
        counts[orders_on_page] = counter.count
    assert len(set(counts.values())) == 1, (
        f"SQL statements per GET /orders, by orders on the page: {counts}. The count grows with the page: "
        "something loads each order's customer or lines in its own query (N+1)"
    )


async def test_a_page_of_orders_costs_at_most_three_queries(engine, sessions):
    await seed_orders(sessions, 10)
    counter = StatementCounter(engine)
    await get_orders(sessions, counter)
    assert counter.count <= 3, (
        f"GET /orders with 10 orders ran {counter.count} SQL statements; one for the orders (with their "
        "customers) and one for all their lines is enough"
    )
