"""The grading tests of the test-writing katas share one grade per kata: the learner's tests are run
once against the given module and its hidden mutants (dojo/test_writing.py), and each test asserts
one rule of it."""

from __future__ import annotations

import pytest

from dojo.curriculum import load
from dojo.test_writing import Grade, grade


@pytest.fixture(scope="module")
def graded(request: pytest.FixtureRequest) -> Grade:
    """The grade of the learner's file for the kata named by the test module's ``SLUG``."""
    root = request.config.rootpath
    slug: str = request.module.SLUG
    return grade(root, load(root), slug)
