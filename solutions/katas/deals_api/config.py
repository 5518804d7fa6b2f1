"""Typed settings, read from the environment (and a ``.env`` file in the working directory).

``DATABASE_URL`` picks the database: a SQLite file by default (no server needed), or PostgreSQL.
Plain ``postgres://`` / ``postgresql://`` URLs (what hosting platforms hand out) are rewritten to
the async driver, ``postgresql+asyncpg://``, because the app only ever talks to the database async.
"""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./deals.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    """Env ``DATABASE_URL``. SQLite: ``sqlite+aiosqlite:///./deals.db``; PostgreSQL: ``postgresql+asyncpg://...``."""

    debug: bool = False
    """Env ``DEBUG``. Verbose logs, and a ``Server-Timing`` header with each request's SQL statement count."""

    connect_timeout: float = Field(default=5.0, gt=0)
    """Env ``CONNECT_TIMEOUT``. Seconds to wait for a new database connection: an unreachable server is a
    quick 503, not a request that hangs for the operating system's TCP timeout (minutes)."""

    pool_size: int = Field(default=5, ge=1)
    """Env ``POOL_SIZE``. Connections the pool keeps open (PostgreSQL; SQLite files use the same pool)."""

    max_overflow: int = Field(default=10, ge=0)
    """Env ``MAX_OVERFLOW``. Extra connections opened under load, closed when returned."""

    pool_timeout: float = Field(default=10.0, gt=0)
    """Env ``POOL_TIMEOUT``. Seconds a request waits for a free connection when all ``pool_size +
    max_overflow`` are busy; then it gets ``503 database_unavailable`` instead of waiting forever."""

    @field_validator("database_url")
    @classmethod
    def use_async_driver(cls, url: str) -> str:
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+asyncpg://" + url.removeprefix(prefix)
        return url
