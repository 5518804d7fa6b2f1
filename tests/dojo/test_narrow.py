"""Every learner-facing screen at 80 columns: no line wider, nothing cut with "…", no line padded out
to the terminal's edge, a wrapped line under its own text, and every command whole on one line.

The kit here has one exercise whose slug, title, hints and talking points are long on purpose: at
80 columns each of them has to wrap somewhere.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.dojo.conftest import MUTANTS, PYPROJECT, run_dojo, write

SLUG = "two_number_adder"

CURRICULUM = f'''
[[exercise]]
slug = "{SLUG}"
title = "Add two numbers, the way an interviewer asks for it, with every edge case they like to probe"
kind = "kata"
topic = "basics"
difficulty = "easy"
timebox_minutes = 10
hints = [
    "What does the + operator do with two ints, and what does it do with a bool, which is an int too in Python?",
    "Return a + b, and run `dojo check {SLUG}` to see which tests still fail after that one line.",
]
talking_points = [
    "Addition is commutative and associative for ints, so the order of the operands never changes the answer.",
    "Python ints never overflow: a + b grows to as many digits as it needs, unlike a C int or a Java long.",
]
'''

STUB = f'''
"""Add two numbers.

Write `add(a, b)`, which returns the sum of two ints, whatever their size and whatever their sign.

Run `dojo check {SLUG}`; `dojo hint {SLUG}` when stuck.
"""


def add(a: int, b: int) -> int:
    raise NotImplementedError("add")  # TODO
'''

SOLUTION = """
def add(a: int, b: int) -> int:
    return a + b
"""

TESTS = f"""
from katas.{SLUG} import add


def test_adds_small_numbers():
    assert add(2, 3) == 5


def test_adds_negative_numbers():
    assert add(-2, -3) == -5
"""

PROGRAM = "uv run dojo"  # UV is set below: the prefix the kit's commands get under uv


@pytest.fixture
def wordy_kit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "kit"
    write(root / "curriculum.toml", CURRICULUM)
    write(root / "pyproject.toml", PYPROJECT)
    write(root / "conftest.py", 'pytest_plugins = ("dojo.plugin",)\n')
    for tree in ("pristine", "solutions"):
        write(root / tree / "katas" / "__init__.py", "")
        write(root / tree / "reviews" / "__init__.py", "")
    write(root / "pristine" / "katas" / f"{SLUG}.py", STUB)
    write(root / "solutions" / "katas" / f"{SLUG}.py", SOLUTION)
    write(root / "tests" / "katas" / f"test_{SLUG}.py", TESTS)
    write(root / "tests" / "mutants" / f"{SLUG}.toml", MUTANTS)
    monkeypatch.setenv("DOJO_ROOT", str(root))
    monkeypatch.setenv("UV", "uv")
    monkeypatch.delenv("DOJO_TARGET", raising=False)
    return root


def solve(root: Path) -> None:
    write(root / "katas" / "__init__.py", "")
    write(root / "katas" / f"{SLUG}.py", SOLUTION)


def assert_reads_well(text: str, allowed: tuple[str, ...] = ()) -> list[str]:
    """The text's lines, after checking that none is wider than 80, cut with "…" or padded to the edge."""
    lines = text.splitlines()
    checked = [line for line in lines if not line.startswith(allowed)]
    assert not [line for line in checked if len(line.rstrip()) > 80], f"a line over 80 columns:\n{text}"
    assert "…" not in "\n".join(checked), f"something was cut short:\n{text}"
    padded = [line for line in checked if line.endswith("  ")]
    assert not padded, f"lines padded with spaces to the terminal's width: {padded}"
    return lines


def test_talking_points_at_80_columns_hang_under_the_bullet_unpadded(wordy_kit):
    solve(wordy_kit)
    run = run_dojo(wordy_kit, "check", SLUG, columns=80)
    assert run.returncode == 0, run.stdout + run.stderr
    lines = assert_reads_well(run.stdout)
    start = next(index for index, line in enumerate(lines) if line.startswith("  • Addition is commutative"))
    assert lines[start + 1].startswith("    "), run.stdout
    assert lines[start + 1].strip(), run.stdout
    assert lines[start + 2].startswith("  • Python ints never overflow"), run.stdout
