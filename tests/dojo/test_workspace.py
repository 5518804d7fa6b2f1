"""Learner files: created when missing, never overwritten, always backed up before a reset."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from dojo import verify as verify_module
from dojo.curriculum import load
from dojo.mutants import MutantError, apply
from dojo.mutants import load as load_mutants
from dojo.workspace import is_untouched, materialize, reset


def test_materialize_creates_only_missing_files(mini_kit: Path):
    curriculum = load(mini_kit)
    assert "katas/adder.py" in materialize(mini_kit, curriculum)
    learner = mini_kit / "katas" / "adder.py"
    learner.write_text("# my work\n")
    assert materialize(mini_kit, curriculum) == []
    assert learner.read_text() == "# my work\n"


def test_untouched_means_byte_for_byte_the_stub(mini_kit: Path):
    curriculum = load(mini_kit)
    materialize(mini_kit, curriculum)
    adder = curriculum.get("adder")
    assert is_untouched(mini_kit, adder)
    learner = mini_kit / "katas" / "adder.py"
    learner.write_text(learner.read_text() + "\n")
    assert not is_untouched(mini_kit, adder)


def test_two_resets_in_a_row_keep_two_backups(mini_kit: Path):
    curriculum = load(mini_kit)
    materialize(mini_kit, curriculum)
    adder = curriculum.get("adder")
    learner = mini_kit / "katas" / "adder.py"
    learner.write_text("# attempt 1\n")
    first = reset(mini_kit, adder, now=datetime(2026, 1, 1, 9, 0, tzinfo=UTC))
    learner.write_text("# attempt 2\n")
    second = reset(mini_kit, adder, now=datetime(2026, 1, 1, 9, 5, tzinfo=UTC))
    assert first.backup != second.backup
    assert first.backup is not None
    assert second.backup is not None
    assert (first.backup / "katas/adder.py").read_text() == "# attempt 1\n"
    assert (second.backup / "katas/adder.py").read_text() == "# attempt 2\n"


def test_reset_of_a_package_removes_added_files_after_backing_them_up(mini_kit: Path):
    (mini_kit / "curriculum.toml").write_text(
        (mini_kit / "curriculum.toml").read_text()
        + '\n[[exercise]]\nslug = "shop"\ntitle = "Shop"\nkind = "capstone"\ntopic = "api"\n'
        'difficulty = "hard"\npath = "katas/shop"\ntests = ["tests/capstone/test_shop.py"]\n'
        'hints = ["h"]\ntalking_points = ["t"]\n'
    )
    (mini_kit / "pristine/katas/shop").mkdir(parents=True)
    (mini_kit / "pristine/katas/shop/__init__.py").write_text('"""Shop."""\n')
    curriculum = load(mini_kit)
    materialize(mini_kit, curriculum)
    (mini_kit / "katas/shop/routes.py").write_text("# new module\n")
    outcome = reset(mini_kit, curriculum.get("shop"))
    assert outcome.removed == ("katas/shop/routes.py",)
    assert not (mini_kit / "katas/shop/routes.py").exists()
    assert outcome.backup is not None
    assert (outcome.backup / "katas/shop/routes.py").read_text() == "# new module\n"


def test_a_mutant_is_applied_to_a_copy_never_to_the_solution(mini_kit: Path, tmp_path: Path):
    curriculum = load(mini_kit)
    subtracts = load_mutants(mini_kit, curriculum.get("adder"))[0]
    copy = apply(subtracts, mini_kit / "solutions", tmp_path / "copy")
    assert "a - b" in (copy / "katas/adder.py").read_text()
    assert "a + b" in (mini_kit / "solutions/katas/adder.py").read_text()


def test_a_mutant_whose_text_matches_twice_is_refused(mini_kit: Path, tmp_path: Path):
    solution = mini_kit / "solutions/katas/adder.py"
    solution.write_text(solution.read_text() + "\n\ndef twice(a: int, b: int) -> int:\n    return a + b\n")
    subtracts = load_mutants(mini_kit, load(mini_kit).get("adder"))[0]
    with pytest.raises(MutantError, match="matches 2 times"):
        apply(subtracts, mini_kit / "solutions", tmp_path / "copy")


def test_a_postgres_only_mutant_is_not_tried_without_postgres(mini_kit: Path, monkeypatch: pytest.MonkeyPatch):
    mutants = mini_kit / "tests/mutants/adder.toml"
    mutants.write_text(mutants.read_text() + '\n[[mutant]]\nname = "plan"\nwhy = "w"\nold = "a + b"\nnew = "b + a"\npostgres = true\n')
    exercise = load(mini_kit).get("adder")
    found = {mutant.name: mutant for mutant in load_mutants(mini_kit, exercise)}
    assert found["plan"].postgres
    assert not any(mutant.postgres for name, mutant in found.items() if name != "plan")
    monkeypatch.delenv("DOJO_POSTGRES_URL", raising=False)
    outcome = verify_module._run_mutant(mini_kit, found["plan"], exercise)
    assert outcome.caught_by is None
    assert outcome.skipped is not None
    assert "DOJO_POSTGRES_URL" in outcome.skipped


def test_the_postgres_flag_must_be_a_boolean(mini_kit: Path):
    mutants = mini_kit / "tests/mutants/adder.toml"
    mutants.write_text(mutants.read_text() + '\n[[mutant]]\nname = "plan"\nwhy = "w"\nold = "a + b"\nnew = "b + a"\npostgres = "yes"\n')
    with pytest.raises(MutantError, match="'postgres' must be true or false"):
        load_mutants(mini_kit, load(mini_kit).get("adder"))
