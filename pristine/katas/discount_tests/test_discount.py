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
