"""Which keyset predicate can seek an index on (created_at, id)? The plans, on SQLite and PostgreSQL.

    uv run python benchmarks/keyset_plans.py             # SQLite, and PostgreSQL when $DOJO_POSTGRES_URL is set

The pagination kata's cursor carries (created_at, id). Its WHERE clause can be written two ways that
mean the same rows:

- the row value ``(created_at, id) > (:created_at, :id)``
- the expanded form ``created_at > :c1 OR (created_at = :c2 AND id > :id)``, the timestamp bound twice
  as SQLAlchemy's ``or_(Deal.created_at > c, and_(Deal.created_at == c, Deal.id > i))`` binds it

This builds a 50,000-row table with 28 distinct timestamps (many ties, so ``id`` matters), an index on
(created_at, id), and prints each database's plan for the page after row 40,000 by both forms, and
by ``OFFSET``; on PostgreSQL ``EXPLAIN ANALYZE``, so the rows it read and threw away are printed too.
The PostgreSQL table is a temporary one, gone when the connection closes.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from datetime import UTC, datetime, timedelta

import asyncpg

ROWS, DAYS, DEEP, PAGE = 50_000, 28, 40_000, 20
START = datetime(2026, 1, 1, tzinfo=UTC)
ROW_VALUE = "(created_at, id) > ({c}, {i})"
EXPANDED = "created_at > {c} OR (created_at = {c2} AND id > {i})"


def created_at(row_id: int) -> datetime:
    return START + timedelta(days=row_id % DAYS)


def statements(c: str, i: str, c2: str) -> dict[str, str]:
    """The three pages; ``c2`` is the timestamp's second placeholder (SQLAlchemy's ``or_`` binds it anew)."""
    order = f"ORDER BY created_at, id LIMIT {PAGE + 1}"
    found = {
        "row value": f"SELECT * FROM pages WHERE {ROW_VALUE.format(c=c, i=i)} {order}",
        "expanded OR": f"SELECT * FROM pages WHERE {EXPANDED.format(c=c, c2=c2, i=i)} {order}",
    }
    if c2 != c:
        found["expanded OR, one parameter"] = f"SELECT * FROM pages WHERE {EXPANDED.format(c=c, c2=c, i=i)} {order}"
    found["OFFSET"] = f"SELECT * FROM pages ORDER BY created_at, id LIMIT {PAGE} OFFSET {DEEP}"
    return found


def cursor_row(rows: list[tuple[int, datetime]]) -> tuple[int, datetime]:
    """The sort key of row DEEP (1-based) in (created_at, id) order: the cursor of the page after it."""
    return sorted(rows, key=lambda row: (row[1], row[0]))[DEEP - 1]


def sqlite_plans(rows: list[tuple[int, datetime]]) -> None:
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE pages (id INTEGER PRIMARY KEY, created_at TEXT NOT NULL, title TEXT NOT NULL)")
    connection.execute("CREATE INDEX ix_pages_created_at_id ON pages (created_at, id)")
    connection.executemany("INSERT INTO pages VALUES (?, ?, 'deal')", [(i, at.isoformat()) for i, at in rows])
    connection.execute("ANALYZE")
    last_id, last_at = cursor_row(rows)
    print(f"SQLite {sqlite3.sqlite_version}:")
    for name, sql in statements(":c", ":i", ":c2").items():
        values = {"c": last_at.isoformat(), "c2": last_at.isoformat(), "i": last_id}
        plan = connection.execute(f"EXPLAIN QUERY PLAN {sql}", values).fetchall()
        print(f"  {name + ':':28} {'; '.join(str(step[3]) for step in plan)}")
    connection.close()


async def postgres_plans(url: str, rows: list[tuple[int, datetime]]) -> None:
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await connection.execute(
            "CREATE TEMPORARY TABLE pages (id integer PRIMARY KEY, created_at timestamptz NOT NULL, title text NOT NULL)"
        )
        await connection.execute("CREATE INDEX ON pages (created_at, id)")
        await connection.copy_records_to_table("pages", records=[(i, at, "deal") for i, at in rows])
        await connection.execute("ANALYZE pages")
        last_id, last_at = cursor_row(rows)
        version = await connection.fetchval("SHOW server_version")
        print(f"PostgreSQL {version}:")
        for name, sql in statements("$1", "$2", "$1").items():
            arguments = (last_at, last_id) if "$1" in sql else ()
            plan = await connection.fetch(f"EXPLAIN ANALYZE {sql}", *arguments)
            print(f"  {name}:")
            for (line,) in plan:
                print(f"    {line}")
    finally:
        await connection.close()


def main() -> None:
    rows = [(row_id, created_at(row_id)) for row_id in range(1, ROWS + 1)]
    sqlite_plans(rows)
    url = os.environ.get("DOJO_POSTGRES_URL")
    if url:
        asyncio.run(postgres_plans(url, rows))
    else:
        print('PostgreSQL: not run (eval "$(uv run dojo pg start)" sets DOJO_POSTGRES_URL)')


if __name__ == "__main__":
    main()
