"""Shared helpers for the capstone's round tests: CSV rows, SQL checks, statement counting, the app client.

The tests reach the learner's package only through its seams (``create_app``, ``migrations``,
``loader``) and HTTP; everything else here is plain SQL against the database, whose table and
column names are part of the spec (see katas/deals_api/README.md).
"""

from __future__ import annotations

import csv
import re
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import httpx
from sqlalchemy import Engine, event, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

Backend = Literal["sqlite", "postgres"]

DATA_DIR = Path(__file__).parent / "data"
SAMPLE_CSV = DATA_DIR / "deals_sample.csv"

COLUMNS = (
    "id", "hotel_name", "hotel_city", "hotel_country", "hotel_star_rating", "hotel_phone", "room_type",
    "price_per_night", "original_price", "discount_percent", "checkin_date", "checkout_date", "is_available",
    "categories", "created_at",
)  # fmt: skip

TORONTO = {"hotel_name": "Harbor Inn", "hotel_city": "Toronto", "hotel_country": "Canada", "hotel_phone": "+1-416-555-0101"}
BERLIN = {"hotel_name": "Crown Tower", "hotel_city": "Berlin", "hotel_country": "Germany", "hotel_phone": "+49-30-555-0202"}
TOKYO = {"hotel_name": "Crown Tower", "hotel_city": "Tokyo", "hotel_country": "Japan", "hotel_phone": "+81-3-555-0303"}


def deal_row(external_id: int, hotel: Mapping[str, str] = TORONTO, **overrides: object) -> dict[str, str]:
    """One CSV row (all text, like the file), valid unless ``overrides`` break it."""
    row = {
        "id": str(external_id),
        **hotel,
        "hotel_star_rating": "4",
        "room_type": "Standard",
        "price_per_night": "100.00",
        "original_price": "120.00",
        "discount_percent": "17",
        "checkin_date": "2025-06-01",
        "checkout_date": "2025-06-04",
        "is_available": "true",
        "categories": "family",
        "created_at": "2025-03-01T10:00:00Z",
    }
    row.update({key: str(value) for key, value in overrides.items()})
    return row


# Seven deals, three hotels (two share a name in different cities), chosen so that every filter,
# average and sort order in the tests has one obvious right answer.
KNOWN_DEALS: tuple[dict[str, str], ...] = (
    deal_row(1, TORONTO, hotel_star_rating=4, price_per_night="100.00", original_price="120.00", categories="family"),
    deal_row(2, TORONTO, hotel_star_rating=5, price_per_night="250.00", original_price="250.00", discount_percent=0,
             is_available="false", categories="luxury,romantic"),
    deal_row(3, BERLIN, hotel_star_rating=3, price_per_night="80.00", original_price="100.00", discount_percent=20,
             categories="budget"),
    deal_row(4, BERLIN, hotel_star_rating=3, price_per_night="80.01", original_price="100.00", discount_percent=20,
             categories="budget,business"),
    deal_row(5, BERLIN, hotel_star_rating=4, price_per_night="80.01", original_price="100.00", discount_percent=20,
             categories="business"),
    deal_row(6, TOKYO, hotel_star_rating=2, price_per_night="60.00", original_price="75.00", discount_percent=20,
             categories="budget,family"),
    deal_row(7, TOKYO, hotel_star_rating=5, price_per_night="300.00", original_price="400.00", discount_percent=25,
             categories="business,luxury"),
)  # fmt: skip


def write_csv(path: Path, rows: Sequence[Mapping[str, str]], columns: Sequence[str] = COLUMNS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(columns), lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def items(body: Any) -> list[dict[str, Any]]:
    """The deals of a list response: a bare list (round 1) or the ``items`` of a page (round 4 on)."""
    if isinstance(body, dict) and "items" in body:
        return list(body["items"])
    assert isinstance(body, list), f"GET /deals should return a list of deals (or a page with 'items'), got {body!r}"
    return body


def external_ids(body: Any) -> list[int]:
    return [deal["external_id"] for deal in items(body)]


def error_of(response: httpx.Response) -> dict[str, Any]:
    """The ``error`` object of an error response, after checking the envelope's shape."""
    body = response.json()
    shape = f'errors must look like {{"error": {{"code": ..., "message": ...}}}}, got {body!r}'
    assert isinstance(body, dict), shape
    assert isinstance(body.get("error"), dict), shape
    error: dict[str, Any] = body["error"]
    assert isinstance(error.get("code"), str), f"the error needs a string 'code', got {error!r}"
    assert isinstance(error.get("message"), str), f"the error needs a string 'message', got {error!r}"
    return error


@dataclass
class Database:
    """A fresh database for one test: its async URL, and plain-SQL helpers that bypass the app."""

    backend: Backend
    url: str

    @asynccontextmanager
    async def engine(self) -> AsyncIterator[AsyncEngine]:
        engine = create_async_engine(self.url, poolclass=NullPool)
        if self.backend == "sqlite":
            event.listen(engine.sync_engine, "connect", _sqlite_foreign_keys)
        try:
            yield engine
        finally:
            await engine.dispose()

    async def rows(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        async with self.engine() as engine, engine.connect() as connection:
            return [tuple(row) for row in (await connection.execute(text(sql), params)).all()]

    async def scalar(self, sql: str, **params: Any) -> Any:
        async with self.engine() as engine, engine.connect() as connection:
            return (await connection.execute(text(sql), params)).scalar()

    async def execute(self, statement: Any, params: Any = None) -> None:
        """Run one statement in its own transaction (``statement`` is SQL text or a SQLAlchemy construct)."""
        async with self.engine() as engine, engine.begin() as connection:
            await connection.execute(text(statement) if isinstance(statement, str) else statement, params)

    async def count(self, table: str) -> int:
        return int(await self.scalar(f"SELECT count(*) FROM {table}"))

    async def tables(self) -> set[str]:
        if self.backend == "sqlite":
            rows = await self.rows("SELECT name FROM sqlite_master WHERE type = 'table'")
        else:
            rows = await self.rows("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {row[0] for row in rows}

    async def columns(self, table: str) -> set[str]:
        if self.backend == "sqlite":
            rows = await self.rows(f"SELECT name FROM pragma_table_info('{table}')")
        else:
            rows = await self.rows(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = :t",
                t=table,
            )
        return {row[0] for row in rows}

    async def index_leading_keys(self, table: str) -> dict[str, str]:
        """Index name -> its first key (column or expression, lower-cased), for the indexes declared on ``table``.

        Primary keys and unique constraints are left out: an index "for the city filter" must lead with city.
        """
        if self.backend == "sqlite":
            rows = await self.rows(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :t AND sql IS NOT NULL", t=table
            )
        else:
            rows = await self.rows(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i"
                " WHERE i.schemaname = 'public' AND i.tablename = :t AND i.indexname NOT IN"
                " (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))",
                t=table,
            )
        return {name: _leading_key(definition) for name, definition in rows}


def _leading_key(definition: str) -> str:
    """``CREATE INDEX ix ON deals USING btree (price_per_night, id)`` -> ``price_per_night``."""
    start = definition.index("(", definition.upper().index(" ON ")) + 1
    depth, key = 0, []
    for char in definition[start:]:
        if char in ",)" and depth == 0:
            break
        depth += {"(": 1, ")": -1}.get(char, 0)
        key.append(char)
    return "".join(key).strip().lower().replace('"', "")


def _sqlite_foreign_keys(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@dataclass
class StatementLog:
    """Every SQL statement any engine in this process sends while recording (the app's included)."""

    statements: list[str] = field(default_factory=list)
    parameters: list[Any] = field(default_factory=list)
    recording: bool = False

    def _on_execute(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if self.recording:
            self.statements.append(statement)
            self.parameters.append(parameters)

    @contextmanager
    def record(self) -> Iterator[StatementLog]:
        self.statements.clear()
        self.parameters.clear()
        self.recording = True
        try:
            yield self
        finally:
            self.recording = False

    @property
    def selects(self) -> list[str]:
        return [s for s in self.statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]


@contextmanager
def listening_to_all_engines() -> Iterator[StatementLog]:
    """A ``StatementLog`` fed by a listener on SQLAlchemy's ``Engine`` class: it sees every engine's statements,
    including the ones the app creates, without reaching into the app."""
    log = StatementLog()
    event.listen(Engine, "before_cursor_execute", log._on_execute)
    try:
        yield log
    finally:
        event.remove(Engine, "before_cursor_execute", log._on_execute)


@asynccontextmanager
async def running_app(database_url: str, *, debug: bool = False) -> AsyncIterator[httpx.AsyncClient]:
    """The learner's app on ``database_url``, started (lifespan) and wrapped in an HTTP client."""
    # Imported here, not at the top: conftest.py imports this module before the plugin picks the tree.
    from katas.deals_api.config import Settings
    from katas.deals_api.main import create_app

    app = create_app(Settings(database_url=database_url, debug=debug))
    async with app.router.lifespan_context(app):
        # raise_app_exceptions=False: a crash is a 500 response the test can report, not a traceback.
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


SERVER_TIMING = re.compile(r'\bdb;dur=(?P<ms>\d+(?:\.\d+)?);desc="(?P<count>\d+) statements?"')
