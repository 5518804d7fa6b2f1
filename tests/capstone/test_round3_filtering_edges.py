"""Round 3's edges: what a client types is a value, not a pattern (``%`` and ``_`` are characters), case is
ignored however the name is written (``rio de janeiro`` is a lower-case word inside a city's name), and a
bound of 0 is a bound, not a missing one. The inverted range's 422 carries ``details`` like every validation error.

On PostgreSQL ``LIKE`` is case-sensitive and on SQLite it is not: these tests run on both.
"""

from __future__ import annotations

import pytest

from katas.deals_api import loader
from tests.capstone.helpers import KNOWN_DEALS, deal_row, error_of, external_ids, write_csv

RIO = {"hotel_name": "Copacabana Palace", "hotel_city": "Rio de Janeiro", "hotel_country": "Brazil",
       "hotel_phone": "+55-21-555-0404"}  # fmt: skip
DEALS = (*KNOWN_DEALS, deal_row(8, RIO, price_per_night="150.00", original_price="150.00", discount_percent=0),
         deal_row(9, RIO, hotel_star_rating=5, price_per_night="90.00"))  # fmt: skip


@pytest.fixture
async def cities(db, tmp_path):
    await loader.load_csv(db.url, write_csv(tmp_path / "cities.csv", DEALS))
    return db


@pytest.mark.parametrize(
    "city",
    ["Rio de Janeiro", "rio de janeiro", "RIO DE JANEIRO", "Rio De Janeiro", "rIO DE jANEIRO"],
    ids=["as-stored", "lower", "upper", "title-case", "swapped"],
)
async def test_the_city_matches_in_any_case(cities, client, city):
    response = await client.get("/deals", params={"city": city})
    assert response.status_code == 200, response.text
    assert sorted(external_ids(response.json())) == [8, 9], f"?city={city} is Rio de Janeiro, ignoring case"


@pytest.mark.parametrize(
    "city", ["%", "_", "%o%", "Toront_", "T%", "rio de janeir_", "%Berlin"], ids=lambda city: city
)
async def test_wildcards_in_the_city_are_plain_characters(cities, client, city):
    response = await client.get("/deals", params={"city": city})
    assert response.status_code == 200, response.text
    assert external_ids(response.json()) == [], f"no city is literally named {city!r}: ?city={city} matches nothing"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"price_max": 0}, []),
        ({"price_min": 0}, [1, 2, 3, 4, 5, 6, 7, 8, 9]),
        ({"price_min": 0, "price_max": 0}, []),
        ({"price_min": 150, "price_max": 150}, [8]),
    ],
    ids=["max-0", "min-0", "both-0", "min-equals-max-equals-original"],
)
async def test_a_zero_bound_is_a_bound(cities, client, params, expected):
    response = await client.get("/deals", params=params)
    assert response.status_code == 200, response.text
    assert sorted(external_ids(response.json())) == expected, f"GET /deals?{params}"


async def test_an_inverted_price_range_is_a_validation_error_with_details(known, client):
    response = await client.get("/deals", params={"price_min": 200, "price_max": 100})
    assert response.status_code == 422
    error = error_of(response)
    details = error.get("details")
    assert isinstance(details, list), f"a validation error lists the bad fields in 'details', got {error!r}"
    assert details, f"a validation error lists the bad fields in 'details', got {error!r}"
    assert all(isinstance(detail, dict) and isinstance(detail.get("field"), str) for detail in details), (
        f"each detail is an object with a 'field': {details!r}"
    )
