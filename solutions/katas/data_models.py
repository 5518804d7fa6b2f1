"""Data models: a Money value type, a slotted class with a validated property, and a Pydantic boundary.

Three tools for three jobs. ``Money`` is an internal value: a frozen dataclass gives ``__eq__`` and a
matching ``__hash__`` from its fields, and ``__post_init__`` normalises the amount once, so equal
values are always equal objects. ``LineItem`` shows ``__slots__`` (a fixed attribute layout with no
per-instance ``__dict__``) and a ``@property`` whose setter guards every assignment, the constructor's
included. ``PriceIn`` sits at the API boundary: Pydantic parses untrusted input (strings, JSON numbers),
rejects what does not fit with field-level errors, and hands the core a ``Money``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from pydantic import BaseModel, ConfigDict, Field

CENT = Decimal("0.01")
_CURRENCY_CODE = re.compile(r"[A-Z]{3}")


class CurrencyMismatchError(ValueError):
    """Arithmetic between two currencies: convert one of them first."""


@dataclass(frozen=True, slots=True)
class Money:
    """An amount of one currency, exact to the cent."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        amount: object = self.amount
        if isinstance(amount, float):
            raise TypeError(
                f"Money does not take a float: {amount!r} is already inexact in binary; pass Decimal({str(amount)!r})"
            )
        if not isinstance(amount, Decimal):
            raise TypeError(f"Money amount must be a Decimal, got {type(amount).__name__} {amount!r}")
        if not amount.is_finite():
            raise ValueError(f"Money amount must be a finite number, got {amount}")
        currency: object = self.currency
        if not isinstance(currency, str) or not _CURRENCY_CODE.fullmatch(currency):
            raise ValueError(f"currency must be a three-letter ISO 4217 code such as 'EUR', got {currency!r}")
        # frozen: the generated __setattr__ refuses, so normalise through object.__setattr__, once.
        object.__setattr__(self, "amount", amount.quantize(CENT, rounding=ROUND_HALF_UP))

    def __repr__(self) -> str:
        return f"Money({self.amount!r}, {self.currency!r})"  # Money(Decimal('12.50'), 'EUR')

    def __str__(self) -> str:
        return f"{self.amount:f} {self.currency}"  # 12.50 EUR

    def _same_currency(self, other: Money, verb: str) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatchError(f"cannot {verb} {self} and {other}: different currencies, convert first")

    def __add__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other, "add")
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other, "subtract")
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: object) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, int | Decimal):
            return NotImplemented  # Money * 1.1 is a TypeError, like Money(1.1, ...)
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__


class LineItem:
    """One line of an order: a fixed set of attributes, and a quantity that is always valid."""

    __slots__ = ("_quantity", "sku", "unit_price")

    def __init__(self, sku: str, unit_price: Money, quantity: int = 1) -> None:
        self.sku = sku
        self.unit_price = unit_price
        self.quantity = quantity  # through the property: the constructor gets the same check

    @property
    def quantity(self) -> int:
        return self._quantity

    @quantity.setter
    def quantity(self, value: int) -> None:
        checked: object = value
        if isinstance(checked, bool) or not isinstance(checked, int):
            raise TypeError(f"LineItem.quantity must be an int, got {type(checked).__name__} {checked!r}")
        if checked < 1:
            raise ValueError(f"LineItem.quantity must be >= 1, got {checked}")
        self._quantity = checked

    @property
    def total(self) -> Money:
        return self.unit_price * self.quantity


class PriceIn(BaseModel):
    """A price in a request body. Validates the input, then converts it to the internal Money."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    currency: str = Field(pattern=r"^[A-Z]{3}$")

    def to_money(self) -> Money:
        return Money(self.amount, self.currency)
