"""The capstone's workloads: the CSV loader, offset against keyset pages, and the list endpoint.

- ``round1``: 50,000 rows loaded into an empty, migrated database by your loader, the reference's,
  the playbook's pandas ``to_sql(method="multi")`` and a row-by-row ORM loop; SQLite, and PostgreSQL
  when ``$DOJO_POSTGRES_URL`` is set. Each run gets a new database, migrated before the clock starts.
- ``round4``: the page at row 40,000 by ``OFFSET`` against the keyset seek, as SQL on each database
  (by the app's own async driver in one call, which is what the database does; on SQLite also by
  the stdlib module in this thread, without aiosqlite's hop to its worker thread and back; then the
  same SQL through SQLAlchemy's async engine, which adds a fixed cost per statement) and as HTTP
  requests to the reference app under uvicorn. Both statements are checked to serve the same rows
  first, and on SQLite the keyset query's plan to seek the primary key.
- ``round7``: ``GET /deals`` under uvicorn on loopback with the app's own PostgreSQL pool, against
  the same endpoint written N+1 (``n_plus_one.py``); requests per second, and SQL statements per
  request counted by the app's ``Server-Timing`` header (debug mode, in-process, untimed).
"""

from __future__ import annotations

import csv
import importlib
import re
import sqlite3
from collections.abc import Callable
from contextlib import AsyncExitStack
from datetime import date, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from dojo.bench.context import Context, library, unavailable
from dojo.bench.databases import (
    Databases,
    Packages,
    capstone_targets,
    deals_csv,
    loaded_database,
    scratch_databases,
    sync_url,
)
from dojo.bench.harness import Contender, Goal, Kind, Run, Workload, scaled
from dojo.bench.serving import CONCURRENCY, get_requests, uvicorn_server
from dojo.deals_data import DEFAULT_ROWS
from dojo.targets import Target, tree_for

PANDAS_CHUNKSIZE = 1_000  # rows per multi-row INSERT: 11 columns x 1,000 stays under SQLite's 32,766 variables
NAIVE_BATCH = 1_000
DEEP_ROW = 40_000
PAGE = 20
LIST_LIMIT = 50
QUERIES, REQUESTS = 200, 300
Built = list[Any]  # Workload | Skipped (the command's types; kept loose to avoid a cycle)


# ---- round1: the loader ----


async def loader(ctx: Context, stack: AsyncExitStack) -> Built:
    rows = scaled(DEFAULT_ROWS, ctx.scale, least=10)
    path = deals_csv(ctx, stack, rows)
    packages = Packages(ctx.root)
    workloads: Built = []
    for databases in await scratch_databases(ctx, stack):
        contenders = [
            _load_with_seams(packages, row, kind, target, databases, path)
            for row, kind, target in capstone_targets(ctx)
        ]
        pandas = library("pandas")
        if pandas is None or (databases.backend == "postgresql" and library("psycopg2") is None):
            contenders.append(unavailable("pandas to_sql", "alternative", "pandas" if pandas is None else "psycopg2"))
        else:
            contenders.append(_pandas_loader(packages, pandas, databases, path))
        contenders.append(_naive_loader(packages, databases, path))
        title = f"capstone loader, {databases.label}: {rows:,} CSV rows into an empty migrated database"
        workloads.append(
            Workload(
                f"loader-{databases.backend}",
                "round1",
                title,
                "rows",
                rows,
                tuple(contenders),
                (Goal("pandas to_sql", 10.0),),
            )
        )
    return workloads


def _load_with_seams(
    packages: Packages, row: str, kind: Kind, target: Target, databases: Databases, path: Path
) -> Contender:
    async def prepare() -> Run:
        seams = packages.seams(target)
        url = await databases.fresh(f"dojo_bench_load_{target}")
        await seams.upgrade(url)

        async def run() -> None:
            await seams.load_csv(url, path)

        return run

    note = "COPY / executemany" if kind == "reference" else "load_csv"
    return Contender(row, kind, prepare, note=note)


async def _migrated(packages: Packages, databases: Databases, name: str) -> str:
    url = await databases.fresh(name)
    await packages.seams("solutions").upgrade(url)
    return url


def _pandas_loader(packages: Packages, pandas: ModuleType, databases: Databases, path: Path) -> Contender:
    """The capstone playbook's load: hotels, then deals merged with their ids, each by ``to_sql(method="multi")``.

    The schema is the reference's after round 6, so the categories go in too: their names, then the links.
    """

    async def prepare() -> Run:
        url = await _migrated(packages, databases, "dojo_bench_load_pandas")
        sqlalchemy = importlib.import_module("sqlalchemy")
        engine = sqlalchemy.create_engine(sync_url(url))

        def load() -> None:
            options = {"if_exists": "append", "index": False, "method": "multi", "chunksize": PANDAS_CHUNKSIZE}
            frame = pandas.read_csv(path)
            hotel_columns = ["hotel_name", "hotel_city", "hotel_country", "hotel_phone"]
            hotels = frame[hotel_columns].drop_duplicates(subset=["hotel_phone"])
            hotels.rename(columns=lambda c: c.replace("hotel_", "")).to_sql("hotels", engine, **options)
            hotel_ids = pandas.read_sql("SELECT id AS hotel_id, phone AS hotel_phone FROM hotels", engine)
            deals = (
                frame.merge(hotel_ids)
                .rename(columns={"id": "external_id", "hotel_star_rating": "star_rating"})
                .drop(columns=[*hotel_columns, "categories"])
            )
            deals.to_sql("deals", engine, **options)
            links = frame[["id", "categories"]].assign(name=frame["categories"].str.split(",")).explode("name")
            pandas.DataFrame({"name": sorted(links["name"].unique())}).to_sql("categories", engine, **options)
            category_ids = pandas.read_sql("SELECT id AS category_id, name FROM categories", engine)
            deal_ids = pandas.read_sql("SELECT id AS deal_id, external_id AS id FROM deals", engine)
            links.merge(deal_ids).merge(category_ids)[["deal_id", "category_id"]].to_sql(
                "deal_categories", engine, **options
            )

        async def run() -> None:
            try:
                load()
            finally:
                engine.dispose()

        return run

    note = f"method='multi', chunksize={PANDAS_CHUNKSIZE:,}; 3 rounds at most"
    return Contender("pandas to_sql", "alternative", prepare, note=note, max_rounds=3)


def _naive_loader(packages: Packages, databases: Databases, path: Path) -> Contender:
    async def prepare() -> Run:
        url = await _migrated(packages, databases, "dojo_bench_load_naive")
        models = packages.module("solutions", "models")

        async def run() -> None:
            await naive_orm_load(url, path, models)

        return run

    return Contender("naive ORM loop", "alternative", prepare, note="session.add per row; 1 round", max_rounds=1)


async def naive_orm_load(database_url: str, path: Path, models: Any) -> int:
    """The classic slow answer: one ORM object per hotel, deal and category, ``session.add`` row by row."""
    engine = create_async_engine(database_url, poolclass=NullPool)
    sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
    hotels: dict[str, Any] = {}
    categories: dict[str, Any] = {}
    count = 0
    try:
        async with sessionmaker() as session:
            with path.open(encoding="utf-8", newline="") as stream:
                for count, row in enumerate(csv.DictReader(stream), start=1):
                    hotel = hotels.get(row["hotel_phone"])
                    if hotel is None:
                        hotel = models.Hotel(
                            name=row["hotel_name"], city=row["hotel_city"], country=row["hotel_country"],
                            phone=row["hotel_phone"],
                        )  # fmt: skip
                        hotels[row["hotel_phone"]] = hotel
                        session.add(hotel)
                    deal = models.Deal(
                        external_id=int(row["id"]), hotel=hotel, room_type=row["room_type"],
                        star_rating=int(row["hotel_star_rating"]), price_per_night=float(row["price_per_night"]),
                        original_price=float(row["original_price"]), discount_percent=int(row["discount_percent"]),
                        checkin_date=date.fromisoformat(row["checkin_date"]),
                        checkout_date=date.fromisoformat(row["checkout_date"]),
                        is_available=row["is_available"] == "true",
                        created_at=datetime.fromisoformat(row["created_at"]),
                    )  # fmt: skip
                    deal.categories = [
                        _category(models, categories, session, name) for name in row["categories"].split(",")
                    ]
                    session.add(deal)
                    if count % NAIVE_BATCH == 0:
                        await session.commit()
            await session.commit()
    finally:
        await engine.dispose()
    return count


def _category(models: Any, known: dict[str, Any], session: AsyncSession, name: str) -> Any:
    category = known.get(name)
    if category is None:
        category = known[name] = models.Category(name=name)
        session.add(category)
    return category


# ---- round4: offset against keyset ----


async def pagination(ctx: Context, stack: AsyncExitStack) -> Built:
    rows = scaled(DEFAULT_ROWS, ctx.scale, least=10)
    deep = min(DEEP_ROW, max(0, rows - PAGE - 1)) if rows < DEFAULT_ROWS else DEEP_ROW
    path = deals_csv(ctx, stack, rows)
    packages = Packages(ctx.root)
    queries = scaled(QUERIES, ctx.scale, least=2)
    workloads: Built = []
    served: tuple[Databases, str] | None = None
    for databases in await scratch_databases(ctx, stack):
        url = await loaded_database(packages, "solutions", databases, path, "dojo_bench_pages")
        engine = create_async_engine(url)
        stack.push_async_callback(engine.dispose)
        offset = f"SELECT * FROM deals ORDER BY id LIMIT {PAGE} OFFSET {deep}"
        keyset = f"SELECT * FROM deals WHERE id > {deep} ORDER BY id LIMIT {PAGE + 1}"
        await _same_page(engine, offset, keyset)
        where = (f"WHERE id > {deep:,} LIMIT {PAGE + 1}", f"LIMIT {PAGE} OFFSET {deep:,}")
        about = f"{queries:,} queries for the {PAGE} rows after row {deep:,} of {rows:,}"
        driver = _DRIVER_CALL[databases.backend]
        contenders = (
            _statements(engine, keyset, queries, "keyset (the feed)", "reference", f"{where[0]}; {driver}", raw=True),
            _statements(engine, offset, queries, "OFFSET", "alternative", f"{where[1]}; {driver}", raw=True),
        )
        title = f"pagination, SQL on {databases.label} (the driver's own call): {about}"
        workloads.append(
            Workload(
                f"pages-sql-{databases.backend}",
                "round4",
                title,
                "queries",
                queries,
                contenders,
                (Goal("OFFSET", 10.0),),
            )
        )
        if databases.backend == "sqlite":
            workloads.append(_sqlite_in_process(make_url(url).database or "", offset, keyset, queries, where, about))
        contenders = (
            _statements(
                engine, keyset, queries, "keyset (the feed)", "reference", f"{where[0]}; AsyncConnection.execute"
            ),
            _statements(engine, offset, queries, "OFFSET", "alternative", f"{where[1]}; AsyncConnection.execute"),
        )
        title = f"pagination, the same SQL through SQLAlchemy's async engine on {databases.label}: {about}"
        workloads.append(
            Workload(f"pages-sqlalchemy-{databases.backend}", "round4", title, "queries", queries, contenders)
        )
        served = (databases, url)
    assert served is not None
    databases, url = served
    base = await stack.enter_async_context(
        uvicorn_server("katas.deals_api.main:create_app", tree_for(ctx.root, "solutions"), url)
    )
    packages.use("solutions")
    cursor = importlib.import_module("katas.deals_api.routes").encode_cursor(deep)
    requests = scaled(REQUESTS, ctx.scale, least=2)
    contenders = (
        get_requests(
            base,
            [f"/deals/feed?after={cursor}&limit={PAGE}"] * requests,
            "GET /deals/feed?after=...",
            "keyset (the feed)",
            "reference",
        ),
        get_requests(
            base,
            [f"/deals?skip={deep}&limit={PAGE}"] * requests,
            f"GET /deals?skip={deep:,} (+ COUNT)",
            "OFFSET",
            "alternative",
        ),
    )
    title = (
        f"pagination over HTTP, the reference under uvicorn on {databases.label}: {requests:,} requests for the page "
        f"after row {deep:,}, {CONCURRENCY} at a time"
    )
    workloads.append(Workload("pages-http", "round4", title, "requests", requests, contenders))
    return workloads


def _sqlite_in_process(
    path: str, offset: str, keyset: str, queries: int, where: tuple[str, str], about: str
) -> Workload:
    """The two statements as SQLite itself runs them: the stdlib module on the same file, in this thread.

    aiosqlite (the app's driver) hands every call to a thread of its own and back, tens of
    microseconds on a quiet machine and milliseconds on a busy one, as long as the whole keyset query
    takes; here nothing stands between the clock and the database's own work, so it is timed by this
    process's CPU clock. Both plans are read first: the keyset query must seek the primary key."""
    plans = {sql: _sqlite_plan(path, sql) for sql in (keyset, offset)}
    if "USING INTEGER PRIMARY KEY" not in plans[keyset]:
        raise RuntimeError(f"the keyset query does not seek the primary key: {plans[keyset]}")

    def run_in_sqlite(sql: str, row: str, kind: Kind, note: str) -> Contender:
        async def prepare() -> Run:
            connection = sqlite3.connect(path)
            connection.execute(sql).fetchall()  # warm: the statement cache, the pages in memory

            async def run() -> None:
                try:
                    for _ in range(queries):
                        connection.execute(sql).fetchall()
                finally:
                    connection.close()

            return run

        return Contender(row, kind, prepare, note=note)

    contenders = (
        run_in_sqlite(keyset, "keyset (the feed)", "reference", f"{where[0]}; {plans[keyset]}"),
        run_in_sqlite(offset, "OFFSET", "alternative", f"{where[1]}; {plans[offset]}"),
    )
    title = f"pagination, SQL on SQLite itself (the stdlib sqlite3, in this thread): {about}"
    return Workload(
        "pages-sql-sqlite-engine", "round4", title, "queries", queries, contenders, (Goal("OFFSET", 10.0),), clock="cpu"
    )


def _sqlite_plan(path: str, sql: str) -> str:
    """``EXPLAIN QUERY PLAN``'s steps, joined: ``SEARCH deals USING INTEGER PRIMARY KEY (rowid>?)``."""
    connection = sqlite3.connect(path)
    try:
        return "; ".join(str(row[-1]) for row in connection.execute(f"EXPLAIN QUERY PLAN {sql}"))
    finally:
        connection.close()


# One statement, all its rows, in one call of the app's own async driver: no ORM, no adapter.
_DRIVER_CALL = {"sqlite": "aiosqlite execute_fetchall", "postgresql": "asyncpg fetch"}


async def _same_page(engine: AsyncEngine, offset: str, keyset: str) -> None:
    """Both statements must serve the same rows, or the ratio compares different work (untimed)."""
    async with engine.connect() as connection:
        by_offset = (await connection.execute(text(offset))).all()
        by_keyset = (await connection.execute(text(keyset))).all()
    if by_keyset[: len(by_offset)] != by_offset:
        raise RuntimeError(
            "the OFFSET page and the keyset page differ: the pagination benchmark would compare different work"
        )


def _statements(
    engine: AsyncEngine, sql: str, count: int, row: str, kind: Kind, note: str, raw: bool = False
) -> Contender:
    """``count`` runs of ``sql`` on one warm connection: through SQLAlchemy, or (``raw``) the driver's own call."""

    async def prepare() -> Run:
        statement = text(sql)
        connection = await engine.connect()
        (await connection.execute(statement)).all()  # warm: a connection, a plan, the pages in cache
        driver: Any = (await connection.get_raw_connection()).driver_connection
        fetch_all = driver.fetch if engine.dialect.name == "postgresql" else driver.execute_fetchall

        async def run() -> None:
            try:
                if raw:
                    for _ in range(count):
                        await fetch_all(sql)
                else:
                    for _ in range(count):
                        (await connection.execute(statement)).all()
            finally:
                await connection.close()

        return run

    return Contender(row, kind, prepare, note=note)


# ---- round7: the list endpoint, against its N+1 twin ----


async def list_endpoint(ctx: Context, stack: AsyncExitStack) -> Built:
    from dojo.bench import Skipped

    if not ctx.postgres_url:
        reason = 'needs PostgreSQL: eval "$(uv run dojo pg start)" sets DOJO_POSTGRES_URL'
        return [Skipped("list-endpoint", "round7", reason)]
    rows = scaled(DEFAULT_ROWS, ctx.scale, least=10)
    path = deals_csv(ctx, stack, rows)
    packages = Packages(ctx.root)
    databases = next(d for d in await scratch_databases(ctx, stack) if d.backend == "postgresql")
    requests = scaled(REQUESTS, ctx.scale, least=2)
    pages = [f"/deals?skip={(n * 97) % max(1, rows - LIST_LIMIT)}&limit={LIST_LIMIT}" for n in range(requests)]
    contenders: list[Contender] = []
    notes: list[str] = []
    apps: list[tuple[str, Kind, Target, str]] = [
        (row, kind, target, "katas.deals_api.main:create_app") for row, kind, target in capstone_targets(ctx)
    ]
    apps.append(("N+1 version", "alternative", "solutions", "dojo.bench.n_plus_one:create_app"))
    for row, kind, target, factory in apps:
        name = f"dojo_bench_app_{target}"
        url = (
            await loaded_database(packages, target, databases, path, name)
            if name not in databases.created
            else databases.url_of(name)
        )
        counts = await _statement_counts(packages, target, factory, url)
        notes.append(f"{row}: {counts} SQL statements per request at limit=20 / limit=100")
        base = await stack.enter_async_context(uvicorn_server(factory, tree_for(ctx.root, target), url))
        contenders.append(get_requests(base, pages, f"{counts} statements", row, kind))
    title = (
        f"list endpoint under uvicorn, PostgreSQL pool: {requests:,} x GET /deals?limit={LIST_LIMIT} "
        f"(pages spread over {rows:,} rows), {CONCURRENCY} at a time"
    )
    goal = (Goal("N+1 version", 3.0),)
    return [Workload("list-endpoint", "round7", title, "requests", requests, tuple(contenders), goal, tuple(notes))]


_STATEMENTS = re.compile(r'desc="(\d+) statements?"')


async def _statement_counts(packages: Packages, target: Target, factory: str, url: str) -> str:
    """``4 / 4``: statements for a 20-row and a 100-row page, from the app's Server-Timing header (debug on)."""
    seams = packages.seams(target)
    module_name, function = factory.split(":")
    create: Callable[[Any], Any] = getattr(importlib.import_module(module_name), function)
    app = create(seams.settings(database_url=url, debug=True))
    found = []
    from dojo.testing import serve

    async with serve(app) as client:
        for limit in (20, 100):
            response = await client.get(f"/deals?limit={limit}")
            match = _STATEMENTS.search(response.headers.get("server-timing", ""))
            found.append(match.group(1) if match else "?")
    return " / ".join(found)
