"""CRUD for a Product resource: FastAPI + SQLAlchemy 2.0 async, one session per request.

The shape worth defending in an interview:

- three schemas, not one: what a client may send when creating (``ProductCreate``), when patching
  (``ProductUpdate``, every field optional) and what it gets back (``ProductOut``, which simply has
  no field for the internal columns, so they cannot leak whatever the handler returns);
- ``get_db`` is the only place a session is opened and closed, and the seam tests override;
- PATCH applies ``model_dump(exclude_unset=True)``: a field the client did not send is left alone,
  an explicit ``null`` clears a nullable field and is a 422 for a required one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import Numeric, String, Text, make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import StaticPool

# ---- the table ----


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


# ---- the schemas ----

Name = Annotated[str, Field(min_length=1, max_length=100)]
Money = Annotated[Decimal, Field(gt=0, max_digits=10, decimal_places=2)]


class ProductCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    description: str | None = None
    price: Money
    cost_price: Money | None = None
    supplier_notes: str | None = None


class ProductUpdate(BaseModel):
    """Every field optional: PATCH sends only what changes."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    description: str | None = None
    price: Money | None = None
    cost_price: Money | None = None
    supplier_notes: str | None = None

    @model_validator(mode="after")
    def required_columns_cannot_be_cleared(self) -> ProductUpdate:
        # Omitted means "leave it"; an explicit null means "clear it", which a NOT NULL column refuses.
        for field in ("name", "price"):
            if field in self.model_fields_set and getattr(self, field) is None:
                raise ValueError(f"{field} cannot be null")
        return self


class ProductOut(BaseModel):
    """What clients see. No cost_price, no supplier_notes: a field that is not here cannot leak."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str | None
    price: Decimal


# ---- the session dependency ----


async def get_db(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request, closed (and rolled back if uncommitted) when the request ends."""
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with sessionmaker() as session:
        yield session


DbSession = Annotated[AsyncSession, Depends(get_db)]

# ---- the endpoints ----

router = APIRouter(prefix="/products", tags=["products"])


async def _get_or_404(db: AsyncSession, product_id: int) -> Product:
    product = await db.get(Product, product_id)
    if product is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"product {product_id} not found")
    return product


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_product(payload: ProductCreate, db: DbSession, response: Response) -> ProductOut:
    product = Product(**payload.model_dump())
    db.add(product)
    await db.commit()
    response.headers["Location"] = f"/products/{product.id}"
    return ProductOut.model_validate(product)


@router.get("/{product_id}")
async def read_product(product_id: int, db: DbSession) -> ProductOut:
    product = await _get_or_404(db, product_id)
    return ProductOut.model_validate(product)


@router.patch("/{product_id}")
async def update_product(product_id: int, payload: ProductUpdate, db: DbSession) -> ProductOut:
    product = await _get_or_404(db, product_id)
    for field, value in payload.model_dump(exclude_unset=True).items():
        setattr(product, field, value)
    await db.commit()
    return ProductOut.model_validate(product)


@router.delete("/{product_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_product(product_id: int, db: DbSession) -> None:
    product = await _get_or_404(db, product_id)
    await db.delete(product)
    await db.commit()


# ---- the app ----


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
