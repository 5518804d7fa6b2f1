"""`dojo watch` in a real pseudo-terminal (pexpect), as a learner drives it: keys, saves, resizes.

Every step waits for the text it expects on screen, never for time to pass.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect
import pytest

from tests.dojo.conftest import interruptible, write

SOLVED = "def add(a: int, b: int) -> int:\n    return a + b\n"
LONG_POINT = "Doubling is adding a number to itself, which is why double(x) equals add(x, x) for every x."

SECOND_EXERCISE = f'''
[[exercise]]
slug = "doubler"
title = "Double a number"
kind = "kata"
topic = "basics"
difficulty = "easy"
hints = ["Multiply."]
talking_points = ["{LONG_POINT}"]
'''


@pytest.fixture
def two_exercise_kit(mini_kit: Path) -> Path:
    with (mini_kit / "curriculum.toml").open("a", encoding="utf-8") as curriculum:
        curriculum.write(SECOND_EXERCISE)
    write(
        mini_kit / "pristine" / "katas" / "doubler.py",
        '"""Write `double(x)`."""\n\n\ndef double(x: int) -> int:\n    raise NotImplementedError  # TODO\n',
    )
    write(mini_kit / "solutions" / "katas" / "doubler.py", "def double(x: int) -> int:\n    return 2 * x\n")
    write(
        mini_kit / "tests" / "katas" / "test_doubler.py",
        "from katas.doubler import double\n\n\ndef test_doubles():\n    assert double(4) == 8\n",
    )
    return mini_kit


def spawn_watch(root: Path, columns: int = 80, rows: int = 24) -> pexpect.spawn[str]:
    env = {**os.environ, "DOJO_ROOT": str(root), "NO_COLOR": "1", "TERM": "xterm"}
    env.pop("CI", None)
    return pexpect.spawn(
        sys.executable, ["-m", "dojo", "watch"], cwd=str(root), env=env, dimensions=(rows, columns),
        encoding="utf-8", preexec_fn=interruptible, timeout=60,
    )  # fmt: skip


def save(path: Path, text: str) -> None:
    """Save as an editor does: the whole file at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_watch_walks_the_curriculum_with_single_keys(two_exercise_kit: Path) -> None:
    root = two_exercise_kit
    watch = spawn_watch(root)
    watch.expect_exact("exercise 1: adder")
    watch.expect_exact("not started")
    watch.expect_exact("Write add(a, b)")
    watch.expect_exact("watching ·")

    # Alt-Q and Ctrl-H are the terminal's or the editor's, not commands: neither quits nor hints.
    watch.send("\x1bq")
    watch.send("\x08")
    watch.send("h")
    watch.expect_exact("hint 1/2: What does + do?")

    # A save of the exercise's own file re-runs its tests; green shows the talking points and `n`.
    save(root / "katas" / "adder.py", SOLVED)
    watch.expect_exact("✔ passes (2/2 tests)")
    watch.expect_exact("Addition is commutative.")
    watch.expect_exact("n next")

    watch.send("n")
    watch.expect_exact("exercise 2: doubler")
    watch.expect_exact("not started")

    # A wrong answer: failures are listed learner-first, and `n` refuses to skip past them.
    mine = "def double(x: int) -> int:\n    return x + x + 1\n"
    save(root / "katas" / "doubler.py", mine)
    watch.expect_exact("✗ test_doubles")
    watch.expect_exact("assert 9 == 8")
    watch.send("n")
    watch.expect_exact("n moves on once the tests pass")

    # Reset asks first; anything but y changes nothing; y backs the work up, then restores the stub.
    watch.send("x")
    watch.expect_exact("Reset katas/doubler.py to the stub?")
    watch.send("q")
    watch.expect_exact("nothing changed")
    assert (root / "katas" / "doubler.py").read_text() == mine
    watch.send("x")
    watch.expect_exact("Reset katas/doubler.py to the stub?")
    watch.send("y")
    watch.expect_exact("backed up your work to .dojo/backups/doubler/")
    watch.expect_exact("not started")
    assert (root / "katas" / "doubler.py").read_text() == (root / "pristine" / "katas" / "doubler.py").read_text()
    backups = list((root / ".dojo" / "backups" / "doubler").glob("*/katas/doubler.py"))
    assert [backup.read_text() for backup in backups] == [mine]

    # The list picks any exercise: up, then enter, goes back to the solved adder.
    watch.send("l")
    watch.expect_exact("every exercise")
    watch.expect_exact("✔ adder")
    watch.send("k")
    watch.send("\r")
    watch.expect_exact("exercise 1: adder")
    watch.expect_exact("✔ passes")
    watch.send("s")
    watch.expect_exact("Your files match the reference exactly.")

    watch.send("q")
    watch.expect_exact("stopped watching adder.")
    watch.expect(pexpect.EOF)
    watch.close()
    assert watch.exitstatus == 0


def test_watch_redraws_to_the_new_size_when_the_terminal_is_resized(two_exercise_kit: Path) -> None:
    root = two_exercise_kit
    save(root / "katas" / "adder.py", SOLVED)
    save(root / "katas" / "doubler.py", "def double(x: int) -> int:\n    return 2 * x\n")
    watch = spawn_watch(root, columns=60)
    watch.expect_exact("exercise 1: adder")  # everything passes: watch starts at the first exercise
    watch.expect_exact("✔ passes")
    watch.send("n")
    watch.expect_exact("exercise 2: doubler")
    # 60 columns: the long talking point wraps under its text (a hanging indent), not under the bullet.
    watch.expect(r"• Doubling is adding a number to itself, which is why *\r\n {4}double\(x\)")
    watch.setwinsize(30, 120)
    watch.expect_exact(f"• {LONG_POINT}")
    watch.sendcontrol("c")
    watch.expect_exact("stopped watching doubler.")
    watch.expect(pexpect.EOF)
