"""Round 1's edges: a hotel's identity is (name, city, country), all three; reloading updates a hotel in place;
a second file adds its new deals and updates the ones it shares; a file with the header alone loads nothing;
the loader accepts each rule's boundary values (also on lines it checks before it meets a bad one) and refuses
a row with a field missing, a phone reused for a hotel that differs in any one part of its identity, and a header
that lacks columns (an empty file too), on line 1."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from katas.deals_api import loader
from tests.capstone.helpers import BERLIN, COLUMNS, KNOWN_DEALS, TOKYO, TORONTO, deal_row, write_csv

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


async def test_a_second_file_adds_its_new_deals_and_updates_the_ones_it_shares(db, tmp_path):
    # The first file: deals 1 to 3 (Toronto, Berlin). The second: deal 3 again with a new price, and deals 4 to 7,
    # new, of a stored hotel (Berlin) and of one the database has not seen (Tokyo). A load is an upsert: it adds
    # what is new beside what is stored, updates what it shares, and deletes nothing.
    await loader.load_csv(db.url, write_csv(tmp_path / "first.csv", KNOWN_DEALS[:3]))
    second = [{**KNOWN_DEALS[2], "price_per_night": "70.00"}, *KNOWN_DEALS[3:]]
    await loader.load_csv(db.url, write_csv(tmp_path / "second.csv", second))
    rows = await db.rows(
        "SELECT d.external_id, h.phone, d.price_per_night FROM deals d JOIN hotels h ON h.id = d.hotel_id"
    )
    got = {int(r[0]): (r[1], Decimal(str(r[2]))) for r in rows}
    expected = {int(row["id"]): (row["hotel_phone"], Decimal(row["price_per_night"])) for row in KNOWN_DEALS}
    expected[3] = (BERLIN["hotel_phone"], Decimal("70.00"))
    assert got == expected, (
        "loading a second file keeps the first file's deals, updates the one both files hold (external_id 3) and "
        f"adds the new ones, each with its hotel: expected {expected}, got {got}"
    )
    assert await db.count("hotels") == 3, "Tokyo's hotel is new: added beside the two the first file stored"


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


async def test_a_file_with_the_header_alone_loads_nothing_and_says_so(known, tmp_path):
    # Falsy is not broken: a file of no deals is a valid file. It adds nothing, keeps what is stored, and reports 0.
    counts = (await known.count("hotels"), await known.count("deals"))
    report = await loader.load_csv(known.url, write_csv(tmp_path / "header-only.csv", []))
    assert (report.hotels, report.deals) == (0, 0), f"a file with the header alone holds no hotel and no deal: {report}"
    assert (await known.count("hotels"), await known.count("deals")) == counts, "and loading it changes nothing"


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



# A phone names one hotel. These files break that only by reusing a phone for a hotel that differs in one part of
# its identity (or, in the last, in a way that leaves each hotel with one phone in the end): nothing else in them is
# wrong, so a loader that checks the pairing loosely (by name alone, or by counting) takes them and links a deal to
# the wrong hotel.
PHONE_REUSED = [
    pytest.param([deal_row(1, TORONTO), deal_row(2, TORONTO, hotel_name="Quay Hotel")], id="another-name"),
    pytest.param([deal_row(1, TORONTO), deal_row(2, TORONTO, hotel_city="Montreal")], id="another-city"),
    pytest.param([deal_row(1, TORONTO), deal_row(2, TORONTO, hotel_country="Jamaica")], id="another-country"),
    pytest.param(
        [deal_row(1, BERLIN, hotel_phone=TORONTO["hotel_phone"]), deal_row(2, TORONTO), deal_row(3, BERLIN)],
        id="a-phone-first-seen-with-a-hotel-that-has-its-own",
    ),
]


@pytest.mark.parametrize("rows", PHONE_REUSED)
async def test_a_phone_seen_again_with_another_hotel_is_refused_on_that_line(db, tmp_path, rows):
    with pytest.raises(loader.LoadError) as caught:
        await loader.load_csv(db.url, write_csv(tmp_path / "phones.csv", rows))
    assert (caught.value.line, caught.value.column) == (3, "hotel_phone"), (
        "line 3 gives the phone of line 2's hotel to another hotel (the header is line 1); "
        f"got line={caught.value.line!r}, column={caught.value.column!r}"
    )
    assert (await db.count("hotels"), await db.count("deals")) == (0, 0), "a failed load writes nothing"


@pytest.mark.parametrize(
    "content",
    [pytest.param("", id="empty-file"), pytest.param("id,hotel_name\n1,Harbor Inn\n", id="two-columns")],
)
async def test_a_header_that_lacks_columns_is_line_1_and_names_the_missing_ones(db, tmp_path, content):
    path = tmp_path / "short-header.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(loader.LoadError) as caught:
        await loader.load_csv(db.url, path)
    error = caught.value
    missing = [column for column in COLUMNS if column not in content.partition("\n")[0].split(",")]
    assert error.line == 1, f"the header is line 1; got line={error.line!r}"
    assert error.column == missing[0], f"the first missing column is {missing[0]}; got column={error.column!r}"
    assert error.reason, "LoadError.reason should say what is wrong"
    assert "1" in str(error), f"the message names the line: {str(error)!r}"
    assert (await db.count("hotels"), await db.count("deals")) == (0, 0), "a refused file writes nothing"
