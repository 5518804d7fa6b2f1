"""retry_tests: the learner's tests of retry.py, graded by running them (dojo/test_writing.py).

Each test is one rule of the brief in katas/retry_tests/test_retry.py."""

import pytest

from dojo.test_writing import Grade, holds

SLUG = "retry_tests"


def test_your_tests_pass_against_the_real_module(graded: Grade) -> None:
    holds(graded.real_problem())


def test_your_tests_catch_the_broken_copies(graded: Grade) -> None:
    holds(graded.mutant_problem())


def test_the_waiting_is_a_fake_sleep_and_nothing_sleeps_for_real(graded: Grade) -> None:
    holds(graded.technique_problem("fake_sleep") or graded.technique_problem("never_sleeps"))


@pytest.mark.guard
def test_retry_py_is_the_given_one(graded: Grade) -> None:
    holds(graded.given_problem())
