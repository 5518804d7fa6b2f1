"""The koan kind (dojo/koans.py): the `__` blank, the stub comparison that keeps a claim honest, and the
koans' place in the curriculum. The claims themselves are proven by `dojo verify --only koan_<topic>`."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from dojo import koans
from dojo.curriculum import load, parse
from dojo.workspace import materialize

ROOT = Path(__file__).resolve().parents[2]

STUB = textwrap.dedent(
    '''
    """A koan."""
    import gc

    from dojo.koans import __


    def test_claim() -> None:
        """The claim."""
        data = [1, 2]
        assert len(data) == __
        __()
        assert gc.isenabled() is __
    '''
)


def filled(value: str = "2", line: str = "gc.collect()", last: str = "True") -> str:
    return STUB.replace("== __", f"== {value}").replace("__()", line).replace("is __", f"is {last}")


def test_the_blank_fails_loudly_on_any_use() -> None:
    blank = koans.__
    with pytest.raises(koans.KoanBlank, match="still empty"):
        assert blank == 2
    with pytest.raises(koans.KoanBlank, match="line is missing"):
        blank()
    with pytest.raises(koans.KoanBlank):
        bool(blank)
    assert not hasattr(blank, "__wrapped__")  # protocol probes see a plain missing attribute


def test_the_reference_fills_are_accepted() -> None:
    comparison = koans.compare(STUB, filled())
    assert comparison.problem is None
    assert [fill.line_hole for fill in comparison.fills] == [False, True, False]


def test_an_unfilled_stub_matches_itself() -> None:
    assert koans.compare(STUB, STUB).problem is None


def test_a_deleted_assert_is_reported_not_counted() -> None:
    learner = filled().replace("    assert gc.isenabled() is True\n", "")
    problem = koans.compare(STUB, learner).problem
    assert problem is not None
    assert "gone" in problem
    assert "assert gc.isenabled() is __" in problem


def test_an_edited_setup_line_is_reported() -> None:
    problem = koans.compare(STUB, filled().replace("data = [1, 2]", "data = [1, 2, 3]")).problem
    assert problem is not None
    assert "line 10" in problem


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("len(data)", "not code"),
        ("data", "the claim's own variable"),
        ("data.count", "own variable"),
        ("2 + 0", "not code"),
    ],
    ids=["the-expression-under-test", "a-local", "an-attribute-of-a-local", "arithmetic"],
)
def test_a_blank_takes_a_prediction_not_code(value: str, why: str) -> None:
    problem = koans.compare(STUB, filled(value=value)).problem
    assert problem is not None
    assert why in problem


@pytest.mark.parametrize("line", ["return", "pass", "raise SystemExit", "if True: gc.collect()"], ids=str)
def test_the_missing_line_takes_one_simple_statement(line: str) -> None:
    problem = koans.compare(STUB, filled(line=line)).problem
    assert problem is not None
    assert "one simple statement" in problem


def test_names_and_literals_are_fine_fills() -> None:
    assert koans.compare(STUB, filled(value="(2, 'two', [None, -1])", last="gc.isenabled")).problem is None


def test_notes_in_docstrings_and_comments_change_nothing() -> None:
    learner = filled().replace('"""The claim."""', '"""The claim. My note: two items."""') + "# done\n"
    assert koans.compare(STUB, learner).problem is None


def test_a_new_function_is_not_a_claim() -> None:
    learner = filled() + "\n\ndef test_extra() -> None:\n    pass\n"
    problem = koans.compare(STUB, learner).problem
    assert problem is not None
    assert "test_extra" in problem


def test_claims_are_read_in_order_with_their_docstring() -> None:
    claims = koans.claims_of(STUB + "\n\ndef test_second() -> None:\n    '''Second.'''\n    assert __\n")
    assert [(claim.id, claim.claim) for claim in claims] == [("claim", "The claim."), ("second", "Second.")]


def test_a_koan_defaults_to_the_koans_folder() -> None:
    entry = {
        "slug": "koan_memory",
        "title": "t",
        "kind": "koan",
        "topic": "x",
        "difficulty": "easy",
        "hints": ["h"],
        "talking_points": ["p"],
    }
    exercise = parse({"exercise": [entry]}).get("koan_memory")
    assert (exercise.path, exercise.tests) == ("katas/koans/memory.py", ("tests/koans/test_memory.py",))


def test_every_koan_has_one_talking_point_per_claim() -> None:
    for exercise in load(ROOT):
        if exercise.kind != "koan":
            continue
        claims = koans.claims_of((ROOT / "pristine" / exercise.path).read_text(encoding="utf-8"))
        assert len(exercise.talking_points) == len(claims), exercise.slug


def test_materialize_brings_the_koans_package_along(tmp_path: Path) -> None:
    for tree in ("pristine/katas/koans", "pristine/katas"):
        (tmp_path / tree).mkdir(parents=True, exist_ok=True)
    (tmp_path / "pristine/katas/__init__.py").write_text("")
    (tmp_path / "pristine/reviews").mkdir()
    (tmp_path / "pristine/reviews/__init__.py").write_text("")
    (tmp_path / "pristine/katas/koans/__init__.py").write_text("")
    (tmp_path / "pristine/katas/koans/memory.py").write_text(STUB)
    entry = {
        "slug": "koan_memory",
        "title": "t",
        "kind": "koan",
        "topic": "x",
        "difficulty": "easy",
        "hints": ["h"],
        "talking_points": ["p"],
    }
    created = materialize(tmp_path, parse({"exercise": [entry]}))
    assert "katas/koans/__init__.py" in created
    assert (tmp_path / "katas/koans/memory.py").read_text() == STUB
