"""Round 1's edges: a hotel's identity is (name, city, country), all three."""

from __future__ import annotations

import sqlalchemy as sa

hotels = sa.table(
    "hotels", sa.column("name", sa.String), sa.column("city", sa.String), sa.column("country", sa.String),
    sa.column("phone", sa.String),
)  # fmt: skip


async def test_the_same_name_and_city_may_exist_in_two_countries(db):
    # London, England and London, Ontario: the city's name alone does not say which one.
    await db.execute(sa.insert(hotels).values(name="Harbor Inn", city="London", country="United Kingdom", phone="+44-20-555-0101"))
    await db.execute(sa.insert(hotels).values(name="Harbor Inn", city="London", country="Canada", phone="+1-519-555-0101"))
    assert await db.count("hotels") == 2
