"""Typed settings, read from the environment (and a ``.env`` file in the working directory).

``DATABASE_URL`` picks the database: a SQLite file by default (no server needed), or PostgreSQL.
Plain ``postgres://`` / ``postgresql://`` URLs (what hosting platforms hand out) are rewritten to
the async driver, ``postgresql+asyncpg://``, because the app only ever talks to the database async.
"""

from __future__ import annotations

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./deals.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    """Env ``DATABASE_URL``. SQLite: ``sqlite+aiosqlite:///./deals.db``; PostgreSQL: ``postgresql+asyncpg://...``."""

    debug: bool = False
    """Env ``DEBUG``. Verbose logs, and a ``Server-Timing`` header with each request's SQL statement count."""

    @field_validator("database_url")
    @classmethod
    def use_async_driver(cls, url: str) -> str:
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+asyncpg://" + url.removeprefix(prefix)
        return url
