"""Round 5's edges: a city's average is over its deals, not over its hotels' averages; a hotel (or a city)
without deals to count is not in the stats."""

from __future__ import annotations

import pytest

from katas.deals_api import loader
from tests.capstone.helpers import KNOWN_DEALS, deal_row, write_csv

# A second, bigger-ticket hotel in Berlin with one deal: Berlin's four deals are 80.00, 80.01, 80.01 and
# 200.02, a mean of 110.01; the mean of the two hotels' means would be 140.01.
BERLIN_TWO = {"hotel_name": "Spree Lodge", "hotel_city": "Berlin", "hotel_country": "Germany",
              "hotel_phone": "+49-30-555-0909"}  # fmt: skip
DEALS = (*KNOWN_DEALS, deal_row(8, BERLIN_TWO, price_per_night="200.02", original_price="250.00", discount_percent=20))


@pytest.fixture
async def two_berlin_hotels(db, tmp_path):
    await loader.load_csv(db.url, write_csv(tmp_path / "two-berlin-hotels.csv", DEALS))
    return db


async def test_a_citys_average_is_over_its_deals_not_its_hotels(two_berlin_hotels, client):
    response = await client.get("/deals/stats")
    assert response.status_code == 200, response.text
    assert response.json() == [
        {"city": "Berlin", "avg_price": 110.01, "deal_count": 4},
        {"city": "Tokyo", "avg_price": 180.0, "deal_count": 2},
        {"city": "Toronto", "avg_price": 175.0, "deal_count": 2},
    ], "one row per city (Berlin has two hotels), its mean over all of its deals"


async def test_hotels_and_cities_without_deals_to_count_are_left_out(known, client):
    await known.execute(
        "INSERT INTO hotels (name, city, country, phone) VALUES ('Fjord Inn', 'Oslo', 'Norway', '+47-22-555-0101')"
    )
    await known.execute(
        "INSERT INTO hotels (name, city, country, phone) VALUES ('Empty Tower', 'Berlin', 'Germany', '+49-30-555-0808')"
    )
    everything = await client.get("/deals/stats")
    assert everything.status_code == 200, everything.text
    assert [row["city"] for row in everything.json()] == ["Berlin", "Tokyo", "Toronto"], "Oslo's hotel has no deals"
    assert everything.json()[0] == {"city": "Berlin", "avg_price": 80.01, "deal_count": 3}, "an empty hotel adds nothing"
    await known.execute("UPDATE deals SET is_available = false WHERE external_id = 1")  # Toronto's only available deal
    available = await client.get("/deals/stats", params={"available_only": "true"})
    assert available.status_code == 200, available.text
    assert [row["city"] for row in available.json()] == ["Berlin", "Tokyo"], "Toronto has no available deal left"


# Means that fall exactly on half a cent, where the rounding rule shows: Python's round() on the float AVG
# gives 10.0 (10.005 is 10.00499... in binary) and 1.12 (1.125 is exact, and round() goes to even); the
# databases' ROUND, on NUMERIC or on SQLite's REAL, gives the half up: 10.01 and 1.13.
HALF_CENT_CITIES = {
    "Lisbon": ("10.00", "10.01"),  # 10.005
    "Madrid": ("1.12", "1.13"),  # 1.125
    "Porto": ("80.00", "80.01"),  # 80.005
    "Sevilla": ("0.01", "0.02"),  # 0.015
}


@pytest.fixture
async def half_cent_means(db, tmp_path):
    rows: list[dict[str, str]] = []
    for number, (city, prices) in enumerate(HALF_CENT_CITIES.items()):
        hotel = {"hotel_name": f"{city} Inn", "hotel_city": city, "hotel_country": "Iberia",
                 "hotel_phone": f"+351-555-{number:04d}"}  # fmt: skip
        for price in prices:
            rows.append(deal_row(len(rows) + 1, hotel, price_per_night=price, original_price="100.00"))
    await loader.load_csv(db.url, write_csv(tmp_path / "half-cents.csv", rows))
    return db


async def test_a_mean_on_half_a_cent_rounds_up(half_cent_means, client):
    response = await client.get("/deals/stats")
    assert response.status_code == 200, response.text
    got = {row["city"]: row["avg_price"] for row in response.json()}
    assert got == {"Lisbon": 10.01, "Madrid": 1.13, "Porto": 80.01, "Sevilla": 0.02}, (
        "a mean exactly halfway between two cents rounds half up (10.005 is 10.01, 1.125 is 1.13): round it "
        "in SQL (ROUND(AVG(price), 2)); Python's round() on the float rounds 10.005 down and 1.125 to even"
    )
