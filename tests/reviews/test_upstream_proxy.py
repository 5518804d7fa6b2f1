"""upstream_proxy: GET /rates/{currency} maps upstream failures (504/502/404), sets a timeout, never blocks."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from decimal import Decimal

import httpx
import pytest
from fastapi import FastAPI

from dojo import testing
from reviews.upstream_proxy import create_app

SAFETY_TIMEOUT = 3.0  # seconds; only ever reached when the code under test is broken
MAX_UPSTREAM_TIMEOUT = 5.0  # the documented policy: never wait longer than this for the rates service

Answer = Callable[[httpx.Request], httpx.Response]


def a_rate(request: httpx.Request) -> httpx.Response:
    currency = request.url.path.rsplit("/", 1)[-1]
    return httpx.Response(200, json={"currency": currency, "rate": 1.0842, "as_of": "2026-11-20"})


class FakeRates(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """The rates service, in process: `answer` decides the response (or raises, as a failing network would).

    A sync client calls `handle_request` on its own thread, so whatever `answer` waits for, that thread
    waits for. An async client awaits `handle_async_request`, which waits in a worker thread, as a real
    async client waits on its socket without holding the event loop.
    """

    def __init__(self, answer: Answer = a_rate) -> None:
        self.answer = answer
        self.requests: list[httpx.Request] = []
        self.closed = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answer(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return await asyncio.to_thread(self.answer, request)

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


def serve(app: FastAPI) -> AbstractAsyncContextManager[httpx.AsyncClient]:
    """The app with its startup and shutdown run; a crash in the app comes back as a 500 response."""
    return testing.serve(app, crash_as_500=True)


async def get_rate(upstream: FakeRates, currency: str = "EUR") -> httpx.Response:
    async with serve(create_app(upstream)) as client:
        return await client.get(f"/rates/{currency}")


@pytest.mark.guard
async def test_returns_the_rate_from_the_rates_service():
    upstream = FakeRates()
    response = await get_rate(upstream)
    assert response.status_code == 200, f"GET /rates/EUR answered {response.status_code}: {response.text}"
    body = response.json()
    assert (body["currency"], Decimal(str(body["rate"])), body["as_of"]) == ("EUR", Decimal("1.0842"), "2026-11-20")
    assert [str(request.url) for request in upstream.requests] == ["http://rates.internal/rates/EUR"]


def raises(error: type[httpx.TransportError], message: str) -> Answer:
    def answer(request: httpx.Request) -> httpx.Response:
        raise error(message, request=request)

    return answer


@pytest.mark.parametrize(
    "error",
    [httpx.ReadTimeout, httpx.ConnectTimeout, httpx.WriteTimeout, httpx.PoolTimeout],
    ids=["read", "connect", "write", "pool"],
)
async def test_an_upstream_timeout_is_a_504(error):
    response = await get_rate(FakeRates(raises(error, "the rates service did not answer in time")))
    assert response.status_code == 504, (
        f"the call to the rates service raised {error.__name__} and GET /rates/EUR answered {response.status_code}:"
        " a gateway whose upstream is too slow (whichever phase timed out) answers 504 Gateway Timeout, not a 500"
    )


def json_text(text: str) -> Answer:
    """An answer with this exact JSON text (httpx's json= refuses to write NaN)."""

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=text.encode(), headers={"Content-Type": "application/json"})

    return answer


def refuses_connections(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


@pytest.mark.parametrize(
    "answer",
    [
        lambda request: httpx.Response(500, json={"error": "database down"}),
        lambda request: httpx.Response(503, text="Service Unavailable"),
        refuses_connections,
        raises(httpx.RemoteProtocolError, "server disconnected without sending a response"),
        raises(httpx.ReadError, "connection reset by peer"),
        lambda request: httpx.Response(200, text="<html>maintenance</html>"),
        lambda request: httpx.Response(200, json={"error": "try later"}),
        lambda request: httpx.Response(200, json={"currency": "EUR", "rate": "lots", "as_of": "2026-11-20"}),
        lambda request: httpx.Response(200, json={"currency": "EUR", "rate": 1.08, "as_of": "yesterday"}),
        lambda request: httpx.Response(200, json=[{"currency": "EUR", "rate": 1.08, "as_of": "2026-11-20"}]),
    ],
    ids=[
        "500-with-json",
        "503",
        "unreachable",
        "disconnected",
        "connection-reset",
        "html-not-json",
        "json-not-a-rate",
        "rate-not-a-number",
        "as-of-not-a-date",
        "a-list",
    ],
)
async def test_an_upstream_failure_is_a_502(answer):
    response = await get_rate(FakeRates(answer))
    assert response.status_code == 502, (
        f"the rates service failed and GET /rates/EUR answered {response.status_code} {response.text}: a failing or"
        " nonsensical upstream is a 502 Bad Gateway; passing its error body on with 200 (or crashing) hides it"
    )


@pytest.mark.parametrize("rate", ["NaN", "Infinity", "-Infinity", "true"])
async def test_a_rate_that_is_not_a_finite_number_is_a_502(rate):
    # Python's json module writes and reads NaN and Infinity, so an upstream in Python can send them.
    response = await get_rate(FakeRates(json_text(f'{{"currency": "EUR", "rate": {rate}, "as_of": "2026-11-20"}}')))
    assert response.status_code == 502, (
        f"the rates service answered a rate of {rate} and GET /rates/EUR answered {response.status_code}"
        f" {response.text}: that is not a number, so it is nonsense (a 502). A plain `float` field takes NaN and"
        " Infinity, and true as 1.0; Decimal refuses all three, as does float with strict=True and allow_inf_nan=False"
    )


async def test_a_currency_the_rates_service_does_not_know_is_a_404():
    response = await get_rate(FakeRates(lambda request: httpx.Response(404, json={"error": "unknown currency"})))
    assert response.status_code == 404, (
        f"the rates service answered 404 for XYZ and GET /rates/XYZ answered {response.status_code} {response.text}"
    )


async def test_every_upstream_call_has_a_timeout():
    upstream = FakeRates()
    await get_rate(upstream)
    assert upstream.requests, "the rates service was never called"
    timeouts = upstream.requests[0].extensions["timeout"]
    assert all(value is not None for value in timeouts.values()), (
        f"the call to the rates service was made with timeouts {timeouts}: with no timeout, a stalled upstream holds"
        " the request (and its worker) forever"
    )
    assert max(timeouts.values()) <= MAX_UPSTREAM_TIMEOUT, (
        f"timeouts {timeouts}: the policy is to wait at most {MAX_UPSTREAM_TIMEOUT} s for the rates service"
    )


async def test_a_slow_upstream_call_does_not_stop_other_requests():
    """GET /rates/EUR waits in the rates service until GET /rates/USD reaches it: only possible if both run."""
    eur_arrived, eur_released = threading.Event(), threading.Event()
    released_in_time: list[bool] = []

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/EUR"):
            eur_arrived.set()
            released_in_time.append(eur_released.wait(SAFETY_TIMEOUT))
        else:
            eur_released.set()
        return a_rate(request)

    async with serve(create_app(FakeRates(answer))) as client:
        eur = asyncio.create_task(client.get("/rates/EUR"))
        assert await asyncio.to_thread(eur_arrived.wait, SAFETY_TIMEOUT), "GET /rates/EUR never called the service"
        usd = await client.get("/rates/USD")
        eur_response = await eur
    assert (eur_response.status_code, usd.status_code) == (200, 200)
    assert released_in_time == [True], (
        "GET /rates/USD only ran after GET /rates/EUR had given up waiting: the call to the rates service blocked"
        " the event loop (a sync client inside `async def`), so the whole process stalled behind one slow call"
    )


async def test_one_client_serves_the_app_and_is_closed_at_shutdown():
    upstream = FakeRates()
    async with serve(create_app(upstream)) as client:
        statuses = [(await client.get(f"/rates/{currency}")).status_code for currency in ("EUR", "USD")]
        open_while_serving = not upstream.closed
    assert statuses == [200, 200], f"GET /rates/EUR and /rates/USD answered {statuses}"
    assert open_while_serving, (
        "the connection to the rates service was closed after a request: a client per request pays a new TCP (and"
        " TLS) handshake every time. Make one client when the app starts and reuse its pooled connections"
    )
    assert upstream.closed, (
        "the app shut down and its client for the rates service was never closed: its pooled connections (and"
        " their sockets) outlive the app. Close it in the lifespan"
    )
