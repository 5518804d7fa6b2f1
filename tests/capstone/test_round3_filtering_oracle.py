"""Round 3 against the oracle: filter combinations that Hypothesis chooses (city in any case, min_stars,
inclusive price bounds at prices that occur), on the generator's data (``oracle`` fixture).

The deals returned must be exactly the oracle's (order is round 4's business), each equal to its CSV row.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from tests.capstone.oracle import Filters, Oracle, SyncClient, every_deal, filters, run_in_thread


async def test_filters_select_exactly_the_oracles_deals(oracle: Oracle, client) -> None:
    @settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow])
    @given(chosen=filters(oracle))
    def check(http: SyncClient, chosen: Filters) -> None:
        expected = oracle.matching(chosen)
        found = {deal["id"]: deal for deal in every_deal(http, chosen.params)}
        want = [row.deal_id for row in expected]
        assert sorted(found) == want, (
            f"GET /deals?{chosen}: expected the {len(want)} deals {want[:30]}{' ...' if len(want) > 30 else ''}; "
            f"missing {sorted(set(want) - set(found))[:10]}, extra {sorted(set(found) - set(want))[:10]}"
        )
        oracle.check_deals([found[row.deal_id] for row in expected], expected)

    await run_in_thread(client, check)
