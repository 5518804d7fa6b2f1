"""Code review: the exchange-rate client (~10 min).

"RateClient wraps the rate provider: it retries dropped connections and remembers every rate it
has looked up. Two things came back from staging: the API docs list `rate` as `wrapper(*args,
**kwargs)`, and the client we build per tenant (each with its own provider) sometimes quotes
another tenant's rates. Review it, then fix it."

Read it as a reviewer first: what does `retry` return, and where does a RateClient keep its cache?
Then fix this file in place: the same `retry` decorator (`retry()` makes up to 3 calls) and
`RateClient` API (a `cache` passed in is the one the client uses, so clients can share one on purpose),
and a file that `dojo lint decorator_cache` passes.

Run `dojo check decorator_cache`; `dojo hint decorator_cache` when stuck.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

Fetch = Callable[[str, str], Decimal]


def retry(attempts: int = 3) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Call the function again (up to `attempts` calls in all) when the connection drops."""

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            for _ in range(attempts - 1):
                try:
                    return func(*args, **kwargs)
                except ConnectionError:
                    continue
            return func(*args, **kwargs)

        return wrapper

    return decorate


class RateClient:
    """Exchange rates from one provider, each looked up once."""

    def __init__(self, fetch: Fetch, cache: dict[tuple[str, str], Decimal] = {}) -> None:
        self._fetch = fetch
        self._cache = cache

    @retry(attempts=3)
    def rate(self, base: str, quote: str) -> Decimal:
        """How many units of `quote` one unit of `base` buys."""
        if (base, quote) not in self._cache:
            self._cache[base, quote] = self._fetch(base, quote)
        return self._cache[base, quote]

    def convert(self, amount: Decimal, base: str, quote: str) -> Decimal:
        """`amount` in `base`, converted to `quote` and rounded to cents."""
        return (amount * self.rate(base, quote)).quantize(Decimal("0.01"))
