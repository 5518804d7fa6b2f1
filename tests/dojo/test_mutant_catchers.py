"""The catcher cache: verify tries the test that caught a mutant last time first, as a speed-up only.

A stale, wrong or missing entry must never change a verdict: a mutant is caught only when a test
really fails on it, and one that every test passes survives whatever the cache says."""

from __future__ import annotations

import json
from pathlib import Path

from dojo.curriculum import Exercise, load
from dojo.mutants import Mutant
from dojo.verify import CATCHERS_FILE, MutantResult, _run_mutant, load_catchers, save_catchers

SMALL = "tests/katas/test_adder.py::test_adds_small_numbers"
NEGATIVE = "tests/katas/test_adder.py::test_adds_negative_numbers"


def _mutant(name: str, new: str) -> Mutant:
    return Mutant(slug="adder", name=name, why=name, file="katas/adder.py", old="a + b", new=new)


def _adder(kit: Path) -> Exercise:
    return next(e for e in load(kit) if e.slug == "adder")


def test_the_remembered_catcher_alone_catches_the_mutant(mini_kit: Path) -> None:
    result = _run_mutant(mini_kit, _mutant("subtracts", "a - b"), _adder(mini_kit), NEGATIVE)
    assert result.caught_by == NEGATIVE


def test_a_stale_catcher_that_passes_falls_back_to_the_whole_run(mini_kit: Path) -> None:
    # abs(a) + abs(b) is right for 2 + 3: the remembered test passes, the negative numbers catch it.
    result = _run_mutant(mini_kit, _mutant("absolute", "abs(a) + abs(b)"), _adder(mini_kit), SMALL)
    assert result.caught_by == NEGATIVE


def test_a_catcher_that_no_longer_exists_falls_back_to_the_whole_run(mini_kit: Path) -> None:
    gone = "tests/katas/test_adder.py::test_renamed_long_ago"
    result = _run_mutant(mini_kit, _mutant("subtracts", "a - b"), _adder(mini_kit), gone)
    assert result.caught_by is not None
    assert result.caught_by != gone


def test_the_cache_cannot_make_a_survivor_look_caught(mini_kit: Path) -> None:
    result = _run_mutant(mini_kit, _mutant("commuted", "b + a"), _adder(mini_kit), SMALL)
    assert result.caught_by is None
    assert result.error is None


def test_catchers_are_saved_merged_and_read_back(mini_kit: Path) -> None:
    (mini_kit / CATCHERS_FILE).write_text(json.dumps({"adder:old": SMALL}), encoding="utf-8")
    save_catchers(
        mini_kit,
        [MutantResult(_mutant("subtracts", "a - b"), NEGATIVE), MutantResult(_mutant("commuted", "b + a"), None)],
    )
    assert load_catchers(mini_kit) == {"adder:old": SMALL, "adder:subtracts": NEGATIVE}


def test_an_unreadable_cache_is_no_cache(mini_kit: Path) -> None:
    (mini_kit / CATCHERS_FILE).write_text("{not json", encoding="utf-8")
    assert load_catchers(mini_kit) == {}
    (mini_kit / CATCHERS_FILE).write_text("[1, 2]", encoding="utf-8")
    assert load_catchers(mini_kit) == {}
