"""Round 5: GET /deals/stats, average price and deal count per city, computed by the database."""

from __future__ import annotations

import re

import pytest

from tests.capstone.helpers import StatementLog

# From KNOWN_DEALS: Berlin 80.00, 80.01, 80.01 (mean 80.00666...); Tokyo 60 and 300; Toronto 100 and
# 250, of which only the 100.00 deal is available.
ALL_DEALS = [
    {"city": "Berlin", "avg_price": 80.01, "deal_count": 3},
    {"city": "Tokyo", "avg_price": 180.0, "deal_count": 2},
    {"city": "Toronto", "avg_price": 175.0, "deal_count": 2},
]
AVAILABLE_ONLY = [
    {"city": "Berlin", "avg_price": 80.01, "deal_count": 3},
    {"city": "Tokyo", "avg_price": 180.0, "deal_count": 2},
    {"city": "Toronto", "avg_price": 100.0, "deal_count": 1},
]


@pytest.mark.parametrize(
    ("params", "expected"),
    [({}, ALL_DEALS), ({"available_only": "false"}, ALL_DEALS), ({"available_only": "true"}, AVAILABLE_ONLY)],
    ids=["default-all-deals", "available-only-false", "available-only-true"],
)
async def test_stats_per_city_sorted_by_count_then_city_rounded_to_cents(known, client, params, expected):
    response = await client.get("/deals/stats", params=params)
    assert response.status_code == 200, response.text
    assert response.json() == expected


async def test_stats_on_an_empty_database_are_an_empty_list(client):
    response = await client.get("/deals/stats")
    assert (response.status_code, response.json()) == (200, [])


async def test_stats_run_as_one_group_by_query(known, client, sql_log: StatementLog):
    with sql_log.record():
        response = await client.get("/deals/stats")
    assert response.status_code == 200
    statements = sql_log.selects
    assert len(statements) == 1, (
        f"the stats should take exactly one query, got {len(statements)}:\n" + "\n---\n".join(statements)
    )
    sql = " ".join(statements[0].split()).lower()
    in_sql = f"let the database aggregate (AVG, COUNT, GROUP BY) instead of fetching rows into Python:\n{statements[0]}"
    assert "group by" in sql, in_sql
    assert re.search(r"\bavg\s*\(", sql), in_sql
    assert re.search(r"\bcount\s*\(", sql), in_sql
