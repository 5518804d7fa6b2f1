"""Code review: reviewing the fix (~15 min).

Last week's review of GET /products (the catalogue search) asked for four changes. Your colleague's
pull request says it addresses all of them:

    Fixes from the review of GET /products:
    1. Paginated: the response is now a Page, {items, total, limit, offset, has_more}.
    2. No more SQL built from strings: the search is a parameterised, case-insensitive ILIKE.
    3. `total` is the number of products matching `q`, and `has_more` says whether another page exists.
    4. `limit` is capped, so nobody can download the whole catalogue in one request.
    Tested by hand with a few searches, looks good.

Verify their claims: for each one, say whether it holds, show the request that proves it does not, and
say what that breaks. Then fix this file in place so that every claim is true.

Keep the seam the tests use: `create_app(sessions)` builds the app on that async_sessionmaker, and the
`Base`/`Product` model stays as it is (the tests create the table and the rows with it).

Run `dojo check reviewing_the_reviewer` (behaviour) and `dojo lint reviewing_the_reviewer` (ruff's review
profile, mypy --strict and the rule pack); `dojo hint reviewing_the_reviewer` when stuck, `dojo answer reviewing_the_reviewer`
once the tests pass.
"""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, FastAPI, Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy import String, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

MAX_LIMIT = 100


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


def create_app(sessions: async_sessionmaker[AsyncSession]) -> FastAPI:
    app = FastAPI()

    async def get_session() -> AsyncIterator[AsyncSession]:
        async with sessions() as session:
            yield session

    @app.get("/products")
    async def search_products(
        session: Annotated[AsyncSession, Depends(get_session)],
        q: Annotated[str, Query(max_length=100)] = "",
        limit: Annotated[int, Query(ge=1)] = 20,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> Page:
        query = select(Product).order_by(Product.id)
        if q:
            query = query.where(Product.name.ilike(f"%{q}%"))
        total = (await session.execute(select(func.count()).select_from(Product))).scalar_one()
        rows = await session.scalars(query.limit(limit).offset(offset))
        items = [ProductOut.model_validate(row) for row in rows]
        has_more = offset + limit <= total
        return items

    return app
