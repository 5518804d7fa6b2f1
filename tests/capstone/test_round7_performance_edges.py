"""Round 7's edges for Server-Timing: every response carries it (a write, a 422 that sends no SQL), the
count is the request's own, also while other requests run at the same time, and ``dur`` is in milliseconds,
summed over the statements as time.perf_counter() tells (the test injects that clock)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
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


class StatementClock:
    """A stand-in for ``time.perf_counter`` that stands still except while the database runs a statement the app
    sends: the dialect's ``do_execute`` (``do_executemany``, ``do_execute_no_params``) runs between
    ``before_cursor_execute`` and ``after_cursor_execute``, and there the clock moves on by ``step`` seconds. So each
    statement takes exactly ``step``, however loaded the machine is. (The driver's own set-up queries on a first
    connection reach ``do_execute`` without the cursor events, which is why it only moves between them.)"""

    def __init__(self, step: float) -> None:
        self.now = 1000.0
        self.step = step
        self.statements = 0
        self.open = 0

    def __call__(self) -> float:
        return self.now

    def before(self, *_: Any) -> None:
        self.open += 1

    def after(self, *_: Any) -> None:
        self.open -= 1

    def tick(self, *_: Any) -> None:  # returns None: SQLAlchemy then runs the statement as usual
        if self.open:
            self.now += self.step
            self.statements += 1


@contextmanager
def statements_take(step: float) -> Iterator[StatementClock]:
    """``time.perf_counter`` is a ``StatementClock`` while the block runs."""
    clock = StatementClock(step)
    listeners = [("before_cursor_execute", clock.before), ("after_cursor_execute", clock.after)]
    listeners += [(name, clock.tick) for name in ("do_execute", "do_executemany", "do_execute_no_params")]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(time, "perf_counter", clock)
        for name, listener in listeners:
            event.listen(Engine, name, listener)
        try:
            yield clock
        finally:
            for name, listener in listeners:
                event.remove(Engine, name, listener)


async def test_the_database_time_is_in_milliseconds(sample) -> None:
    # No real time is measured: while the request runs, time.perf_counter is a clock that moves on 2.5 ms during
    # each statement and stands still otherwise, so dur must be exactly 2.5 ms times the statements it counts. A dur
    # written in seconds is 1000 times too small (0.01), one never added up stays 0.00, one that keeps only the last
    # statement's time says 2.50.
    async with running_app(sample.url, debug=True) as client:
        with statements_take(0.0025) as clock:
            response = await client.get("/deals", params={"limit": 100})
    assert response.status_code == 200, response.text
    match = SERVER_TIMING.search(response.headers.get("Server-Timing") or "")
    assert match, f'expected Server-Timing like db;dur=3.12;desc="4 statements", got {response.headers!r}'
    assert clock.statements > 1, "GET /deals sends a few statements"
    expected_ms = clock.statements * 2.5
    assert float(match["ms"]) == pytest.approx(expected_ms, abs=0.01), (
        f"dur is the database time in milliseconds, summed over the request's statements, timed with "
        f"time.perf_counter(): this request's {clock.statements} statements took {expected_ms:.2f} ms by the test's "
        f"clock, the header says dur={match['ms']}"
    )
