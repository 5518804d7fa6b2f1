"""Code review: a product search endpoint (~15 min).

The pull request says: "Adds GET /products/search?q=..., which finds products whose name contains q
(any case) for the shop's search box, with the number of matches for the results header." The
catalogue has 200 products in the demo database; in production it has two million. Review it as you
would at work: name every problem, say what it breaks in production and how badly, then fix this file
in place.

The contract the tests hold you to: {"total", "items"} where `total` counts every match and `items` is
one page of them, sorted by name, then by id; the search ignores case and takes `q` literally (a `%`
or `_` in it is just a character); `limit` (1 to 100, default 20) and `offset` (0 or more, default 0)
pick the page, and a value outside those bounds is a 422; pages follow each other without gaps or
repeats; no request loads more rows than the page it returns; each item is {"id", "name", "category",
"price"} and nothing else (the cost price and the supplier stay internal). The tests make SQLite's
LIKE case-sensitive, as PostgreSQL's is.

Keep the seams the tests use: `create_app(database_path)` builds the app on that SQLite file, and the
`Base`/`Product` model stays as it is (the tests create the table and the rows with it).

Run `dojo check product_search` (behaviour) and `dojo lint product_search` (ruff's review profile,
mypy --strict and the rule pack); `dojo answer product_search` shows the answer key once the tests pass.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI
from sqlalchemy import Numeric, String, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


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
    async def search(q: str, session: Annotated[AsyncSession, Depends(get_session)]):
        products = (await session.scalars(select(Product))).all()
        matches = []
        for product in products:
            if q.lower() in product.name.lower():
                matches.append(product)
        return {"total": len(products), "items": matches}

    return app
