"""crud: a Product resource over FastAPI + async SQLAlchemy, with honest status codes and PATCH."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, rule
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import StaticPool

from dojo.testing import serve
from katas.crud import Base, Product, create_app, get_db

INTERNAL_FIELDS = ("cost_price", "supplier_notes")
VALID = {"name": "Desk lamp", "description": "Warm white", "price": "39.90"}


@pytest.fixture
async def sessionmaker() -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A private in-memory database: StaticPool makes every session share its one connection."""
    engine = create_async_engine("sqlite+aiosqlite://", poolclass=StaticPool)
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


@pytest.fixture
async def client(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app()

    async def test_db() -> AsyncIterator[AsyncSession]:
        async with sessionmaker() as session:
            yield session

    app.dependency_overrides[get_db] = test_db
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        yield client


async def create(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    response = await client.post("/products", json={**VALID, **overrides})
    assert response.status_code == 201, f"POST /products answered {response.status_code}: {response.text}"
    body: dict[str, Any] = response.json()
    return body


def money(value: Any) -> Decimal:
    """Prices may come back as "39.90" or 39.9: compare them as decimals."""
    return Decimal(str(value))


async def test_post_answers_201_with_the_product_and_its_location(client):
    response = await client.post("/products", json=VALID)
    assert response.status_code == 201, f"creating a resource is 201 Created, got {response.status_code}"
    body = response.json()
    assert isinstance(body["id"], int)
    assert (body["name"], body["description"], money(body["price"])) == ("Desk lamp", "Warm white", Decimal("39.90"))
    assert response.headers.get("location", "").endswith(f"/products/{body['id']}"), (
        "201 should say where the new resource lives: Location: /products/{id}"
    )


async def test_get_reads_back_what_post_stored(client):
    created = await create(client)
    response = await client.get(f"/products/{created['id']}")
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["name"], body["description"]) == (created["id"], "Desk lamp", "Warm white")
    assert money(body["price"]) == Decimal("39.90")


async def test_get_of_a_missing_product_is_404_not_a_200_with_null(client):
    response = await client.get("/products/999")
    assert response.status_code == 404, f"GET of an id that does not exist answered {response.status_code}"
    detail = response.json().get("detail")
    assert isinstance(detail, str), f"a 404 should say what was not found under 'detail', got {response.json()}"
    assert "999" in detail, f"the 404's detail should name the product id it could not find, got {detail!r}"


async def test_internal_fields_are_stored_but_never_returned(client, sessionmaker):
    secret = {"cost_price": "12.00", "supplier_notes": "ACME, 30-day terms"}
    created_response = await client.post("/products", json={**VALID, **secret})
    assert created_response.status_code == 201
    product_id = created_response.json()["id"]
    responses = {
        "POST": created_response,
        "GET": await client.get(f"/products/{product_id}"),
        "PATCH": await client.patch(f"/products/{product_id}", json={"supplier_notes": "ACME, 60-day terms"}),
    }
    for method, response in responses.items():
        leaked = [field for field in INTERNAL_FIELDS if field in response.json()]
        assert not leaked, f"{method} response exposes internal fields {leaked}: respond with a schema that lacks them"
    async with sessionmaker() as session:
        product = await session.get(Product, product_id)
        assert product is not None
        assert (product.cost_price, product.supplier_notes) == (Decimal("12.00"), "ACME, 60-day terms"), (
            "internal fields are write-only for clients, but they must still be saved"
        )


async def test_patch_changes_only_the_fields_sent(client, sessionmaker):
    created = await create(client, cost_price="20.00")
    response = await client.patch(f"/products/{created['id']}", json={"price": "35.00"})
    assert response.status_code == 200
    body = response.json()
    assert money(body["price"]) == Decimal("35.00")
    assert (body["name"], body["description"]) == ("Desk lamp", "Warm white"), (
        "PATCH {price} must leave name and description alone: apply model_dump(exclude_unset=True)"
    )
    async with sessionmaker() as session:
        product = await session.get(Product, created["id"])
        assert product is not None
        assert product.cost_price == Decimal("20.00"), "PATCH {price} wiped cost_price, a field it never sent"


async def test_patch_with_an_explicit_null_clears_a_nullable_field(client):
    created = await create(client)
    response = await client.patch(f"/products/{created['id']}", json={"description": None})
    assert response.status_code == 200
    assert response.json()["description"] is None, '{"description": null} means "clear it", unlike leaving it out'
    assert (await client.get(f"/products/{created['id']}")).json()["description"] is None


@pytest.mark.parametrize("field", ["name", "price"])
async def test_patch_cannot_null_a_required_field(client, field):
    created = await create(client)
    response = await client.patch(f"/products/{created['id']}", json={field: None})
    assert response.status_code == 422, f'PATCH {{"{field}": null}} should be a 422, got {response.status_code}'
    unchanged = (await client.get(f"/products/{created['id']}")).json()
    assert unchanged["name"] == "Desk lamp"
    assert money(unchanged["price"]) == Decimal("39.90")


@pytest.mark.parametrize(
    "patch",
    [{"price": "0"}, {"name": ""}, {"nmae": "typo"}],
    ids=["zero_price", "empty_name", "misspelled_field"],
)
async def test_patch_validates_its_fields_and_rejects_unknown_ones(client, patch):
    created = await create(client)
    response = await client.patch(f"/products/{created['id']}", json=patch)
    assert response.status_code == 422, f"PATCH {patch} should be a 422 (a typo must not be a silent no-op)"


async def test_patch_of_a_missing_product_is_404(client):
    response = await client.patch("/products/999", json={"price": "1.00"})
    assert response.status_code == 404


async def test_delete_answers_204_with_no_body_and_the_product_is_gone(client):
    created = await create(client)
    response = await client.delete(f"/products/{created['id']}")
    assert response.status_code == 204, f"DELETE answered {response.status_code}; 204 No Content is the convention"
    assert response.content == b"", "a 204 has no body"
    assert (await client.get(f"/products/{created['id']}")).status_code == 404, "GET after DELETE should be 404"
    assert (await client.delete(f"/products/{created['id']}")).status_code == 404, "a second DELETE should be 404"


@pytest.mark.parametrize(
    "payload",
    [
        {"name": "", "price": "1.00"},
        {"name": "x" * 101, "price": "1.00"},
        {"name": "Lamp", "price": "0"},
        {"name": "Lamp", "price": "-5.00"},
        {"name": "Lamp", "price": "1.999"},
        {"name": "Lamp", "price": "cheap"},
        {"name": "Lamp"},
        {"price": "1.00"},
        {"name": "Lamp", "price": "1.00", "cost_price": "0"},
    ],
    ids=[
        "empty_name",
        "name_over_100_chars",
        "zero_price",
        "negative_price",
        "fractions_of_a_cent",
        "price_not_a_number",
        "missing_price",
        "missing_name",
        "zero_cost_price",
    ],
)
async def test_create_rejects_an_invalid_payload_with_422(client, payload):
    response = await client.post("/products", json=payload)
    assert response.status_code == 422, f"POST {payload} should fail validation, got {response.status_code}"


async def test_the_app_serves_requests_through_its_own_get_db(tmp_path: Path):
    """No override here: create_app's lifespan creates the tables and get_db opens the sessions."""
    app = create_app(f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}")
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client,
    ):
        created = await create(client)
        fetched = await client.get(f"/products/{created['id']}")
        assert fetched.status_code == 200, "a product created in one request should be readable in the next"
        assert fetched.json()["name"] == "Desk lamp"


async def test_the_default_app_keeps_its_in_memory_database_across_requests_and_to_itself():
    """create_app() with no URL: one in-memory database per app, shared by every request (StaticPool)."""
    first, second = create_app(), create_app()
    async with serve(first) as one, serve(second) as two:
        created = await create(one)
        fetched = await one.get(f"/products/{created['id']}")
        assert fetched.status_code == 200, "a product created in one request should be readable in the next"
        assert (await two.get(f"/products/{created['id']}")).status_code == 404, (
            "each app built by create_app() has its own in-memory database"
        )


class ProductsAgainstModel(RuleBasedStateMachine):
    """Random create/read/patch/delete over HTTP must match a dict of what each product should hold."""

    products = Bundle("products")

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.stack = contextlib.AsyncExitStack()
        self.client: httpx.AsyncClient = self.loop.run_until_complete(self.stack.enter_async_context(serve(create_app())))
        self.model: dict[int, dict[str, Any]] = {}

    def teardown(self) -> None:
        self.loop.run_until_complete(self.stack.aclose())
        self.loop.close()

    def call(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.loop.run_until_complete(self.client.request(method, url, **kwargs))

    fields = st.fixed_dictionaries(
        {},
        optional={
            "name": st.sampled_from(["Lamp", "Desk", "x" * 100]),
            "description": st.sampled_from([None, "", "Warm"]),
            "price": st.sampled_from(["0.01", "1", "39.90"]),
            "cost_price": st.sampled_from([None, "2.50"]),
        },
    )

    @rule(target=products, data=fields)
    def create(self, data: dict[str, Any]) -> int:
        payload = {"name": "Lamp", "price": "9.99", **data}
        response = self.call("POST", "/products", json=payload)
        assert response.status_code == 201, response.text
        body = response.json()
        assert not set(body) & set(INTERNAL_FIELDS)
        self.model[body["id"]] = {"name": payload["name"], "description": payload.get("description"), "price": payload["price"]}
        return int(body["id"])

    @rule(product_id=products)
    def read(self, product_id: int) -> None:
        response = self.call("GET", f"/products/{product_id}")
        if product_id not in self.model:
            assert response.status_code == 404
            return
        assert response.status_code == 200
        body = response.json()
        expected = self.model[product_id]
        assert (body["name"], body["description"]) == (expected["name"], expected["description"])
        assert money(body["price"]) == money(expected["price"])

    @rule(product_id=products, data=fields)
    def patch(self, product_id: int, data: dict[str, Any]) -> None:
        response = self.call("PATCH", f"/products/{product_id}", json=data)
        if product_id not in self.model:
            assert response.status_code == 404
            return
        assert response.status_code == 200, response.text
        self.model[product_id].update({k: v for k, v in data.items() if k in ("name", "description", "price")})
        assert response.json()["name"] == self.model[product_id]["name"]

    @rule(product_id=consumes(products))
    def delete(self, product_id: int) -> None:
        response = self.call("DELETE", f"/products/{product_id}")
        assert response.status_code == (204 if product_id in self.model else 404)
        self.model.pop(product_id, None)
        assert self.call("GET", f"/products/{product_id}").status_code == 404


TestProductsAgainstModel = ProductsAgainstModel.TestCase
TestProductsAgainstModel.settings = settings(max_examples=15, stateful_step_count=15)
