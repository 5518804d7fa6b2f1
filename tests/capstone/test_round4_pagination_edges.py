"""Round 4's edges: the feed's limit has the list's bounds."""

from __future__ import annotations

import pytest

from tests.capstone.helpers import error_of


@pytest.mark.parametrize("limit", [0, 101], ids=["limit-0", "limit-101"])
async def test_the_feeds_limit_is_1_to_100(known, client, limit):
    response = await client.get("/deals/feed", params={"limit": limit})
    assert response.status_code == 422, f"GET /deals/feed?limit={limit}: the limit is 1 to 100, expected 422"
    assert error_of(response)["code"] == "validation_error"
