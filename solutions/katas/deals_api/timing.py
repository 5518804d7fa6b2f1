"""Per-request SQL statistics, reported in a ``Server-Timing`` header when ``Settings.debug`` is on.

``Server-Timing: db;dur=3.12;desc="4 statements"`` shows up in the browser's network panel next to
each request: an N+1 is hard to miss when a 20-item page says "21 statements".

Engine events count statements; a context variable ties them to the request that ran them (the
middleware installs a fresh ``SqlStats`` per request; SQLAlchemy's greenlets share the context).
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "Server-Timing"


@dataclass
class SqlStats:
    statements: int = 0
    seconds: float = 0.0

    def header(self) -> str:
        noun = "statement" if self.statements == 1 else "statements"
        return f'db;dur={self.seconds * 1000:.2f};desc="{self.statements} {noun}"'


_current: ContextVar[SqlStats | None] = ContextVar("sql_stats", default=None)


def instrument(engine: AsyncEngine) -> None:
    """Count every statement ``engine`` sends, and the time the database took, into the current request's stats."""

    def before(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        conn.info.setdefault("deals_api_started", []).append(time.perf_counter())

    def after(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        started = conn.info["deals_api_started"].pop()
        stats = _current.get()
        if stats is not None:
            stats.statements += 1
            stats.seconds += time.perf_counter() - started

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    event.listen(engine.sync_engine, "after_cursor_execute", after)


class ServerTimingMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        stats = SqlStats()
        token = _current.set(stats)

        async def send_with_timing(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append(HEADER, stats.header())
            await send(message)

        try:
            await self.app(scope, receive, send_with_timing)
        finally:
            _current.reset(token)
