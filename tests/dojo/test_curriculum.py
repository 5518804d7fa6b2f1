"""curriculum.toml is parsed strictly: a mistake in it is one clear sentence, not a surprise later."""

from __future__ import annotations

from pathlib import Path

import pytest

from dojo.curriculum import CurriculumError, load, parse

BASE = {
    "slug": "adder",
    "title": "Add",
    "kind": "kata",
    "topic": "basics",
    "difficulty": "easy",
    "hints": ["h"],
    "talking_points": ["t"],
}


def entry(**changes: object) -> dict[str, object]:
    return {**BASE, **changes}


def test_defaults_follow_the_layout_convention():
    exercise = parse({"exercise": [entry(), entry(slug="leak", kind="review")]}).get("leak")
    assert exercise.path == "reviews/leak.py"
    assert exercise.tests == ("tests/reviews/test_leak.py",)
    assert parse({"exercise": [entry()]}).get("adder").path == "katas/adder.py"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": "quiz"}, "kind must be one of kata, review, capstone"),
        ({"difficulty": "brutal"}, "difficulty must be one of easy, medium, hard"),
        ({"slug": "Bad-Slug"}, "lower_snake_case"),
        ({"hints": []}, "at least one entry"),
        ({"path": "elsewhere/x.py"}, "inside katas/ or reviews/"),
        ({"colour": "red"}, "unknown key(s) colour"),
        ({"timebox_minutes": 0}, "positive whole number"),
    ],
    ids=["kind", "difficulty", "slug", "no-hints", "path", "unknown-key", "timebox"],
)
def test_a_bad_entry_is_named_with_what_is_wrong(changes, message):
    with pytest.raises(CurriculumError, match=r"adder|exercise #1") as error:
        parse({"exercise": [entry(**changes)]})
    assert message in str(error.value)


def test_a_missing_key_is_named():
    broken = entry()
    del broken["topic"]
    with pytest.raises(CurriculumError, match="missing topic"):
        parse({"exercise": [broken]})


def test_slugs_and_test_files_belong_to_one_exercise_each():
    with pytest.raises(CurriculumError, match="listed twice"):
        parse({"exercise": [entry(), entry()]})
    shared = ["tests/katas/test_adder.py"]
    with pytest.raises(CurriculumError, match="claimed by both"):
        parse({"exercise": [entry(tests=shared), entry(slug="other", tests=shared)]})


def test_an_unknown_slug_suggests_close_ones():
    curriculum = parse({"exercise": [entry(), entry(slug="lru_cache")]})
    with pytest.raises(CurriculumError, match="Did you mean lru_cache"):
        curriculum.get("lru_cahce")


def test_groups_keep_manifest_order_and_know_earlier_members():
    rounds = [entry(slug=f"round{n}", kind="capstone", group="capstone", path="katas/deals_api") for n in (1, 2, 3)]
    for n, item in enumerate(rounds, start=1):
        item["tests"] = [f"tests/capstone/test_round{n}.py"]
    curriculum = parse({"exercise": rounds})
    assert [e.slug for e in curriculum.select("capstone")] == ["round1", "round2", "round3"]
    assert [e.slug for e in curriculum.earlier_in_group(curriculum.get("round3"))] == ["round1", "round2"]
    assert curriculum.get("round2").markers == ("round2", "capstone")


def test_invalid_toml_says_so(tmp_path: Path):
    (tmp_path / "curriculum.toml").write_text("[[exercise]\n")
    with pytest.raises(CurriculumError, match="not valid TOML"):
        load(tmp_path)


def test_the_real_curriculum_loads_and_every_slug_is_unique():
    curriculum = load(Path(__file__).resolve().parents[2])
    slugs = [e.slug for e in curriculum]
    assert len(slugs) == len(set(slugs))
    assert slugs[0] == "lru_cache"
