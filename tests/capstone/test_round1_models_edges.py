"""Round 1's edges: a hotel's identity is (name, city, country), all three; reloading updates a hotel in place."""

from __future__ import annotations

import sqlalchemy as sa

from katas.deals_api import loader
from tests.capstone.helpers import KNOWN_DEALS, write_csv

hotels = sa.table(
    "hotels", sa.column("name", sa.String), sa.column("city", sa.String), sa.column("country", sa.String),
    sa.column("phone", sa.String),
)  # fmt: skip


async def test_the_same_name_and_city_may_exist_in_two_countries(db):
    # London, England and London, Ontario: the city's name alone does not say which one.
    await db.execute(sa.insert(hotels).values(name="Harbor Inn", city="London", country="United Kingdom", phone="+44-20-555-0101"))
    await db.execute(sa.insert(hotels).values(name="Harbor Inn", city="London", country="Canada", phone="+1-519-555-0101"))
    assert await db.count("hotels") == 2


async def test_reloading_updates_a_renamed_hotel_in_place(db, tmp_path):
    await loader.load_csv(db.url, write_csv(tmp_path / "v1.csv", KNOWN_DEALS))
    renamed = [{**row, "hotel_name": "Harbour Inn"} if row["hotel_name"] == "Harbor Inn" else row for row in KNOWN_DEALS]
    await loader.load_csv(db.url, write_csv(tmp_path / "v2.csv", renamed))
    assert await db.count("hotels") == 3, "the hotel is the same (same phone): updated, not added"
    name = await db.scalar("SELECT name FROM hotels WHERE phone = :p", p=KNOWN_DEALS[0]["hotel_phone"])
    assert name == "Harbour Inn", "a reloaded hotel whose name changed is updated in place (upsert on phone)"
