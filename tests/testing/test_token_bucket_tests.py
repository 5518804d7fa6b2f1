"""token_bucket_tests: the learner's tests of token_bucket.py, graded by running them (dojo/test_writing.py).

Each test is one rule of the brief in katas/token_bucket_tests/test_token_bucket.py."""

import pytest

from dojo.test_writing import Grade, holds

SLUG = "token_bucket_tests"


def test_your_tests_pass_against_the_real_module(graded: Grade) -> None:
    holds(graded.real_problem())


def test_your_tests_catch_the_broken_copies(graded: Grade) -> None:
    holds(graded.mutant_problem())


def test_time_is_a_fake_clock_the_test_moves_and_nothing_sleeps(graded: Grade) -> None:
    holds(graded.technique_problem("fake_clock") or graded.technique_problem("never_sleeps"))


def test_a_hypothesis_property_states_a_rule_for_every_input(graded: Grade) -> None:
    holds(graded.technique_problem("hypothesis_property"))


@pytest.mark.guard
def test_token_bucket_py_is_the_given_one(graded: Grade) -> None:
    holds(graded.given_problem())
