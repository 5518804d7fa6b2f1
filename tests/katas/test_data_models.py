"""data_models: Money as an exact value type, a slotted LineItem with a validated property, PriceIn at the boundary."""

from __future__ import annotations

import operator
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from katas.data_models import CurrencyMismatchError, LineItem, Money, PriceIn


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


# ---- Money: construction ----


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        ("12.5", "12.50 EUR"),
        ("3", "3.00 EUR"),
        ("-0.5", "-0.50 EUR"),
        ("1234567.891", "1234567.89 EUR"),
        ("0", "0.00 EUR"),
    ],
    ids=["one-decimal", "whole", "negative", "large", "zero"],
)
def test_str_shows_cents_and_the_currency(amount, shown):
    assert str(eur(amount)) == shown


@pytest.mark.parametrize(
    ("amount", "cents"),
    [("0.125", "0.13"), ("2.675", "2.68"), ("0.124", "0.12"), ("-0.125", "-0.13")],
    ids=["half-goes-up", "2.675", "below-half", "negative-half"],
)
def test_amounts_are_quantised_to_cents_rounding_half_up(amount, cents):
    money = eur(amount)
    assert money.amount == Decimal(cents)
    assert money.amount.as_tuple().exponent == -2, f"the amount should keep exactly 2 places: {money.amount!r}"


@pytest.mark.parametrize("amount", [1.005, 0.1], ids=["1.005", "0.1"])
def test_a_float_amount_is_refused_with_a_message_that_says_float(amount):
    with pytest.raises(TypeError, match="float") as raised:
        Money(amount, "EUR")
    assert f"Decimal({str(amount)!r})" in str(raised.value), (
        f"the message should show the fix, Decimal({str(amount)!r}): {raised.value}"
    )


@pytest.mark.parametrize("amount", ["12.50", None, 3], ids=["str", "None", "int"])
def test_an_amount_that_is_not_a_decimal_is_a_type_error(amount):
    with pytest.raises(TypeError) as raised:
        Money(amount, "EUR")
    assert type(amount).__name__ in str(raised.value), f"the message should say what it got: {raised.value}"


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity"])
def test_a_non_finite_amount_is_a_value_error(amount):
    with pytest.raises(ValueError, match="finite"):
        Money(Decimal(amount), "EUR")


@pytest.mark.parametrize("currency", ["eur", "EURO", "", "E1R"], ids=["lowercase", "four-letters", "empty", "digit"])
def test_a_currency_that_is_not_three_capital_letters_is_a_value_error(currency):
    with pytest.raises(ValueError, match="currency"):
        Money(Decimal("1"), currency)


def test_money_is_immutable():
    money = eur("1.00")
    with pytest.raises(AttributeError):
        money.amount = Decimal("2.00")  # type: ignore[misc]
    assert money == eur("1.00")


# ---- Money: identity ----


def test_repr_evaluates_back_to_an_equal_money():
    money = eur("12.5")
    text = repr(money)
    assert eval(text, {"Money": Money, "Decimal": Decimal}) == money, f"eval({text!r}) should give back {money}"
    assert "12.50" in text
    assert "EUR" in text


def test_equal_values_are_equal_with_equal_hashes():
    assert eur("12.5") == eur("12.50") == eur("12.499")
    assert hash(eur("12.5")) == hash(eur("12.50")), "equal objects must have equal hashes"
    assert len({eur("12.5"), eur("12.50"), Money(Decimal("12.50"), "USD")}) == 2
    assert {eur("1"): "one"}[eur("1.00")] == "one", "an equal Money must find the same dict entry"


def test_money_differs_by_currency_and_from_a_bare_decimal():
    assert eur("5") != Money(Decimal("5"), "USD")
    assert eur("5") != Decimal("5.00")


# ---- Money: arithmetic ----


def test_adding_and_subtracting_the_same_currency():
    assert eur("12.50") + eur("0.75") == eur("13.25")
    assert eur("1") - eur("2.5") == eur("-1.50")


@pytest.mark.parametrize("operation", [operator.add, operator.sub], ids=["add", "subtract"])
def test_mixing_currencies_is_refused_naming_both(operation):
    euros, dollars = eur("12.50"), Money(Decimal("3"), "USD")
    with pytest.raises(CurrencyMismatchError) as raised:
        operation(euros, dollars)
    assert isinstance(raised.value, ValueError), "CurrencyMismatchError should be a ValueError"
    assert "EUR" in str(raised.value)
    assert "USD" in str(raised.value)
    verb = "add" if operation is operator.add else "subtract"
    assert verb in str(raised.value), f"the message should say which operation was refused ({verb}): {raised.value}"


@pytest.mark.parametrize("other", [Decimal("1"), 1, "1"], ids=["Decimal", "int", "str"])
def test_adding_something_that_is_not_money_is_a_type_error(other):
    with pytest.raises(TypeError):
        eur("1") + other


def test_multiplying_by_an_int_or_a_decimal_on_either_side():
    assert eur("2.50") * 3 == eur("7.50")
    assert 3 * eur("2.50") == eur("7.50")
    assert eur("0.10") * Decimal("0.5") == eur("0.05")
    assert str(eur("19.99") * Decimal("0.15")) == "3.00 EUR", "2.9985 rounds to 3.00"


@pytest.mark.parametrize("factor", [1.5, "2", None, True], ids=["float", "str", "None", "bool"])
def test_multiplying_by_anything_else_is_a_type_error(factor):
    with pytest.raises(TypeError):
        eur("1") * factor
    with pytest.raises(TypeError):
        eur("1") * eur("2")


amounts = st.decimals(min_value=-(10**9), max_value=10**9, places=2)
currencies = st.sampled_from(["EUR", "USD", "JPY"])


@settings(max_examples=60)
@given(a=amounts, b=amounts, c=amounts)
def test_addition_is_commutative_associative_and_undone_by_subtraction(a, b, c):
    x, y, z = Money(a, "EUR"), Money(b, "EUR"), Money(c, "EUR")
    assert x + y == y + x
    assert (x + y) + z == x + (y + z)
    assert (x + y) - y == x


@settings(max_examples=60)
@given(amount=st.decimals(min_value=-(10**9), max_value=10**9, places=4), currency=currencies)
def test_repr_round_trips_and_equal_implies_equal_hash(amount, currency):
    money = Money(amount, currency)
    assert eval(repr(money), {"Money": Money, "Decimal": Decimal}) == money
    same = Money(money.amount + Decimal("0.000"), currency)  # the same value with more digits: 1.50 vs 1.500
    assert same == money
    assert hash(same) == hash(money)


# ---- LineItem: __slots__ and a validated property ----


def test_line_item_has_slots_and_no_instance_dict():
    item = LineItem("TEA", eur("4.20"), 2)
    assert not hasattr(item, "__dict__"), "declare __slots__: a slotted instance has no __dict__"
    with pytest.raises(AttributeError):
        item.colour = "green"  # type: ignore[attr-defined]


def test_quantity_is_stored_and_total_follows_it():
    item = LineItem("TEA", eur("4.20"), 2)
    assert (item.sku, item.unit_price, item.quantity, item.total) == ("TEA", eur("4.20"), 2, eur("8.40"))
    item.quantity = 5
    assert item.total == eur("21.00")
    assert LineItem("MUG", eur("9")).quantity == 1, "quantity defaults to 1"


@pytest.mark.parametrize(
    ("value", "error"),
    [(0, ValueError), (-2, ValueError), (True, TypeError), (1.5, TypeError), ("3", TypeError)],
    ids=["zero", "negative", "bool", "float", "str"],
)
def test_a_bad_quantity_is_refused_on_assignment_and_in_the_constructor(value: Any, error: type[Exception]):
    item = LineItem("TEA", eur("4.20"), 2)
    with pytest.raises(error, match="quantity"):
        item.quantity = value
    assert item.quantity == 2, "a refused value must leave the old one in place"
    with pytest.raises(error, match="quantity"):
        LineItem("TEA", eur("4.20"), value)


# ---- PriceIn: validation at the boundary ----


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('{"amount": "12.5", "currency": "EUR"}', ("12.50", "EUR")),
        ('{"amount": 19.99, "currency": "USD"}', ("19.99", "USD")),
        ('{"amount": 7, "currency": "GBP"}', ("7.00", "GBP")),
    ],
    ids=["string-amount", "json-number", "integer"],
)
def test_a_valid_body_converts_to_money(body, expected):
    amount, currency = expected
    assert PriceIn.model_validate_json(body).to_money() == Money(Decimal(amount), currency)


@pytest.mark.parametrize(
    "body",
    [
        {"amount": "12.345", "currency": "EUR"},
        {"amount": "0", "currency": "EUR"},
        {"amount": "-1.00", "currency": "EUR"},
        {"amount": "10", "currency": "eur"},
        {"amount": "10", "currency": "EURO"},
        {"amount": "10", "currency": "EUR", "discount": "5"},
    ],
    ids=["three-decimals", "zero", "negative", "lowercase-currency", "four-letter-currency", "unknown-field"],
)
def test_an_invalid_body_is_a_validation_error(body):
    with pytest.raises(ValidationError):
        PriceIn.model_validate(body)
