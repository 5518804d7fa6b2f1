"""A checkout's discount rules. GIVEN CODE: read it, do not edit it.

This module is correct. In this kata you write its tests, in test_discount.py beside it; the kit
grades them against its own copy of this file (an edited copy changes nothing, and `dojo check`
says so) and against broken copies of it.

`discounted_total(subtotal, code=None, *, member=False)` is what the shop charges:

- `subtotal` is a Decimal, at least 0: a negative one raises ValueError.
- `code` ignores case and spaces around it; None or "" means no code. Any other unknown code
  raises UnknownCodeError (a ValueError).
- SAVE10 takes 10% off. SAVE20 takes 20% off an order of at least 100.00; below that it is
  accepted and takes nothing off. FLAT5 takes 5.00 off, but never below 0.00.
- A member gets a further 5% off the total after the code.
- The result is rounded to the cent, halves up: 0.225 becomes 0.23.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
SAVE20_MINIMUM = Decimal("100.00")
FLAT5_AMOUNT = Decimal("5.00")
MEMBER_RATE = Decimal("0.05")


class UnknownCodeError(ValueError):
    """A discount code the shop does not offer."""


def discounted_total(subtotal: Decimal, code: str | None = None, *, member: bool = False) -> Decimal:
    """The amount to charge for ``subtotal`` after the discount ``code`` and, for a member, 5% more."""
    if subtotal < 0:
        raise ValueError(f"subtotal must not be negative, got {subtotal}")
    normalized = (code or "").strip().upper()
    total = subtotal
    if normalized == "SAVE10":
        total = total * (1 - Decimal("0.10"))
    elif normalized == "SAVE20":
        if subtotal >= SAVE20_MINIMUM:
            total = total * (1 - Decimal("0.20"))
    elif normalized == "FLAT5":
        total = max(total - FLAT5_AMOUNT, ZERO)
    elif normalized:
        raise UnknownCodeError(f"unknown discount code: {code!r}")
    if member:
        total = total * (1 - MEMBER_RATE)
    return total.quantize(CENT, rounding=ROUND_HALF_UP)
