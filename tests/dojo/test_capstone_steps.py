"""The reference in rounds: `dojo solution roundN` shows step N only, `--plain` is a diff git applies.

The kit folder links the real trees and series (``solutions``, ``pristine``, ``tests``) and has its
own learner ``katas/``, so the learner's files are the test's to inspect: the command must leave them
byte for byte as they were.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from dojo import capstone_steps
from tests.dojo.conftest import run_dojo

ROOT = Path(__file__).resolve().parents[2]
LATER_ROUND_FILES = {
    1: ("0002_add_deal_version", "0003_add_filter_indexes", "0004_normalise_categories", "timing.py", "/ready"),
    3: ("0004_normalise_categories", "timing.py", "/feed", "city_stats", "0002_add_deal_version.py"),
}


@pytest.fixture
def kit(tmp_path: Path) -> Path:
    root = tmp_path / "kit"
    root.mkdir()
    for name in ("solutions", "pristine", "tests", "curriculum.toml", "pyproject.toml", "conftest.py", "dojo"):
        (root / name).symlink_to(ROOT / name)
    (root / "katas").mkdir()
    shutil.copyfile(ROOT / "pristine" / "katas" / "__init__.py", root / "katas" / "__init__.py")
    shutil.copytree(ROOT / "pristine" / "katas" / "deals_api", root / "katas" / "deals_api")
    return root


def _fingerprint(tree: Path) -> dict[str, str]:
    return {
        p.relative_to(tree).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(tree.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def _git_apply_check(diff: str, tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "apply", "--check", "-"], input=diff, cwd=tree, text=True, capture_output=True, check=False
    )


def test_the_series_has_one_conventional_step_per_round() -> None:
    series = capstone_steps.steps(ROOT)
    assert [step.number for step in series] == list(range(1, 9))
    for step in series:
        assert step.subject.startswith((f"feat(round{step.number}): ", f"perf(round{step.number}): ")), step.subject


def test_all_the_steps_add_up_to_the_reference_exactly(tmp_path: Path) -> None:
    built = capstone_steps.build_step(ROOT, 8, tmp_path / "built")
    assert capstone_steps.package_files(built) == capstone_steps.package_files(ROOT / "solutions")


def test_round1_plain_is_step_1_alone_and_git_applies_it_to_the_starter(kit: Path) -> None:
    before = _fingerprint(kit / "katas")
    shown = run_dojo(kit, "solution", "round1", "--peek", "--plain")
    assert shown.returncode == 0, shown.stderr
    assert "step 1 of 8" in shown.stderr, shown.stderr
    assert "against yours" in shown.stderr, shown.stderr
    assert shown.stdout.startswith("diff --git a/katas/deals_api/"), shown.stdout[:200]
    for later in LATER_ROUND_FILES[1]:
        assert later not in shown.stdout, f"round 1's step shows {later.strip()}, which a later round adds"
    assert _fingerprint(kit / "katas") == before, "showing a step must not change the learner's files"
    applied = _git_apply_check(shown.stdout, kit)
    assert applied.returncode == 0, applied.stderr


def test_round3_shows_step_3_against_round_2_when_it_does_not_fit_the_learners_code(kit: Path, tmp_path: Path) -> None:
    shown = run_dojo(kit, "solution", "round3", "--peek", "--plain")
    assert shown.returncode == 0, shown.stderr
    assert "step 3 of 8" in shown.stderr, shown.stderr
    assert "the reference's round 2" in shown.stderr, shown.stderr
    assert "0003_add_filter_indexes.py" in shown.stdout
    for later in LATER_ROUND_FILES[3]:
        assert later not in shown.stdout, f"round 3's step shows {later}, which another round adds"
    round2 = capstone_steps.build_step(ROOT, 2, tmp_path / "round2")
    applied = _git_apply_check(shown.stdout, round2)
    assert applied.returncode == 0, applied.stderr


def test_a_step_that_fits_is_shown_against_the_learners_own_lines(kit: Path, tmp_path: Path) -> None:
    # A learner whose package is the reference's round 1 plus a comment of their own: step 2 applies.
    capstone_steps.build_step(ROOT, 1, tmp_path / "round1")
    shutil.rmtree(kit / "katas" / "deals_api")
    shutil.copytree(tmp_path / "round1" / "katas" / "deals_api", kit / "katas" / "deals_api")
    models = kit / "katas" / "deals_api" / "config.py"
    models.write_text(models.read_text(encoding="utf-8") + "# my own note\n", encoding="utf-8")
    before = _fingerprint(kit / "katas")
    shown = run_dojo(kit, "solution", "round2", "--peek", "--plain")
    assert shown.returncode == 0, shown.stderr
    assert "against yours" in shown.stderr, shown.stderr
    assert "0002_add_deal_version.py" in shown.stdout
    assert _fingerprint(kit / "katas") == before
    assert _git_apply_check(shown.stdout, kit).returncode == 0


def test_the_coloured_view_keeps_every_plus_and_minus_at_the_start_of_its_line(kit: Path) -> None:
    shown = run_dojo(kit, "solution", "round5", "--peek")
    assert shown.returncode == 0, shown.stderr
    plain = run_dojo(kit, "solution", "round5", "--peek", "--plain")
    assert shown.stdout.splitlines() == plain.stdout.splitlines(), "the terminal view must be the diff, unwrapped"


def test_full_shows_the_finished_app(kit: Path) -> None:
    shown = run_dojo(kit, "solution", "round1", "--peek", "--full")
    assert shown.returncode == 0, shown.stderr
    assert "timing.py" in shown.stdout
    assert "0004_normalise_categories.py" in shown.stdout


def test_a_round_that_does_not_pass_keeps_its_step_hidden(kit: Path) -> None:
    shown = run_dojo(kit, "solution", "round1")
    assert shown.returncode == 1
    assert "does not pass yet" in shown.stderr
    assert shown.stdout == ""


def test_export_then_import_gives_the_same_series_back(tmp_path: Path) -> None:
    kit = tmp_path / "kit"
    (kit / "solutions").mkdir(parents=True)
    (kit / "pristine").symlink_to(ROOT / "pristine")
    shutil.copytree(ROOT / capstone_steps.STEPS_DIR, kit / capstone_steps.STEPS_DIR)
    subjects = capstone_steps.export(kit, tmp_path / "repo")
    assert subjects == [step.subject for step in capstone_steps.steps(ROOT)]
    capstone_steps.import_series(kit, tmp_path / "repo")
    for step in capstone_steps.steps(ROOT):
        again = kit / capstone_steps.STEPS_DIR / step.path.name
        assert again.read_bytes() == step.path.read_bytes(), f"{step.path.name} changed on the round trip"
