"""Run Alembic from Python: ``await upgrade(url)``, ``await downgrade(url, "-1")``, ``await revision(url, msg)``.

Alembic is configured here, not in an ``alembic.ini``: its scripts live in the ``alembic/`` folder
next to this file, so migrations run the same from any working directory and from any copy of the
package. Commands run on a connection we open on an async engine and hand to ``alembic/env.py``
through ``config.attributes`` (Alembic's "sharing a connection" recipe), so they work inside a
running event loop (tests, the app) as well as from ``asyncio.run`` (the command line).

Each command runs in one transaction: on PostgreSQL, where DDL is transactional, a migration that
fails halfway leaves nothing behind.

Command line (from the kit's root)::

    uv run python -m katas.deals_api.migrations upgrade            # to head
    uv run python -m katas.deals_api.migrations downgrade -1       # one step back
    uv run python -m katas.deals_api.migrations revision -m "add version column"   # autogenerate
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

# Import your models module here, so its tables are on Base.metadata when autogenerate compares
# (ruff sees the import as unused: end the line with a noqa for F401):
# from . import models
from .config import Settings
from .db import Base

SCRIPT_LOCATION = Path(__file__).resolve().parent / "alembic"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    config.attributes["target_metadata"] = Base.metadata
    return config


async def _run(database_url: str, operation: Callable[[Config], object]) -> None:
    engine = create_async_engine(database_url, poolclass=NullPool)

    def with_connection(connection: Connection) -> None:
        config = alembic_config(database_url)
        config.attributes["connection"] = connection
        operation(config)

    try:
        async with engine.begin() as connection:
            await connection.run_sync(with_connection)
    finally:
        await engine.dispose()


async def upgrade(database_url: str, revision: str = "head") -> None:
    """Migrate the database at ``database_url`` up to ``revision`` (default: the latest)."""
    await _run(database_url, lambda config: command.upgrade(config, revision))


async def downgrade(database_url: str, revision: str = "base") -> None:
    """Migrate down to ``revision``: ``"base"`` (empty), ``"-1"`` (one step) or a revision id."""
    await _run(database_url, lambda config: command.downgrade(config, revision))


async def revision(database_url: str, message: str, autogenerate: bool = True) -> None:
    """Write a new migration script, diffing the models against the database when ``autogenerate``."""
    await _run(database_url, lambda config: command.revision(config, message=message, autogenerate=autogenerate))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m katas.deals_api.migrations", description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=None, help="default: $DATABASE_URL or the settings' default")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("upgrade").add_argument("revision", nargs="?", default="head")
    commands.add_parser("downgrade").add_argument("revision", nargs="?", default="-1")
    new = commands.add_parser("revision")
    new.add_argument("-m", "--message", required=True)
    new.add_argument("--empty", action="store_true", help="an empty script instead of autogenerate")
    args = parser.parse_args(argv)
    url = Settings(database_url=args.database_url).database_url if args.database_url else Settings().database_url
    if args.command == "upgrade":
        asyncio.run(upgrade(url, args.revision))
    elif args.command == "downgrade":
        asyncio.run(downgrade(url, args.revision))
    else:
        asyncio.run(revision(url, args.message, autogenerate=not args.empty))


if __name__ == "__main__":
    main()
