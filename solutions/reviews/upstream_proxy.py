"""Calling another service, reviewed: async client, a timeout policy, and every failure mapped.

- ``httpx.AsyncClient``: while the rates service thinks, the event loop serves other requests. A
  sync client inside ``async def`` freezes the whole process for as long as the slowest call.
- One client for the app's lifetime (closed on shutdown): connections to the rates service are
  pooled and reused instead of a new TCP (and TLS) handshake per request.
- ``UPSTREAM_TIMEOUT`` bounds every phase of the call. No timeout means a stalled upstream holds the
  request, its worker and the caller forever; the caller's own timeout fires first and retries pile up.
- Failures become the status a gateway should answer: 504 when the upstream is too slow, 502 when it
  fails, is unreachable or answers something that is not a rate, 404 when it does not know the
  currency. The upstream's body is validated (``Rate``) before it is passed on.
- The currency code is validated before it goes into a URL.

No ``from __future__ import annotations``: FastAPI reads the endpoint's annotations at runtime.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from decimal import Decimal
from typing import Annotated

import httpx
from fastapi import FastAPI, HTTPException, Path, status
from pydantic import BaseModel, ValidationError

RATES_URL = "http://rates.internal"
UPSTREAM_TIMEOUT = httpx.Timeout(3.0, connect=1.0)


class Rate(BaseModel):
    currency: str
    rate: Decimal
    as_of: date


def create_app(transport: httpx.AsyncBaseTransport | None = None) -> FastAPI:
    rates = httpx.AsyncClient(base_url=RATES_URL, transport=transport, timeout=UPSTREAM_TIMEOUT)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await rates.aclose()

    app = FastAPI(lifespan=lifespan)

    @app.get("/rates/{currency}")
    async def get_rate(currency: Annotated[str, Path(pattern=r"^[A-Z]{3}$")]) -> Rate:
        try:
            response = await rates.get(f"/rates/{currency}")
        except httpx.TimeoutException as error:
            raise HTTPException(status.HTTP_504_GATEWAY_TIMEOUT, detail="the rates service timed out") from error
        except httpx.HTTPError as error:
            raise HTTPException(status.HTTP_502_BAD_GATEWAY, detail="the rates service is unreachable") from error
        if response.status_code == status.HTTP_404_NOT_FOUND:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no rate for {currency}")
        if response.is_error:
            detail = f"the rates service failed ({response.status_code})"
            raise HTTPException(status.HTTP_502_BAD_GATEWAY, detail=detail)
        try:
            return Rate.model_validate_json(response.content)
        except ValidationError as error:
            detail = "the rates service answered something that is not a rate"
            raise HTTPException(status.HTTP_502_BAD_GATEWAY, detail=detail) from error

    return app
