"""Helpers for the kit's tests: deterministic stand-ins for time, and an app behind an in-process client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI


@asynccontextmanager
async def serve(
    app: FastAPI, *, crash_as_500: bool = False, peer: tuple[str, int] = ("127.0.0.1", 123)
) -> AsyncIterator[httpx.AsyncClient]:
    """Run the app's startup and shutdown around an httpx client that calls it in-process (no sockets).

    ``crash_as_500``: an unhandled exception in the app comes back as a 500 response (what a client
    would see) instead of propagating into the test. ``peer``: the address requests come from.
    """
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=not crash_as_500, client=peer)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


class FakeClock:
    """A monotonic clock the test moves by hand: pass ``clock`` where code would call time.monotonic."""

    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a monotonic clock never goes back")
        self.now += seconds


@dataclass
class ConnectionCount:
    """DBAPI connections opened and closed by every SQLAlchemy pool while ``count_connections`` ran."""

    opened: int = 0
    closed: int = 0

    def assert_all_closed(self) -> None:
        """The check of an app that must dispose of its engine when it shuts down, with the message to show."""
        assert self.opened >= 1, "expected the app to connect to its database"
        assert self.closed == self.opened, (
            f"the app opened {self.opened} database connection(s) and, once it had shut down, had closed"
            f" {self.closed}: the engine must be disposed when the app shuts down (its lifespan), or its pooled"
            " connections outlive it"
        )


@contextmanager
def count_connections() -> Iterator[ConnectionCount]:
    """Count the DBAPI connections every SQLAlchemy pool opens and closes inside the block.

    A leak is then a named test's failed assertion (``assert_all_closed``), not a ResourceWarning that
    some later teardown turns into an error.
    """
    from sqlalchemy import event
    from sqlalchemy.pool import Pool

    count = ConnectionCount()

    def on_connect(*_: Any) -> None:
        count.opened += 1

    def on_close(*_: Any) -> None:
        count.closed += 1

    event.listen(Pool, "connect", on_connect)
    event.listen(Pool, "close", on_close)
    try:
        yield count
    finally:
        event.remove(Pool, "connect", on_connect)
        event.remove(Pool, "close", on_close)
