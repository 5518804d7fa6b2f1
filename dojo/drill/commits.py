"""The capstone's version history, judged the way the playbook's pre-commit hook would judge it.

Each commit made during the drill is checked once, in the background as soon as it appears, so the
screen shows its verdict and the report lists them all. The check exports the commit (``git archive``)
into a temporary tree of its own and there runs its round's tests (with every earlier round's, as
``dojo check roundN`` does), ``ruff check`` with the kit's configuration, and ``mypy --strict``.
Nothing touches the learner's working folder or their repository's state; the export is deleted.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import tarfile
import tempfile
import threading
import tomllib
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from dojo.drill import git
from dojo.drill.machine import SeenCommit
from dojo.drill.plan import DrillPlan
from dojo.drill.session import drills_dir
from dojo.runner import run_pytest, selection

CONVENTIONAL: Final = re.compile(r"^(feat|fix|test|docs|refactor|perf|chore|style|build|ci|revert)(\([^)]+\))?!?: \S")
# mypy --strict as a pre-commit hook runs it, plus the kit's one allowance (asyncpg ships no types).
MYPY_INI: Final = """[mypy]
strict = True
explicit_package_bases = True
warn_unreachable = True

[mypy-asyncpg.*]
ignore_missing_imports = True
"""


@dataclass(frozen=True)
class CommitCheck:
    sha: str
    subject: str
    step: str
    conventional: bool
    tests: str  # "12/12", or why they could not run
    tests_ok: bool
    ruff_ok: bool
    mypy_ok: bool
    problems: tuple[str, ...]  # the first line of each failure, for the report

    @property
    def ok(self) -> bool:
        return self.conventional and self.tests_ok and self.ruff_ok and self.mypy_ok


def is_conventional(subject: str) -> bool:
    return bool(CONVENTIONAL.match(subject))


class CommitJudge:
    """Checks commits in the background as they appear, so the screen can show each verdict (as a
    pre-commit hook would) and the report at the end only waits for the last ones."""

    def __init__(self, root: Path, plan: DrillPlan, repo: Path) -> None:
        self.root, self.plan, self.repo = root, plan, repo
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dojo-commit")  # beside the drill's own runs
        self._checks: dict[str, Future[CommitCheck]] = {}

    def submit(self, sha: str, subject: str, step_slug: str) -> None:
        if sha not in self._checks:
            self._checks[sha] = self._pool.submit(_check, self.root, self.plan, self.repo, sha, subject, step_slug)

    def verdict(self, sha: str) -> CommitCheck | None:
        """The finished check of ``sha``, or None while it runs (or if it was never submitted)."""
        future = self._checks.get(sha)
        return future.result() if future is not None and future.done() and not future.exception() else None

    def history(self, base: str | None, seen: Sequence[SeenCommit], current: str) -> list[CommitCheck]:
        """Every commit after ``base`` still on HEAD, oldest first, in the round it appeared in (one the
        drill never saw, such as a rewritten one, in the ``current`` round)."""
        rounds = {commit.sha: commit.step for commit in seen}
        commits = git.commits_since(self.repo, base)
        for sha, subject in commits:  # checked now if not already: seen before a resume, or rewritten
            self.submit(sha, subject, rounds.get(sha, current))
        return [self._checks[sha].result() for sha, _ in commits]

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _check(root: Path, plan: DrillPlan, repo: Path, sha: str, subject: str, step_slug: str) -> CommitCheck:
    try:
        return _check_export(root, plan, repo, sha, subject, step_slug)
    except (OSError, subprocess.SubprocessError, tarfile.TarError) as error:  # a commit gone, a disk full
        return CommitCheck(sha, subject, step_slug, is_conventional(subject), "not run", False, False, False,
                           (f"could not check it: {error}",))  # fmt: skip


def _check_export(root: Path, plan: DrillPlan, repo: Path, sha: str, subject: str, step_slug: str) -> CommitCheck:
    step = next(step for step in plan.steps if step.slug == step_slug)
    with tempfile.TemporaryDirectory(prefix="dojo-commit-") as scratch:
        tree = Path(scratch)
        package = tree / plan.watched
        _export(repo, sha, package)
        for parent in package.relative_to(tree).parents:
            if parent != Path("."):
                (tree / parent / "__init__.py").touch()
        with ThreadPoolExecutor(max_workers=3) as pool:
            tests = pool.submit(run_pytest, root, ["-q", "--tb=no", *selection(step.checks)], tree=tree)
            ruff = pool.submit(_ruff, root, package)
            mypy = pool.submit(_mypy, root, tree, package)
            result, ruff_problem, mypy_problem = tests.result(), ruff.result(), mypy.result()
    wanted = {exercise.slug for exercise in step.checks}
    mine = [test for test in result.tests if test.slug in wanted]
    tests_ok = bool(mine) and not result.collection_errors and all(test.passed for test in mine)
    summary = f"{sum(test.passed for test in mine)}/{len(mine)}" if not result.collection_errors else "not collected"
    problems = [p for p in (ruff_problem, mypy_problem) if p]
    if not tests_ok:
        failing = [test.nodeid.rsplit("::", 1)[-1] for test in mine if not test.passed]
        problems.insert(0, f"tests: {', '.join(failing[:3]) or (result.collection_errors or ('no tests ran',))[0].splitlines()[0]}")
    conventional = is_conventional(subject)
    if not conventional:
        problems.insert(0, "message: not a conventional commit (feat: ..., fix: ..., test: ...)")
    return CommitCheck(sha, subject, step_slug, conventional, summary, tests_ok, ruff_problem is None, mypy_problem is None, tuple(problems))


def _export(repo: Path, sha: str, destination: Path) -> None:
    archive = subprocess.run(["git", "archive", "--format=tar", sha], cwd=repo, capture_output=True, check=True)
    destination.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(destination, filter="data")


def _python_files(package: Path) -> list[str]:
    return [str(path) for path in sorted(package.rglob("*.py"))]


def _ruff(root: Path, package: Path) -> str | None:
    files = _python_files(package)
    if not files:
        return None
    config = ["--config", str(root / "pyproject.toml")] if _has_ruff_config(root) else ["--isolated"]
    # Files are named one by one: the kit's config excludes katas/ from its own linting, and an
    # explicitly named file is linted whatever the excludes say.
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--quiet", "--output-format", "concise", *config, *files],
        capture_output=True,
        text=True,
        check=False,
    )
    return None if done.returncode == 0 else "ruff: " + _first(done.stdout or done.stderr, package)


_MYPY_CACHE_LOCK: Final = threading.Lock()  # one mypy at a time writes the shared cache


def _mypy(root: Path, tree: Path, package: Path) -> str | None:
    config = tree / "mypy.ini"
    config.write_text(MYPY_INI, encoding="utf-8")
    cache = drills_dir(root) / "mypy-cache"  # warm across commits: only what changed is re-checked
    with _MYPY_CACHE_LOCK:
        done = _mypy_run(tree, config, cache, package)
    return None if done.returncode == 0 else "mypy: " + _first(done.stdout or done.stderr, package)


def _mypy_run(tree: Path, config: Path, cache: Path, package: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(config), "--cache-dir", str(cache), "--no-error-summary",
         str(package.relative_to(tree))],
        cwd=tree,
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip


def _first(output: str, package: Path) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    line = lines[0] if lines else "failed"
    return line.replace(str(package) + "/", "")


def _has_ruff_config(root: Path) -> bool:
    try:
        data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return False
    tool = data.get("tool", {})
    return isinstance(tool, dict) and "ruff" in tool
