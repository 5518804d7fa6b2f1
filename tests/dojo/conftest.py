"""A miniature kit on disk: one exercise with a stub, a solution, tests and mutants.

The kit's own tests run the real tooling (plugin, CLI, verify) against this copy through
``DOJO_ROOT``, so they never touch the learner's files in the real checkout.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import pytest

CURRICULUM = '''
[[exercise]]
slug = "adder"
title = "Add two numbers"
kind = "kata"
topic = "basics"
difficulty = "easy"
hints = ["What does + do?", "return a + b"]
talking_points = ["Addition is commutative."]
'''

STUB = '''
"""Add two numbers.

Write `add(a, b)`.
"""


def add(a: int, b: int) -> int:
    raise NotImplementedError("add")  # TODO
'''

SOLUTION = '''
def add(a: int, b: int) -> int:
    return a + b
'''

TESTS = '''
from katas.adder import add


def test_adds_small_numbers():
    assert add(2, 3) == 5


def test_adds_negative_numbers():
    assert add(-2, -3) == -5
'''

MUTANTS = '''
[[mutant]]
name = "subtracts"
why = "minus instead of plus"
old = "a + b"
new = "a - b"

[[mutant]]
name = "ignores_b"
why = "forgets the second argument"
old = "a + b"
new = "a + 0"
'''

BASELINE = '''
# every mutant of `a + b` is caught; an out-of-date fingerprint, so a quick verify runs the whole pass
fingerprint = "out-of-date"
mutants = 1
killed = 1
'''

PYPROJECT = '''
[tool.pytest.ini_options]
testpaths = ["tests"]
addopts = ["--import-mode=importlib", "--strict-markers", "-p", "no:cacheprovider"]
asyncio_default_fixture_loop_scope = "function"
'''


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dedent(text).lstrip(), encoding="utf-8")


@pytest.fixture
def mini_kit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "kit"
    write(root / "curriculum.toml", CURRICULUM)
    write(root / "pyproject.toml", PYPROJECT)
    write(root / "conftest.py", 'pytest_plugins = ("dojo.plugin",)\n')
    for tree in ("pristine", "solutions"):
        write(root / tree / "katas" / "__init__.py", "")
        write(root / tree / "reviews" / "__init__.py", "")
    write(root / "pristine" / "katas" / "adder.py", STUB)
    write(root / "solutions" / "katas" / "adder.py", SOLUTION)
    write(root / "tests" / "katas" / "test_adder.py", TESTS)
    write(root / "tests" / "mutants" / "adder.toml", MUTANTS)
    write(root / "tests" / "mutation" / "adder.toml", BASELINE)
    monkeypatch.setenv("DOJO_ROOT", str(root))
    monkeypatch.delenv("DOJO_TARGET", raising=False)
    return root


def interruptible() -> None:
    """``preexec_fn`` for a pexpect child: Ctrl-C reaches it as it would from a terminal.

    A shell starts a background job (``pytest ... &``) with SIGINT ignored, and an ignored signal is
    inherited across exec: Python then installs no KeyboardInterrupt handler, and a test that sends
    Ctrl-C to a drill or to watch would wait for it in vain."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run_dojo(root: Path, *args: str, columns: int = 200) -> subprocess.CompletedProcess[str]:
    """Run the real `dojo` command against a kit folder, as a user would, on a terminal ``columns`` wide."""
    env = {**os.environ, "DOJO_ROOT": str(root), "COLUMNS": str(columns), "NO_COLOR": "1"}
    env.pop("CI", None)
    return subprocess.run(
        [sys.executable, "-m", "dojo", *args], cwd=root, env=env, capture_output=True, text=True, check=False
    )
