"""Round 1's edges: a hotel's identity is (name, city, country), all three; reloading updates a hotel in place;
the loader accepts each rule's boundary values (also on lines it checks before it meets a bad one) and refuses
a row with a field missing."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from katas.deals_api import loader
from tests.capstone.helpers import BERLIN, KNOWN_DEALS, TOKYO, TORONTO, deal_row, write_csv

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


# Every rule's inclusive end: the spec's ranges are "1 to 5", "0 to 100", "original_price >= price_per_night > 0"
# and "checkout_date > checkin_date", so each of these rows is valid.
BOUNDARY_ROWS = {
    "star-1": {"hotel_star_rating": "1"},
    "star-5": {"hotel_star_rating": "5"},
    "discount-0": {"discount_percent": "0"},
    "discount-100": {"discount_percent": "100"},
    "price-equals-original": {"price_per_night": "120.00", "original_price": "120.00"},
    "one-cent": {"price_per_night": "0.01", "original_price": "0.01"},
    "one-night": {"checkin_date": "2025-06-01", "checkout_date": "2025-06-02"},
}
COLUMNS_STORED = {
    "hotel_star_rating": "star_rating", "discount_percent": "discount_percent", "price_per_night": "price_per_night",
    "original_price": "original_price", "checkin_date": "checkin_date", "checkout_date": "checkout_date",
}  # fmt: skip


def same_value(stored: object, written: str) -> bool:
    """A stored value equals the CSV's text: numbers by value (SQLite may hand back 120 for 120.00), dates as text."""
    if isinstance(stored, int | float | Decimal):
        return Decimal(str(stored)) == Decimal(written)
    return str(stored) == written


@pytest.mark.parametrize("edge", list(BOUNDARY_ROWS.values()), ids=list(BOUNDARY_ROWS))
async def test_the_boundary_values_of_each_rule_are_loaded(db, tmp_path, edge):
    path = write_csv(tmp_path / "edges.csv", [deal_row(1, TORONTO), deal_row(2, BERLIN, **edge), deal_row(3, TOKYO)])
    report = await loader.load_csv(db.url, path)
    assert report.deals == 3, f"a row with {edge} is valid and is loaded"
    for column, value in edge.items():
        stored = await db.scalar(f"SELECT {COLUMNS_STORED[column]} FROM deals WHERE external_id = 2")
        assert same_value(stored, value), f"{column}={value} is stored as it is, got {stored!r}"


@pytest.mark.parametrize("edge", list(BOUNDARY_ROWS.values()), ids=list(BOUNDARY_ROWS))
async def test_a_boundary_value_before_a_bad_row_is_not_the_error(db, tmp_path, edge):
    # A loader may check a file twice, fast and then row by row to say where it is wrong: on that second pass
    # too, the boundary row (line 2) is valid, and the error is the bad one on line 3.
    rows = [deal_row(1, BERLIN, **edge), deal_row(2, TORONTO, hotel_star_rating="6"), deal_row(3, TOKYO)]
    with pytest.raises(loader.LoadError) as caught:
        await loader.load_csv(db.url, write_csv(tmp_path / "edge-then-bad.csv", rows))
    assert (caught.value.line, caught.value.column) == (3, "hotel_star_rating"), (
        f"line 2 ({edge}) is valid; the bad row is line 3, star rating 6: got line={caught.value.line!r}, "
        f"column={caught.value.column!r}"
    )
    assert (await db.count("hotels"), await db.count("deals")) == (0, 0), "a failed load writes nothing"


async def test_a_row_with_a_field_missing_is_refused_with_its_line(db, tmp_path):
    path = write_csv(tmp_path / "short.csv", [deal_row(1, TORONTO), deal_row(2, BERLIN)])
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].rsplit(",", 1)[0]  # line 3 loses its last field (created_at)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(loader.LoadError) as caught:
        await loader.load_csv(db.url, path)
    assert caught.value.line == 3, f"line 3 has 14 fields instead of 15; got line={caught.value.line!r}"
    assert caught.value.reason, "LoadError.reason should say what is wrong"
    assert "3" in str(caught.value), f"the message names the line: {str(caught.value)!r}"
    assert (await db.count("hotels"), await db.count("deals")) == (0, 0), "a failed load writes nothing"

