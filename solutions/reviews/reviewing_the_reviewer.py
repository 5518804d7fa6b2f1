"""The product search, with every claim of the fix made true.

- The endpoint returns the ``Page`` it declares. Returning the bare list made FastAPI's response
  validation fail on every request (a 500), which mypy --strict reports on the return line.
- The search text is escaped before it becomes a LIKE pattern: backslash first, then ``%`` and ``_``,
  and the query says which escape character it used (``ESCAPE '\\'``). A bound parameter stops SQL
  injection, not wildcards: unescaped, a search for ``50%`` also finds "500 ml" and ``a_b`` finds "axb".
  (``Product.name.icontains(q, autoescape=True)`` is SQLAlchemy's built-in way to say the same.)
- ``total`` counts with the same filter as the items, and ``has_more`` is true only when rows remain
  after this page: ``offset + len(items) < total``.
- ``limit`` is capped at ``MAX_LIMIT`` (a 422 above it), as the fix claimed.

No ``from __future__ import annotations``: FastAPI reads the endpoint's annotations at runtime.
"""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, FastAPI, Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy import ColumnElement, String, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

MAX_LIMIT = 100
LIKE_ESCAPE = "\\"


class Base(DeclarativeBase):
    pass


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class ProductOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str


class Page(BaseModel):
    items: list[ProductOut]
    total: int
    limit: int
    offset: int
    has_more: bool


def contains_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, its own wildcards escaped with LIKE_ESCAPE."""
    escaped = text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")
    return f"%{escaped}%"


def create_app(sessions: async_sessionmaker[AsyncSession]) -> FastAPI:
    app = FastAPI()

    async def get_session() -> AsyncIterator[AsyncSession]:
        async with sessions() as session:
            yield session

    @app.get("/products")
    async def search_products(
        session: Annotated[AsyncSession, Depends(get_session)],
        q: Annotated[str, Query(max_length=100)] = "",
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> Page:
        filters: list[ColumnElement[bool]] = []
        if q:
            filters.append(Product.name.ilike(contains_pattern(q), escape=LIKE_ESCAPE))
        count = select(func.count()).select_from(Product).where(*filters)
        total = (await session.execute(count)).scalar_one()
        query = select(Product).where(*filters).order_by(Product.id).limit(limit).offset(offset)
        items = [ProductOut.model_validate(row) for row in await session.scalars(query)]
        has_more = offset + len(items) < total
        return Page(items=items, total=total, limit=limit, offset=offset, has_more=has_more)

    return app
