"""Round 1: hotels and deals tables with the data's constraints, the CSV loader, GET /deals and GET /deals/{id}.

Spec: katas/deals_api/README.md ("Round 1"). Table and column names are part of it: the tests check
the database directly, as a reviewer would in psql.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from katas.deals_api import loader, migrations
from katas.deals_api.config import Settings
from tests.capstone.helpers import (
    BERLIN,
    KNOWN_DEALS,
    SAMPLE_CSV,
    TOKYO,
    TORONTO,
    Database,
    deal_row,
    error_of,
    items,
    read_csv,
    running_app,
    write_csv,
)

HOTEL_COLUMNS = {"id", "name", "city", "country", "phone"}
DEAL_COLUMNS = {
    "id", "external_id", "hotel_id", "room_type", "star_rating", "price_per_night", "original_price",
    "discount_percent", "checkin_date", "checkout_date", "is_available", "created_at",
}  # fmt: skip

hotels_table = sa.table(
    "hotels", sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("city", sa.String),
    sa.column("country", sa.String), sa.column("phone", sa.String),
)  # fmt: skip
deals_table = sa.table(
    "deals", sa.column("external_id", sa.Integer), sa.column("hotel_id", sa.Integer),
    sa.column("room_type", sa.String), sa.column("star_rating", sa.Integer),
    sa.column("price_per_night", sa.Numeric), sa.column("original_price", sa.Numeric),
    sa.column("discount_percent", sa.Integer), sa.column("checkin_date", sa.Date),
    sa.column("checkout_date", sa.Date), sa.column("is_available", sa.Boolean),
    sa.column("created_at", sa.DateTime(timezone=True)),
)  # fmt: skip


def hotel_values(**overrides: Any) -> dict[str, Any]:
    return {"name": "Harbor Inn", "city": "Toronto", "country": "Canada", "phone": "+1-416-555-0101", **overrides}


def deal_values(hotel_id: int, **overrides: Any) -> dict[str, Any]:
    values = {
        "external_id": 1, "hotel_id": hotel_id, "room_type": "Standard", "star_rating": 4,
        "price_per_night": 100, "original_price": 120, "discount_percent": 17,
        "checkin_date": date(2025, 6, 1), "checkout_date": date(2025, 6, 4), "is_available": True,
        "created_at": datetime(2025, 3, 1, 10, tzinfo=UTC),
    }  # fmt: skip
    return {**values, **overrides}


async def insert_hotel(db: Database, **overrides: Any) -> int:
    await db.execute(sa.insert(hotels_table).values(**hotel_values(**overrides)))
    return int(await db.scalar("SELECT max(id) FROM hotels"))


# ---- guards: what the starter already does, and must keep doing -------------------------------------


@pytest.mark.guard
async def test_health_answers_ok(db):
    async with running_app(db.url) as client:
        response = await client.get("/health")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


@pytest.mark.guard
async def test_a_request_id_is_echoed_or_generated(db):
    async with running_app(db.url) as client:
        echoed = await client.get("/health", headers={"X-Request-ID": "trace-123"})
        generated = await client.get("/health")
    assert echoed.headers.get("X-Request-ID") == "trace-123", "a caller's X-Request-ID must come back unchanged"
    assert generated.headers.get("X-Request-ID"), "without one, the app must generate an X-Request-ID"


@pytest.mark.guard
async def test_swagger_ui_is_served(db):
    async with running_app(db.url) as client:
        docs = await client.get("/docs")
        schema = await client.get("/openapi.json")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()
    assert "/health" in schema.json()["paths"]


@pytest.mark.guard
@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db:5432/deals", "postgresql+asyncpg://u:p@db:5432/deals"),
        ("postgresql://u@db/deals", "postgresql+asyncpg://u@db/deals"),
        ("postgresql+asyncpg://u@db/deals", "postgresql+asyncpg://u@db/deals"),
        ("sqlite+aiosqlite:///./deals.db", "sqlite+aiosqlite:///./deals.db"),
    ],
    ids=["postgres", "postgresql", "already-async", "sqlite"],
)
def test_settings_use_the_async_postgres_driver(given, expected):
    assert Settings(database_url=given).database_url == expected


# ---- the schema ----------------------------------------------------------------------------------------


async def test_the_migration_creates_hotels_and_deals(db):
    tables = await db.tables()
    assert {"hotels", "deals"} <= tables, f"after upgrade to head, expected tables hotels and deals; found {sorted(tables)}"
    assert await db.columns("hotels") >= HOTEL_COLUMNS, f"hotels needs the columns {sorted(HOTEL_COLUMNS)}"
    missing = DEAL_COLUMNS - await db.columns("deals")
    assert not missing, f"deals is missing the columns {sorted(missing)}"


async def test_migrations_go_down_to_base_and_up_again(empty_db):
    await migrations.upgrade(empty_db.url, "head")
    assert {"hotels", "deals"} <= await empty_db.tables()
    await migrations.downgrade(empty_db.url, "base")
    left = (await empty_db.tables()) - {"alembic_version", "sqlite_sequence"}
    assert not left, f"downgrade to base should drop every table it created; left: {sorted(left)}"
    await migrations.upgrade(empty_db.url, "head")
    assert {"hotels", "deals"} <= await empty_db.tables(), "upgrading again after a full downgrade must work"


@pytest.mark.parametrize(
    "duplicate",
    [{"name": "Other Name"}, {"phone": "+1-416-555-9999"}],
    ids=["same-phone", "same-name-city-country"],
)
async def test_hotels_are_unique_by_phone_and_by_name_city_country(db, duplicate):
    await insert_hotel(db)
    with pytest.raises(IntegrityError):
        await insert_hotel(db, **duplicate)


async def test_the_same_hotel_name_may_exist_in_two_cities(db):
    await insert_hotel(db)
    await insert_hotel(db, city="Montreal", phone="+1-514-555-0101")
    assert await db.count("hotels") == 2


@pytest.mark.parametrize(
    "bad",
    [
        {"star_rating": 0},
        {"star_rating": 6},
        {"price_per_night": 0},
        {"original_price": -5},
        {"discount_percent": -1},
        {"discount_percent": 101},
        {"checkout_date": date(2025, 6, 1)},
        {"price_per_night": 130},
    ],
    ids=["star-0", "star-6", "price-0", "original-negative", "discount-negative", "discount-101",
         "checkout-equals-checkin", "price-above-original"],
)
async def test_check_constraints_reject_bad_deals_written_behind_the_apis_back(db, bad):
    hotel_id = await insert_hotel(db)
    with pytest.raises(IntegrityError):
        await db.execute(sa.insert(deals_table).values(**deal_values(hotel_id, **bad)))
    assert await db.count("deals") == 0


async def test_a_valid_deal_inserts_and_external_id_is_unique(db):
    hotel_id = await insert_hotel(db)
    await db.execute(sa.insert(deals_table).values(**deal_values(hotel_id)))
    with pytest.raises(IntegrityError):
        await db.execute(sa.insert(deals_table).values(**deal_values(hotel_id)))


async def test_hotel_id_is_a_foreign_key_with_an_index(db):
    with pytest.raises(IntegrityError):
        await db.execute(sa.insert(deals_table).values(**deal_values(hotel_id=12345)))
    keys = await db.index_leading_keys("deals")
    assert "hotel_id" in keys.values(), f"deals.hotel_id needs an index (joins, 'deals of a hotel'); indexes: {keys}"


# ---- the loader ----------------------------------------------------------------------------------------


async def test_load_csv_normalises_hotels_and_reports_counts(db):
    rows = read_csv(SAMPLE_CSV)
    report = await loader.load_csv(db.url, SAMPLE_CSV)
    phones = {row["hotel_phone"] for row in rows}
    assert (report.hotels, report.deals) == (len(phones), len(rows))
    assert await db.count("hotels") == len(phones), "one hotels row per distinct hotel_phone"
    assert await db.count("deals") == len(rows)
    stored = {r[0] for r in await db.rows("SELECT external_id FROM deals")}
    assert stored == {int(row["id"]) for row in rows}, "the CSV's id goes to deals.external_id"


async def test_load_csv_links_each_deal_to_its_hotel(known, known_csv):
    rows = await known.rows(
        "SELECT d.external_id, h.name, h.city, h.phone, d.star_rating FROM deals d JOIN hotels h ON h.id = d.hotel_id"
    )
    got = {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}
    expected = {
        int(row["id"]): (row["hotel_name"], row["hotel_city"], row["hotel_phone"], int(row["hotel_star_rating"]))
        for row in KNOWN_DEALS
    }
    assert got == expected


async def test_loading_the_same_file_twice_duplicates_nothing(db):
    await loader.load_csv(db.url, SAMPLE_CSV)
    counts = (await db.count("hotels"), await db.count("deals"))
    await loader.load_csv(db.url, SAMPLE_CSV)
    assert (await db.count("hotels"), await db.count("deals")) == counts


async def test_reloading_updates_a_changed_deal_in_place(db, tmp_path):
    await loader.load_csv(db.url, write_csv(tmp_path / "v1.csv", KNOWN_DEALS))
    changed = [dict(row) for row in KNOWN_DEALS]
    changed[0]["price_per_night"] = "90.00"
    await loader.load_csv(db.url, write_csv(tmp_path / "v2.csv", changed))
    assert await db.count("deals") == len(KNOWN_DEALS)
    assert float(await db.scalar("SELECT price_per_night FROM deals WHERE external_id = 1")) == 90.0


# (the columns a fair loader may name, the bad values): a rule across two columns may name either.
BAD_ROWS = [
    (("hotel_star_rating",), {"hotel_star_rating": "6"}),
    (("hotel_star_rating",), {"hotel_star_rating": "four"}),
    (("price_per_night",), {"price_per_night": "-10.00"}),
    (("original_price", "price_per_night"), {"price_per_night": "130.00"}),
    (("discount_percent",), {"discount_percent": "101"}),
    (("checkout_date", "checkin_date"), {"checkout_date": "2025-05-30"}),
    (("checkin_date",), {"checkin_date": "2025-13-01"}),
    (("hotel_name",), {"hotel_name": ""}),
    (("hotel_phone",), {"hotel_phone": BERLIN["hotel_phone"]}),
    # The same classes on the other side of each rule, and the spec's other facts about a row.
    (("hotel_star_rating",), {"hotel_star_rating": "0"}),
    (("price_per_night",), {"price_per_night": "0.00"}),
    (("price_per_night",), {"price_per_night": "cheap"}),
    (("discount_percent",), {"discount_percent": "-1"}),
    (("checkout_date", "checkin_date"), {"checkout_date": "2025-06-01"}),
    (("checkout_date",), {"checkout_date": "2025-06-31"}),
    (("is_available",), {"is_available": "maybe"}),
    (("created_at",), {"created_at": "yesterday"}),
    (("hotel_phone", "hotel_name", "hotel_city", "hotel_country"), {"hotel_phone": "+1-416-555-0199"}),
    (("id",), {"id": "1"}),
    # An empty name on a hotel of its own: no other rule (a phone seen with two names) gives the row away.
    (("hotel_name",), {"hotel_name": "", "hotel_phone": "+1-416-555-0777"}),
]


@pytest.mark.parametrize(
    ("columns", "bad"),
    BAD_ROWS,
    ids=["star-6", "star-not-a-number", "negative-price", "price-above-original", "discount-101",
         "checkout-before-checkin", "no-such-date", "empty-hotel-name", "phone-of-another-hotel", "star-0",
         "price-0", "price-not-a-number", "discount-negative", "checkout-on-checkin", "no-such-checkout-date",
         "availability-not-a-flag", "created-at-not-a-timestamp", "second-phone-for-a-hotel", "csv-id-repeated",
         "empty-name-of-its-own-hotel"],
)
async def test_a_bad_row_aborts_the_whole_load_naming_line_column_and_reason(db, tmp_path, columns, bad):
    rows = [deal_row(1, TORONTO), deal_row(2, BERLIN), deal_row(3, TORONTO, **bad), deal_row(4, TOKYO)]
    path = write_csv(tmp_path / "bad.csv", rows)
    with pytest.raises(loader.LoadError) as caught:
        await loader.load_csv(db.url, path)
    error = caught.value
    expected = " or ".join(columns)
    assert error.line == 4, f"the third deal is on line 4 (the header is line 1); got line={error.line!r}"
    assert error.column is not None, f"the bad column is {expected}; got column=None"
    assert error.column in columns, f"the bad column is {expected}; got column={error.column!r}"
    assert error.reason, "LoadError.reason should say what is wrong"
    message = str(error)
    assert "4" in message, f"the message should name the line (4): {message!r}"
    assert error.column in message, f"the message should name the column ({expected}): {message!r}"
    assert (await db.count("hotels"), await db.count("deals")) == (0, 0), "a failed load must write nothing"


async def test_a_file_without_a_required_column_is_refused(db, tmp_path):
    columns = [c for c in read_csv(SAMPLE_CSV)[0] if c != "price_per_night"]
    path = write_csv(tmp_path / "no-price.csv", [deal_row(1)], columns=columns)
    with pytest.raises(loader.LoadError) as caught:
        await loader.load_csv(db.url, path)
    assert caught.value.column == "price_per_night"


# ---- the API: list and detail ----------------------------------------------------------------------------


async def test_list_returns_every_deal_with_its_hotel_nested(known, client):
    response = await client.get("/deals")
    assert response.status_code == 200, response.text
    deals = items(response.json())
    assert sorted(d["external_id"] for d in deals) == [1, 2, 3, 4, 5, 6, 7]
    first = next(d for d in deals if d["external_id"] == 3)
    expected = {
        "room_type": "Standard", "star_rating": 3, "price_per_night": 80.0, "original_price": 100.0,
        "discount_percent": 20, "checkin_date": "2025-06-01", "checkout_date": "2025-06-04", "is_available": True,
    }  # fmt: skip
    assert {key: first.get(key) for key in expected} == expected
    assert {"id", "created_at"} <= set(first)
    hotel = first.get("hotel")
    assert isinstance(hotel, dict), f"each deal needs a nested 'hotel' object, got {hotel!r}"
    assert (hotel.get("name"), hotel.get("city"), hotel.get("country")) == ("Crown Tower", "Berlin", "Germany")


@pytest.mark.parametrize(
    ("external_id", "average"), [(1, 4.5), (3, 10 / 3), (7, 3.5)], ids=["toronto", "berlin", "tokyo"]
)
async def test_the_nested_hotel_carries_the_average_star_rating_of_its_deals(known, client, external_id, average):
    deals = items((await client.get("/deals")).json())
    hotel = next(d for d in deals if d["external_id"] == external_id)["hotel"]
    assert hotel.get("avg_star_rating") == pytest.approx(average, abs=0.01), (
        "avg_star_rating is the mean star_rating over ALL the hotel's deals (star ratings belong to deals)"
    )


async def test_list_on_an_empty_database_is_empty(client):
    response = await client.get("/deals")
    assert response.status_code == 200
    assert items(response.json()) == []


async def test_detail_returns_one_deal_with_its_hotel(known, client):
    listed = items((await client.get("/deals")).json())
    wanted = next(d for d in listed if d["external_id"] == 7)
    response = await client.get(f"/deals/{wanted['id']}")
    assert response.status_code == 200
    assert response.json() == wanted, "GET /deals/{id} should return the same representation as the list"


async def test_a_missing_deal_is_a_structured_404(known, client):
    response = await client.get("/deals/999999")
    assert response.status_code == 404
    assert error_of(response)["code"] == "deal_not_found"


async def test_validation_errors_use_the_error_envelope_with_field_details(client):
    response = await client.get("/deals/not-a-number")
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "validation_error"
    details = error.get("details")
    assert isinstance(details, list), f"a validation error lists the bad fields in 'details', got {error!r}"
    assert details, f"a validation error lists the bad fields in 'details', got {error!r}"
    assert any("deal_id" in str(detail.get("field", "")) for detail in details), (
        f"each detail names its 'field' (here the path parameter deal_id): {details!r}"
    )


async def test_an_unknown_route_also_answers_with_the_error_envelope(client):
    response = await client.get("/no-such-route")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
