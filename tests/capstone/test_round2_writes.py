"""Round 2: POST, PATCH (partial, merged validation, optimistic locking) and DELETE on /deals."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from tests.capstone.helpers import Database, StatementLog, error_of, external_ids, items


def new_deal(hotel_id: int, **overrides: Any) -> dict[str, Any]:
    body = {
        "hotel_id": hotel_id, "room_type": "Suite", "star_rating": 5, "price_per_night": 180.0,
        "original_price": 200.0, "discount_percent": 10, "checkin_date": "2025-07-01",
        "checkout_date": "2025-07-05", "is_available": True,
    }  # fmt: skip
    return {**body, **overrides}


async def a_hotel_id(db: Database) -> int:
    return int(await db.scalar("SELECT min(id) FROM hotels"))


async def a_deal(client: httpx.AsyncClient, external_id: int = 3) -> dict[str, Any]:
    deals = items((await client.get("/deals", params={"limit": 100})).json())
    return next(d for d in deals if d["external_id"] == external_id)


async def test_post_creates_a_deal_and_returns_201_with_it(known, client):
    hotel_id = await a_hotel_id(known)
    response = await client.post("/deals", json=new_deal(hotel_id))
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["hotel"]["id"] == hotel_id
    assert (created["room_type"], created["price_per_night"], created["checkout_date"]) == ("Suite", 180.0, "2025-07-05")
    assert created.get("external_id") is None, "a deal created through the API has no external id"
    fetched = await client.get(f"/deals/{created['id']}")
    assert fetched.status_code == 200
    assert fetched.json() == created
    assert await known.count("deals") == 8


async def test_post_with_an_unknown_hotel_is_a_404_hotel_not_found(known, client):
    response = await client.post("/deals", json=new_deal(hotel_id=999_999))
    assert response.status_code == 404, response.text
    assert error_of(response)["code"] == "hotel_not_found"
    assert await known.count("deals") == 7


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("price_per_night", {"price_per_night": -50}),
        ("original_price", {"original_price": 0}),
        ("discount_percent", {"discount_percent": 101}),
        ("star_rating", {"star_rating": 6}),
        ("checkout_date", {"checkout_date": "2025-06-30"}),
        ("price_per_night", {"price_per_night": 250.0}),
        ("room_type", {"room_type": None}),
        ("hotel_id", {"hotel_id": "abc"}),
    ],
    ids=["negative-price", "zero-original", "discount-101", "star-6", "checkout-before-checkin",
         "price-above-original", "null-room-type", "hotel-id-not-a-number"],
)
async def test_post_rejects_bad_input_with_422_before_touching_the_database(
    known, client, sql_log: StatementLog, field, overrides
):
    body = {**new_deal(await a_hotel_id(known)), **overrides}
    with sql_log.record():
        response = await client.post("/deals", json=body)
    assert response.status_code == 422, f"{overrides} should be refused with 422, got {response.status_code}"
    error = error_of(response)
    assert error["code"] == "validation_error"
    assert field in str(error.get("details", "")) + error["message"], f"the error should name {field}: {error!r}"
    assert sql_log.statements == [], f"validation must happen before any query; the app ran {sql_log.statements}"
    assert await known.count("deals") == 7


async def test_patch_changes_only_the_fields_sent(known, client):
    before = await a_deal(client)
    response = await client.patch(f"/deals/{before['id']}", json={"price_per_night": 75.5})
    assert response.status_code == 200, response.text
    after = response.json()
    assert after["price_per_night"] == 75.5
    unchanged = {k: v for k, v in before.items() if k not in {"price_per_night", "version"}}
    assert {k: after[k] for k in unchanged} == unchanged, "fields that were not sent must keep their values"
    assert (await client.get(f"/deals/{before['id']}")).json()["price_per_night"] == 75.5


@pytest.mark.parametrize(
    "patch",
    [{"checkout_date": "2025-05-30"}, {"checkin_date": "2025-06-04"}, {"price_per_night": 150.0}],
    ids=["checkout-before-stored-checkin", "checkin-on-stored-checkout", "price-above-stored-original"],
)
async def test_patch_validates_the_merged_deal_not_just_the_patch(known, client, patch):
    # Stored: checkin 2025-06-01, checkout 2025-06-04, original_price 100.00. Each patch is fine on
    # its own and wrong once merged with what is stored.
    deal = await a_deal(client)
    response = await client.patch(f"/deals/{deal['id']}", json=patch)
    assert response.status_code == 422, f"PATCH {patch} makes the stored deal invalid: expected 422, got {response.status_code}"
    assert error_of(response)["code"] == "validation_error"
    assert (await client.get(f"/deals/{deal['id']}")).json() == deal, "a refused PATCH must change nothing"


async def test_patch_can_move_both_dates_together(known, client):
    deal = await a_deal(client)
    response = await client.patch(f"/deals/{deal['id']}", json={"checkin_date": "2025-08-01", "checkout_date": "2025-08-03"})
    assert response.status_code == 200, response.text
    assert (response.json()["checkin_date"], response.json()["checkout_date"]) == ("2025-08-01", "2025-08-03")


async def test_patch_refuses_null_for_a_required_field(known, client):
    deal = await a_deal(client)
    response = await client.patch(f"/deals/{deal['id']}", json={"price_per_night": None})
    assert response.status_code == 422
    assert error_of(response)["code"] == "validation_error"


async def test_patch_or_delete_of_a_missing_deal_is_a_404(known, client):
    patched = await client.patch("/deals/999999", json={"price_per_night": 10})
    deleted = await client.delete("/deals/999999")
    assert (patched.status_code, error_of(patched)["code"]) == (404, "deal_not_found")
    assert (deleted.status_code, error_of(deleted)["code"]) == (404, "deal_not_found")


async def test_every_accepted_patch_bumps_the_version(known, client):
    deal = await a_deal(client)
    assert isinstance(deal.get("version"), int), f"deals carry an integer 'version' from round 2 on: {deal!r}"
    first = (await client.patch(f"/deals/{deal['id']}", json={"room_type": "Deluxe"})).json()
    second = (await client.patch(f"/deals/{deal['id']}", json={"room_type": "Superior"})).json()
    assert [deal["version"], first["version"], second["version"]] == [
        deal["version"], deal["version"] + 1, deal["version"] + 2
    ]


async def test_a_patch_based_on_a_stale_version_is_a_409_conflict(known, client):
    deal = await a_deal(client)
    version = deal["version"]
    alice = await client.patch(f"/deals/{deal['id']}", json={"price_per_night": 70, "version": version})
    assert alice.status_code == 200, alice.text
    bob = await client.patch(f"/deals/{deal['id']}", json={"price_per_night": 60, "version": version})
    assert bob.status_code == 409, "Bob read version {version} too, but Alice wrote first: his PATCH must be refused"
    assert error_of(bob)["code"] == "version_conflict"
    assert (await client.get(f"/deals/{deal['id']}")).json()["price_per_night"] == 70, "Alice's write must survive"
    retry = await client.patch(f"/deals/{deal['id']}", json={"price_per_night": 60, "version": version + 1})
    assert retry.status_code == 200, "with the fresh version, Bob's retry goes through"


async def test_delete_returns_204_then_the_deal_is_gone(known, client):
    deal = await a_deal(client)
    response = await client.delete(f"/deals/{deal['id']}")
    assert (response.status_code, response.content) == (204, b"")
    assert (await client.get(f"/deals/{deal['id']}")).status_code == 404
    assert (await client.delete(f"/deals/{deal['id']}")).status_code == 404
    assert 3 not in external_ids((await client.get("/deals")).json())


async def test_check_constraints_still_catch_what_bypasses_the_api(known):
    deals = sa.table("deals", sa.column("external_id", sa.Integer), sa.column("price_per_night", sa.Numeric))
    with pytest.raises(IntegrityError):
        await known.execute(sa.update(deals).where(deals.c.external_id == 3).values(price_per_night=-1))
