"""Round 6's edges: an empty list is a value (PATCH [] clears), every accepted PATCH is a new version, a
posted list may repeat a name, the category filter compares names, not patterns, and a deal whose
categories text is empty is loaded with no categories."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from katas.deals_api import loader
from tests.capstone.helpers import BERLIN, KNOWN_DEALS, TORONTO, Database, deal_row, external_ids, items, write_csv


def new_deal(hotel_id: int, **overrides: Any) -> dict[str, Any]:
    body = {
        "hotel_id": hotel_id, "room_type": "Suite", "star_rating": 5, "price_per_night": 180.0,
        "original_price": 200.0, "discount_percent": 10, "checkin_date": "2025-07-01",
        "checkout_date": "2025-07-05",
    }  # fmt: skip
    return {**body, **overrides}


async def linked_names(db: Database, deal_id: int) -> list[str]:
    rows = await db.rows(
        "SELECT c.name FROM deal_categories dc JOIN categories c ON c.id = dc.category_id WHERE dc.deal_id = :d", d=deal_id
    )
    return sorted(row[0] for row in rows)


async def deal_by_external_id(client, external_id: int) -> dict[str, Any]:
    return next(d for d in items((await client.get("/deals", params={"limit": 100})).json()) if d["external_id"] == external_id)


async def test_patching_categories_to_an_empty_list_clears_them_and_bumps_the_version(known, client):
    deal = await deal_by_external_id(client, 2)  # luxury, romantic
    response = await client.patch(f"/deals/{deal['id']}", json={"categories": []})
    assert response.status_code == 200, response.text
    assert response.json()["categories"] == [], "PATCH categories=[] leaves the deal with no categories"
    assert await linked_names(known, deal["id"]) == [], "and no rows in deal_categories"
    assert response.json()["version"] == deal["version"] + 1, "every accepted PATCH adds 1 to the version"


async def test_a_patch_of_categories_alone_is_a_new_version(known, client):
    deal = await deal_by_external_id(client, 1)
    response = await client.patch(f"/deals/{deal['id']}", json={"categories": ["family", "spa"]})
    assert response.status_code == 200, response.text
    assert response.json()["version"] == deal["version"] + 1, "a PATCH that only changes categories is a new version"
    stale = await client.patch(f"/deals/{deal['id']}", json={"categories": ["budget"], "version": deal["version"]})
    assert stale.status_code == 409, "a client still holding the old version is told (409)"


async def test_a_posted_list_may_repeat_a_name(known, client):
    hotel_id = int(await known.scalar("SELECT min(id) FROM hotels"))
    response = await client.post("/deals", json=new_deal(hotel_id, categories=["spa", "luxury", "spa"]))
    assert response.status_code == 201, f"a repeated name is the same category: {response.text}"
    assert sorted(response.json()["categories"]) == ["luxury", "spa"]
    assert await linked_names(known, response.json()["id"]) == ["luxury", "spa"], "one link per distinct name"


async def test_a_deal_posted_without_categories_has_an_empty_list(known, client):
    hotel_id = int(await known.scalar("SELECT min(id) FROM hotels"))
    response = await client.post("/deals", json=new_deal(hotel_id))
    assert response.status_code == 201, response.text
    assert response.json()["categories"] == []
    assert (await client.get(f"/deals/{response.json()['id']}")).json()["categories"] == []


async def test_deleting_a_deal_through_the_api_deletes_its_links(known, client):
    deal = await deal_by_external_id(client, 7)  # business, luxury
    assert (await client.delete(f"/deals/{deal['id']}")).status_code == 204
    assert await linked_names(known, deal["id"]) == [], "the deal's rows in deal_categories go with it"


@pytest.mark.parametrize("category", ["%", "bus", "_udget", "bus%", "%ux%"], ids=lambda category: category)
async def test_the_category_filter_compares_whole_names(known, client, category):
    response = await client.get("/deals", params={"category": category})
    assert response.status_code == 200, response.text
    assert external_ids(response.json()) == [], f"no category is named {category!r}: ?category={category} matches nothing"


async def test_a_deal_whose_categories_text_is_empty_is_loaded_without_categories(db, tmp_path):
    rows = [{**row, "categories": ""} if row["id"] in ("2", "5") else row for row in KNOWN_DEALS]
    report = await loader.load_csv(db.url, write_csv(tmp_path / "no-categories.csv", rows))
    names = sorted(row[0] for row in await db.rows("SELECT name FROM categories"))
    assert names == ["budget", "business", "family", "luxury"], (
        f"an empty categories text holds no name (the migration keeps such a deal with no links too); got {names}"
    )
    for external_id in (2, 5):
        deal_id = int(await db.scalar("SELECT id FROM deals WHERE external_id = :e", e=external_id))
        assert await linked_names(db, deal_id) == [], f"the deal with CSV id {external_id} has no categories"
    assert report.category_links == await db.count("deal_categories") == 8, "the other five deals' 8 links"


async def test_each_name_in_the_categories_text_is_a_category(db, tmp_path):
    # A name no other test uses (nothing computed for an earlier file can stand in for it), already lower-case
    # and trimmed, so that lower-casing names or not, it is stored as written.
    fresh = f"new{uuid.uuid4().hex[:8]}"
    rows = [deal_row(1, TORONTO, categories=f"budget,{fresh}"), deal_row(2, BERLIN, categories=fresh)]
    report = await loader.load_csv(db.url, write_csv(tmp_path / "fresh-name.csv", rows))
    names = sorted(row[0] for row in await db.rows("SELECT name FROM categories"))
    assert names == sorted(["budget", fresh]), f"'budget,{fresh}' holds two names, split on ','; got {names}"
    assert report.category_links == await db.count("deal_categories") == 3
