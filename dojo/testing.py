"""Helpers for the kit's tests: deterministic stand-ins for time, and an app behind an in-process client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

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
