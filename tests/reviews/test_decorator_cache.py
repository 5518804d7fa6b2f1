"""decorator_cache: a decorated function keeps its identity, and every client keeps its own cache."""

from __future__ import annotations

import inspect
from decimal import Decimal

import httpx
import pytest
from fastapi import FastAPI

from reviews.decorator_cache import RateClient, retry


class FlakyProvider:
    """A rate provider that drops the connection `failures` times, then answers; it counts its calls."""

    def __init__(self, rate: str, failures: int = 0) -> None:
        self.rate = Decimal(rate)
        self.failures = failures
        self.calls = 0

    def __call__(self, base: str, quote: str) -> Decimal:
        self.calls += 1
        if self.calls <= self.failures:
            raise ConnectionError("provider hung up")
        return self.rate


@pytest.mark.guard
def test_retries_a_dropped_connection_and_caches_the_rate():
    provider = FlakyProvider("1.10", failures=2)
    client = RateClient(provider, cache={})
    assert client.convert(Decimal("100"), "EUR", "USD") == Decimal("110.00")
    assert client.rate("EUR", "USD") == Decimal("1.10")
    assert provider.calls == 3, "two dropped connections, one answer, then the cache: three calls in all"


def test_the_decorated_method_keeps_its_name_and_docstring():
    rate = RateClient.rate
    assert rate.__name__ == "rate", f"RateClient.rate is now called {rate.__name__!r}: the decorator hid it"
    assert rate.__qualname__ == "RateClient.rate"
    assert rate.__doc__ is not None
    assert "units of `quote`" in rate.__doc__, "the docstring of the decorated method was lost"
    assert hasattr(rate, "__wrapped__"), "a well-behaved decorator leaves __wrapped__ pointing at the original"


def test_the_decorated_method_keeps_its_signature():
    parameters = list(inspect.signature(RateClient.rate).parameters)
    assert parameters == ["self", "base", "quote"], (
        f"inspect.signature(RateClient.rate) lists {parameters}: tools that read signatures "
        "(FastAPI, Typer, IDEs) see (*args, **kwargs) instead of the real parameters"
    )


async def test_fastapi_sees_the_parameters_of_a_decorated_endpoint():
    app = FastAPI()

    @app.get("/double")
    @retry(attempts=2)
    def double(n: int) -> int:
        return 2 * n

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        response = await client.get("/double", params={"n": 21})
    assert response.status_code == 200, (
        f"GET /double?n=21 answered {response.status_code} {response.text}: FastAPI reads the endpoint's "
        "signature, and the undecorated wrapper shows it `args` and `kwargs` instead of `n`"
    )
    assert response.json() == 42


def test_clients_built_without_a_cache_do_not_share_one():
    tenant_a = RateClient(FlakyProvider("1.10"))
    tenant_b_provider = FlakyProvider("1.25")
    tenant_b = RateClient(tenant_b_provider)
    assert tenant_a.rate("EUR", "USD") == Decimal("1.10")
    assert tenant_b.rate("EUR", "USD") == Decimal("1.25"), (
        "tenant B's client answered with tenant A's rate: both clients share the one dict created as the "
        "default value of `cache`"
    )
    assert tenant_b_provider.calls == 1, "tenant B's provider was never asked"


@pytest.mark.guard
def test_a_cache_passed_in_is_the_one_used():
    shared: dict[tuple[str, str], Decimal] = {}
    first_provider, second_provider = FlakyProvider("1.10"), FlakyProvider("9.99")
    first, second = RateClient(first_provider, cache=shared), RateClient(second_provider, cache=shared)
    assert first.rate("EUR", "USD") == Decimal("1.10")
    assert shared == {("EUR", "USD"): Decimal("1.10")}, f"the cache passed in holds {shared} after one lookup"
    assert second.rate("EUR", "USD") == Decimal("1.10"), (
        "a client given a cache must use it: two clients built with the same dict share their rates on purpose"
    )
    assert second_provider.calls == 0, "the rate was in the shared cache, yet the second client asked its provider"


@pytest.mark.guard
def test_retry_without_arguments_makes_three_attempts():
    for failures, answers in ((2, True), (3, False)):
        provider = FlakyProvider("1.10", failures=failures)
        fetch = retry()(provider)
        if answers:
            assert fetch("EUR", "USD") == Decimal("1.10"), "retry() makes up to 3 calls: 2 drops, then the answer"
        else:
            with pytest.raises(ConnectionError):
                fetch("EUR", "USD")
        assert provider.calls == 3, f"retry() made {provider.calls} calls for {failures} drops; it makes 3 at most"
