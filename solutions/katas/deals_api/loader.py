"""Load the deals CSV: ``await load_csv(database_url, path)`` -> ``LoadReport``.

1. Parse and validate every row in Python first, with the same rules as the schema's constraints,
   so a bad row is reported by line number, column and reason (``LoadError``) before anything is
   written. The header is line 1, the first deal line 2.
2. Normalise: one hotel per phone number. A phone that appears with two different (name, city,
   country) triples, or a triple with two phones, is an error: both are keys of a hotel.
3. Write everything in ONE transaction with the database's bulk path, upserting on the natural keys
   (``hotels.phone``, ``deals.external_id``, ``categories.name``): loading the same file twice
   changes nothing, and a failure leaves the database as it was.
   - PostgreSQL: hotels and categories upserted from arrays, their ids fetched, so every deal row
     is complete in Python. A first load (no deal of the file stored yet) is a binary ``COPY``
     (asyncpg's ``copy_records_to_table``) straight into ``deals`` and ``deal_categories`` with
     ids reserved from the sequence; into empty tables the foreign keys and the non-unique indexes
     are dropped and re-created around it (one check by a join instead of a trigger per row, one
     sort per index instead of 50,000 random inserts). A reload COPYs into temporary staging tables
     and upserts from there: ``INSERT ... SELECT ... ON CONFLICT DO UPDATE``.
   - SQLite: ``executemany`` of prepared upserts inside one transaction (SQLite is in-process: the
     cost is per transaction, not per statement). Foreign keys are off for the load's connection
     and checked once (``PRAGMA foreign_key_check``) before the commit; into an empty table the
     deal ids are given by the loader and the non-unique indexes re-created after the inserts.

Parsing is column by column for a well-formed file (``map``, ``min``/``max``, one regular
expression per price column, each distinct date or flag converted once) and falls back to the
careful row-by-row path, which names the bad line, only when something is off. The cyclic garbage
collector is paused during a load (its million objects all live to the end). Measured numbers
for 50,000 rows are in benchmarks/README.md; row-by-row ORM ``session.add`` is about ten times
slower there: every object is tracked, flushed and round-tripped.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import gc
import operator
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NamedTuple

import asyncpg
from sqlalchemy import make_url
from sqlalchemy.exc import DBAPIError

from .db import create_engine

COLUMNS = (
    "id",
    "hotel_name",
    "hotel_city",
    "hotel_country",
    "hotel_star_rating",
    "hotel_phone",
    "room_type",
    "price_per_night",
    "original_price",
    "discount_percent",
    "checkin_date",
    "checkout_date",
    "is_available",
    "categories",
    "created_at",
)
_BOOLEANS = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}
_MAX_PRICE = Decimal("99999999.99")
_MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class LoadReport:
    """What the load wrote: distinct hotels, deals and deal-category links found in the file."""

    hotels: int
    deals: int
    category_links: int = 0


class LoadError(Exception):
    """The file cannot be loaded; nothing was written.

    ``line`` is the file's line number (the header is line 1) and ``column`` the CSV column, when the
    problem is a row's; the database's own objection (say, a hotel already stored under another
    phone) has neither.
    """

    def __init__(self, line: int | None, column: str | None, reason: str) -> None:
        self.line = line
        self.column = column
        self.reason = reason
        where = ", ".join(
            part for part in (f"line {line}" if line else "", f"column {column!r}" if column else "") if part
        )
        super().__init__(f"{where}: {reason}" if where else reason)


class Deal(NamedTuple):
    """One validated row (the careful path builds these; ``Deals`` holds the same by column)."""

    external_id: int
    phone: str
    room_type: str
    star_rating: int
    price_per_night: str  # the price as text, checked to fit NUMERIC(10, 2): "227.20"
    original_price: str
    discount_percent: int
    checkin_date: date
    checkout_date: date
    is_available: bool
    categories: tuple[str, ...]
    created_at: datetime


class Deals(NamedTuple):
    """The file's deals by column (index i of every column is the file's i-th deal): bulk writes zip these."""

    external_id: Sequence[int]
    phone: Sequence[str]
    room_type: Sequence[str]
    star_rating: Sequence[int]
    price_per_night: Sequence[str]
    original_price: Sequence[str]
    discount_percent: Sequence[int]
    checkin_date: Sequence[date]
    checkout_date: Sequence[date]
    is_available: Sequence[bool]
    categories: Sequence[tuple[str, ...]]
    created_at: Sequence[datetime]

    @classmethod
    def from_rows(cls, rows: Sequence[Deal]) -> Deals:
        return cls._make(zip(*rows, strict=True)) if rows else cls._make(() for _ in cls._fields)


@dataclass
class ParsedFile:
    hotels: dict[str, tuple[str, str, str]]  # phone -> (name, city, country)
    deals: Deals

    @property
    def category_names(self) -> list[str]:
        return sorted({name for names in set(self.deals.categories) for name in names})

    @property
    def link_count(self) -> int:
        return sum(map(len, self.deals.categories))


class _RowError(Exception):
    def __init__(self, column: str, reason: str) -> None:
        self.column = column
        self.reason = reason


def _text(row: dict[str, str], column: str) -> str:
    value = row[column].strip()
    if not value:
        raise _RowError(column, "is empty")
    return value


def _integer(row: dict[str, str], column: str, low: int, high: int) -> int:
    text = _text(row, column)
    try:
        value = int(text)
    except ValueError:
        raise _RowError(column, f"{text!r} is not a whole number") from None
    if not low <= value <= high:
        raise _RowError(column, f"{value} is not between {low} and {high}")
    return value


def _price(row: dict[str, str], column: str) -> str:
    text = _text(row, column)
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise _RowError(column, f"{text!r} is not a number") from None
    if not value.is_finite() or value <= 0:
        raise _RowError(column, f"{text} must be greater than 0")
    if value > _MAX_PRICE or not _has_cents_at_most(value):
        raise _RowError(column, f"{text} does not fit NUMERIC(10, 2)")
    return f"{value:f}"


def _has_cents_at_most(value: Decimal) -> bool:
    exponent = value.as_tuple().exponent
    return isinstance(exponent, int) and exponent >= -2


def _date(row: dict[str, str], column: str) -> date:
    text = _text(row, column)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _RowError(column, f"{text!r} is not a YYYY-MM-DD date") from None


def _timestamp(row: dict[str, str], column: str) -> datetime:
    text = _text(row, column)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise _RowError(column, f"{text!r} is not an ISO-8601 timestamp") from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _category_names(text: str) -> tuple[str, ...]:
    """``"business, Luxury,,luxury"`` -> ``("business", "luxury")``."""
    return tuple(sorted({name.strip().lower() for name in text.split(",") if name.strip()}))


@functools.cache
def _valid_category_names(text: str) -> tuple[str, ...] | None:
    """The names, or None if one is too long (cached: a file holds few distinct values)."""
    names = _category_names(text)
    return names if all(len(name) <= 50 for name in names) else None


def _parse_row(row: dict[str, str]) -> tuple[tuple[str, str, str], Deal]:
    """The careful path: converts and checks one field at a time, to say exactly what is wrong."""
    external_id = _integer(row, "id", 1, _MAX_ID)
    hotel = (_text(row, "hotel_name"), _text(row, "hotel_city"), _text(row, "hotel_country"))
    star_rating = _integer(row, "hotel_star_rating", 1, 5)
    phone = _text(row, "hotel_phone")
    room_type = _text(row, "room_type")
    price = _price(row, "price_per_night")
    original = _price(row, "original_price")
    if Decimal(original) < Decimal(price):
        raise _RowError("original_price", f"{original} is below price_per_night {price}")
    discount = _integer(row, "discount_percent", 0, 100)
    checkin = _date(row, "checkin_date")
    checkout = _date(row, "checkout_date")
    if checkout <= checkin:
        raise _RowError("checkout_date", f"{checkout} is not after checkin_date {checkin}")
    available = row["is_available"].strip().lower()
    if available not in _BOOLEANS:
        raise _RowError("is_available", f"{available!r} is not true or false")
    categories = _category_names(row["categories"])
    if any(len(name) > 50 for name in categories):
        raise _RowError("categories", "a category name is longer than 50 characters")
    created_at = _timestamp(row, "created_at")
    deal = Deal(
        external_id, phone, room_type, star_rating, price, original, discount, checkin, checkout,
        _BOOLEANS[available], categories, created_at,
    )  # fmt: skip
    return hotel, deal


def parse_csv(path: Path) -> ParsedFile:
    """Read and validate the whole file; raise ``LoadError`` at the first bad line.

    A well-formed file takes the fast path, which checks whole columns at C speed (``map``, ``min``,
    one regular expression over a joined column, each distinct value once). Anything it does not
    accept sends the file down the careful path, row by row, which finds and names the bad line.
    """
    with path.open(encoding="utf-8", newline="") as stream:
        reader = csv.reader(stream)
        header = next(reader, [])
        missing = [column for column in COLUMNS if column not in header]
        if missing:
            raise LoadError(1, missing[0], f"the header lacks {', '.join(missing)}")
        rows = list(reader)
    return _parse_columns(header, rows) or _parse_rows(path)


# A column of prices joined by newlines, each with at most 8 digits before the point and 2 after.
_PRICE_COLUMN = re.compile(r"(?:[0-9]{1,8}(?:\.[0-9]{1,2})?\n)*[0-9]{1,8}(?:\.[0-9]{1,2})?")


def _distinct(values: Iterable[str], convert: Any) -> dict[str, Any] | None:
    """Each distinct value converted once (a file holds few distinct dates, names, flags); None if one fails."""
    converted = {}
    for value in set(values):
        try:
            converted[value] = convert(value)
        except (ValueError, KeyError):
            return None
        if converted[value] is None:
            return None
    return converted


def _clean(value: str) -> str | None:
    return value if value and value == value.strip() else None


def _parse_columns(header: list[str], rows: list[list[str]]) -> ParsedFile | None:
    """The fast path: the whole file, column by column; None if anything is off (the careful path says what)."""
    if not rows:
        return ParsedFile({}, Deals.from_rows([]))
    if set(map(len, rows)) != {len(header)}:  # a set of lengths: C speed, where a generator took 0.04 s
        return None
    columns = dict(zip(header, zip(*rows, strict=True), strict=False))
    ids, stars, discounts, prices, originals = (columns[c] for c in (
        "id", "hotel_star_rating", "discount_percent", "price_per_night", "original_price"))  # fmt: skip
    texts = [columns[c] for c in ("hotel_name", "hotel_city", "hotel_country", "hotel_phone", "room_type")]
    checkins, checkouts, flags, categories = (
        _distinct(columns[c], convert)
        for c, convert in (
            ("checkin_date", date.fromisoformat), ("checkout_date", date.fromisoformat),
            ("is_available", lambda text: _BOOLEANS[text.strip().lower()]), ("categories", _valid_category_names),
        )
    )  # fmt: skip
    if (
        checkins is None or checkouts is None or flags is None or categories is None
        or any(_distinct(column, _clean) is None for column in texts)
        or not (_PRICE_COLUMN.fullmatch("\n".join(prices)) and _PRICE_COLUMN.fullmatch("\n".join(originals)))
    ):  # fmt: skip
        return None
    try:
        external_ids, star_ratings, discount_percents = (list(map(int, c)) for c in (ids, stars, discounts))
        created = list(map(datetime.fromisoformat, columns["created_at"]))
    except ValueError:
        return None
    checkin_dates = list(map(checkins.__getitem__, columns["checkin_date"]))
    checkout_dates = list(map(checkouts.__getitem__, columns["checkout_date"]))
    price_values = list(map(float, prices))  # exact enough to compare: at most 10 significant digits
    names, cities, countries, phones, room_types = texts
    hotels = dict(zip(phones, zip(names, cities, countries, strict=True), strict=True))
    pairs = set(zip(phones, names, cities, countries, strict=True))
    well_formed = (
        min(external_ids) >= 1 and max(external_ids) <= _MAX_ID and len(set(external_ids)) == len(rows)
        and min(star_ratings) >= 1 and max(star_ratings) <= 5
        and min(discount_percents) >= 0 and max(discount_percents) <= 100
        and min(price_values) > 0 and all(map(operator.le, price_values, map(float, originals)))
        and all(map(operator.gt, checkout_dates, checkin_dates))
        and all(map(operator.attrgetter("tzinfo"), created))
        # one (name, city, country) per phone and one phone per (name, city, country)
        and len(pairs) == len(hotels) == len(set(hotels.values()))
    )  # fmt: skip
    if not well_formed:
        return None
    deals = Deals(
        external_ids, phones, room_types, star_ratings, prices, originals, discount_percents, checkin_dates,
        checkout_dates, list(map(flags.__getitem__, columns["is_available"])),
        list(map(categories.__getitem__, columns["categories"])), created,
    )  # fmt: skip
    return ParsedFile(hotels, deals)


def _parse_rows(path: Path) -> ParsedFile:
    """The careful path: row by row; raises ``LoadError`` naming the first bad line, column and reason."""
    hotels: dict[str, tuple[str, str, str]] = {}
    deals: list[Deal] = []
    phone_of: dict[tuple[str, str, str], str] = {}
    line_of: dict[int, int] = {}
    with path.open(encoding="utf-8", newline="") as stream:
        reader = csv.reader(stream)
        header = next(reader)
        for fields in reader:
            line = reader.line_num
            if len(fields) != len(header):
                raise LoadError(line, None, f"expected {len(header)} fields, found {len(fields)}")
            try:
                hotel, deal = _parse_row(dict(zip(header, fields, strict=True)))
            except _RowError as error:
                raise LoadError(line, error.column, error.reason) from None
            if line_of.setdefault(deal.external_id, line) != line:
                raise LoadError(line, "id", f"{deal.external_id} already appeared on line {line_of[deal.external_id]}")
            known = hotels.setdefault(deal.phone, hotel)
            if known != hotel:
                raise LoadError(line, "hotel_phone", f"{deal.phone} already belongs to {', '.join(known)}")
            if phone_of.setdefault(hotel, deal.phone) != deal.phone:
                raise LoadError(line, "hotel_phone", f"{', '.join(hotel)} already has phone {phone_of[hotel]}")
            deals.append(deal)
    return ParsedFile(hotels, Deals.from_rows(deals))


@contextlib.contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector (reference counting still frees everything as usual)."""
    # A load allocates about a million tuples, lists and strings that all live until it ends: the
    # collector would traverse them again and again for nothing (a quarter of the parse's time).
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


async def load_csv(database_url: str, path: Path) -> LoadReport:
    """Load the CSV at ``path`` into the (migrated) database; all or nothing, idempotent."""
    with _without_cyclic_gc():
        return await _load_csv(database_url, path)


async def _load_csv(database_url: str, path: Path) -> LoadReport:
    parsed = parse_csv(Path(path))
    url = make_url(database_url)
    try:
        if url.get_backend_name() == "postgresql":
            await _write_postgres(url.set(drivername="postgresql").render_as_string(hide_password=False), parsed)
        else:
            await _write_sqlite(database_url, parsed)
    except (DBAPIError, asyncpg.PostgresError) as error:
        raise LoadError(None, None, f"the database rejected the data: {getattr(error, 'orig', error)}") from error
    deals = len(parsed.deals.external_id)
    return LoadReport(hotels=len(parsed.hotels), deals=deals, category_links=parsed.link_count)


_DEAL_FIELDS = (
    "hotel_id",
    "room_type",
    "star_rating",
    "price_per_night",
    "original_price",
    "discount_percent",
    "checkin_date",
    "checkout_date",
    "is_available",
    "created_at",
)


def _upsert_deals(distinct: str) -> str:
    """ON CONFLICT clause for deals: update a changed row (and bump its version); leave an identical one alone."""
    assignments = ", ".join(f"{column} = excluded.{column}" for column in _DEAL_FIELDS)
    changed = " OR ".join(f"deals.{column} {distinct} excluded.{column}" for column in _DEAL_FIELDS)
    return f"ON CONFLICT (external_id) DO UPDATE SET {assignments}, version = deals.version + 1 WHERE {changed}"


_UPSERT_HOTEL = (
    "ON CONFLICT (phone) DO UPDATE SET name = excluded.name, city = excluded.city, country = excluded.country"
)


_UPSERT_CHANGED_HOTEL = (
    _UPSERT_HOTEL
    + " WHERE (hotels.name, hotels.city, hotels.country) IS DISTINCT FROM (excluded.name, excluded.city, excluded.country)"
)
_DEAL_COLUMNS = ("external_id", *_DEAL_FIELDS)
_STAGE_DEALS = (
    "CREATE TEMP TABLE load_deals (external_id integer, hotel_id integer, room_type text, star_rating integer,"
    " price_per_night numeric(10, 2), original_price numeric(10, 2), discount_percent integer, checkin_date date,"
    " checkout_date date, is_available boolean, created_at timestamptz) ON COMMIT DROP;"
    "CREATE TEMP TABLE load_links (deal_id integer, category_id integer) ON COMMIT DROP"
)
_POSTGRES_RELOAD_STATEMENTS = (
    f"INSERT INTO deals ({', '.join(_DEAL_COLUMNS)}) SELECT * FROM load_deals " + _upsert_deals("IS DISTINCT FROM"),
    # A reloaded deal's categories are replaced, not merged: drop the links the file no longer has
    # (only those: deleting and re-inserting unchanged links would cost two foreign-key checks each).
    "DELETE FROM deal_categories dc USING deals d, load_deals s WHERE dc.deal_id = d.id AND d.external_id = s.external_id"
    " AND NOT EXISTS (SELECT FROM load_links l WHERE l.deal_id = dc.deal_id AND l.category_id = dc.category_id)",
    "INSERT INTO deal_categories (deal_id, category_id) SELECT deal_id, category_id FROM load_links ON CONFLICT DO NOTHING",
)


async def _write_postgres(dsn: str, parsed: ParsedFile) -> None:
    """Hotels and categories (a few hundred rows) by ``unnest`` of arrays; deals and links by binary COPY.

    Ids are resolved in Python: hotel and category ids are fetched after their upserts, and deal ids
    are reserved from the sequence as one block, so a file none of whose deals is stored yet (the
    first load) is COPYed straight into ``deals`` and ``deal_categories``, with no join. A reload
    COPYs into staging tables and upserts from there (``INSERT ... ON CONFLICT``).
    """
    connection = await asyncpg.connect(dsn)
    try:
        async with connection.transaction():
            await _write_postgres_rows(connection, parsed)
        # Refresh the planner's statistics now: autovacuum would get to 50,000 new rows within minutes,
        # and until then the planner guesses (measured: 245 ms for a category page instead of 59 ms).
        await connection.execute(_ANALYZE)
    finally:
        await connection.close()


_ANALYZE = "ANALYZE hotels, deals, categories, deal_categories"


async def _write_postgres_rows(connection: Any, parsed: ParsedFile) -> None:
    """The load's writes, inside the caller's transaction."""
    deals = parsed.deals
    # Writers of deals (the API, another load) wait until this load commits; readers do not.
    await connection.execute("LOCK TABLE deals IN SHARE ROW EXCLUSIVE MODE")
    phones = list(parsed.hotels)
    names, cities, countries = zip(*parsed.hotels.values(), strict=True) if phones else ((), (), ())
    await connection.execute(
        "INSERT INTO hotels (name, city, country, phone)"
        " SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) " + _UPSERT_CHANGED_HOTEL,
        names, cities, countries, phones,
    )  # fmt: skip
    hotel_ids = dict(await connection.fetch("SELECT phone, id FROM hotels WHERE phone = ANY($1::text[])", phones))
    category_names = parsed.category_names
    await connection.execute(
        "INSERT INTO categories (name) SELECT unnest($1::text[]) ON CONFLICT (name) DO NOTHING", category_names
    )
    category_ids = dict(
        await connection.fetch("SELECT name, id FROM categories WHERE name = ANY($1::text[])", category_names)
    )
    columns = _deal_columns(deals, hotel_ids)
    # An empty table (the first load) spares sending 50,000 ids to look them up.
    stored: dict[int, int] = (
        dict(
            await connection.fetch(
                "SELECT external_id, id FROM deals WHERE external_id = ANY($1::integer[])", deals.external_id
            )
        )
        if await connection.fetchval("SELECT EXISTS (SELECT FROM deals)")
        else {}
    )
    if not stored:
        await _copy_new_deals(connection, deals, columns, category_ids)
        return
    await connection.execute(_STAGE_DEALS)
    await connection.copy_records_to_table("load_deals", records=zip(*columns, strict=True))
    await connection.execute(_POSTGRES_RELOAD_STATEMENTS[0])
    if len(stored) < len(deals.external_id):
        stored = dict(
            await connection.fetch(
                "SELECT external_id, id FROM deals WHERE external_id = ANY($1::integer[])", deals.external_id
            )
        )
    deal_ids = list(map(stored.__getitem__, deals.external_id))
    await connection.copy_records_to_table("load_links", records=_links(deal_ids, deals.categories, category_ids))
    for statement in _POSTGRES_RELOAD_STATEMENTS[1:]:
        await connection.execute(statement)


_FOREIGN_KEYS = (
    "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
    " WHERE contype = 'f' AND conrelid IN ('deals'::regclass, 'deal_categories'::regclass)"
)

_SECONDARY_INDEXES = (
    "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index"
    " WHERE indrelid IN ('deals'::regclass, 'deal_categories'::regclass) AND NOT indisunique"
)


async def _copy_new_deals(
    connection: asyncpg.Connection, deals: Deals, columns: list[Iterable[Any]], category_ids: dict[str, int]
) -> None:
    """COPY deals none of which is stored yet, and their links, straight into their tables."""
    count = len(deals.external_id)
    # A block of ids: safe because no other transaction can insert into deals (the lock) meanwhile.
    first: int = await connection.fetchval(
        "SELECT setval(s, nextval(s) + $1 - 1) - $1 + 1 FROM pg_get_serial_sequence('deals', 'id') AS s", count
    )
    deal_ids = range(first, first + count)
    # Into empty tables (the first load), foreign keys are dropped and added back afterwards, as
    # PostgreSQL's "Populating a Database" advises: one check of all rows by a join instead of a
    # trigger per row (three per deal-category link). It takes an exclusive lock, and only until commit.
    empty = not await connection.fetchval("SELECT EXISTS (SELECT FROM deals)")
    foreign_keys = await connection.fetch(_FOREIGN_KEYS) if empty else []
    for table, name, _ in foreign_keys:
        await connection.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    # Likewise the secondary (non-unique) indexes: CREATE INDEX sorts the stored rows once, faster
    # than inserting 50,000 keys one by one in random order. Unique ones stay: they are constraints.
    indexes = await connection.fetch(_SECONDARY_INDEXES) if empty else []
    for name, _ in indexes:
        await connection.execute(f"DROP INDEX {name}")  # regclass::text quotes the name where needed
    await connection.copy_records_to_table(
        "deals", records=zip(deal_ids, *columns, strict=True), columns=("id", *_DEAL_COLUMNS)
    )
    await connection.copy_records_to_table(
        "deal_categories", records=_links(deal_ids, deals.categories, category_ids), columns=("deal_id", "category_id")
    )
    for _, definition in indexes:
        await connection.execute(definition)
    for table, name, definition in foreign_keys:
        await connection.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def _deal_columns(deals: Deals, hotel_ids: dict[str, int]) -> list[Iterable[Any]]:
    """The values of ``_DEAL_COLUMNS``, column by column."""
    return [
        deals.external_id, list(map(hotel_ids.__getitem__, deals.phone)), deals.room_type, deals.star_rating,
        deals.price_per_night, deals.original_price, deals.discount_percent, deals.checkin_date,
        deals.checkout_date, deals.is_available, deals.created_at,
    ]  # fmt: skip


def _sqlite_timestamp(value: datetime) -> str:
    # SQLAlchemy's storage format for DateTime on SQLite (naive, UTC by convention): the UTC time's
    # ISO form without its "+00:00" (slicing is a third cheaper than .replace(tzinfo=None) first).
    return value.astimezone(UTC).isoformat(sep=" ", timespec="microseconds")[:26]


async def _executemany(connection: Any, statement: str, rows: Iterable[tuple[Any, ...]]) -> None:
    rows = list(rows)
    if rows:
        await connection.exec_driver_sql(statement, rows)


async def _write_sqlite(database_url: str, parsed: ParsedFile) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            # The per-row foreign-key checks cost a fifth of the write: they are turned off for this
            # connection (SQLite ignores the PRAGMA inside a transaction, hence before it; the engine
            # is disposed below, so the connection is never reused) and replaced by one check of the
            # loaded tables before the commit, the counterpart of PostgreSQL's drop and re-add.
            await connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
            await connection.commit()
            async with connection.begin():
                await _write_sqlite_rows(connection, parsed)
    finally:
        await engine.dispose()


# The secondary indexes of the tables a first load fills (a UNIQUE or PRIMARY KEY one has no SQL).
_SQLITE_INDEXES = (
    "SELECT name, sql FROM sqlite_master"
    " WHERE type = 'index' AND tbl_name IN ('deals', 'deal_categories') AND sql IS NOT NULL"
)


async def _write_sqlite_rows(connection: Any, parsed: ParsedFile) -> None:
    deals = parsed.deals
    # Into an empty deals table (the first load), its secondary indexes and deal_categories' are
    # dropped and created again after the inserts: building an index from the stored rows takes half
    # the time of inserting 50,000 keys into it in random order. DDL is transactional in SQLite.
    empty = not (await connection.exec_driver_sql("SELECT EXISTS (SELECT 1 FROM deals)")).scalar()
    indexes: Sequence[Any] = (await connection.exec_driver_sql(_SQLITE_INDEXES)).all() if empty else []
    for name, _ in indexes:
        await connection.exec_driver_sql(f'DROP INDEX "{name}"')
    await _executemany(
        connection,
        "INSERT INTO hotels (name, city, country, phone) VALUES (?, ?, ?, ?) " + _UPSERT_HOTEL,
        [(*hotel, phone) for phone, hotel in parsed.hotels.items()],
    )
    rows: Sequence[Any] = (await connection.exec_driver_sql("SELECT phone, id FROM hotels")).all()
    columns = _deal_columns(deals, dict(rows))
    # SQLite stores what SQLAlchemy would: prices as floats, dates and timestamps as text.
    columns[4:6] = (map(float, deals.price_per_night), map(float, deals.original_price))
    columns[7:9] = (map(date.isoformat, deals.checkin_date), map(date.isoformat, deals.checkout_date))
    columns[10] = [_sqlite_timestamp(value) for value in deals.created_at]
    # Into an empty table the deal ids are the loader's to give (1, 2, ...): the links need no query for them.
    deal_ids = range(1, len(deals.external_id) + 1) if empty else None
    names = _DEAL_COLUMNS if deal_ids is None else ("id", *_DEAL_COLUMNS)
    await _executemany(
        connection,
        f"INSERT INTO deals ({', '.join(names)}) VALUES ({', '.join('?' * len(names))}) " + _upsert_deals("IS NOT"),
        zip(*columns, strict=True) if deal_ids is None else zip(deal_ids, *columns, strict=True),
    )
    await _write_sqlite_categories(connection, parsed, deal_ids)
    for _, definition in indexes:
        await connection.exec_driver_sql(definition)
    for table in ("deals", "deal_categories"):
        violation = (await connection.exec_driver_sql(f"PRAGMA foreign_key_check({table})")).first()
        if violation is not None:
            reason = f"the database rejected the data: a row of {table} refers to a missing {violation[2]} row"
            raise LoadError(None, None, reason)


async def _write_sqlite_categories(connection: Any, parsed: ParsedFile, loaded: Sequence[int] | None) -> None:
    """The file's categories and the deals' links to them; ``loaded``: the deals' ids, if known."""
    names = parsed.category_names
    await _executemany(
        connection, "INSERT INTO categories (name) VALUES (?) ON CONFLICT (name) DO NOTHING", [(n,) for n in names]
    )
    category_ids = dict((await connection.exec_driver_sql("SELECT name, id FROM categories")).all())
    if loaded is None:
        deal_ids: dict[int, int] = dict(
            (await connection.exec_driver_sql("SELECT external_id, id FROM deals WHERE external_id IS NOT NULL")).all()
        )
        loaded = list(map(deal_ids.__getitem__, parsed.deals.external_id))
    if (await connection.exec_driver_sql("SELECT EXISTS (SELECT 1 FROM deal_categories)")).scalar():
        await _executemany(connection, "DELETE FROM deal_categories WHERE deal_id = ?", [(i,) for i in loaded])
    await _executemany(
        connection,
        "INSERT INTO deal_categories (deal_id, category_id) VALUES (?, ?)",
        _links(loaded, parsed.deals.categories, category_ids),
    )


def _links(
    deal_ids: Sequence[int], names: Iterable[tuple[str, ...]], category_ids: dict[str, int]
) -> list[tuple[int, int]]:
    return [
        (deal_id, category_ids[name])
        for deal_id, deal_names in zip(deal_ids, names, strict=True)
        for name in deal_names
    ]
