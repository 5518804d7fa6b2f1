"""Round 7's edges for Server-Timing: every response carries it (a write, a 422 that sends no SQL), the
count is the request's own, also while other requests run at the same time, and ``dur`` is in milliseconds."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event

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


@contextmanager
def time_spent_in_statements() -> Iterator[list[float]]:
    """The seconds every engine spent between sending a statement and getting its cursor back, as the test's own
    listeners on SQLAlchemy's ``Engine`` class see it (``[total]``, filled while the block runs)."""
    total = [0.0]
    started: list[float] = []

    def before(*_: Any) -> None:
        started.append(time.perf_counter())

    def after(*_: Any) -> None:
        total[0] += time.perf_counter() - started.pop()

    event.listen(Engine, "before_cursor_execute", before)
    event.listen(Engine, "after_cursor_execute", after)
    try:
        yield total
    finally:
        event.remove(Engine, "before_cursor_execute", before)
        event.remove(Engine, "after_cursor_execute", after)


async def test_the_database_time_is_in_milliseconds(sample) -> None:
    # No threshold on how long anything takes: the header's dur is compared with the same statements' time as
    # measured here, and a factor of 20 either way leaves room for what each side counts. A dur written in
    # seconds is 1000 times too small (3 ms shows as 0.00), and one never added up stays 0.00.
    async with running_app(sample.url, debug=True) as client:
        with time_spent_in_statements() as measured:
            response = await client.get("/deals", params={"limit": 100})
    assert response.status_code == 200, response.text
    match = SERVER_TIMING.search(response.headers.get("Server-Timing") or "")
    assert match, f'expected Server-Timing like db;dur=3.12;desc="4 statements", got {response.headers!r}'
    expected_ms = measured[0] * 1000
    assert expected_ms / 20 <= float(match["ms"]) <= expected_ms * 20, (
        f"dur is the database time in milliseconds: this request's statements took {expected_ms:.2f} ms, the header "
        f"says dur={match['ms']}"
    )
