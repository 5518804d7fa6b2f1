"""The exchange-rate client, reviewed: a decorator that keeps the function's identity, a cache per client.

- A wrapper without ``functools.wraps`` replaces the function with something called ``wrapper``,
  with no docstring and a ``(*args, **kwargs)`` signature. Everything that introspects it then sees
  the wrong thing: API docs, logs and metrics keyed by ``__name__``, and frameworks that read the
  signature (FastAPI, Typer, pytest). ``wraps`` copies the name, qualname, docstring, module and
  annotations, and sets ``__wrapped__``, which ``inspect.signature`` follows.
- Default values are evaluated once, when ``def`` runs. ``cache={}`` was one dict shared by every
  RateClient built without an explicit cache: each tenant's client answered from the others' rates.
  The default is now ``None`` and each client makes its own dict (passing a cache in stays possible,
  for sharing on purpose).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, MutableMapping
from decimal import Decimal
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

Fetch = Callable[[str, str], Decimal]


def retry(attempts: int = 3) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Call the function again (up to `attempts` calls in all) when the connection drops."""

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
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

    def __init__(self, fetch: Fetch, cache: MutableMapping[tuple[str, str], Decimal] | None = None) -> None:
        self._fetch = fetch
        self._cache: MutableMapping[tuple[str, str], Decimal] = {} if cache is None else cache

    @retry(attempts=3)
    def rate(self, base: str, quote: str) -> Decimal:
        """How many units of `quote` one unit of `base` buys."""
        if (base, quote) not in self._cache:
            self._cache[base, quote] = self._fetch(base, quote)
        return self._cache[base, quote]

    def convert(self, amount: Decimal, base: str, quote: str) -> Decimal:
        """`amount` in `base`, converted to `quote` and rounded to cents."""
        return (amount * self.rate(base, quote)).quantize(Decimal("0.01"))
