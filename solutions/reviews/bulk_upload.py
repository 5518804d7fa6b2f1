"""Bulk product import, reviewed: bounded, validated, one transaction, one session per request.

- The body is read with a hard cap (``MAX_BODY_BYTES``): a declared Content-Length over it is
  refused before reading, and a streamed body without one is cut off as soon as it passes it. 413.
- Malformed JSON is the client's mistake (400), not a crash (500). Products are validated against
  ``ProductIn`` before anything touches the database (422): unknown fields, missing fields,
  negative prices and a payload that is not a list are all refused.
- The whole batch is added and committed once: one transaction, so a row the database refuses
  (a duplicate sku) leaves nothing behind (409), and 1000 rows cost one commit, not 1000.
- Each request gets its own session from a dependency and closes it; a shared session would be used
  by concurrent requests at once and stay broken after the first failed commit.

No ``from __future__ import annotations``: FastAPI reads the endpoint's annotations at runtime.
"""

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request, status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from sqlalchemy import String, Text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

MAX_BODY_BYTES = 1024 * 1024
MAX_PRODUCTS = 10_000


class Base(DeclarativeBase):
    pass


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    price_cents: Mapped[int]
    description: Mapped[str] = mapped_column(Text, default="")


class ProductIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=200)
    price_cents: int = Field(ge=0)
    description: str = Field(default="", max_length=10_000)


class ImportResult(BaseModel):
    imported: int


Batch = TypeAdapter(Annotated[list[ProductIn], Field(max_length=MAX_PRODUCTS)])


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, or 413 as soon as it is known to be over ``limit`` bytes."""
    too_large = HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, detail=f"the body is over {limit} bytes")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_large
    return bytes(body)


def create_app(database_path: Path) -> FastAPI:
    engine = create_async_engine(f"sqlite+aiosqlite:///{database_path}")
    sessions = async_sessionmaker(engine, expire_on_commit=False)

    async def get_session() -> AsyncIterator[AsyncSession]:
        async with sessions() as session:
            yield session

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await engine.dispose()

    app = FastAPI(lifespan=lifespan)

    @app.post("/products/import")
    async def import_products(request: Request, session: Annotated[AsyncSession, Depends(get_session)]) -> ImportResult:
        body = await read_body(request, MAX_BODY_BYTES)
        try:
            payload = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=f"the body is not JSON: {error}") from error
        try:
            products = Batch.validate_python(payload)
        except ValidationError as error:
            raise RequestValidationError(error.errors(include_url=False)) from error
        session.add_all([Product(**product.model_dump()) for product in products])
        try:
            await session.commit()
        except IntegrityError as error:
            detail = "the batch conflicts with stored products (a duplicate sku?); nothing was imported"
            raise HTTPException(status.HTTP_409_CONFLICT, detail=detail) from error
        return ImportResult(imported=len(products))

    return app
