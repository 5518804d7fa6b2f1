"""Round 3: optional, combinable filters on GET /deals, and indexes that serve them."""

from __future__ import annotations

import pytest

from tests.capstone.helpers import error_of, external_ids


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, [1, 2, 3, 4, 5, 6, 7]),
        ({"city": "Toronto"}, [1, 2]),
        ({"city": "toronto"}, [1, 2]),
        ({"city": "TOKYO"}, [6, 7]),
        ({"min_stars": 4}, [1, 2, 5, 7]),
        ({"min_stars": 5}, [2, 7]),
        ({"price_min": 80.01}, [1, 2, 4, 5, 7]),
        ({"price_max": 80.01}, [3, 4, 5, 6]),
        ({"price_min": 80.01, "price_max": 250}, [1, 2, 4, 5]),
        ({"price_min": 100, "price_max": 100}, [1]),
        ({"city": "berlin", "min_stars": 4}, [5]),
        ({"city": "Berlin", "price_max": 80}, [3]),
        ({"city": "tokyo", "min_stars": 3, "price_min": 100, "price_max": 500}, [7]),
        ({"city": "Paris"}, []),
        ({"city": "Berl"}, []),
    ],
    ids=["none", "city", "city-lowercase", "city-uppercase", "min-stars-4", "min-stars-5", "price-min",
         "price-max", "price-range", "price-range-one-value", "city-and-stars", "city-and-price",
         "all-four", "no-match", "city-prefix-is-not-a-match"],
)
async def test_filters_are_optional_and_combine_with_and(known, client, params, expected):
    response = await client.get("/deals", params=params)
    assert response.status_code == 200, response.text
    assert sorted(external_ids(response.json())) == expected, f"GET /deals?{params}"


async def test_price_min_above_price_max_is_a_422_in_the_envelope(known, client):
    response = await client.get("/deals", params={"price_min": 200, "price_max": 100})
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "validation_error"
    assert "price_min" in str(error.get("details", "")) + error["message"]


@pytest.mark.parametrize("params", [{"min_stars": 6}, {"min_stars": 0}, {"price_min": -1}, {"min_stars": "many"}],
                         ids=["stars-6", "stars-0", "negative-price", "stars-not-a-number"])  # fmt: skip
async def test_out_of_range_filters_are_422(known, client, params):
    response = await client.get("/deals", params=params)
    assert response.status_code == 422
    assert error_of(response)["code"] == "validation_error"


@pytest.mark.parametrize(
    ("table", "column"),
    [("hotels", "city"), ("deals", "star_rating"), ("deals", "price_per_night")],
    ids=["hotels-city", "deals-star-rating", "deals-price"],
)
async def test_each_filtered_column_leads_an_index(db, table, column):
    keys = await db.index_leading_keys(table)
    assert any(column in key for key in keys.values()), (
        f"no index on {table} starts with {column} (an expression such as lower({column}) counts); "
        f"indexes found: {keys or 'none'}. Add them in a migration."
    )
