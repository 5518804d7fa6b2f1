"""Round 4 against the oracle: offset pages and the keyset feed, for filter combinations and page sizes that
Hypothesis chooses, on the generator's data (``oracle`` fixture, tests/capstone/oracle.py).

Every page must be the oracle's slice (the right deals, in id order, each equal to its CSV row), ``total``
the oracle's count, and the whole walk the oracle's full ordered list. The data is shuffled so that id
order differs from the CSV's id and from ``created_at``, and on PostgreSQL some rows sit out of id order
in the table: only an ``ORDER BY id`` gives the right pages on both databases.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.capstone.oracle import Oracle, SyncClient, filters, run_in_thread, smallest_limit

EXAMPLES = settings(max_examples=20, suppress_health_check=[HealthCheck.too_slow])


async def test_offset_pages_are_the_oracles_slices_and_walk_the_whole_list(oracle: Oracle, client) -> None:
    @EXAMPLES
    @given(chosen=filters(oracle), data=st.data())
    def check(http: SyncClient, chosen, data: st.DataObject) -> None:
        expected = oracle.matching(chosen)
        limit = data.draw(st.integers(smallest_limit(len(expected)), 100), label="limit")
        walked: list[dict[str, Any]] = []
        for skip in range(0, len(expected) + 1, limit):
            body = http.json("/deals", {**chosen.params, "skip": skip, "limit": limit})
            where = f"GET /deals?{chosen}&skip={skip}&limit={limit}"
            assert (body.get("total"), body.get("skip"), body.get("limit")) == (len(expected), skip, limit), (
                f"{where}: total must be the {len(expected)} matching deals, skip and limit echoed; "
                f"got total={body.get('total')}, skip={body.get('skip')}, limit={body.get('limit')}"
            )
            got = [deal["id"] for deal in body["items"]]
            want = [row.deal_id for row in expected[skip : skip + limit]]
            assert got == want, f"{where}: expected the deals {want} (in id order), got {got}"
            oracle.check_deals(body["items"], expected[skip : skip + limit])
            walked += body["items"]
        assert [deal["id"] for deal in walked] == [row.deal_id for row in expected]
        beyond = data.draw(st.integers(len(expected), len(expected) + 200), label="skip past the end")
        body = http.json("/deals", {**chosen.params, "skip": beyond, "limit": limit})
        assert (body["items"], body["total"]) == ([], len(expected)), f"skip={beyond} is past the end: no items, the real total"

    await run_in_thread(client, lambda http: check(http))


async def test_the_feed_walks_the_oracles_list_page_by_page(oracle: Oracle, client) -> None:
    @EXAMPLES
    @given(chosen=filters(oracle), data=st.data())
    def check(http: SyncClient, chosen, data: st.DataObject) -> None:
        expected = [row.deal_id for row in oracle.matching(chosen)]
        limit = data.draw(st.integers(smallest_limit(len(expected)), 100), label="limit")
        params: dict[str, Any] = {**chosen.params, "limit": limit}
        walked: list[int] = []
        for number in range(1, len(expected) // limit + 2):
            body = http.json("/deals/feed", params)
            got = [deal["id"] for deal in body["items"]]
            want = expected[len(walked) : len(walked) + limit]
            assert got == want, f"GET /deals/feed?{chosen}&limit={limit}, page {number}: expected {want}, got {got}"
            walked += got
            more = len(walked) < len(expected)
            assert (body["next_cursor"] is not None) == more, (
                f"page {number} of the feed ends at deal {len(walked)} of {len(expected)}: next_cursor must be "
                f"{'a cursor' if more else 'null (no deal follows)'}, got {body['next_cursor']!r}"
            )
            if not more:
                break
            params = {**chosen.params, "limit": limit, "after": body["next_cursor"]}
        assert walked == expected

    await run_in_thread(client, lambda http: check(http))
