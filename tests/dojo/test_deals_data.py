"""The deals CSV generator keeps the facts the capstone's learner discovers and its tests rely on."""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dojo import deals_data
from dojo.deals_data import CATEGORIES, CITIES, COLUMNS, generate_rows, write_csv

ROOT = Path(__file__).resolve().parents[2]
PHONE_RE = re.compile(r"^\+\d{1,3}-\d{1,3}-555-\d{4}$")
TIMESTAMP_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
MONEY_RE = re.compile(r"^\d+\.\d\d$")
CITY_BY_NAME = {city.name: city for city in CITIES}

seeds = st.integers(min_value=0, max_value=2**32)
small_row_counts = st.integers(min_value=1, max_value=120)
hotel_counts = st.integers(min_value=1, max_value=60)


def rows_of(rows: int, seed: int, hotels: int = 150) -> list[dict[str, str]]:
    return list(generate_rows(rows, seed, hotels))


def test_the_header_is_the_interviews_fifteen_columns_in_order():
    assert COLUMNS == (
        "id", "hotel_name", "hotel_city", "hotel_country", "hotel_star_rating", "hotel_phone", "room_type",
        "price_per_night", "original_price", "discount_percent", "checkin_date", "checkout_date",
        "is_available", "categories", "created_at",
    )  # fmt: skip
    assert all(tuple(row) == COLUMNS for row in rows_of(5, seed=1)), "every row has the columns in header order"


def test_the_same_seed_writes_a_byte_identical_file(tmp_path):
    first, second, other = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    write_csv(first, rows=300, seed=11, hotels=20)
    write_csv(second, rows=300, seed=11, hotels=20)
    write_csv(other, rows=300, seed=12, hotels=20)
    assert first.read_bytes() == second.read_bytes(), "write_csv(seed=11) twice must give the same bytes"
    assert first.read_bytes() != other.read_bytes(), "another seed must give other data"


def test_the_file_reads_back_as_the_generated_rows(tmp_path):
    path = tmp_path / "deals.csv"
    write_csv(path, rows=50, seed=3, hotels=10)
    with path.open(encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream)
        assert tuple(reader.fieldnames or ()) == COLUMNS
        assert list(reader) == rows_of(50, seed=3, hotels=10)
    assert b"\r" not in path.read_bytes(), "lines end with \\n only"


def test_zero_rows_writes_only_the_header():
    stream = io.StringIO(newline="")
    assert deals_data.write_rows(stream, rows=0, seed=1) == 0
    assert stream.getvalue() == ",".join(COLUMNS) + "\n"


@pytest.mark.parametrize(("rows", "hotels"), [(-1, 10), (10, 0), (10, deals_data.MAX_HOTELS + 1)], ids=["rows", "no-hotels", "too-many-hotels"])
def test_bad_sizes_are_refused(rows, hotels):
    with pytest.raises(ValueError, match="must be"):
        list(generate_rows(rows, seed=1, hotels=hotels))


@settings(max_examples=40)
@given(seed=seeds, rows=small_row_counts, hotels=hotel_counts)
def test_every_row_keeps_the_column_invariants(seed, rows, hotels):
    generated = rows_of(rows, seed, hotels)
    assert [int(row["id"]) for row in generated] == list(range(1, rows + 1)), "ids are 1..N in file order"
    previous_created: datetime | None = None
    for row in generated:
        where = f"row id={row['id']} (seed={seed})"
        assert 1 <= int(row["hotel_star_rating"]) <= 5, where
        assert PHONE_RE.match(row["hotel_phone"]), f"{where}: phone {row['hotel_phone']!r}"
        city = CITY_BY_NAME[row["hotel_city"]]
        assert row["hotel_country"] == city.country, where
        assert row["hotel_phone"].startswith(city.phone_prefix + "-"), f"{where}: phone prefix of {city.name}"
        assert row["room_type"] in deals_data.ROOM_TYPES, where

        assert MONEY_RE.match(row["price_per_night"]), f"{where}: price {row['price_per_night']!r}"
        assert MONEY_RE.match(row["original_price"]), f"{where}: original price {row['original_price']!r}"
        price, original = Decimal(row["price_per_night"]), Decimal(row["original_price"])
        discount = int(row["discount_percent"])
        assert 0 < price <= original, f"{where}: 0 < price {price} <= original {original}"
        assert 0 <= discount <= 100, where
        expected_price = (original * (100 - discount) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert price == expected_price, f"{where}: {original} less {discount}% is {expected_price}, not {price}"
        implied = (100 * (original - price) / original).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        assert implied == discount, f"{where}: the prices imply {implied}%, the row says {discount}%"

        checkin, checkout = date.fromisoformat(row["checkin_date"]), date.fromisoformat(row["checkout_date"])
        assert checkout > checkin, f"{where}: checkout {checkout} must be after checkin {checkin}"
        assert row["is_available"] in ("true", "false"), where

        names = row["categories"].split(",")
        assert names, where
        assert set(names) <= set(CATEGORIES), f"{where}: unknown category in {row['categories']!r}"
        assert names == sorted(set(names)), f"{where}: categories are distinct and alphabetical"

        assert TIMESTAMP_RE.match(row["created_at"]), where
        created = datetime.fromisoformat(row["created_at"])
        assert created.date() < checkin, f"{where}: created before check-in"
        assert previous_created is None or created >= previous_created, f"{where}: created_at never goes back"
        previous_created = created


@settings(max_examples=25)
@given(seed=seeds, rows=small_row_counts, hotels=hotel_counts)
def test_a_phone_and_a_name_city_country_identify_the_same_hotel(seed, rows, hotels):
    by_phone: defaultdict[str, set[tuple[str, str, str]]] = defaultdict(set)
    by_identity: defaultdict[tuple[str, str, str], set[str]] = defaultdict(set)
    for row in rows_of(rows, seed, hotels):
        identity = (row["hotel_name"], row["hotel_city"], row["hotel_country"])
        by_phone[row["hotel_phone"]].add(identity)
        by_identity[identity].add(row["hotel_phone"])
    assert all(len(identities) == 1 for identities in by_phone.values()), "one phone, one (name, city, country)"
    assert all(len(phones) == 1 for phones in by_identity.values()), "one (name, city, country), one phone"
    assert len(by_phone) <= hotels


@pytest.fixture(scope="module")
def full_size() -> list[dict[str, str]]:
    """A fifth of the default data set (same seed and hotels): enough for its statistics, and fast."""
    return rows_of(10_000, deals_data.DEFAULT_SEED, deals_data.DEFAULT_HOTELS)


def test_the_default_hotels_are_150_and_their_names_repeat_across_cities(full_size):
    phones = {row["hotel_phone"] for row in full_size}
    identities = {(row["hotel_name"], row["hotel_city"], row["hotel_country"]) for row in full_size}
    assert len(phones) == len(identities) == 150
    cities_by_name: defaultdict[str, set[str]] = defaultdict(set)
    for name, city, _ in identities:
        cities_by_name[name].add(city)
    assert any(len(cities) > 1 for cities in cities_by_name.values()), "a name alone must not be a key"


def test_star_rating_is_a_property_of_the_deal_skewed_to_the_top(full_size):
    ratings_by_phone: defaultdict[str, set[str]] = defaultdict(set)
    counts = dict.fromkeys("12345", 0)
    for row in full_size:
        ratings_by_phone[row["hotel_phone"]].add(row["hotel_star_rating"])
        counts[row["hotel_star_rating"]] += 1
    assert all(len(ratings) > 1 for ratings in ratings_by_phone.values()), "every hotel has deals of several ratings"
    assert counts["1"] < counts["2"] < counts["3"] < min(counts["4"], counts["5"]), counts


def test_a_deal_has_1_6_categories_on_average_so_50000_rows_make_about_80000_links(full_size):
    links = sum(len(row["categories"].split(",")) for row in full_size)
    assert 1.56 <= links / len(full_size) <= 1.64, f"{links} deal-category links for {len(full_size)} deals"
    assert {name for row in full_size for name in row["categories"].split(",")} == set(CATEGORIES)


def test_the_committed_sample_is_what_the_generator_writes(tmp_path):
    committed = ROOT / deals_data.SAMPLE_PATH
    assert committed.is_file(), f"{deals_data.SAMPLE_PATH} is missing: run `uv run dojo data sample`"
    regenerated = deals_data.write_sample(tmp_path)
    assert committed.read_bytes() == regenerated.read_bytes(), f"{deals_data.SAMPLE_PATH} differs from the generator"
