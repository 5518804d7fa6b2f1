"""endpoint_tests: the learner's tests of notes_api.py, graded by running them (dojo/test_writing.py).

Each test is one rule of the brief in katas/endpoint_tests/test_notes_api.py."""

import pytest

from dojo.test_writing import Grade, holds

SLUG = "endpoint_tests"


def test_your_tests_pass_against_the_real_module(graded: Grade) -> None:
    holds(graded.real_problem())


def test_your_tests_catch_the_broken_copies(graded: Grade) -> None:
    holds(graded.mutant_problem())


def test_a_fixture_yields_and_cleans_up_after_the_yield(graded: Grade) -> None:
    holds(graded.technique_problem("yield_fixture"))


def test_the_session_dependency_is_overridden_and_the_override_undone(graded: Grade) -> None:
    holds(graded.technique_problem("dependency_override"))


def test_the_database_is_a_real_sqlite_one_not_a_mock(graded: Grade) -> None:
    holds(graded.technique_problem("real_sqlite"))


@pytest.mark.guard
def test_notes_api_py_is_the_given_one(graded: Grade) -> None:
    holds(graded.given_problem())
