"""CRUD for products (kata, ~35 min).

"Here is a products table and an app factory. Give me create, read, partial update and delete over
HTTP, with the status codes a client expects. Some columns are internal: clients may write them, but
no response may ever show them."

- `POST /products` -> 201 with the product and `Location: /products/{id}`.
- `GET /products/{id}` -> 200, or 404 when there is no such product, with a `detail` that names the
  id (`{"detail": "product 7 not found"}`); PATCH and DELETE answer the same 404.
- `PATCH /products/{id}` -> 200; change only the fields sent. An explicit `null` clears a nullable
  field and is a 422 for `name` or `price`. An unknown field is a 422, not a silent no-op. 404 if absent.
- `DELETE /products/{id}` -> 204 with no body; then GET and DELETE answer 404.
- Validation (422): `name` 1-100 characters; `price` (and `cost_price` when given) a Decimal > 0 with
  at most 2 decimal places.
- `cost_price` and `supplier_notes` are internal: accepted and stored, never in any response.
- `get_db` yields one AsyncSession per request from `request.app.state.sessionmaker`; tests override
  it through `app.dependency_overrides[get_db]` (with `expire_on_commit=False`, as create_app does).

Run `dojo check crud`; `dojo hint crud` when stuck.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Numeric, String, Text, make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import StaticPool

# ---- the table (given) ----


class Base(DeclarativeBase):
    pass


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text, default=None)
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    # Internal: written by the back office, never shown to API clients.
    cost_price: Mapped[Decimal | None] = mapped_column(Numeric(10, 2), default=None)
    supplier_notes: Mapped[str | None] = mapped_column(Text, default=None)


# ---- the schemas: yours to fill in ----


class ProductCreate(BaseModel):
    """What a client may send to create a product."""

    # TODO: name, description, price, cost_price, supplier_notes, with their constraints


class ProductUpdate(BaseModel):
    """What a client may send to PATCH a product: every field optional."""

    # TODO


class ProductOut(BaseModel):
    """What a client gets back."""

    # TODO


# ---- the session dependency ----


async def get_db(request: Request) -> AsyncIterator[AsyncSession]:
    """Yield one session per request, from request.app.state.sessionmaker, and close it afterwards."""
    raise NotImplementedError("get_db")  # TODO
    yield  # unreachable; makes this an async generator, as a dependency with cleanup must be


DbSession = Annotated[AsyncSession, Depends(get_db)]

# ---- the endpoints (add status codes where the default 200 is wrong) ----

router = APIRouter(prefix="/products", tags=["products"])


@router.post("")
async def create_product(payload: ProductCreate, db: DbSession, response: Response) -> ProductOut:
    raise NotImplementedError("create_product")  # TODO


@router.get("/{product_id}")
async def read_product(product_id: int, db: DbSession) -> ProductOut:
    raise NotImplementedError("read_product")  # TODO


@router.patch("/{product_id}")
async def update_product(product_id: int, payload: ProductUpdate, db: DbSession) -> ProductOut:
    raise NotImplementedError("update_product")  # TODO


@router.delete("/{product_id}")
async def delete_product(product_id: int, db: DbSession) -> None:
    raise NotImplementedError("delete_product")  # TODO


# ---- the app (given) ----


def create_app(database_url: str = "sqlite+aiosqlite://") -> FastAPI:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        # An in-memory SQLite database lives and dies with its connection: every session shares one.
        engine = create_async_engine(url, poolclass=StaticPool)
    else:
        engine = create_async_engine(url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)  # a real service runs Alembic instead
        try:
            yield
        finally:
            await engine.dispose()

    app = FastAPI(title="Products", lifespan=lifespan)
    app.state.sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
    app.include_router(router)
    return app
