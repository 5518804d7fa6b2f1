"""Write the tests of a discount calculator (test-writing kata, ~25 min).

"Here is our checkout's discount code. It works. Show me how you would test it."

`discount.py`, beside this file, is given and correct: read its docstring, the rules are there.
Your job is this file: pytest tests of `discounted_total` and its edge cases. `dojo check
discount_tests` grades them on three rules:

1. They pass against the real `discount.py` (and there is at least one), and against a copy of it that
   behaves the same but is written differently: they call the code, and never read its source,
   its file or its bytecode.
2. They catch its bugs: the kit runs them against thirteen broken copies of `discount.py`, each with one
   classic mistake, and at most one copy may pass all your tests. The ones that get past you are
   named in words ("an order of exactly 100.00 does not get SAVE20"), never shown as code.
3. The technique: your cases sit in `@pytest.mark.parametrize` tables, and every table names its
   cases, with `ids=[...]` or `pytest.param(..., id="...")` per case, so that a failure says which
   case broke. Every parametrize in the file must name its cases.

Run your tests as you go: `uv run pytest katas/discount_tests`. Do not edit `discount.py`.
`dojo hint discount_tests` when stuck.
"""

from decimal import Decimal

import pytest

from katas.discount_tests.discount import UnknownCodeError, discounted_total


@pytest.mark.parametrize(
    ("subtotal", "code", "expected"),
    [
        pytest.param("80.00", None, "80.00", id="no code"),
        pytest.param("80.00", "", "80.00", id="empty code"),
        pytest.param("80.00", "SAVE10", "72.00", id="SAVE10 takes 10%"),
        pytest.param("80.00", "save10", "72.00", id="codes ignore case"),
        pytest.param("80.00", "  SAVE10 ", "72.00", id="codes ignore surrounding spaces"),
        pytest.param("100.00", "SAVE20", "80.00", id="SAVE20 at exactly the minimum"),
        pytest.param("250.00", "SAVE20", "200.00", id="SAVE20 above the minimum"),
        pytest.param("99.99", "SAVE20", "99.99", id="SAVE20 just below the minimum takes nothing"),
        pytest.param("20.00", "FLAT5", "15.00", id="FLAT5 takes 5.00"),
        pytest.param("3.00", "FLAT5", "0.00", id="FLAT5 never goes below zero"),
        pytest.param("0.00", None, "0.00", id="an empty order"),
    ],
)
def test_codes(subtotal: str, code: str | None, expected: str) -> None:
    assert discounted_total(Decimal(subtotal), code) == Decimal(expected)


@pytest.mark.parametrize(
    ("subtotal", "code", "expected"),
    [
        pytest.param("20.00", None, "19.00", id="a member alone gets 5%"),
        pytest.param("20.00", "FLAT5", "14.25", id="the member's 5% comes after FLAT5"),
        pytest.param("200.00", "SAVE20", "152.00", id="the member's 5% stacks on SAVE20"),
    ],
)
def test_members(subtotal: str, code: str | None, expected: str) -> None:
    assert discounted_total(Decimal(subtotal), code, member=True) == Decimal(expected)


@pytest.mark.parametrize(
    ("subtotal", "code", "expected"),
    [
        pytest.param("0.25", "SAVE10", "0.23", id="half a cent rounds up"),
        pytest.param("19.99", "SAVE10", "17.99", id="below half a cent rounds down"),
    ],
)
def test_rounding_to_the_cent(subtotal: str, code: str, expected: str) -> None:
    total = discounted_total(Decimal(subtotal), code)
    assert total == Decimal(expected)
    assert total.as_tuple().exponent == -2


@pytest.mark.parametrize("code", ["BOGUS", "SAVE30", "SAVE 10"], ids=["made up", "near miss", "inner space"])
def test_an_unknown_code_is_refused(code: str) -> None:
    with pytest.raises(UnknownCodeError, match="unknown discount code"):
        discounted_total(Decimal("50.00"), code)


@pytest.mark.parametrize("subtotal", ["-0.01", "-100.00"], ids=["just below zero", "far below zero"])
def test_a_negative_subtotal_is_refused(subtotal: str) -> None:
    with pytest.raises(ValueError, match="negative"):
        discounted_total(Decimal(subtotal))
