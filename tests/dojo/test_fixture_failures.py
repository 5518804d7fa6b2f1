"""Issue 8, item 5: a mutant counts as caught by a fixture's failure only when that fixture checks on purpose.

With ``--dojo-mutant-run`` (what `dojo verify` passes when it runs a mutant), a failure in setup or
teardown does not fail the test unless the test is marked ``fixture_check``; verify names the test
whose fixture noticed, so the leak can be caught by a named test instead.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.dojo.conftest import write
from tests.dojo.test_plugin import pytest_in

LEAKY_TESTS = '''
import warnings

import pytest

from katas.adder import add


@pytest.fixture
def leak_at_teardown():
    yield
    warnings.warn("unclosed connection", ResourceWarning)


@pytest.fixture
def broken_setup():
    raise RuntimeError("the fixture could not start")


def test_noticed_only_at_teardown(leak_at_teardown):
    assert add(2, 3) == 5


def test_noticed_only_at_setup(broken_setup):
    assert add(2, 3) == 5


@pytest.mark.fixture_check
def test_whose_fixture_checks_on_purpose(leak_at_teardown):
    assert add(2, 3) == 5
'''


@pytest.fixture
def leaky_kit(mini_kit):
    write(mini_kit / "tests" / "katas" / "test_adder.py", LEAKY_TESTS)
    text = (mini_kit / "pyproject.toml").read_text()
    (mini_kit / "pyproject.toml").write_text(text + 'filterwarnings = ["error"]\n')
    return mini_kit


def outcomes(root: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], dict[str, str], dict[str, Any]]:
    report = root / "report.json"
    run = pytest_in(root, "--target", "solutions", f"--dojo-report={report}", *args)
    data = json.loads(report.read_text())
    return run, {t["nodeid"].rsplit("::", 1)[1]: t["outcome"] for t in data["tests"]}, data


def test_without_the_flag_a_fixture_failure_fails_the_test(leaky_kit):
    run, seen, _ = outcomes(leaky_kit)
    assert run.returncode == 1
    assert seen == {
        "test_noticed_only_at_teardown": "error",
        "test_noticed_only_at_setup": "error",
        "test_whose_fixture_checks_on_purpose": "error",
    }


def test_in_a_mutant_run_only_a_deliberate_fixture_check_counts(leaky_kit):
    run, seen, data = outcomes(leaky_kit, "--dojo-mutant-run")
    assert run.returncode == 1, run.stdout
    assert seen == {
        "test_noticed_only_at_teardown": "passed",
        "test_noticed_only_at_setup": "skipped",
        "test_whose_fixture_checks_on_purpose": "error",
    }
    notes = data["uncounted_fixture_failures"]
    assert sorted(nodeid.rsplit("::", 1)[1] for nodeid in notes) == ["test_noticed_only_at_setup", "test_noticed_only_at_teardown"]
    assert all("mark the test fixture_check" in note for note in notes.values())


def test_a_mutant_caught_only_by_a_leak_survives_and_verify_names_the_test(leaky_kit):
    from tests.dojo.conftest import run_dojo

    tests = leaky_kit / "tests" / "katas" / "test_adder.py"
    # Only the teardown leak and the setup crash remain: nothing in a test's body depends on b.
    tests.write_text(
        LEAKY_TESTS.replace("@pytest.mark.fixture_check\n", "").replace("add(2, 3) == 5", "add(2, 0) == 2")
    )
    mutants = run_dojo(leaky_kit, "verify", "--only", "adder", "--no-lint")
    assert mutants.returncode == 1
    assert "'ignores_b' survived: only a fixture noticed" in mutants.stdout
    assert "mark the test fixture_check if deliberate" in mutants.stdout
