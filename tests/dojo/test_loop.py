"""The learner loop outside watch: failures, progress, backups, tampered tests, help screens."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from dojo.checksums import render as render_checksums
from dojo.curriculum import load as load_curriculum
from dojo.paths import kit_root
from dojo.progress import ExerciseProgress, Status, next_exercise
from tests.dojo.conftest import run_dojo

SOLVED = "def add(a: int, b: int) -> int:\n    return a + b\n"
WRONG = "def add(a: int, b: int) -> int:\n    return a - b\n"


def _history(root: Path) -> dict[str, dict[str, object]]:
    records: dict[str, dict[str, object]] = json.loads((root / ".dojo" / "history.json").read_text())
    return records


def test_the_shipped_checksums_match_the_tests():
    root = kit_root()
    manifest = (root / "tests" / "SHA256SUMS").read_text(encoding="utf-8")
    assert manifest == render_checksums(root, load_curriculum(root)), "run `uv run dojo checksums --write`"


PROPERTY_TEST = """

from hypothesis import given, strategies as st


@given(st.integers(), st.integers())
def test_adds_any_two_numbers(a, b):
    assert add(a, b) == a + b, f"add({a}, {b}) should be {a + b}"
"""


def _section(output: str, test: str) -> list[str]:
    """The report pytest prints under a failing test's ``___ name ___`` header, up to the next header."""
    body = output.split(f" {test} _", 1)[1].split("\n", 1)[1]
    return re.split(r"\n(?:___|===)", body, maxsplit=1)[0].strip().splitlines()


def test_a_failure_shows_the_tests_message_first_and_pytest_ends_with_one_line_per_exercise(mini_kit):
    run_dojo(mini_kit)
    (mini_kit / "katas" / "adder.py").write_text(WRONG)
    with (mini_kit / "tests" / "katas" / "test_adder.py").open("a") as tests:
        tests.write(PROPERTY_TEST)
    env = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1"}
    env.pop("CI", None)
    # From katas/, as a learner might: it runs the katas' tests instead of finding none.
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"], cwd=mini_kit / "katas", env=env,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 1, run.stdout + run.stderr
    lines = _section(run.stdout, "test_adds_small_numbers")
    assert lines[0] == "assert -1 == 5", lines
    # Through Hypothesis: its own frames are hidden, the test's message comes first, then the example.
    found = _section(run.stdout, "test_adds_any_two_numbers")
    assert found[0].startswith("add("), found
    assert any(line.startswith(("Failing test case", "Falsifying example")) for line in found), found
    for section in (lines, found):
        assert not [line for line in section if "site-packages" in line or "hypothesis/" in line]
        assert len(section) <= 15
        assert all(len(line) <= 80 for line in section)
    assert run.stdout.rstrip().splitlines()[-2] == "✗ adder  failing: 0 of 3 tests pass"


def test_reset_keeps_the_history_and_skips_backing_up_an_untouched_stub(mini_kit):
    run_dojo(mini_kit)
    untouched = run_dojo(mini_kit, "reset", "adder")
    assert "nothing to back up" in untouched.stdout
    assert not (mini_kit / ".dojo" / "backups").exists()
    run_dojo(mini_kit, "hint", "adder")
    (mini_kit / "katas" / "adder.py").write_text(SOLVED)
    assert run_dojo(mini_kit, "check", "adder").returncode == 0
    assert run_dojo(mini_kit, "reset", "adder").returncode == 0
    record = _history(mini_kit)["adder"]
    assert (record["attempts"], record["hints_used"], record["resets"]) == (1, 1, 2)
    assert record["first_green"] is not None


def test_restore_lists_backups_and_puts_one_back_after_backing_up_the_current_file(mini_kit):
    run_dojo(mini_kit)
    learner = mini_kit / "katas" / "adder.py"
    learner.write_text(SOLVED)
    run_dojo(mini_kit, "reset", "adder")
    learner.write_text(WRONG)
    listing = run_dojo(mini_kit, "restore", "adder")
    assert "  1  " in listing.stdout
    assert "katas/adder.py" in listing.stdout
    restored = run_dojo(mini_kit, "restore", "adder", "1")
    assert restored.returncode == 0, restored.stderr
    assert learner.read_text() == SOLVED
    saved = sorted((mini_kit / ".dojo" / "backups" / "adder").glob("*/katas/adder.py"))
    assert sorted(path.read_text() for path in saved) == sorted([SOLVED, WRONG]), "nothing is lost either way"
    wrong_number = run_dojo(mini_kit, "restore", "adder", "9")
    assert wrong_number.returncode == 2
    assert len(wrong_number.stderr.strip().splitlines()) == 1


def test_an_edited_test_file_shows_as_tests_modified_and_never_counts(mini_kit):
    assert run_dojo(mini_kit, "checksums", "--write").returncode == 0
    (mini_kit / "katas").mkdir(exist_ok=True)
    run_dojo(mini_kit)
    tests = mini_kit / "tests" / "katas" / "test_adder.py"
    tests.write_text("def test_nothing():\n    assert True\n")
    listing = run_dojo(mini_kit, "list")
    assert "tests modified" in listing.stdout
    assert "0/1 solved" in run_dojo(mini_kit).stdout
    assert "tests/katas/test_adder.py" in listing.stderr
    assert "download the kit again" in listing.stderr  # no git here; in a clone: git checkout -- FILE


def test_a_check_of_edited_tests_does_not_count_and_names_the_one_command_that_restores_them(mini_kit):
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "init.defaultBranch=main"]
    assert run_dojo(mini_kit, "checksums", "--write").returncode == 0
    subprocess.run([*git, "init", "-q"], cwd=mini_kit, check=True)
    subprocess.run([*git, "add", "-A"], cwd=mini_kit, check=True)
    subprocess.run([*git, "commit", "-qm", "kit"], cwd=mini_kit, check=True)
    run_dojo(mini_kit)
    tests = mini_kit / "tests" / "katas" / "test_adder.py"
    shipped = tests.read_text()
    tests.write_text("def test_nothing():\n    assert True\n")
    check = run_dojo(mini_kit, "check", "adder")
    assert check.returncode == 1, check.stdout
    assert "Tests modified:" in check.stderr
    assert "passes." not in check.stdout, "edited tests never count as solving"
    command = check.stderr.split("Put them back with: ", 1)[1].strip()
    assert command == "git checkout -- tests/katas/test_adder.py"
    subprocess.run(command.split(), cwd=mini_kit, check=True)
    assert tests.read_text() == shipped
    assert _history(mini_kit)["adder"]["first_green"] is None, "nor does the history count it green"


def test_verify_fails_while_the_checksums_are_stale_and_says_the_one_command(mini_kit):
    assert run_dojo(mini_kit, "checksums", "--write").returncode == 0
    tests = mini_kit / "tests" / "katas" / "test_adder.py"
    tests.write_text(tests.read_text() + "\n\ndef test_adds_zero():\n    assert add(0, 0) == 0\n")
    run = run_dojo(mini_kit, "verify", "--no-lint", "--no-mutants")
    assert run.returncode == 1
    assert "tests/katas/test_adder.py is not as tests/SHA256SUMS says" in run.stdout
    assert "checksums --write" in run.stdout
    assert run_dojo(mini_kit, "checksums").returncode == 1
    assert run_dojo(mini_kit, "checksums", "--write").returncode == 0
    assert run_dojo(mini_kit, "checksums").returncode == 0


def test_help_shows_flags_without_a_type_hides_maintainer_commands_and_knows_its_version(mini_kit):
    assert "<bool>" not in run_dojo(mini_kit, "reset", "--help").stdout
    top = run_dojo(mini_kit, "--help").stdout
    assert "check" in top
    for maintainer in ("mutation", "checksums"):
        assert maintainer not in top, f"`dojo {maintainer}` is for maintainers, not on the learner's help"
    data_help = run_dojo(mini_kit, "data", "--help").stdout
    assert "deals" in data_help
    assert "sample" not in data_help
    assert run_dojo(mini_kit, "--version").stdout.startswith("Backend Dojo ")


def test_commands_in_briefs_and_errors_run_as_typed_under_uv(mini_kit):
    env = {**os.environ, "DOJO_ROOT": str(mini_kit), "COLUMNS": "200", "NO_COLOR": "1", "UV": "/usr/bin/uv"}
    run = subprocess.run(
        [sys.executable, "-m", "dojo", "hint", "nope"],
        cwd=mini_kit,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "`uv run dojo list` shows them all" in run.stderr


def test_the_next_suggestion_prefers_work_in_progress():
    curriculum = load_curriculum(kit_root())
    first, second, third = curriculum.exercises[:3]
    progress = [
        ExerciseProgress(first, Status.NOT_STARTED),
        ExerciseProgress(second, Status.SOLVED),
        ExerciseProgress(third, Status.IN_PROGRESS, 2, 5),
    ]
    upcoming = next_exercise(progress)
    assert upcoming is not None
    assert upcoming.exercise == third
    upcoming = next_exercise(progress[:2])
    assert upcoming is not None
    assert upcoming.exercise == first


def test_pytest_m_slug_collects_only_that_exercises_file():
    root = kit_root()
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("DOJO_ROOT", None)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "--target", "solutions",
         "-m", "lru_cache"],
        cwd=root, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    collected = [line for line in run.stdout.splitlines() if "::" in line]
    assert collected
    assert {line.split("::", 1)[0] for line in collected} == {"tests/katas/test_lru_cache.py"}
    assert "deselected" not in run.stdout, "other exercises' files are not even collected"


def test_a_plain_check_is_parsed_for_the_quick_path_and_anything_else_goes_to_the_full_cli():
    from dojo.entry import QuickCheck, quick_check

    assert quick_check(["check", "lru_cache"]) == QuickCheck("lru_cache", "learner", False)
    assert quick_check(["check", "--target", "solutions", "lru_cache", "--full"]) == QuickCheck(
        "lru_cache", "solutions", True
    )
    assert quick_check(["check", "--target=pristine", "capstone"]) == QuickCheck("capstone", "pristine", False)
    for other in (["check"], ["check", "--help"], ["check", "a", "b"], ["check", "a", "--tb=long"], ["list"], []):
        assert quick_check(other) is None, other


CHECK_IN_PROCESS = """
import sys
from dojo import entry
sys.argv = ["dojo", "check", "adder"]
try:
    entry.main()
except SystemExit as done:
    status = done.code
heavy = sorted(name for name in ("dojo.cli", "typer", "pydantic", "rich.markdown", "hypothesis") if name in sys.modules)
print("STATUS", status, "HEAVY", ",".join(heavy) or "-")
"""


def test_a_check_imports_neither_the_full_cli_nor_hypothesis_when_its_tests_do_not_need_them(mini_kit):
    """What keeps a green check near a bare pytest run, counted in imports rather than timed."""
    (mini_kit / "katas").mkdir(exist_ok=True)
    run_dojo(mini_kit)
    (mini_kit / "katas" / "adder.py").write_text(SOLVED)
    pyproject = mini_kit / "pyproject.toml"  # as the kit's own: the fuzzer's pytest plugin (imports Hypothesis) off
    pyproject.write_text(
        pyproject.read_text().replace('"no:cacheprovider"', '"no:cacheprovider", "-p", "no:schemathesis"')
    )
    env = {**os.environ, "DOJO_ROOT": str(mini_kit), "NO_COLOR": "1"}
    env.pop("CI", None)
    run = subprocess.run(
        [sys.executable, "-c", CHECK_IN_PROCESS], cwd=mini_kit, env=env, capture_output=True, text=True, check=False
    )
    assert "adder passes" in run.stdout, run.stdout + run.stderr
    assert run.stdout.strip().splitlines()[-1] == "STATUS 0 HEAVY -"
