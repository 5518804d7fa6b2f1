"""The pytest plugin, run for real in a child pytest against the miniature kit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.dojo.conftest import write


def pytest_in(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key != "DOJO_TARGET"}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "pytest", f"--rootdir={root}", *args],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_an_untouched_stub_fails_with_one_friendly_report_per_test(mini_kit):
    run = pytest_in(mini_kit, "-m", "adder")
    assert run.returncode == 1
    lines = run.stdout.splitlines()
    starts = [index for index, line in enumerate(lines) if line.startswith("not implemented yet:")]
    assert len(starts) == 2, run.stdout
    report = " ".join(line.strip() for line in lines[starts[0] : starts[0] + 2])
    assert "katas/adder.py" in report
    assert "dojo hint adder" in report
    assert "Traceback" not in run.stdout
    assert "raise NotImplementedError" not in run.stdout


def test_the_learner_files_are_created_from_pristine_and_never_overwritten(mini_kit):
    pytest_in(mini_kit, "-q")
    learner = mini_kit / "katas" / "adder.py"
    assert learner.read_text() == (mini_kit / "pristine" / "katas" / "adder.py").read_text()
    learner.write_text("def add(a: int, b: int) -> int:\n    return a + b\n")
    run = pytest_in(mini_kit, "-q")
    assert run.returncode == 0, run.stdout
    assert "return a + b" in learner.read_text()


def test_the_same_tests_run_against_each_target(mini_kit):
    assert pytest_in(mini_kit, "--target", "solutions").returncode == 0
    assert pytest_in(mini_kit, "--target", "pristine").returncode == 1
    assert pytest_in(mini_kit, env={"DOJO_TARGET": "solutions"}).returncode == 0


def test_the_header_says_how_to_reproduce_the_run(mini_kit):
    run = pytest_in(mini_kit, "--target", "solutions")
    assert "dojo target: solutions" in run.stdout
    assert "pytest --target solutions" in run.stdout


def test_a_bad_target_is_a_usage_error_naming_the_choices(mini_kit):
    run = pytest_in(mini_kit, env={"DOJO_TARGET": "answers"})
    assert run.returncode == 4
    assert "learner, solutions, pristine" in run.stderr


def test_each_exercise_is_a_registered_marker_and_a_keyword(mini_kit):
    by_marker = pytest_in(mini_kit, "--target", "solutions", "-m", "adder", "-W", "error")
    by_keyword = pytest_in(mini_kit, "--target", "solutions", "-k", "adder")
    assert "2 passed" in by_marker.stdout
    assert "2 passed" in by_keyword.stdout
    assert "PytestUnknownMarkWarning" not in by_marker.stdout + by_marker.stderr


def test_a_test_file_no_exercise_claims_is_refused(mini_kit):
    write(mini_kit / "tests" / "katas" / "test_stray.py", "def test_nothing():\n    assert True\n")
    run = pytest_in(mini_kit, "--target", "solutions")
    assert run.returncode == 4
    assert "tests/katas/test_stray.py" in run.stderr


def test_the_report_records_each_tests_outcome_and_exercise(mini_kit, tmp_path):
    report = tmp_path / "report.json"
    pytest_in(mini_kit, "--target", "pristine", f"--dojo-report={report}")
    data = json.loads(report.read_text())
    assert data["target"] == "pristine"
    assert {(t["slug"], t["outcome"]) for t in data["tests"]} == {("adder", "failed")}
    assert len(data["tests"]) == 2


def test_a_tree_given_directly_is_what_the_tests_import(mini_kit, tmp_path):
    tree = tmp_path / "elsewhere"
    write(tree / "katas" / "__init__.py", "")
    write(tree / "katas" / "adder.py", "def add(a: int, b: int) -> int:\n    return 5\n")
    run = pytest_in(mini_kit, f"--dojo-tree={tree}")
    assert "1 failed, 1 passed" in run.stdout, run.stdout


@pytest.mark.parametrize(
    ("message", "named"),
    [
        ("(sqlite3.OperationalError) no such table: hotels\n[SQL: SELECT ...]", "table hotels"),
        ("(sqlite3.OperationalError) no such column: deals.version", "column deals.version"),
        ("<class 'asyncpg.exceptions.UndefinedTableError'>: relation \"deals\" does not exist", "table deals"),
        ('column "version" does not exist', "column version"),
        ("UNIQUE constraint failed: hotels.phone", None),
    ],
    ids=["sqlite-table", "sqlite-column", "postgres-relation", "postgres-column", "other-error"],
)
def test_a_missing_table_or_column_is_named_even_when_wrapped(message: str, named: str | None) -> None:
    from dojo.plugin import _missing_schema

    outer = ValueError("the app failed")
    outer.__cause__ = RuntimeError(message)
    assert _missing_schema(outer) == named


def test_suggested_commands_match_how_dojo_was_started(monkeypatch: pytest.MonkeyPatch) -> None:
    from dojo.paths import dojo_command

    monkeypatch.setenv("UV", "/usr/bin/uv")
    assert dojo_command() == "uv run dojo"
    monkeypatch.delenv("UV")
    monkeypatch.setenv("PATH", "/nonexistent")
    assert dojo_command() == "python -m dojo"
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))
    assert dojo_command() == "dojo"
