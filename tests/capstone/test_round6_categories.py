"""Round 6: categories move from a comma-separated text column to ``categories`` + ``deal_categories`` (M:N).

The schema changes under live data, so the change is a data migration: it parses each deal's text,
de-duplicates the names, links the deals and drops the column; its downgrade rebuilds the text
exactly. The API then returns ``categories`` as a list and filters with ``category=``.

The tests do not know your revision ids: they find "the revision before categories became a table"
by upgrading one step at a time from an empty database, and write the old-style rows there in plain SQL.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from katas.deals_api import loader, migrations
from tests.capstone.helpers import KNOWN_DEALS, SAMPLE_CSV, Database, error_of, external_ids, items, read_csv, write_csv

NAMES = ("budget", "business", "family", "luxury", "romantic")

old_hotels = sa.table(
    "hotels", sa.column("name", sa.String), sa.column("city", sa.String), sa.column("country", sa.String),
    sa.column("phone", sa.String),
)  # fmt: skip
old_deals = sa.table(
    "deals", sa.column("external_id", sa.Integer), sa.column("hotel_id", sa.Integer),
    sa.column("room_type", sa.String), sa.column("star_rating", sa.Integer),
    sa.column("price_per_night", sa.Numeric), sa.column("original_price", sa.Numeric),
    sa.column("discount_percent", sa.Integer), sa.column("checkin_date", sa.Date),
    sa.column("checkout_date", sa.Date), sa.column("is_available", sa.Boolean),
    sa.column("created_at", sa.DateTime(timezone=True)), sa.column("categories", sa.Text),
)  # fmt: skip


def split(text: str) -> set[str]:
    return {name.strip() for name in text.split(",") if name.strip()}


async def current_revision(db: Database) -> str | None:
    if "alembic_version" not in await db.tables():
        return None
    found = await db.scalar("SELECT version_num FROM alembic_version")
    return None if found is None else str(found)


async def migrate_to_text_categories(db: Database) -> str:
    """Upgrade an empty database one revision at a time until the categories table appears, then go back
    to the revision just before it (deals still hold categories as text). Returns that revision id."""
    before: str | None = None
    for _ in range(50):
        before = await current_revision(db)
        await migrations.upgrade(db.url, "+1")
        if "categories" in await db.tables():
            break
    else:
        raise AssertionError("no migration creates a 'categories' table")
    assert before is not None, "the categories table must come in its own migration, after the one creating deals"
    await migrations.downgrade(db.url, before)
    assert "categories" not in await db.tables(), f"downgrading to {before} should drop the categories table again"
    assert "categories" in await db.columns("deals"), (
        f"at revision {before} (before categories became a table) deals should hold them as a text column 'categories'"
    )
    return before


async def insert_old_style(db: Database, rows: list[dict[str, str]]) -> None:
    """Rows as round 1 stored them: hotels, and deals with their categories as the CSV's text."""
    hotels = {row["hotel_phone"]: (row["hotel_name"], row["hotel_city"], row["hotel_country"]) for row in rows}
    await db.execute(
        sa.insert(old_hotels), [{"name": n, "city": c, "country": k, "phone": p} for p, (n, c, k) in hotels.items()]
    )
    hotel_ids = {phone: hotel_id for phone, hotel_id in await db.rows("SELECT phone, id FROM hotels")}
    values = [
        {
            "external_id": int(row["id"]), "hotel_id": hotel_ids[row["hotel_phone"]], "room_type": row["room_type"],
            "star_rating": int(row["hotel_star_rating"]), "price_per_night": Decimal(row["price_per_night"]),
            "original_price": Decimal(row["original_price"]), "discount_percent": int(row["discount_percent"]),
            "checkin_date": datetime.fromisoformat(row["checkin_date"]).date(),
            "checkout_date": datetime.fromisoformat(row["checkout_date"]).date(),
            "is_available": row["is_available"] == "true", "created_at": datetime.fromisoformat(row["created_at"]),
            "categories": row["categories"],
        }
        for row in rows
    ]  # fmt: skip
    await db.execute(sa.insert(old_deals), values)


async def links(db: Database) -> dict[int, set[str]]:
    """external_id -> the names of its linked categories (deals without links are absent)."""
    found: dict[int, set[str]] = {}
    rows = await db.rows(
        "SELECT d.external_id, c.name FROM deal_categories dc"
        " JOIN deals d ON d.id = dc.deal_id JOIN categories c ON c.id = dc.category_id"
    )
    for external_id, name in rows:
        found.setdefault(external_id, set()).add(name)
    return found


def expected_links(rows: list[dict[str, str]]) -> dict[int, set[str]]:
    return {int(row["id"]): split(row["categories"]) for row in rows if split(row["categories"])}


# ---- the schema -------------------------------------------------------------------------------------


async def test_head_has_categories_and_deal_categories_and_no_text_column(db):
    tables = await db.tables()
    assert {"categories", "deal_categories"} <= tables, f"expected tables categories and deal_categories; found {sorted(tables)}"
    assert {"id", "name"} <= await db.columns("categories")
    assert {"deal_id", "category_id"} <= await db.columns("deal_categories")
    assert "categories" not in await db.columns("deals"), "the text column deals.categories is dropped at head"


async def test_category_names_and_links_are_unique(known):
    with pytest.raises(IntegrityError):
        await known.execute("INSERT INTO categories (name) VALUES ('budget')")
    deal_id, category_id = (await known.rows("SELECT deal_id, category_id FROM deal_categories"))[0]
    with pytest.raises(IntegrityError):
        await known.execute(
            "INSERT INTO deal_categories (deal_id, category_id) VALUES (:d, :c)", {"d": deal_id, "c": category_id}
        )


async def test_links_reference_real_deals_and_go_when_their_deal_goes(known):
    category_id = await known.scalar("SELECT min(id) FROM categories")
    with pytest.raises(IntegrityError):
        await known.execute("INSERT INTO deal_categories (deal_id, category_id) VALUES (987654, :c)", {"c": category_id})
    await known.execute("DELETE FROM deals WHERE external_id = 2")
    assert 2 not in await links(known), "deleting a deal (even behind the API's back) must delete its links: ON DELETE CASCADE"
    assert await known.count("categories") == len(NAMES), "categories outlive their deals"


# ---- the data migration -------------------------------------------------------------------------------


async def test_the_migration_links_every_deal_and_its_downgrade_restores_the_text_exactly(empty_db):
    rows = read_csv(SAMPLE_CSV)
    before = await migrate_to_text_categories(empty_db)
    await insert_old_style(empty_db, rows)

    await migrations.upgrade(empty_db.url, "head")
    assert "categories" not in await empty_db.columns("deals"), "the upgrade drops deals.categories once it is copied"
    names = [row[0] for row in await empty_db.rows("SELECT name FROM categories")]
    assert sorted(names) == sorted({name for row in rows for name in split(row["categories"])}), (
        "one categories row per distinct name in the text"
    )
    assert await links(empty_db) == expected_links(rows), "each deal is linked to exactly the names in its text"
    assert await empty_db.count("deals") == len(rows), "the migration must not lose or add deals"

    await migrations.downgrade(empty_db.url, before)
    assert not {"categories", "deal_categories"} & await empty_db.tables(), f"downgrade to {before} drops the new tables"
    restored = {external_id: text for external_id, text in await empty_db.rows("SELECT external_id, categories FROM deals")}
    wrong = {k: (restored.get(k), row["categories"]) for k, row in ((int(r["id"]), r) for r in rows) if restored.get(k) != row["categories"]}
    assert not wrong, (
        "the downgrade must rebuild each deal's text exactly as it was (names in alphabetical order, joined by ','); "
        f"(restored, original) for the first mismatches: {dict(list(wrong.items())[:5])}"
    )

    await migrations.upgrade(empty_db.url, "head")
    assert await links(empty_db) == expected_links(rows), "upgrading again after the downgrade must rebuild the same links"


async def test_the_migration_trims_and_deduplicates_messy_text(empty_db):
    rows = [dict(row) for row in KNOWN_DEALS[:4]]
    rows[0]["categories"] = " luxury ,business"
    rows[1]["categories"] = "business,,business"
    rows[2]["categories"] = ""
    rows[3]["categories"] = "family, family ,budget"
    await migrate_to_text_categories(empty_db)
    await insert_old_style(empty_db, rows)
    await migrations.upgrade(empty_db.url, "head")
    names = [row[0] for row in await empty_db.rows("SELECT name FROM categories")]
    assert sorted(names) == ["budget", "business", "family", "luxury"], f"trimmed, de-duplicated names; got {names}"
    assert await links(empty_db) == {1: {"business", "luxury"}, 2: {"business"}, 4: {"budget", "family"}}
    assert await empty_db.count("deals") == 4, "a deal without categories is kept, with no links"


# ---- the loader ----------------------------------------------------------------------------------------


async def test_the_loader_fills_categories_and_links(db):
    rows = read_csv(SAMPLE_CSV)
    report = await loader.load_csv(db.url, SAMPLE_CSV)
    expected = expected_links(rows)
    assert await links(db) == expected
    assert sorted(row[0] for row in await db.rows("SELECT name FROM categories")) == list(NAMES)
    assert report.category_links == sum(len(names) for names in expected.values()), (
        "LoadReport.category_links counts the deal-category links written"
    )


async def test_reloading_replaces_a_deals_categories_and_duplicates_nothing(db, tmp_path: Path):
    await loader.load_csv(db.url, write_csv(tmp_path / "v1.csv", KNOWN_DEALS))
    changed = [dict(row) for row in KNOWN_DEALS]
    changed[0]["categories"] = "budget,luxury"  # was family
    await loader.load_csv(db.url, write_csv(tmp_path / "v2.csv", changed))
    await loader.load_csv(db.url, write_csv(tmp_path / "v3.csv", changed))
    assert (await links(db))[1] == {"budget", "luxury"}, "a reloaded deal's categories replace the old ones"
    assert await db.count("deal_categories") == sum(len(split(row["categories"])) for row in changed)
    names = [row[0] for row in await db.rows("SELECT name FROM categories")]
    assert len(names) == len(set(names))


# ---- the API ------------------------------------------------------------------------------------------


async def test_deals_carry_their_categories_as_a_list(known, client):
    response = await client.get("/deals")
    assert response.status_code == 200, response.text
    got = {deal["external_id"]: deal.get("categories") for deal in items(response.json())}
    for external_id, categories in got.items():
        assert isinstance(categories, list), f"categories is a list of names, got {categories!r}"
        assert sorted(categories) == sorted(split(KNOWN_DEALS[external_id - 1]["categories"])), f"deal {external_id}"
    second = next(deal["id"] for deal in items(response.json()) if deal["external_id"] == 2)
    detail = (await client.get(f"/deals/{second}")).json()
    assert sorted(detail["categories"]) == ["luxury", "romantic"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "budget"}, [3, 4, 6]),
        ({"category": "luxury"}, [2, 7]),
        ({"category": "business", "city": "berlin"}, [4, 5]),
        ({"category": "budget", "min_stars": 3}, [3, 4]),
        ({"category": "business", "price_max": 100}, [4, 5]),
        ({"category": "spa"}, []),
    ],
    ids=["budget", "luxury", "with-city", "with-stars", "with-price", "unknown-category"],
)
async def test_the_category_filter_combines_with_the_others(known, client, params, expected):
    response = await client.get("/deals", params={**params, "limit": 2})
    assert response.status_code == 200, response.text
    body = response.json()
    everything = await client.get("/deals", params=params)
    assert sorted(external_ids(everything.json())) == expected, f"GET /deals?{params}"
    assert body["total"] == len(expected), "total counts the deals in the category once each (not the links)"
    assert len(items(body)) == min(2, len(expected))


async def test_the_feed_filters_by_category_too(known, client):
    response = await client.get("/deals/feed", params={"category": "business", "limit": 2})
    assert response.status_code == 200, response.text
    first = response.json()
    second = (await client.get("/deals/feed", params={"category": "business", "after": first["next_cursor"]})).json()
    in_id_order = [row[0] for row in await known.rows("SELECT external_id FROM deals WHERE external_id IN (4, 5, 7) ORDER BY id")]
    assert external_ids(first) + external_ids(second) == in_id_order, "the feed keeps id order within the category"
    assert second["next_cursor"] is None


async def test_post_and_patch_set_categories_creating_new_names_once(known, client):
    hotel_id = int(await known.scalar("SELECT min(id) FROM hotels"))
    body: dict[str, Any] = {
        "hotel_id": hotel_id, "room_type": "Suite", "star_rating": 5, "price_per_night": 180.0,
        "original_price": 200.0, "discount_percent": 10, "checkin_date": "2025-07-01",
        "checkout_date": "2025-07-05", "categories": ["spa", "luxury"],
    }  # fmt: skip
    created = await client.post("/deals", json=body)
    assert created.status_code == 201, created.text
    deal = created.json()
    assert sorted(deal["categories"]) == ["luxury", "spa"]
    again = await client.post("/deals", json=body)
    assert again.status_code == 201, again.text
    spa = await client.get("/deals", params={"category": "spa"})
    assert sorted(d["id"] for d in items(spa.json())) == sorted([deal["id"], again.json()["id"]])
    assert Counter(row[0] for row in await known.rows("SELECT name FROM categories"))["spa"] == 1, "a new name is stored once"

    patched = await client.patch(f"/deals/{deal['id']}", json={"categories": ["family"]})
    assert patched.status_code == 200, patched.text
    assert patched.json()["categories"] == ["family"], "PATCH categories replaces the list"
    rows = await known.rows("SELECT c.name FROM deal_categories dc JOIN categories c ON c.id = dc.category_id WHERE dc.deal_id = :d", d=deal["id"])
    assert [row[0] for row in rows] == ["family"]
    untouched = await client.patch(f"/deals/{deal['id']}", json={"room_type": "Deluxe"})
    assert untouched.json()["categories"] == ["family"], "a PATCH without categories leaves them alone"


async def test_categories_must_be_a_list_of_names(known, client):
    hotel_id = int(await known.scalar("SELECT min(id) FROM hotels"))
    body = {
        "hotel_id": hotel_id, "room_type": "Suite", "star_rating": 5, "price_per_night": 180.0,
        "original_price": 200.0, "discount_percent": 10, "checkin_date": "2025-07-01",
        "checkout_date": "2025-07-05", "is_available": True, "categories": ["luxury", "spa"],
    }  # fmt: skip
    accepted = await client.post("/deals", json=body)
    assert accepted.status_code == 201, f"the same deal with a list of categories is valid: {accepted.text}"
    response = await client.post("/deals", json={**body, "categories": "luxury,spa"})
    assert response.status_code == 422, response.text
    error = error_of(response)
    assert error["code"] == "validation_error"
    assert "categories" in str(error.get("details")), f"the 422 should name the categories field: {error!r}"
