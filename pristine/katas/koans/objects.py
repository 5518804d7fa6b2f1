"""Koans: identity and equality, repr and str, __slots__. Time box: 15 minutes.

The everyday object model, where Python differs from JavaScript in small ways that interviewers
like to probe. Each function below states one claim in its docstring and proves it by running code.
Fill each blank: a `__` takes the value you predict (`3`, `'text'`, `(True, False)`, `[1, 2]`, a name
such as `TypeError`); change nothing else (the check compares your file with the stub).

Run `dojo check koan_objects`; `dojo hint koan_objects` when stuck.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from dojo.koans import __


class Money:
    def __init__(self, amount: Decimal, currency: str) -> None:
        self.amount = amount
        self.currency = currency

    def __repr__(self) -> str:
        return f"Money({self.amount!r}, {self.currency!r})"

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


class Point:
    __slots__ = ("x", "y")

    def __init__(self, x: int, y: int) -> None:
        self.x = x
        self.y = y


def test_equal_is_not_identical() -> None:
    """`==` compares values (it calls __eq__); `is` asks whether two names hold the very same object."""
    a = [1, 2, 3]
    b = [1, 2, 3]
    c = a
    assert (a == b, a is b, a is c) == __


def test_small_int_caching_is_an_implementation_detail() -> None:
    """CPython keeps one object per int from -5 to 256, so `is` seems to work on them, and on them only."""
    assert (int("256") is int("256"), int("257") is int("257")) == __


def test_compare_with_none_by_identity() -> None:
    """`x == None` asks x's __eq__, which may say anything; `x is None` cannot be fooled."""

    class Agreeable:
        def __eq__(self, other: object) -> bool:
            return True

    x = Agreeable()
    assert (x == None, x is None) == __  # the comparison this claim is about


def test_str_is_for_people_and_repr_for_developers() -> None:
    """str() (print, f-strings) uses __str__; repr() (the REPL, debuggers, !r) uses __repr__."""
    price = Money(Decimal("12.50"), "EUR")
    assert (str(price), repr(price)) == __
    assert f"{price} is {price!r}" == __


def test_a_container_shows_the_repr_of_its_items() -> None:
    """str() of a list is built from the repr() of each item: a logged list shows Money(...), not 12.50 EUR."""
    prices = [Money(Decimal("12.50"), "EUR")]
    assert str(prices) == __


def test_str_falls_back_to_repr_but_not_the_other_way() -> None:
    """Without __str__, str() uses __repr__; without __repr__, repr() is object's default, whatever __str__ says."""

    class OnlyRepr:
        def __repr__(self) -> str:
            return "OnlyRepr()"

    class OnlyStr:
        def __str__(self) -> str:
            return "only str"

    assert (str(OnlyRepr()), repr(OnlyStr()) == "only str") == __


def test_slots_refuse_attributes_they_do_not_list() -> None:
    """__slots__ replaces the per-instance __dict__ with fixed fields: a typo'd attribute fails instead of appearing."""
    point = Point(1, 2)
    with pytest.raises(__):
        point.z = 3  # type: ignore[attr-defined]
    assert hasattr(point, "__dict__") is __

    class Labelled(Point):  # no __slots__ of its own
        pass

    assert hasattr(Labelled(1, 2), "__dict__") is __
