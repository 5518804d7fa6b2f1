"""Liveness and readiness, for an orchestrator (Kubernetes probes, a load balancer's health check).

- ``GET /health`` (liveness): the process is up and serving. It touches no dependency, so a database
  outage does not get every replica restarted, which would not bring the database back.
- ``GET /ready`` (readiness): the database answers ``SELECT 1`` within the connect timeout. While it
  does not, the answer is ``503 database_unavailable`` with ``Retry-After``, and the balancer sends
  traffic elsewhere; the pool reconnects on its own when the database is back.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from .schemas import UNAVAILABLE, Status

router = APIRouter(tags=["ops"])


@router.get("/health")
async def health() -> Status:
    return Status(status="ok")


@router.get("/ready", responses={503: UNAVAILABLE})
async def ready(request: Request) -> Status:
    engine: AsyncEngine = request.app.state.engine
    async with engine.connect() as connection:  # a failure is a 503, by the database error handler
        await connection.execute(text("SELECT 1"))
    return Status(status="ready")
