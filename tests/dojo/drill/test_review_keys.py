"""The answer keys' keywords, which review drills grade notes by: honest on the key's own words, and specific."""

from __future__ import annotations

from pathlib import Path

import pytest

from dojo.curriculum import load
from dojo.drill.review import grade, matches, parse_notes
from dojo.reviews import AnswerKey, answer_key_path, load_answer_key

ROOT = Path(__file__).resolve().parents[3]
KEYS = [
    load_answer_key(answer_key_path(ROOT, exercise), ROOT) for exercise in load(ROOT) if exercise.kind == "review"
]


@pytest.mark.parametrize("key", KEYS, ids=lambda key: key.path.stem)
def test_every_finding_is_found_by_its_own_explanation_and_by_nothing_else_in_the_key(key: AnswerKey):
    for finding in key.findings:
        assert finding.keywords, f"{key.path.name} line {finding.line}: add keywords, or a review drill can never find it"
        explanation = f"{finding.title}. {finding.why} {finding.fix}"
        assert matches(explanation, finding), f"{key.path.name}: its own words do not find '{finding.title}'"
        for other in key.findings:
            if other is not finding:
                assert not matches(other.title, finding), f"{key.path.name}: '{other.title}' also finds '{finding.title}'"


@pytest.mark.parametrize("key", KEYS, ids=lambda key: key.path.stem)
def test_notes_that_say_nothing_find_nothing(key: AnswerKey):
    vague = ["looks fine to me", "I would refactor this file", "naming could be better", "add more tests"]
    result = grade(vague, key)
    assert not result.found
    assert result.beyond == tuple(vague)


def test_a_finding_is_found_by_smell_not_by_wording():
    key = next(key for key in KEYS if key.path.name.startswith("user_lookup"))
    notes = parse_notes(
        "# my notes\n"
        "- DB connection leaks: nothing ever closes it\n"
        "* returns the orm row, so the password hash is exposed\n"
        "3. they test None with ==\n"
        "   (should be an identity check)\n"
        "- the handler is too long\n"
    )
    assert len(notes) == 4, "bullets of any kind, numbered items, an indented line continues the one above"
    result = grade(notes, key)
    found = {finding.title for finding, _ in result.found}
    assert found == {
        "The session is never closed",
        "The ORM object is returned as is: the password hash leaks",
        "`== None` instead of `is None`",
    }
    assert result.beyond == ("the handler is too long",)
    assert result.score == "3/7"
