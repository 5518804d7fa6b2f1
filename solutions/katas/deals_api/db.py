"""The database layer's plumbing: declarative ``Base``, engine and sessions, the ``SessionDep`` alias.

- ``Base.metadata`` carries naming conventions, so every index and constraint gets a predictable
  name (``ix_deals_hotel_id``, ``ck_deals_price_positive``): migrations can refer to them by name,
  and autogenerate produces stable diffs.
- One engine per app (see ``main.create_app``); one session, hence one transaction, per request:
  ``get_db`` commits when the handler returns and rolls back when it raises.
- SQLite ignores foreign keys unless asked, per connection: ``create_engine`` turns them on.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import MetaData, event, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _enable_sqlite_foreign_keys(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_engine(
    database_url: str,
    *,
    echo: bool = False,
    connect_timeout: float = 5.0,
    pool_size: int = 5,
    max_overflow: int = 10,
    pool_timeout: float = 10.0,
) -> AsyncEngine:
    """An async engine for ``database_url``; on SQLite every connection enforces foreign keys.

    Every wait is bounded: connecting (``connect_timeout``, asyncpg's ``timeout``; SQLite's busy
    timeout) and waiting for a pooled connection (``pool_timeout``). ``pool_pre_ping`` tests a pooled
    connection before use, so after a database restart the pool reconnects instead of failing.
    """
    url = make_url(database_url)
    pool: dict[str, Any] = {}
    if url.database not in (None, "", ":memory:"):  # an in-memory SQLite database has one static connection
        pool = {"pool_size": pool_size, "max_overflow": max_overflow, "pool_timeout": pool_timeout}
    engine = create_async_engine(
        database_url, echo=echo, pool_pre_ping=True, connect_args={"timeout": connect_timeout}, **pool
    )
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _enable_sqlite_foreign_keys)
    return engine


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: after the commit, objects keep their loaded values instead of
    # lazily reloading them, which an async session cannot do implicitly.
    return async_sessionmaker(engine, expire_on_commit=False)


async def get_db(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request, inside one transaction: committed if the handler returns, else rolled back."""
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with sessionmaker.begin() as session:
        yield session


# scope="function": the commit happens before the response is sent, so a client never sees a 201
# for a write that then fails to commit.
SessionDep = Annotated[AsyncSession, Depends(get_db, scope="function")]
