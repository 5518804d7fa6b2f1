"""Round 2's edges: the boundaries the POST rules allow, what POST sets by itself (``is_available``,
``created_at``), a version the deal never had, the hotel's average after a write, and a DELETE that
removes the right row (checked in the database, on data whose CSV ids differ from the database's ids).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.capstone.helpers import Database, error_of, items
from tests.capstone.oracle import Oracle, created_at_mismatches


def new_deal(hotel_id: int, **overrides: Any) -> dict[str, Any]:
    body = {
        "hotel_id": hotel_id, "room_type": "Suite", "star_rating": 4, "price_per_night": 180.0,
        "original_price": 200.0, "discount_percent": 10, "checkin_date": "2025-07-01",
        "checkout_date": "2025-07-05", "is_available": True,
    }  # fmt: skip
    return {**body, **overrides}


async def deal_by_external_id(client: httpx.AsyncClient, external_id: int) -> dict[str, Any]:
    deals = items((await client.get("/deals", params={"limit": 100})).json())
    return next(d for d in deals if d["external_id"] == external_id)


async def hotel_id_of(db: Database, phone: str) -> int:
    return int(await db.scalar("SELECT id FROM hotels WHERE phone = :p", p=phone))


@pytest.mark.parametrize(
    "overrides",
    [
        {"price_per_night": 200.0, "original_price": 200.0, "discount_percent": 0},
        {"discount_percent": 100},
        {"star_rating": 1},
        {"star_rating": 5},
        {"checkin_date": "2025-07-01", "checkout_date": "2025-07-02"},
        {"price_per_night": 0.01, "original_price": 0.01},
        {"is_available": False},
    ],
    ids=["price-equals-original", "discount-100", "star-1", "star-5", "one-night", "one-cent", "unavailable"],
)
async def test_post_accepts_the_edges_of_every_rule(known, client, overrides):
    body = new_deal(int(await known.scalar("SELECT min(id) FROM hotels")), **overrides)
    response = await client.post("/deals", json=body)
    assert response.status_code == 201, f"{overrides} is inside the rules (the bounds are inclusive): {response.text}"
    created = response.json()
    assert {key: created[key] for key in overrides} == overrides


async def test_post_without_is_available_creates_an_available_deal(known, client):
    body = new_deal(int(await known.scalar("SELECT min(id) FROM hotels")))
    del body["is_available"]
    response = await client.post("/deals", json=body)
    assert response.status_code == 201, response.text
    assert response.json()["is_available"] is True, "is_available is optional and defaults to true"
    assert (await client.get(f"/deals/{response.json()['id']}")).json()["is_available"] is True


async def test_post_sets_created_at_to_the_moment_of_creation(known, client):
    body = new_deal(int(await known.scalar("SELECT min(id) FROM hotels")))
    # SQLite's CURRENT_TIMESTAMP has whole seconds: the lower bound is the second the request started in.
    before = datetime.now(UTC).replace(microsecond=0)
    response = await client.post("/deals", json=body)
    after = datetime.now(UTC)
    assert response.status_code == 201, response.text
    value = response.json().get("created_at")
    parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    assert parsed is not None, f"created_at is an ISO-8601 timestamp, got {value!r}"
    assert parsed.tzinfo is not None, f"created_at carries its UTC offset, got {value!r}"
    assert before <= parsed <= after, f"POST sets created_at to the time of the request ({before} .. {after}), got {value}"
    fetched = (await client.get(f"/deals/{response.json()['id']}")).json()
    assert not created_at_mismatches(fetched.get("created_at"), parsed), "GET shows the created_at the POST returned"


@pytest.mark.parametrize(
    "patch",
    [{"is_available": False}, {"discount_percent": 0}, {"is_available": False, "discount_percent": 0}],
    ids=["unavailable", "no-discount", "both"],
)
async def test_patch_applies_false_and_zero(known, client, patch):
    deal = await deal_by_external_id(client, 3)  # available, 20% off
    response = await client.patch(f"/deals/{deal['id']}", json=patch)
    assert response.status_code == 200, response.text
    assert {key: response.json()[key] for key in patch} == patch, f"PATCH {patch}: false and 0 are values to store"
    fetched = (await client.get(f"/deals/{deal['id']}")).json()
    assert {key: fetched[key] for key in patch} == patch, f"after PATCH {patch}, GET shows the new values"


async def test_a_version_the_deal_never_had_is_a_409_too(known, client):
    deal = await deal_by_external_id(client, 3)
    response = await client.patch(f"/deals/{deal['id']}", json={"price_per_night": 70, "version": deal["version"] + 1})
    assert response.status_code == 409, f"version {deal['version'] + 1} differs from the stored {deal['version']}: 409"
    assert error_of(response)["code"] == "version_conflict"
    assert (await client.get(f"/deals/{deal['id']}")).json() == deal, "a refused PATCH changes nothing, version included"


async def test_writes_move_the_hotels_average_star_rating(known, client):
    # Berlin's deals (CSV ids 3, 4, 5) are rated 3, 3, 4.
    berlin = await deal_by_external_id(client, 3)
    patched = await client.patch(f"/deals/{berlin['id']}", json={"star_rating": 5})
    assert patched.status_code == 200, patched.text
    assert patched.json()["hotel"]["avg_star_rating"] == pytest.approx(4.0, abs=0.01), (
        "after rating one Berlin deal 5 (3, 3, 4 -> 5, 3, 4), the PATCH response's hotel average is 4.0"
    )
    created = await client.post("/deals", json=new_deal(berlin["hotel"]["id"], star_rating=2))
    assert created.status_code == 201, created.text
    assert created.json()["hotel"]["avg_star_rating"] == pytest.approx(3.5, abs=0.01), "5, 3, 4 and the new 2: 3.5"
    assert (await client.delete(f"/deals/{berlin['id']}")).status_code == 204
    other = await deal_by_external_id(client, 4)
    assert other["hotel"]["avg_star_rating"] == pytest.approx(3.0, abs=0.01), "3, 4 and 2 remain: 3.0"


async def test_delete_removes_that_row_and_no_other(db: Database, oracle: Oracle, client):
    # The CSV's ids are 1001 and up here, so the database's ids and the CSV's never coincide.
    row = oracle.rows[10]
    deal_id = row.deal_id
    response = await client.delete(f"/deals/{deal_id}")
    assert response.status_code == 204, response.text
    left = {int(found[0]) for found in await db.rows("SELECT id FROM deals")}
    assert deal_id not in left, f"after DELETE /deals/{deal_id} answered 204, the row is still in the deals table"
    assert left == set(oracle.ids.values()) - {deal_id}, "DELETE /deals/{id} removes exactly the deal with that id"
    assert (await client.get(f"/deals/{deal_id}")).status_code == 404


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"price_per_night": 250.0}, ("price_per_night", "original_price")),
        ({"checkout_date": "2025-06-30"}, ("checkin_date", "checkout_date")),
    ],
    ids=["price-above-original", "checkout-before-checkin"],
)
async def test_a_two_field_rule_names_both_fields(known, client, overrides, fields):
    body = new_deal(int(await known.scalar("SELECT min(id) FROM hotels")), **overrides)
    response = await client.post("/deals", json=body)
    assert response.status_code == 422, response.text
    error = error_of(response)
    said = str(error.get("details", "")) + error["message"]
    missing = [field for field in fields if field not in said]
    assert not missing, f"the rule involves {' and '.join(fields)}: the error must name both, it lacks {missing}: {error!r}"
