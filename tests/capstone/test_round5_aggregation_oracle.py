"""Round 5 against the oracle: the stats of the generator's data (``oracle`` fixture), computed over its
deals with ``Decimal`` in plain Python.

The data has cities with several hotels of different sizes (an average of per-hotel averages differs from
the average over the city's deals) and cities with equal deal counts (the tie goes to the city's name).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.capstone.oracle import Oracle


@pytest.mark.parametrize("available_only", [False, True], ids=["all-deals", "available-only"])
async def test_stats_equal_the_oracles(oracle: Oracle, client, available_only: bool) -> None:
    expected = oracle.stats(available_only=available_only)
    counts = [s.deal_count for s in expected]
    assert len(set(counts)) < len(counts), "the oracle's data must hold a tie in deal_count (pick another seed)"
    response = await client.get("/deals/stats", params={"available_only": str(available_only).lower()})
    assert response.status_code == 200, response.text
    got = response.json()
    assert [(s.get("city"), s.get("deal_count")) for s in got] == [(s.city, s.deal_count) for s in expected], (
        "one object per city with its number of deals, busiest first, ties by city name"
    )
    for stats, found in zip(expected, got, strict=True):
        average = found.get("avg_price")
        assert isinstance(average, int | float), f"{stats.city}: avg_price is a number, got {average!r}"
        assert abs(Decimal(str(average)) - stats.mean_price) <= Decimal("0.005"), (
            f"{stats.city}: avg_price is the mean price over the city's {stats.deal_count} deals, "
            f"{stats.mean_price:.4f}, rounded to the cent; got {average}"
        )
        assert Decimal(str(average)) == Decimal(str(average)).quantize(Decimal("0.01")), (
            f"{stats.city}: avg_price is rounded to the cent, got {average}"
        )
