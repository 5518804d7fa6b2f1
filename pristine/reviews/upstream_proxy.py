"""Code review: an endpoint that calls another service (~15 min).

The pull request says: "Adds GET /rates/{currency}, which returns today's exchange rate for a
currency, fetched from the internal rates service." The rates service answers
GET /rates/{currency} with {"currency": "EUR", "rate": 1.0842, "as_of": "2026-11-20"} (404 when it
does not know the currency); it is usually fast and sometimes very slow. Review it as you would at
work: name every problem, say what it breaks in production and how badly, then fix this file in place.

The contract the tests hold you to: the rate as {"currency", "rate", "as_of"}; 404 for a currency the
rates service does not know; 504 when it does not answer in time; 502 when it fails or answers
nonsense (a timeout of any phase is a 504, any other transport error a 502, and nonsense is anything
that is not a currency, a number and a date); no call to it without a timeout of at most 5 seconds;
other requests keep being served while one waits for it; and one client serves the app's lifetime
(connections are reused), closed when the app shuts down.

Keep the seam the tests use: `create_app(transport)` builds the app, with every call to the rates
service going through that httpx transport (the tests pass a fake rates service; no network).

Run `dojo check upstream_proxy` (behaviour) and `dojo lint upstream_proxy` (ruff's review profile,
mypy --strict and the rule pack); `dojo answer upstream_proxy` shows the answer key once the tests pass.
"""

from typing import Any

import httpx
from fastapi import FastAPI

RATES_URL = "http://rates.internal"


def create_app(transport: httpx.BaseTransport) -> FastAPI:
    app = FastAPI()

    @app.get("/rates/{currency}")
    async def get_rate(currency: str) -> dict[str, Any]:
        # The rates service is sometimes slow, so never give up on it.
        with httpx.Client(transport=transport, base_url=RATES_URL, timeout=None) as client:
            response = client.get(f"/rates/{currency}")
        return response.json()

    return app
