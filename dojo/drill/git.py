"""The little git a drill needs: a learner repository, its HEAD, and the commits made since a point.

Every call goes through ``run`` so a missing git, or git refusing, becomes a ``GitProblem`` with a
message for people instead of a traceback.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Final

STARTER_SUBJECT: Final = "chore: the starter, before the interview"
# Used only when the learner has no git identity: a drill must not fail on a fresh machine.
FALLBACK_IDENTITY: Final = ("-c", "user.name=Backend Dojo learner", "-c", "user.email=learner@backend-dojo.invalid")
LEARNER_GITIGNORE: Final = "__pycache__/\n*.pyc\n.mypy_cache/\n.ruff_cache/\n*.db\n*.sqlite3\n"


class GitProblem(RuntimeError):
    """git is missing, or refused; the message says what to do."""


def run(directory: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    if shutil.which("git") is None:
        raise GitProblem("git is not installed: the capstone drill and `dojo pair` need it (https://git-scm.com)")
    completed = subprocess.run(["git", *args], cwd=directory, text=True, capture_output=True, check=False)
    if check and completed.returncode != 0:
        detail = (completed.stderr or completed.stdout).strip().splitlines()
        raise GitProblem(f"git {' '.join(args)} failed in {directory}: {detail[-1] if detail else completed.returncode}")
    return completed


def is_repo_root(directory: Path) -> bool:
    return (directory / ".git").exists()


def identity(directory: Path) -> tuple[str, ...]:
    configured = run(directory, "config", "user.email", check=False).stdout.strip()
    return () if configured else FALLBACK_IDENTITY


def commit(directory: Path, message: str, *extra: str) -> None:
    run(directory, *identity(directory), "commit", "-q", "--no-verify", "-m", message, *extra)


def ensure_repo(directory: Path) -> str:
    """Make ``directory`` a repository of its own (its files committed as the starter); return HEAD."""
    if not is_repo_root(directory):
        run(directory, "init", "-q", "-b", "main")
    ignore = directory / ".gitignore"
    if not ignore.exists():
        ignore.write_text(LEARNER_GITIGNORE, encoding="utf-8")
    sha = head(directory)
    if sha is None:
        run(directory, "add", "-A")
        commit(directory, STARTER_SUBJECT, "--allow-empty")
        sha = head(directory)
    assert sha is not None
    return sha


def head(directory: Path) -> str | None:
    completed = run(directory, "rev-parse", "--verify", "-q", "HEAD", check=False)
    return completed.stdout.strip() or None if completed.returncode == 0 else None


def commits_since(directory: Path, since: str | None) -> list[tuple[str, str]]:
    """(sha, subject) of the commits on HEAD that ``since`` does not contain, oldest first."""
    if head(directory) is None:
        return []
    span = f"{since}..HEAD" if since else "HEAD"
    completed = run(directory, "log", "--reverse", "--format=%H%x09%s", span, check=False)
    if completed.returncode != 0:
        return []
    found: list[tuple[str, str]] = []
    for line in completed.stdout.splitlines():
        sha, _, subject = line.partition("\t")
        found.append((sha, subject))
    return found
