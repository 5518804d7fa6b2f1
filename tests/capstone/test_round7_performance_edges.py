"""Round 7's edges for Server-Timing: every response carries it (a write, a 422 that sends no SQL), and the
count is the request's own, also while other requests run at the same time."""

from __future__ import annotations

import asyncio

from tests.capstone.helpers import SERVER_TIMING, StatementLog, running_app


def counted(header: str | None) -> int:
    match = SERVER_TIMING.search(header or "")
    assert match, f'expected Server-Timing like db;dur=3.12;desc="4 statements", got {header!r}'
    return int(match["count"])


async def test_writes_and_refusals_report_their_statements(known, sql_log: StatementLog) -> None:
    hotel_id = int(await known.scalar("SELECT min(id) FROM hotels"))
    body = {"hotel_id": hotel_id, "room_type": "Suite", "star_rating": 5, "price_per_night": 180.0,
            "original_price": 200.0, "discount_percent": 10, "checkin_date": "2025-07-01", "checkout_date": "2025-07-05"}  # fmt: skip
    async with running_app(known.url, debug=True) as client:
        with sql_log.record():
            created = await client.post("/deals", json=body)
        assert created.status_code == 201, created.text
        assert counted(created.headers.get("Server-Timing")) == len(sql_log.statements), (
            "POST /deals: the header counts every statement the request sent (INSERTs too):\n" + "\n".join(sql_log.statements)
        )
        with sql_log.record():
            refused = await client.get("/deals", params={"limit": 0})
        assert refused.status_code == 422
        assert counted(refused.headers.get("Server-Timing")) == len(sql_log.statements) == 0, (
            "a 422 sends no SQL, and still carries the header: 0 statements"
        )


async def test_concurrent_requests_each_count_their_own_statements(sample) -> None:
    async with running_app(sample.url, debug=True) as client:
        alone = {path: counted((await client.get(path)).headers.get("Server-Timing")) for path in ("/deals", "/deals/stats")}
        paths = ["/deals", "/deals/stats"] * 4
        responses = await asyncio.gather(*(client.get(path) for path in paths))
    got = [(path, counted(response.headers.get("Server-Timing"))) for path, response in zip(paths, responses, strict=True)]
    assert got == [(path, alone[path]) for path in paths], (
        f"alone, GET /deals sends {alone['/deals']} statements and GET /deals/stats {alone['/deals/stats']}; "
        f"sent together, each response must still count its own (a per-request context, not a shared counter): {got}"
    )
