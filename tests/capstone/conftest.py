"""Fixtures for the capstone: a fresh database per test, on SQLite and (when configured) PostgreSQL.

- Every test that asks for a database runs once per backend: ``[sqlite]`` always, ``[postgres]``
  when ``DOJO_POSTGRES_URL`` names a server admin URL (``postgresql://postgres@127.0.0.1:5432/postgres``).
- ``empty_db``: a brand-new, empty database. ``db``: the same, migrated to head by the learner's
  ``migrations.upgrade``. Migrating once per session into a template and copying it per test keeps
  the suite fast (a file copy on SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL) while every
  test still gets its own clean database.
- The learner's package is imported inside the fixtures: pytest loads this file before the kit's
  plugin has chosen which tree (learner, solutions, pristine) ``katas`` comes from.
- ``client``: the learner's app on ``db``, started, behind an httpx client. ``known``/``sample``:
  the same with the small known data set or the committed sample CSV loaded through ``load_csv``.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
import pytest
from sqlalchemy import make_url

from tests.capstone.helpers import (
    KNOWN_DEALS,
    SAMPLE_CSV,
    Backend,
    Database,
    StatementLog,
    listening_to_all_engines,
    running_app,
    write_csv,
)
from tests.capstone.oracle import Oracle, load_oracle, write_oracle_csv

POSTGRES_ENV = "DOJO_POSTGRES_URL"


def _backends() -> list[Backend]:
    return ["sqlite", "postgres"] if os.environ.get(POSTGRES_ENV) else ["sqlite"]


def _admin_dsn() -> str:
    url = make_url(os.environ[POSTGRES_ENV])
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _async_url(database: str) -> str:
    url = make_url(os.environ[POSTGRES_ENV]).set(drivername="postgresql+asyncpg", database=database)
    return url.render_as_string(hide_password=False)


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(_admin_dsn())
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@dataclass
class Templates:
    """Per-session migrated templates, built on first use; a migration failure is replayed to every test."""

    directory: Path
    built: dict[Backend, str | BaseException] = field(default_factory=dict)
    prefix: str = field(default_factory=lambda: f"dojo_cap_{os.getpid()}_{uuid.uuid4().hex[:6]}")

    async def migrated(self, backend: Backend) -> str:
        from katas.deals_api import migrations

        if backend not in self.built:
            url = await self._new_empty(backend, "template")
            try:
                await migrations.upgrade(url, "head")
                self.built[backend] = url
            except BaseException as error:
                self.built[backend] = error
        found = self.built[backend]
        if isinstance(found, BaseException):
            raise found
        return found

    async def _new_empty(self, backend: Backend, name: str) -> str:
        if backend == "sqlite":
            return f"sqlite+aiosqlite:///{self.directory / name}.db"
        database = f"{self.prefix}_{name}"
        await _admin(f'CREATE DATABASE "{database}"')
        return _async_url(database)

    def drop_all(self) -> None:
        if POSTGRES_ENV in os.environ and "postgres" in self.built:
            asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{self.prefix}_template" WITH (FORCE)'))


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    found = Templates(tmp_path_factory.mktemp("capstone-templates"))
    yield found
    found.drop_all()


@pytest.fixture(params=_backends())
def backend(request: pytest.FixtureRequest) -> Backend:
    """The database this test instance runs on."""
    chosen: Backend = request.param
    return chosen


@asynccontextmanager
async def _postgres_database(template: str | None = None) -> AsyncIterator[Database]:
    name = f"dojo_cap_{uuid.uuid4().hex[:12]}"
    await _admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    try:
        yield Database("postgres", _async_url(name))
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def empty_db(backend: Backend, tmp_path: Path) -> AsyncIterator[Database]:
    """A brand-new empty database."""
    if backend == "sqlite":
        yield Database("sqlite", f"sqlite+aiosqlite:///{tmp_path / 'deals.db'}")
        return
    async with _postgres_database() as database:
        yield database


@pytest.fixture
async def db(backend: Backend, templates: Templates, tmp_path: Path) -> AsyncIterator[Database]:
    """A fresh database migrated to head (the learner's migrations), with no rows."""
    template = await templates.migrated(backend)
    if backend == "sqlite":
        path = tmp_path / "deals.db"
        shutil.copyfile(make_url(template).database or "", path)
        yield Database("sqlite", f"sqlite+aiosqlite:///{path}")
        return
    async with _postgres_database(template=make_url(template).database) as database:
        yield database


@pytest.fixture
async def client(db: Database) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(db.url) as http:
        yield http


@pytest.fixture
def known_csv(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "known.csv", KNOWN_DEALS)


@pytest.fixture
async def known(db: Database, known_csv: Path) -> Database:
    """``db`` holding the seven KNOWN_DEALS (helpers.py), loaded with the learner's ``load_csv``."""
    from katas.deals_api import loader

    await loader.load_csv(db.url, known_csv)
    return db


@pytest.fixture
async def sample(db: Database) -> Database:
    """``db`` holding the committed sample CSV (tests/capstone/data/deals_sample.csv)."""
    from katas.deals_api import loader

    await loader.load_csv(db.url, SAMPLE_CSV)
    return db


@pytest.fixture
def sql_log() -> Iterator[StatementLog]:
    with listening_to_all_engines() as log:
        yield log


# ---- the oracle's data set (tests/capstone/oracle.py) --------------------------------------------------


@pytest.fixture
async def oracle(db: Database, tmp_path: Path) -> Oracle:
    """``db`` holding the oracle's generated CSV (loaded with the learner's ``load_csv``), and the answers
    computed from that CSV in plain Python."""
    found = await load_oracle(db, write_oracle_csv(tmp_path / "oracle.csv"))
    # Rewrite every 7th deal in place, changing nothing: PostgreSQL writes the new row versions at the end
    # of the table, so a query without ORDER BY returns them out of id order there. SQLite keeps rowid
    # order, which would hide a missing ORDER BY.
    await db.execute("UPDATE deals SET room_type = room_type WHERE id % 7 = 0")
    return found
