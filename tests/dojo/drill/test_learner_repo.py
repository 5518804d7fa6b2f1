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


def test_commits_made_while_a_drill_was_paused_belong_to_the_round_it_resumes_in(drill_kit: Path):
    from rich.console import Console

    from dojo.drill.clock import DrillClock
    from dojo.drill.commits import CommitJudge
    from dojo.drill.loop import Loop
    from dojo.drill.machine import CommitsSeen, DrillMachine, Key, TestsFinished
    from dojo.drill.plan import build
    from dojo.testing import FakeClock

    curriculum = load(drill_kit)
    materialize(drill_kit, curriculum)
    package = drill_kit / "katas" / "deals_api"
    base = drill_git.ensure_repo(package)
    plan = build(drill_kit, curriculum, "capstone")
    machine = DrillMachine(plan, DrillClock(FakeClock(0)))
    (package / "core.py").write_text(ROUND1)
    git(package, "commit", "-qam", "feat: list")
    machine.handle(CommitsSeen(((git(package, "rev-parse", "HEAD"), "feat: list"),)))
    machine.handle(Key("r"))
    machine.handle(TestsFinished("round1", 1, 1))
    machine.handle(Key("n"))  # round 2, then Ctrl-C; meanwhile:
    git(package, "commit", "-q", "--allow-empty", "-m", "feat: count, while paused")

    judge = CommitJudge(drill_kit, plan, package)
    resumed = Loop(drill_kit, machine, Console(), lambda: None, judge=judge, base=base)
    resumed.last_head = resumed.start_point()
    found = resumed.new_commits()
    judge.close()
    assert [subject for _, subject in found] == ["feat: count, while paused"]
    machine.note_commits(found)
    assert [(c.subject, c.step) for c in machine.state.commits] == [("feat: list", "round1"), ("feat: count, while paused", "round2")]
