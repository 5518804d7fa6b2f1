"""Round 6 against the oracle: the category filter combined with the others, on pages and on the feed, for
combinations Hypothesis chooses on the generator's data (``oracle`` fixture). Every deal carries its
CSV categories as a list.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.capstone.oracle import Filters, Oracle, SyncClient, filters, run_in_thread, smallest_limit


async def test_category_filters_on_pages_and_feed_match_the_oracle(oracle: Oracle, client) -> None:
    @settings(max_examples=20, suppress_health_check=[HealthCheck.too_slow])
    @given(chosen=filters(oracle, category=True), data=st.data())
    def check(http: SyncClient, chosen: Filters, data: st.DataObject) -> None:
        expected = oracle.matching(chosen)
        want = [row.deal_id for row in expected]
        limit = data.draw(st.integers(smallest_limit(len(expected)), 100), label="limit")
        body = http.json("/deals", {**chosen.params, "limit": limit})
        assert body["total"] == len(expected), f"GET /deals?{chosen}: total is {len(expected)}, got {body['total']}"
        assert [deal["id"] for deal in body["items"]] == want[:limit], f"GET /deals?{chosen}&limit={limit}"
        oracle.check_deals(body["items"], expected[:limit], categories=True)
        walked: list[int] = []
        params: dict[str, Any] = {**chosen.params, "limit": limit}
        for _ in range(len(expected) // limit + 1):
            page = http.json("/deals/feed", params)
            walked += [deal["id"] for deal in page["items"]]
            if page["next_cursor"] is None:
                break
            params = {**chosen.params, "limit": limit, "after": page["next_cursor"]}
        assert walked == want, f"the feed for {chosen} (limit {limit}) walks exactly its deals, in id order"

    await run_in_thread(client, check)
