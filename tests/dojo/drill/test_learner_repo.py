"""The capstone's own git repository: created without touching the work, and kept by dojo reset."""

from __future__ import annotations

from pathlib import Path

from dojo.curriculum import load
from dojo.drill import git as drill_git
from dojo.workspace import materialize, reset
from tests.dojo.drill.conftest import ROUND1, git


def test_the_drill_commits_the_package_as_it_is_and_a_reset_keeps_its_history(drill_kit: Path):
    curriculum = load(drill_kit)
    materialize(drill_kit, curriculum)
    package = drill_kit / "katas" / "deals_api"
    (package / "core.py").write_text(ROUND1)  # work from before the drill is committed, not replaced
    base = drill_git.ensure_repo(package)
    assert drill_git.ensure_repo(package) == base, "a second drill reuses the repository"
    assert git(package, "show", "HEAD:core.py") == ROUND1.strip()
    assert git(package, "status", "--porcelain") == ""
    git(package, "commit", "-q", "--allow-empty", "-m", "feat: more")

    outcome = reset(drill_kit, curriculum.get("round1"))
    assert outcome.backup is not None
    assert not list(outcome.backup.rglob(".git")), "the backup holds the work, not the repository"
    assert ".gitignore" in " ".join(outcome.removed)
    assert git(package, "log", "--format=%s") == "feat: more\nchore: the starter, before the interview"
    assert (package / "core.py").read_text() != ROUND1, "the starter is back, the history is still there"
