"""Round 1 against the oracle: every deal of a generated file, listed and fetched, equals its CSV row.

The file (``oracle`` fixture, tests/capstone/oracle.py) is the generator's, shuffled, with the CSV's ids
moved to 1001 and up: the database's ``id`` and the CSV's ``id`` (``external_id``) never coincide, and
several hotels share a city or a name, so a mix-up between them shows. Every field is compared, including
``created_at`` as an instant with its offset and the hotel's ``avg_star_rating`` over all its deals.
"""

from __future__ import annotations

from typing import Any

from tests.capstone.oracle import Oracle, every_deal, run_in_thread


async def test_every_listed_deal_equals_its_csv_row(oracle: Oracle, client) -> None:
    found: list[dict[str, Any]] = []
    await run_in_thread(client, lambda http: found.extend(every_deal(http, {})))
    listed = {deal["id"]: deal for deal in found}
    assert len(found) == len(listed), "GET /deals lists each deal once"
    assert sorted(listed) == [row.deal_id for row in oracle.rows], "GET /deals lists every deal of the file"
    oracle.check_deals([listed[row.deal_id] for row in oracle.rows], oracle.rows)


async def test_each_deal_is_fetched_by_its_database_id(oracle: Oracle, client) -> None:
    for row in oracle.rows[::15]:
        deal_id = row.deal_id
        response = await client.get(f"/deals/{deal_id}")
        assert response.status_code == 200, (
            f"GET /deals/{deal_id}: the deal whose database id is {deal_id} (its CSV id is {row.external_id}) "
            f"exists; got {response.status_code}"
        )
        oracle.check_deals([response.json()], [row])


async def test_the_csv_id_is_not_the_path_id(oracle: Oracle, client) -> None:
    # The CSV's ids start at 1001; the database holds 300 deals, none with an id that high.
    row = oracle.rows[0]
    response = await client.get(f"/deals/{row.external_id}")
    assert response.status_code == 404, (
        f"GET /deals/{row.external_id} names a deal by its database id; {row.external_id} is only a CSV id "
        f"(external_id) here, so the answer is 404, got {response.status_code}"
    )
