"""discount_tests: the learner's tests of discount.py, graded by running them (dojo/test_writing.py).

Each test is one rule of the brief in katas/discount_tests/test_discount.py."""

import pytest

from dojo.test_writing import Grade, holds

SLUG = "discount_tests"


def test_your_tests_pass_against_the_real_module(graded: Grade) -> None:
    holds(graded.real_problem())


def test_your_tests_catch_the_broken_copies(graded: Grade) -> None:
    holds(graded.mutant_problem())


def test_every_parametrize_names_its_cases(graded: Grade) -> None:
    holds(graded.technique_problem("parametrize_ids"))


@pytest.mark.guard
def test_discount_py_is_the_given_one(graded: Grade) -> None:
    holds(graded.given_problem())
