"""A miniature kit for the drills (a kata, a review with its key, a two-round capstone) and a real terminal.

Drills run as the learner runs them: ``python -m dojo drill ...`` in a pseudo-terminal (pexpect), with
the clock read from a file the test rewrites (``DOJO_DRILL_CLOCK``), so time moves only when the test
says and nothing waits on the wall clock. pexpect's ``expect`` is the only synchronisation.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from textwrap import dedent

import pexpect
import pytest

from tests.dojo.conftest import interruptible, write

CAPSTONE = """
[[exercise]]
slug = "round1"
title = "Deals round 1: list"
kind = "capstone"
group = "capstone"
topic = "reads"
difficulty = "easy"
timebox_minutes = 15
path = "katas/deals_api"
tests = ["tests/capstone/test_round1.py"]
hints = ["Return the two names."]
talking_points = ["Reads first."]

[[exercise]]
slug = "round2"
title = "Deals round 2: count"
kind = "capstone"
group = "capstone"
topic = "aggregation"
difficulty = "easy"
timebox_minutes = 10
path = "katas/deals_api"
tests = ["tests/capstone/test_round2.py"]
hints = ["len() of the list."]
talking_points = ["Count in SQL at scale."]

[[exercise]]
slug = "smelly"
title = "Review: first item"
kind = "review"
topic = "review"
difficulty = "easy"
timebox_minutes = 10
hints = ["Which index is the first?"]
talking_points = ["Off by one."]
"""

README = """
# Deals

## Round 1: listing

> "List the deals."

Write `list_deals()`.

## Round 2: counting

> "Count the deals."

Write `count_deals()`.
"""

STARTER = '''
def list_deals() -> list[str]:
    raise NotImplementedError("list_deals")  # TODO


def count_deals() -> int:
    raise NotImplementedError("count_deals")  # TODO
'''

ROUND1 = '''
def list_deals() -> list[str]:
    return ["spa", "city"]


def count_deals() -> int:
    raise NotImplementedError("count_deals")  # TODO
'''

BOTH_ROUNDS = '''
def list_deals() -> list[str]:
    return ["spa", "city"]


def count_deals() -> int:
    return len(list_deals())
'''

FLAWED_REVIEW = '''
"""Review: `first(items)` returns the first item of a non-empty list. Time box: 10 minutes."""


def first(items: list[int]) -> int:
    return items[1]
'''

FIXED_REVIEW = '''
def first(items: list[int]) -> int:
    return items[0]
'''

ANSWERS = '''
summary = "An off-by-one."

[[finding]]
line = 5
title = "Off by one: index 1 is the second item"
keywords = ["index|off by one|off-by-one", "second|1|one"]
why = "Lists count from zero."
severity = "high"
fix = "items[0]"
lint = []
tests = ["test_first_is_the_first"]

[[finding]]
line = 4
title = "No error for an empty list"
keywords = ["empty", "error|raise|indexerror|exception"]
why = "An empty list raises a bare IndexError."
severity = "low"
fix = "say so in the docstring"
lint = []
tests = ["test_first_is_the_first"]
'''


@pytest.fixture
def drill_kit(mini_kit: Path, tmp_path: Path) -> Path:
    root = mini_kit
    (root / "curriculum.toml").write_text((root / "curriculum.toml").read_text() + dedent(CAPSTONE))
    for tree, code in (("pristine", STARTER), ("solutions", BOTH_ROUNDS)):
        write(root / tree / "katas" / "deals_api" / "__init__.py", '"""The deals."""\n')
        write(root / tree / "katas" / "deals_api" / "core.py", code)
        write(root / tree / "katas" / "deals_api" / "README.md", README)
    write(root / "pristine" / "reviews" / "smelly.py", FLAWED_REVIEW)
    write(root / "solutions" / "reviews" / "smelly.py", FIXED_REVIEW)
    write(root / "solutions" / "reviews" / "smelly.answers.toml", ANSWERS)
    write(
        root / "tests" / "capstone" / "test_round1.py",
        "from katas.deals_api.core import list_deals\n\n\ndef test_lists():\n    assert list_deals() == ['spa', 'city']\n",
    )
    write(
        root / "tests" / "capstone" / "test_round2.py",
        "from katas.deals_api.core import count_deals\n\n\ndef test_counts():\n    assert count_deals() == 2\n",
    )
    write(
        root / "tests" / "reviews" / "test_smelly.py",
        "from reviews.smelly import first\n\n\ndef test_first_is_the_first():\n    assert first([7, 8]) == 7\n",
    )
    return root


class Terminal:
    """``dojo`` in a real pseudo-terminal, 120 columns wide, on a clock the test moves."""

    def __init__(self, root: Path, clock: Path) -> None:
        self.root, self.clock = root, clock
        self.children: list[pexpect.spawn[str]] = []
        self.set_clock(0)

    def set_clock(self, seconds: float) -> None:
        temp = self.clock.with_suffix(".tmp")
        temp.write_text(str(seconds))
        temp.replace(self.clock)  # atomic: the drill never reads half a number

    def spawn(self, *args: str) -> pexpect.spawn[str]:
        env = {**os.environ, "DOJO_ROOT": str(self.root), "DOJO_DRILL_CLOCK": str(self.clock), "TERM": "xterm-256color"}
        for name in ("CI", "NO_COLOR", "COLUMNS", "LINES", "UV", "DOJO_TARGET"):
            env.pop(name, None)
        child = pexpect.spawn(
            sys.executable, ["-m", "dojo", *args], cwd=str(self.root), env=env, dimensions=(50, 160),
            encoding="utf-8", preexec_fn=interruptible, timeout=90,  # generous: CI machines are shared
        )  # fmt: skip
        self.children.append(child)
        return child


@pytest.fixture
def terminal(drill_kit: Path, tmp_path: Path) -> Iterator[Terminal]:
    session = Terminal(drill_kit, tmp_path / "clock")
    yield session
    for child in session.children:  # a failed test must not leave a drill running
        if child.isalive():
            child.terminate(force=True)


def git(directory: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "T",
           "GIT_COMMITTER_EMAIL": "t@example.com"}  # fmt: skip
    done = subprocess.run(["git", *args], cwd=directory, env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()
