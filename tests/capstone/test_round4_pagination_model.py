"""Round 4, model-based: a Hypothesis state machine creates, changes and deletes deals through the API while
it reads offset pages and walks the feed, and checks every answer against the oracle kept in step with
the writes (a plain model: a dict of deals, filtered and sliced in Python).

- An offset page is the model's slice of the deals matching the filters, in id order, with its total.
- A feed page is the model's first ``limit`` matching deals after the last one the walk has seen, as the
  deals are NOW: a deal deleted before the walk reached it is not shown, one created meanwhile is (it
  has a higher id), and nothing is repeated or skipped.
- Each deal shown equals the model's, its hotel's average star rating included, after the writes so far.

The database and the model live on from one Hypothesis run to the next (reloading 300 deals per run
would cost more than the runs): each run starts from the state the last one left. Shrinking is off, as
a shrunk run would start from a different state.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule, run_state_machine_as_test

from tests.capstone.oracle import Filters, Oracle, Row, SyncClient, filters, run_in_thread

RUNS = settings(
    max_examples=4, stateful_step_count=20, phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)  # fmt: skip


@dataclass
class Walk:
    """A feed walk in progress: its filters, page size, the cursor to follow and the ids seen so far."""

    filters: Filters
    limit: int
    cursor: str | None = None
    seen: list[int] = field(default_factory=list)


def machine(oracle: Oracle, http: SyncClient) -> type[RuleBasedStateMachine]:
    class PagesUnderWrites(RuleBasedStateMachine):
        walk: Walk | None = None

        @initialize()
        def no_walk_yet(self) -> None:
            self.walk = None

        def pick(self, data: st.DataObject) -> Row:
            return data.draw(st.sampled_from(oracle.rows), label="deal")

        @rule(data=st.data())
        def delete(self, data: st.DataObject) -> None:
            row = self.pick(data)
            response = http.request("DELETE", f"/deals/{row.deal_id}")
            assert response.status_code == 204, f"DELETE /deals/{row.deal_id}: {response.status_code} {response.text}"
            oracle.remove(row.deal_id)

        @rule(data=st.data(), star=st.integers(1, 5), cents_off=st.integers(0, 5000))
        def patch(self, data: st.DataObject, star: int, cents_off: int) -> None:
            row = self.pick(data)
            price = max(Decimal("0.01"), row.original_price - Decimal(cents_off) / 100)
            body = {"star_rating": star, "price_per_night": float(price)}
            response = http.request("PATCH", f"/deals/{row.deal_id}", body)
            assert response.status_code == 200, f"PATCH /deals/{row.deal_id} {body}: {response.status_code} {response.text}"
            changed = replace(row, star_rating=star, price=price)
            oracle.put(changed)
            oracle.check_deals([response.json()], [changed])

        @rule(data=st.data(), star=st.integers(1, 5), cents=st.integers(1000, 60000), nights=st.integers(1, 9))
        def post(self, data: st.DataObject, star: int, cents: int, nights: int) -> None:
            hotel = self.pick(data)  # the new deal goes to this deal's hotel
            checkin, checkout = date(2026, 3, 1).isoformat(), (date(2026, 3, 1) + timedelta(days=nights)).isoformat()
            body = {
                "hotel_id": oracle.hotel_ids[hotel.phone], "room_type": "Suite", "star_rating": star,
                "price_per_night": cents / 100, "original_price": cents / 100, "discount_percent": 0,
                "checkin_date": checkin, "checkout_date": checkout,
                "is_available": True,
            }  # fmt: skip
            response = http.request("POST", "/deals", body)
            assert response.status_code == 201, f"POST /deals {body}: {response.status_code} {response.text}"
            created = response.json()
            row = replace(
                hotel, external_id=None, star_rating=star, room_type="Suite", price=Decimal(cents) / 100,
                original_price=Decimal(cents) / 100, discount_percent=0, checkin_date=checkin,
                checkout_date=checkout, is_available=True, categories=frozenset(),
                created_at=datetime.fromisoformat(created["created_at"]), deal_id=created["id"],
            )  # fmt: skip
            oracle.put(row)
            oracle.check_deals([created], [row])

        @rule(chosen=filters(oracle), limit=st.integers(1, 100), data=st.data())
        def offset_page(self, chosen: Filters, limit: int, data: st.DataObject) -> None:
            expected = oracle.matching(chosen)
            skip = data.draw(st.integers(0, max(0, len(expected) - 1)), label="skip")
            body = http.json("/deals", {**chosen.params, "skip": skip, "limit": limit})
            where = f"GET /deals?{chosen}&skip={skip}&limit={limit}"
            assert body["total"] == len(expected), f"{where}: total is {len(expected)}, got {body['total']}"
            want = [row.deal_id for row in expected[skip : skip + limit]]
            assert [deal["id"] for deal in body["items"]] == want, f"{where}: expected {want}"
            oracle.check_deals(body["items"], expected[skip : skip + limit])

        @precondition(lambda self: self.walk is None)
        @rule(chosen=filters(oracle), limit=st.integers(1, 40))
        def start_walk(self, chosen: Filters, limit: int) -> None:
            self.walk = Walk(chosen, limit)
            self.next_feed_page()

        @precondition(lambda self: self.walk is not None)
        @rule()
        def next_feed_page(self) -> None:
            walk = self.walk
            assert walk is not None
            params: dict[str, Any] = {**walk.filters.params, "limit": walk.limit}
            if walk.cursor is not None:
                params["after"] = walk.cursor
            body = http.json("/deals/feed", params)
            last = walk.seen[-1] if walk.seen else 0
            after = [row for row in oracle.matching(walk.filters) if row.deal_id > last]
            want = [row.deal_id for row in after[: walk.limit]]
            got = [deal["id"] for deal in body["items"]]
            assert got == want, (
                f"GET /deals/feed?{walk.filters}&limit={walk.limit} after deal {last}: the matching deals that follow "
                f"it now are {want}, got {got}"
            )
            oracle.check_deals(body["items"], after[: walk.limit])
            walk.seen += got
            more = len(after) > walk.limit
            assert (body["next_cursor"] is not None) == more, (
                f"the feed page ending at deal {got[-1] if got else last} must have "
                f"{'a next_cursor' if more else 'next_cursor null: no matching deal follows'}, got {body['next_cursor']!r}"
            )
            walk.cursor = body["next_cursor"]
            if walk.cursor is None:
                self.walk = None

    return PagesUnderWrites


async def test_pages_and_the_feed_follow_the_model_through_writes(oracle: Oracle, client) -> None:
    await run_in_thread(client, lambda http: run_state_machine_as_test(machine(oracle, http), settings=RUNS))
