"""Code review: a bulk product import (~15 min).

The pull request says: "Adds POST /products/import so the catalogue team can upload a JSON array of
products (sku, name, price_cents, description) instead of creating them one by one. Uploads are
capped at 1 MiB, as agreed with the team." Review it as you would at work: name every problem, say
what it breaks in production and how badly, then fix this file in place.

The contract the tests hold you to: a valid batch answers 200 with {"imported": n}; a body over
1 MiB (1_048_576 bytes; exactly that is fine) answers 413, and the service stops reading it there; a
body that is not JSON answers 400; a batch that is not a list of products answers 422, a product being
an object with exactly `sku` (1 to 32 characters), `name` (1 to 200 characters), `price_cents` (a whole
number, 0 or more) and an optional `description`; a sku that is already taken, in the batch or in the
catalogue, answers 409; a batch lands completely, in one commit, or not at all; and the app
closes its database connections when it shuts down.

Keep the seams the tests use: `create_app(database_path)` builds the app on that SQLite file, and the
`Base`/`Product` model stays as it is.

Run `dojo check bulk_upload` (behaviour) and `dojo lint bulk_upload` (ruff's review profile,
mypy --strict and the rule pack); `dojo answer bulk_upload` shows the answer key once the tests pass.
"""

import json
from pathlib import Path

from fastapi import FastAPI, Request
from sqlalchemy import String, Text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    price_cents: Mapped[int]
    description: Mapped[str] = mapped_column(Text, default="")


def create_app(database_path: Path) -> FastAPI:
    engine = create_async_engine(f"sqlite+aiosqlite:///{database_path}")
    session = AsyncSession(engine)
    app = FastAPI()

    @app.post("/products/import")
    async def import_products(request: Request) -> dict[str, int]:
        data = json.loads(await request.body())
        for item in data:
            session.add(Product(**item))
            await session.commit()
        return {"imported": len(data)}

    return app
