"""Data models: Money, a slotted class, and a Pydantic boundary (kata, ~30 min).

"Prices are going through floats and we are a cent off on some invoices. Give me a proper Money type,
an order line that cannot hold a bad quantity, and validation of prices arriving in requests."

- `Money(amount, currency)`, a frozen dataclass (the internal value). `amount` must be a Decimal:
  a float is a TypeError whose message says float (1.005 is really 1.00499999...) and shows the fix,
  `Decimal('1.005')`; any other type is a TypeError that names the type it got; NaN/Infinity are
  a ValueError saying the amount must be finite. `currency` is three capital letters (a ValueError
  naming `currency` otherwise).
  The amount is quantised to cents with ROUND_HALF_UP: Decimal("0.125") -> 0.13.
- `repr(m)` evaluates back to an equal Money (with Money and Decimal in scope); `str(m)` is for people:
  "12.50 EUR". Equal amounts and currencies are equal (Decimal("12.5") == Decimal("12.50")), with equal
  hashes, so Money works in sets and as dict keys. Money is immutable.
- `a + b` and `a - b` for the same currency; different currencies raise CurrencyMismatchError (a
  ValueError) naming both currencies and the operation ("add", "subtract"). `m * 3`, `3 * m`,
  `m * Decimal("0.5")` multiply (result in cents again); anything else (another Money, a float, a
  bool) is a TypeError.
- `LineItem(sku, unit_price, quantity=1)`: uses `__slots__`, so it has no `__dict__` and assigning an
  unknown attribute raises AttributeError. `quantity` is a property whose setter requires an int >= 1
  (TypeError for non-ints, bool included; ValueError below 1; both name `quantity`), in the
  constructor too; a rejected value leaves the old one. `total` is unit_price * quantity.
- `PriceIn`, a Pydantic model for request bodies: amount > 0 with at most 2 decimal places (12.345 is
  rejected, not rounded), currency matching ^[A-Z]{3}$, unknown fields rejected; `to_money()`.

Run `dojo check data_models`; `dojo hint data_models` when stuck.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pydantic import BaseModel


class CurrencyMismatchError(ValueError):
    """Arithmetic between two currencies: convert one of them first."""


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        raise NotImplementedError("Money.__post_init__")  # TODO

    def __repr__(self) -> str:
        raise NotImplementedError("Money.__repr__")  # TODO

    def __str__(self) -> str:
        raise NotImplementedError("Money.__str__")  # TODO

    def __add__(self, other: object) -> Money:
        raise NotImplementedError("Money.__add__")  # TODO

    def __sub__(self, other: object) -> Money:
        raise NotImplementedError("Money.__sub__")  # TODO

    def __mul__(self, factor: object) -> Money:
        raise NotImplementedError("Money.__mul__")  # TODO

    def __rmul__(self, factor: object) -> Money:
        raise NotImplementedError("Money.__rmul__")  # TODO


class LineItem:
    # TODO: __slots__

    def __init__(self, sku: str, unit_price: Money, quantity: int = 1) -> None:
        raise NotImplementedError("LineItem.__init__")  # TODO

    @property
    def quantity(self) -> int:
        raise NotImplementedError("LineItem.quantity")  # TODO

    @quantity.setter
    def quantity(self, value: int) -> None:
        raise NotImplementedError("LineItem.quantity setter")  # TODO

    @property
    def total(self) -> Money:
        raise NotImplementedError("LineItem.total")  # TODO


class PriceIn(BaseModel):
    # TODO: constrain the fields and reject unknown ones
    amount: Decimal
    currency: str

    def to_money(self) -> Money:
        raise NotImplementedError("PriceIn.to_money")  # TODO
