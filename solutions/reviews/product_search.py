"""Product search, reviewed: the filter and the page in SQL, a bounded limit, a response model.

- The database filters (``name ILIKE '%q%'``, with ``%`` and ``_`` in ``q`` escaped) and returns one page
  (``ORDER BY name, id LIMIT :limit OFFSET :offset``): a request loads at most ``limit`` rows, however big
  the catalogue grows, instead of every row into Python on every keystroke.
- ``total`` is a second query, ``COUNT(*)`` under the same filter: the number of matches, not the size
  of the catalogue.
- ``limit`` is bounded (1..100, else 422) so no client can ask for the whole table in one page; the
  order includes the primary key, so pages neither skip nor repeat rows with equal names.
- ``ProductOut`` is the public shape: ``cost_price`` and ``supplier_id`` cannot leave the service, and
  columns added later stay private until someone adds them here on purpose.

For two million rows, ``LIKE '%q%'`` still scans: the next step is a trigram index (Postgres pg_trgm) or
a search engine, and keyset pagination instead of deep offsets.

No ``from __future__ import annotations``: FastAPI reads the endpoint's annotations at runtime.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Final

from fastapi import Depends, FastAPI, Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Numeric, String, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DEFAULT_LIMIT: Final = 20
MAX_LIMIT: Final = 100


class Base(DeclarativeBase):
    pass


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    category: Mapped[str] = mapped_column(String(50))
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    cost_price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    supplier_id: Mapped[int]


class ProductOut(BaseModel):
    """What a shopper may see of a product."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    category: str
    price: Decimal


class SearchPage(BaseModel):
    total: int
    items: list[ProductOut]


def create_app(database_path: Path) -> FastAPI:
    engine = create_async_engine(f"sqlite+aiosqlite:///{database_path}")
    sessions = async_sessionmaker(engine)

    async def get_session() -> AsyncIterator[AsyncSession]:
        async with sessions() as session:
            yield session

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await engine.dispose()

    app = FastAPI(lifespan=lifespan)

    @app.get("/products/search")
    async def search(
        q: Annotated[str, Query(min_length=1, max_length=100)],
        session: Annotated[AsyncSession, Depends(get_session)],
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> SearchPage:
        matches = Product.name.icontains(q, autoescape=True)
        total = await session.scalar(select(func.count()).select_from(Product).where(matches))
        page = select(Product).where(matches).order_by(Product.name, Product.id).limit(limit).offset(offset)
        products = (await session.scalars(page)).all()
        return SearchPage(total=total or 0, items=[ProductOut.model_validate(product) for product in products])

    return app
