"""Round 7: performance you can prove. A constant number of SQL statements per page (no N+1), filters
that PostgreSQL answers from an index, and a debug ``Server-Timing`` header that shows both.

Statements are counted with a listener on SQLAlchemy's ``Engine`` class (``sql_log``), so the tests
see every statement your app sends without reaching into it. The ``EXPLAIN`` test runs on PostgreSQL
only (set ``DOJO_POSTGRES_URL``); on SQLite it is skipped.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import make_url

from dojo import deals_data
from katas.deals_api import loader
from tests.capstone.helpers import (
    SAMPLE_CSV,
    SERVER_TIMING,
    Database,
    StatementLog,
    items,
    read_csv,
    running_app,
)

PAGE_SIZES = (1, 10, 50)
# ANALYZE samples 30,000 rows by default: up to that size its statistics, hence the plans, are exact and repeatable.
EXPLAIN_ROWS = 20_000


def busiest(column: str) -> str:
    return Counter(row[column] for row in read_csv(SAMPLE_CSV)).most_common(1)[0][0]


def listing(statements: list[str]) -> str:
    return "\n---\n".join(" ".join(statement.split())[:300] for statement in statements)


# ---- no N+1 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/deals", {}),
        ("/deals", {"city": busiest("hotel_city")}),
        ("/deals", {"category": "business"}),
        ("/deals/feed", {}),
    ],
    ids=["list", "list-by-city", "list-by-category", "feed"],
)
async def test_a_page_takes_the_same_number_of_statements_whatever_its_size(
    sample, client, sql_log: StatementLog, path: str, params: dict[str, Any]
) -> None:
    seen: dict[int, list[str]] = {}
    for limit in PAGE_SIZES:
        with sql_log.record():
            response = await client.get(path, params={**params, "limit": limit})
        assert response.status_code == 200, response.text
        assert len(items(response.json())) == limit, f"GET {path}?limit={limit} should return {limit} deals"
        seen[limit] = list(sql_log.statements)
    counts = {limit: len(statements) for limit, statements in seen.items()}
    largest = seen[PAGE_SIZES[-1]]
    assert len(set(counts.values())) == 1, (
        f"GET {path} sends a number of statements that grows with the page (page size: statements): {counts}. "
        f"That is N+1: load each relationship for the whole page at once (selectinload). "
        f"The statements for {PAGE_SIZES[-1]} deals:\n{listing(largest)}"
    )


# ---- Server-Timing ----------------------------------------------------------------------------------


async def test_debug_mode_reports_statements_and_db_time_in_server_timing(sample, sql_log: StatementLog) -> None:
    async with running_app(sample.url, debug=True) as client:
        for path, params in [("/deals", {"limit": 5}), ("/deals", {"limit": 50}), ("/deals/999999", {}), ("/deals/stats", {})]:
            with sql_log.record():
                response = await client.get(path, params=params)
            header = response.headers.get("Server-Timing")
            assert header, f"with Settings(debug=True), GET {path} should carry a Server-Timing header"
            match = SERVER_TIMING.search(header)
            assert match, f'expected Server-Timing like db;dur=3.12;desc="4 statements", got {header!r}'
            assert int(match["count"]) == len(sql_log.statements), (
                f"GET {path}: the header says {match['count']} statements; this request sent {len(sql_log.statements)}:\n"
                + listing(sql_log.statements)
            )
            assert float(match["ms"]) >= 0
    async with running_app(sample.url) as client:
        response = await client.get("/deals")
    assert response.status_code == 200
    assert "Server-Timing" not in response.headers, "Server-Timing is a debug aid: off unless Settings.debug is on"


# ---- indexes used (PostgreSQL) ----------------------------------------------------------------------


# Query plans are PostgreSQL's: this test runs there only (never as a skipped SQLite twin), and is
# skipped, saying why, when no server is configured.
ON_POSTGRES_ONLY = pytest.mark.parametrize(
    "backend",
    [
        pytest.param(
            "postgres",
            marks=pytest.mark.skipif(
                not os.environ.get("DOJO_POSTGRES_URL"),
                reason="query plans are checked on PostgreSQL: set DOJO_POSTGRES_URL (docs/capstone.md, 'Two databases')",
            ),
        )
    ],
)


_generated: dict[str, Path] = {}


@pytest.fixture
def generated_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generator's first EXPLAIN_ROWS deals (made once per session, only when PostgreSQL is there)."""
    if "csv" not in _generated:
        path = tmp_path_factory.mktemp("capstone-explain") / "deals.csv"
        deals_data.write_csv(path, rows=EXPLAIN_ROWS, seed=deals_data.DEFAULT_SEED, hotels=deals_data.DEFAULT_HOTELS)
        _generated["csv"] = path
    return _generated["csv"]


def plan_nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from plan_nodes(child)


def where_mentions(statement: str, column: str) -> bool:
    parts = re.split(r"\bwhere\b", " ".join(statement.split()).lower(), maxsplit=1)
    return len(parts) == 2 and column in parts[1]


SELECTIVE_FILTERS: list[dict[str, Any]] = [
    {"price_min": 100, "price_max": 101},
    {"city": "Tokyo", "price_min": 100, "price_max": 110},
]


@ON_POSTGRES_ONLY
async def test_postgres_answers_selective_price_filters_from_the_index(
    db: Database, generated_csv: Path, sql_log: StatementLog
) -> None:
    await loader.load_csv(db.url, generated_csv)
    dsn = make_url(db.url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("ANALYZE")
        price_indexes = {name for name, key in (await db.index_leading_keys("deals")).items() if key == "price_per_night"}
        for params in SELECTIVE_FILTERS:
            async with running_app(db.url) as client:
                with sql_log.record():
                    response = await client.get("/deals", params=params)
            assert response.status_code == 200, response.text
            filtered = [
                (statement, parameters)
                for statement, parameters in zip(sql_log.statements, sql_log.parameters, strict=True)
                if where_mentions(statement, "price_per_night")
            ]
            assert filtered, f"GET /deals?{params}: no statement filters on price_per_night: filter in SQL, not in Python"
            used: set[str] = set()
            for statement, parameters in filtered:
                raw = await connection.fetchval("EXPLAIN (FORMAT JSON) " + statement, *(parameters or ()))
                nodes = list(plan_nodes(json.loads(raw)[0]["Plan"]))
                scans = [n for n in nodes if n["Node Type"] == "Seq Scan" and n.get("Relation Name") == "deals"]
                assert not scans, (
                    f"PostgreSQL reads every row of deals (Seq Scan) for GET /deals?{params}; the query:\n"
                    f"{' '.join(statement.split())}\n"
                    "Is there an index on price_per_night, and does the comparison keep the column's type "
                    "(a float parameter makes PostgreSQL cast the NUMERIC column, which no index on it can serve)?"
                )
                used |= {n["Index Name"] for n in nodes if "Index Name" in n}
            assert used & price_indexes, (
                f"GET /deals?{params}: the filtered queries use the indexes {sorted(used)}, "
                f"none on price_per_night ({sorted(price_indexes)})"
            )
    finally:
        await connection.close()
