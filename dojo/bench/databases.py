"""The capstone's databases and packages for `dojo bench`: fresh databases by name, loaded ones, both trees.

Your package and the reference are both ``katas.deals_api``; ``Packages`` keeps each tree's modules
aside and swaps them back in before that tree's code runs, so both live in one process.
"""

from __future__ import annotations

import importlib
import os
import sys
import tempfile
from contextlib import AsyncExitStack
from pathlib import Path
from types import ModuleType

from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from dojo.bench.context import Context
from dojo.bench.harness import Kind
from dojo.capstone import Seams, async_database_url, load_seams
from dojo.deals_data import DEFAULT_HOTELS, write_csv
from dojo.paths import LEARNER_PACKAGES
from dojo.targets import Target, activate, tree_for


class Packages:
    """Each tree's ``katas`` modules, kept aside and swapped back into sys.modules when its code runs."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._kept: dict[Path, dict[str, ModuleType]] = {}
        self._seams: dict[Target, Seams] = {}
        self._active: Path | None = None

    def use(self, target: Target) -> None:
        tree = tree_for(self.root, target)
        if self._active == tree:
            return
        if self._active is not None:
            self._kept[self._active] = {
                name: module for name, module in sys.modules.items() if name.split(".", 1)[0] in LEARNER_PACKAGES
            }
        activate(tree)
        sys.modules.update(self._kept.get(tree, {}))
        self._active = tree

    def seams(self, target: Target) -> Seams:
        self.use(target)
        if target not in self._seams:
            self._seams[target] = load_seams(self.root, target)
        return self._seams[target]

    def module(self, target: Target, name: str) -> ModuleType:
        self.use(target)
        return importlib.import_module(f"katas.deals_api.{name}")


def capstone_targets(ctx: Context) -> list[tuple[str, Kind, Target]]:
    mine: list[tuple[str, Kind, Target]] = [("yours", "learner", "learner")] if ctx.target == "learner" else []
    return [*mine, ("reference", "reference", "solutions")]


class Databases:
    """Fresh databases by name: SQLite files in a scratch folder, or databases on the PostgreSQL server."""

    def __init__(self, backend: str, folder: Path, server_url: str | None) -> None:
        self.backend = backend
        self.folder = folder
        self.server_url = async_database_url(server_url) if server_url else None
        self.created: set[str] = set()
        # Database names carry this process's id: two benches on one server never drop each other's.
        self._suffix = f"_{os.getpid()}"

    @property
    def label(self) -> str:
        return "PostgreSQL" if self.backend == "postgresql" else "SQLite"

    async def fresh(self, name: str) -> str:
        """An empty database called ``name`` (dropped first if it exists); its async URL."""
        if self.server_url is None:
            path = self.folder / f"{name}.db"
            path.unlink(missing_ok=True)
            return f"sqlite+aiosqlite:///{path}"
        real = name + self._suffix
        await self._admin(f'DROP DATABASE IF EXISTS "{real}" WITH (FORCE)', f'CREATE DATABASE "{real}"')
        self.created.add(name)
        return self.url_of(name)

    def url_of(self, name: str) -> str:
        """The URL of database ``name`` on the server (one ``fresh`` created before)."""
        assert self.server_url is not None
        return make_url(self.server_url).set(database=name + self._suffix).render_as_string(hide_password=False)

    async def drop_all(self) -> None:
        if self.server_url is not None and self.created:
            drops = (f'DROP DATABASE IF EXISTS "{name}{self._suffix}" WITH (FORCE)' for name in sorted(self.created))
            await self._admin(*drops)

    async def _admin(self, *statements: str) -> None:
        assert self.server_url is not None
        engine = create_async_engine(self.server_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as connection:
                for statement in statements:
                    await connection.execute(text(statement))
        finally:
            await engine.dispose()


async def scratch_databases(ctx: Context, stack: AsyncExitStack) -> list[Databases]:
    folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="dojo-bench-")))
    found = [Databases("sqlite", folder, None)]
    if ctx.postgres_url:
        postgres = Databases("postgresql", folder, ctx.postgres_url)
        stack.push_async_callback(postgres.drop_all)
        found.append(postgres)
    return found


def deals_csv(ctx: Context, stack: AsyncExitStack, rows: int) -> Path:
    folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="dojo-bench-csv-")))
    path = folder / "deals.csv"
    write_csv(path, rows=rows, seed=ctx.seed, hotels=min(DEFAULT_HOTELS, max(1, rows // 10)))
    return path


def sync_url(url: str) -> str:
    """The synchronous driver's URL, for pandas: psycopg2 for PostgreSQL, the stdlib module for SQLite."""
    parsed = make_url(url)
    driver = "postgresql+psycopg2" if parsed.get_backend_name() == "postgresql" else "sqlite"
    return parsed.set(drivername=driver).render_as_string(hide_password=False)


async def loaded_database(packages: Packages, target: Target, databases: Databases, path: Path, name: str) -> str:
    seams = packages.seams(target)
    url = await databases.fresh(name)
    await seams.upgrade(url)
    await seams.load_csv(url, path)
    return url
