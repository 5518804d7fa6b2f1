"""descriptors: `Validated` checks type and bounds, names the field, and keeps one value per instance."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from katas.descriptors import Validated


def order_line_class() -> Any:
    """A fresh class per test (defining it at import time would fail on the unfinished stub)."""

    class OrderLine:
        quantity = Validated(int, min_value=1, max_value=100)
        unit_cents = Validated(int, min_value=0)
        sku = Validated(str)

        def __init__(self, quantity: int, unit_cents: int = 0, sku: str = "SKU-1") -> None:
            self.quantity = quantity
            self.unit_cents = unit_cents
            self.sku = sku

    return OrderLine


def test_a_valid_value_is_stored_and_read_back():
    line = order_line_class()(quantity=3, unit_cents=250, sku="TEA")
    assert (line.quantity, line.unit_cents, line.sku) == (3, 250, "TEA")
    line.quantity = 7
    assert line.quantity == 7


def test_each_instance_keeps_its_own_value():
    order_line = order_line_class()
    first, second = order_line(quantity=1), order_line(quantity=2)
    first.quantity = 50
    assert (first.quantity, second.quantity) == (50, 2), (
        "the descriptor is one object shared by every instance: store values on the instance, not on self"
    )


@pytest.mark.parametrize("value", [1, 100], ids=["min", "max"])
def test_bounds_are_inclusive(value):
    assert order_line_class()(quantity=value).quantity == value


@pytest.mark.parametrize(
    ("value", "bound"), [(0, ">= 1"), (-5, ">= 1"), (101, "<= 100")], ids=["just-below", "negative", "just-above"]
)
def test_an_out_of_bounds_value_is_a_value_error_naming_field_and_bound(value, bound):
    line = order_line_class()(quantity=5)
    with pytest.raises(ValueError, match="quantity") as raised:
        line.quantity = value
    assert bound in str(raised.value), f"the message should state the bound ({bound!r}): {raised.value}"
    assert line.quantity == 5, "a rejected value must not be stored"


def test_validation_also_runs_in_init():
    with pytest.raises(ValueError, match=r"OrderLine\.quantity"):
        order_line_class()(quantity=0)


@pytest.mark.parametrize("value", ["3", 2.5, None, True], ids=["str", "float", "None", "bool"])
def test_a_value_of_the_wrong_type_is_a_type_error_naming_the_field(value):
    line = order_line_class()(quantity=5)
    with pytest.raises(TypeError, match=r"OrderLine\.quantity") as raised:
        line.quantity = value
    assert "must be int, got" in str(raised.value), (
        f"the message should say an int was expected, as in 'OrderLine.quantity must be int, got str': {raised.value}"
    )
    assert type(value).__name__ in str(raised.value), (
        f"the message should say what it got ({type(value).__name__}): {raised.value}"
    )


def test_an_instance_of_a_subclass_of_kind_is_accepted():
    class Priority(IntEnum):
        LOW = 1
        HIGH = 3

    class Sku(str):
        pass

    line = order_line_class()(quantity=Priority.HIGH, sku=Sku("TEA"))
    assert (line.quantity, line.sku) == (3, "TEA"), (
        "an IntEnum member is an int and a str subclass is a str: the rule is isinstance(value, kind), "
        "not type(value) is kind (bool is the one subclass refused, and only because the brief says so)"
    )


def test_the_error_names_the_right_field_of_several():
    with pytest.raises(ValueError, match=r"OrderLine\.unit_cents"):
        order_line_class()(quantity=1, unit_cents=-1)


def test_reading_a_field_that_was_never_set_is_an_attribute_error_naming_it():
    order_line = order_line_class()
    blank = order_line.__new__(order_line)  # skips __init__
    with pytest.raises(AttributeError, match="quantity"):
        _ = blank.quantity


def test_class_access_returns_the_descriptor_itself():
    order_line = order_line_class()
    assert order_line.quantity is order_line.__dict__["quantity"], (
        "OrderLine.quantity calls __get__(None, OrderLine): return self when instance is None"
    )
    assert isinstance(order_line.quantity, Validated)


def test_contradictory_bounds_are_rejected_up_front():
    with pytest.raises(ValueError, match="min_value"):
        Validated(int, min_value=10, max_value=1)


def test_equal_bounds_allow_exactly_one_value():
    class Die:
        sides = Validated(int, min_value=6, max_value=6)

    die = Die()
    die.sides = 6
    assert die.sides == 6, "both bounds are inclusive: min_value == max_value allows that one value"
    with pytest.raises(ValueError, match=r"Die\.sides"):
        die.sides = 7


def test_the_same_descriptor_class_serves_many_classes():
    class Room:
        beds = Validated(int, min_value=1, max_value=4)

    class Hotel:
        stars = Validated(int, min_value=1, max_value=5)

    room, hotel = Room(), Hotel()
    room.beds, hotel.stars = 2, 5
    assert (room.beds, hotel.stars) == (2, 5)
    with pytest.raises(ValueError, match=r"Hotel\.stars must be <= 5"):
        hotel.stars = 6


@given(value=st.integers(-1_000, 1_000))
def test_a_value_is_accepted_exactly_when_it_is_within_bounds(value):
    line = order_line_class()(quantity=50)
    if 1 <= value <= 100:
        line.quantity = value
        assert line.quantity == value
    else:
        with pytest.raises(ValueError, match="quantity"):
            line.quantity = value
        assert line.quantity == 50


@pytest.mark.parametrize(
    ("bounds", "inside", "outside"),
    [({"min_value": 0}, 0, -1), ({"max_value": 0}, 0, 1), ({"min_value": 0, "max_value": 0}, 0, 1)],
    ids=["min_zero", "max_zero", "both_zero"],
)
def test_a_bound_of_zero_is_a_bound(bounds: dict[str, int], inside: int, outside: int):
    class Account:
        balance = Validated(int, **bounds)

    account = Account()
    account.balance = inside
    assert account.balance == inside
    with pytest.raises(ValueError, match=r"Account\.balance"):
        account.balance = outside  # 0 is falsy, but it is a bound like any other


def test_a_bool_field_takes_bools():
    class Flags:
        active = Validated(bool)

    flags = Flags()
    flags.active = True
    assert flags.active is True, "True is refused only where an int is expected: it is a bool"
    with pytest.raises(TypeError, match=r"Flags\.active"):
        flags.active = 1  # type: ignore[assignment]  # the wrong type, on purpose
