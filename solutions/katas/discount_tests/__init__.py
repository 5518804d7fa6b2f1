"""Test-writing kata: write the tests of a discount calculator.

`discount.py` is given and correct (do not edit it); your tests go in
`katas/discount_tests/test_discount.py`, whose docstring says exactly what is graded: they pass
against `discount.py`, they catch all but one of its hidden broken copies, and they use the
technique this kata is about (edge cases, each case in a parametrize table with ids).
Run them with `uv run pytest katas/discount_tests`; grade them with `dojo check discount_tests`.
"""
