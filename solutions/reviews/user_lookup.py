"""User lookup, reviewed: typed path parameter, one session per request, 404, a response model, async I/O.

- ``user_id: int`` lets FastAPI validate the path (``/users/abc`` is a 422, not a query for "abc").
- ``get_session`` is a dependency with ``async with``: the session is closed, and its connection
  returned to the pool, when the request ends, whatever happens in the handler.
- A missing user is ``HTTPException(404)``; an error body with status 200 looks like success to
  every client, cache and monitor.
- ``UserOut`` is the response contract: only the fields listed there leave the service, so
  ``password_hash`` cannot leak however the model grows.
- ``AsyncSession`` over aiosqlite awaits the database, so a slow query does not freeze every other
  request in the process (a plain ``def`` endpoint, run in FastAPI's threadpool, would also do).
- The engine is disposed when the app shuts down (the lifespan), so no connection outlives the app.

No ``from __future__ import annotations`` here: FastAPI reads the endpoint's annotations at runtime,
and ``Depends(get_session)`` names a function local to ``create_app``.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, status
from pydantic import BaseModel, ConfigDict
from sqlalchemy import String
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))


class UserOut(BaseModel):
    """The public profile: the only fields this endpoint may ever return."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str


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

    @app.get("/users/{user_id}")
    async def get_user(user_id: int, session: Annotated[AsyncSession, Depends(get_session)]) -> UserOut:
        user = await session.get(User, user_id)
        if user is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="user not found")
        return UserOut.model_validate(user)

    return app
