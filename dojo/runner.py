"""Running the suite in a child pytest, and reading back each test's outcome.

Every command that needs results (check, list, solution, verify) goes through here, so they agree on
what "passes" means: every collected test of the exercise passed, none skipped, no collection error.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dojo.curriculum import Exercise
from dojo.forkserver import ForkServer, ForkServerError

PASS_OUTCOMES = frozenset({"passed"})


@dataclass(frozen=True)
class TestOutcome:
    nodeid: str
    slug: str | None
    guard: bool
    outcome: str  # passed | failed | error | skipped
    message: str = ""  # a failure as the learner sees it (see dojo.failures)

    @property
    def passed(self) -> bool:
        return self.outcome in PASS_OUTCOMES


@dataclass(frozen=True)
class RunResult:
    exitstatus: int
    tests: tuple[TestOutcome, ...]
    collection_errors: tuple[str, ...]
    output: str
    # With --dojo-mutant-run: tests whose fixture failed at setup or teardown, which did not count.
    uncounted: dict[str, str] = field(default_factory=dict)

    def for_slug(self, slug: str) -> tuple[TestOutcome, ...]:
        return tuple(test for test in self.tests if test.slug == slug)

    def all_passed(self) -> bool:
        return bool(self.tests) and not self.collection_errors and all(test.passed for test in self.tests)

    def slug_passed(self, slug: str) -> bool:
        mine = self.for_slug(slug)
        return bool(mine) and not self.collection_errors and all(test.passed for test in mine)


def marker_expression(exercises: Iterable[Exercise]) -> str:
    return " or ".join(exercise.slug for exercise in exercises)


def selection(exercises: Sequence[Exercise]) -> list[str]:
    """pytest arguments that run just these exercises: their marker and, so nothing else is even
    collected (a whole-suite collection costs seconds), their test files."""
    files = sorted({test for exercise in exercises for test in exercise.tests})
    return ["-m", marker_expression(exercises), *files]


def run_pytest(
    root: Path,
    args: Sequence[str],
    *,
    target: str | None = None,
    tree: Path | None = None,
    capture: bool = True,
    extra_env: dict[str, str] | None = None,
    drop_env: Sequence[str] = (),
    server: ForkServer | None = None,
) -> RunResult:
    """Run ``python -m pytest ARGS`` in ``root`` against a target (or a tree) and collect outcomes.

    With a ``server`` (dojo/forkserver.py), the run is a fork of it that already has pytest and the
    libraries imported; if it cannot take the run, a plain subprocess does."""
    with tempfile.TemporaryDirectory(prefix="dojo-run-") as scratch:
        report = Path(scratch) / "report.json"
        # Options as --name=value: pytest picks its rootdir from bare path-like arguments.
        command = [
            sys.executable, "-m", "pytest", f"--rootdir={root}", *args,
            f"--dojo-report={report}", "-p", "no:cacheprovider",
        ]  # fmt: skip
        if tree is not None:
            command.append(f"--dojo-tree={tree}")
        elif target is not None:
            command.append(f"--target={target}")
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(extra_env or {})}
        for name in ("DOJO_TARGET", *drop_env):
            env.pop(name, None)
        if server is not None and capture:
            try:
                status, output = server.run(command[3:], cwd=root, env=env)
            except ForkServerError:
                pass  # a fresh interpreter below gives the same verdict, only slower
            else:
                return read_report(report, status, output)
        completed = subprocess.run(
            command,
            cwd=root,
            env=env,
            text=True,
            stdout=subprocess.PIPE if capture else None,
            stderr=subprocess.STDOUT if capture else None,
            check=False,
        )
        return read_report(report, completed.returncode, completed.stdout or "")


def read_report(report: Path, exitstatus: int, output: str) -> RunResult:
    """The outcomes a run wrote to its ``--dojo-report`` file (none, and why, when it wrote none)."""
    tests: tuple[TestOutcome, ...] = ()
    errors: tuple[str, ...] = ()
    uncounted: dict[str, str] = {}
    if report.is_file():
        data = json.loads(report.read_text(encoding="utf-8"))
        tests = tuple(
            TestOutcome(t["nodeid"], t["slug"], bool(t["guard"]), t["outcome"], t.get("message", ""))
            for t in data["tests"]
        )
        errors = tuple(data["collection_errors"])
        uncounted = {str(k): str(v) for k, v in data.get("uncounted_fixture_failures", {}).items()}
    elif exitstatus not in (0, 1, 5):
        errors = (f"pytest exited with status {exitstatus} before reporting",)
    return RunResult(exitstatus=exitstatus, tests=tests, collection_errors=errors, output=output, uncounted=uncounted)


def exercise_passes(root: Path, exercise: Exercise) -> bool:
    """Do all of the learner's tests for this exercise pass right now?"""
    result = run_pytest(root, ["-q", "-x", *selection([exercise])], target="learner")
    return result.slug_passed(exercise.slug)
