"""Round 4: offset pages with a filtered total, and a keyset feed with an opaque cursor."""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx
import pytest

from tests.capstone.helpers import SAMPLE_CSV, Database, error_of, read_csv


async def all_ids(db: Database) -> list[int]:
    return [row[0] for row in await db.rows("SELECT id FROM deals ORDER BY id")]


async def page(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await client.get("/deals", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    shape = f"from round 4, GET /deals returns {{items, total, skip, limit}}; got {str(body)[:200]}"
    assert isinstance(body, dict), shape
    assert {"items", "total", "skip", "limit"} <= set(body), shape
    return body


async def walk_feed(client: httpx.AsyncClient, limit: int, between_pages: Any = None) -> list[int]:
    """Follow next_cursor to the end; ``between_pages(page_number)`` may change the data in between."""
    seen: list[int] = []
    params: dict[str, Any] = {"limit": limit}
    for number in range(1, 1000):
        response = await client.get("/deals/feed", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) >= {"items", "next_cursor"}, f"the feed returns {{items, next_cursor}}, got {list(body)}"
        assert len(body["items"]) <= limit
        seen.extend(deal["id"] for deal in body["items"])
        if body["next_cursor"] is None:
            return seen
        params = {"limit": limit, "after": body["next_cursor"]}
        if between_pages is not None:
            await between_pages(number)
    raise AssertionError("the feed never ended: next_cursor should be null on the last page")


async def test_the_default_page_is_the_first_20_deals_with_the_total(sample, client):
    body = await page(client)
    ids = await all_ids(sample)
    assert (body["skip"], body["limit"], body["total"]) == (0, 20, len(ids))
    assert [deal["id"] for deal in body["items"]] == ids[:20], "pages are in id order"


@pytest.mark.parametrize(("skip", "limit"), [(0, 7), (7, 7), (390, 20), (100, 100)], ids=["first", "second", "last", "max-limit"])
async def test_skip_and_limit_return_the_matching_slice(sample, client, skip, limit):
    body = await page(client, skip=skip, limit=limit)
    assert [deal["id"] for deal in body["items"]] == (await all_ids(sample))[skip : skip + limit]
    assert (body["skip"], body["limit"]) == (skip, limit)


async def test_skipping_past_the_end_is_an_empty_page_with_the_real_total(sample, client):
    body = await page(client, skip=10_000)
    assert (body["items"], body["total"]) == ([], len(read_csv(SAMPLE_CSV)))


async def test_total_counts_the_filtered_deals_not_the_page_nor_the_table(sample, client):
    rows = read_csv(SAMPLE_CSV)
    city = Counter(row["hotel_city"] for row in rows).most_common(1)[0][0]
    expected = sum(1 for row in rows if row["hotel_city"] == city)
    body = await page(client, city=city.upper(), limit=5)
    assert len(body["items"]) == 5
    assert body["total"] == expected, f"{expected} deals are in {city}: total must count those, not {body['total']}"


@pytest.mark.parametrize("params", [{"limit": 101}, {"limit": 0}, {"skip": -1}], ids=["limit-101", "limit-0", "skip-negative"])
async def test_out_of_range_paging_is_a_422(client, params):
    response = await client.get("/deals", params=params)
    assert response.status_code == 422
    assert error_of(response)["code"] == "validation_error"


@pytest.mark.parametrize("limit", [9, 37, 100], ids=["9", "37", "100-the-maximum"])
async def test_the_feed_visits_every_deal_exactly_once_in_order(sample, client, limit):
    assert await walk_feed(client, limit) == await all_ids(sample)


async def test_the_cursor_is_opaque(sample, client):
    body = (await client.get("/deals/feed", params={"limit": 5})).json()
    cursor = body["next_cursor"]
    assert isinstance(cursor, str), "next_cursor is a string while more deals follow"
    assert cursor, "next_cursor is a non-empty string while more deals follow"
    opaque = "the cursor should be opaque (e.g. base64 of what you need), not a bare id clients will start building"
    assert not cursor.isdigit(), opaque
    assert str(body["items"][-1]["id"]) != cursor, opaque


async def test_a_cursor_the_api_did_not_issue_is_a_422(sample, client):
    response = await client.get("/deals/feed", params={"after": "not-a-cursor!"})
    assert response.status_code == 422
    assert error_of(response)["code"] == "invalid_cursor"


async def test_the_feed_is_stable_while_deals_are_added_and_removed(sample, client):
    # Between pages: delete one deal already seen and one not yet seen, and add a new one.
    # Keyset paging must neither repeat nor skip the survivors (OFFSET paging would do both).
    ids = await all_ids(sample)
    seen_victim, unseen_victim = ids[5], ids[-10]
    hotel_id = int(await sample.scalar("SELECT min(id) FROM hotels"))
    created: list[int] = []

    async def churn(number: int) -> None:
        if number == 2:
            assert (await client.delete(f"/deals/{seen_victim}")).status_code == 204
            assert (await client.delete(f"/deals/{unseen_victim}")).status_code == 204
            body = {"hotel_id": hotel_id, "room_type": "Suite", "star_rating": 4, "price_per_night": 90,
                    "original_price": 100, "discount_percent": 10, "checkin_date": "2025-07-01",
                    "checkout_date": "2025-07-02"}  # fmt: skip
            response = await client.post("/deals", json=body)
            assert response.status_code == 201, response.text
            created.append(response.json()["id"])

    seen = await walk_feed(client, 50, churn)
    expected = [i for i in ids if i != unseen_victim] + created
    duplicates = [i for i, n in Counter(seen).items() if n > 1]
    assert not duplicates, f"deals returned twice: {duplicates}"
    missing = sorted(set(expected) - set(seen))
    assert not missing, f"deals skipped: {missing}"
    assert seen == expected
