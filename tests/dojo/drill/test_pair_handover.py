"""Remote pairs hand over through git (dojo pair start/next/done), with a local bare repository as the remote."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dojo.cli import app
from tests.dojo.drill.conftest import ROUND1, STARTER, git
from tests.dojo.test_cli import SOLVED


@pytest.fixture
def pair(drill_kit: Path, tmp_path: Path):
    """Two machines (two copies of the kit) and the remote they share."""
    ana, ben = drill_kit, tmp_path / "ben-kit"
    shutil.copytree(ana, ben)
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    runner = CliRunner()

    def dojo(kit: Path, *args: str) -> str:
        result = runner.invoke(app, list(args), env={"DOJO_ROOT": str(kit), "COLUMNS": "300"})
        assert result.exit_code == 0, result.output
        return result.output

    def refused(kit: Path, *args: str) -> str:
        result = runner.invoke(app, list(args), env={"DOJO_ROOT": str(kit), "COLUMNS": "300"})
        assert result.exit_code == 1, result.output
        return result.output

    return ana, ben, remote, dojo, refused


def test_work_in_progress_travels_both_ways_and_is_squashed_at_the_end(pair):
    ana, ben, remote, dojo, refused = pair
    assert "you drive" in dojo(ana, "pair", "start", "capstone", "--remote", str(remote))
    ana_pkg, ben_pkg = ana / "katas" / "deals_api", ben / "katas" / "deals_api"
    (ana_pkg / "core.py").write_text(ROUND1)
    (ana_pkg / "notes.txt").write_text("ask about soft delete\n")  # untracked files travel too
    assert "Your partner runs" in dojo(ana, "pair", "next")
    assert (ana_pkg / "core.py").read_text() == STARTER.lstrip(), "after next, ana is back on main"
    assert git(remote, "log", "--format=%s", "pair/main").startswith("pair: work in progress")

    ben_pkg.mkdir(parents=True, exist_ok=True)
    (ben_pkg / "core.py").write_text("# ben's own experiment\n")  # not a repository: backed up, then replaced
    joined = dojo(ben, "pair", "start", "capstone", "--remote", str(remote))
    assert "backed up" in joined
    assert (ben_pkg / "core.py").read_text() == ROUND1
    assert (ben_pkg / "notes.txt").read_text() == "ask about soft delete\n"
    [kept] = (ben / ".dojo" / "backups" / "pair").glob("*/katas/deals_api/core.py")
    assert kept.read_text() == "# ben's own experiment\n"
    (ben_pkg / "core.py").write_text(ROUND1 + "\n# ben was here\n")
    dojo(ben, "pair", "next")

    (ana_pkg / "scratch.py").write_text("x = 1\n")  # uncommitted on main: start must not mix it in
    blocked = refused(ana, "pair", "start")
    assert "stash push -u" in blocked
    assert (ana_pkg / "scratch.py").read_text() == "x = 1\n"
    git(ana_pkg, "stash", "push", "-u", "-q", "-m", "before dojo pair start")  # the printed fix, run as is
    dojo(ana, "pair", "start")
    assert (ana_pkg / "core.py").read_text().endswith("# ben was here\n")

    (ana_pkg / "core.py").write_text((ana_pkg / "core.py").read_text() + "# last touch, never committed\n")
    assert "squashed onto main" in dojo(ana, "pair", "done")
    assert git(ana_pkg, "symbolic-ref", "--short", "HEAD") == "main"
    staged = git(ana_pkg, "diff", "--cached")
    assert "ben was here" in staged
    assert "last touch, never committed" in staged, "uncommitted work is part of the squash"
    assert "pair/main" not in git(remote, "branch", "--list")
    assert "before dojo pair start" in git(ana_pkg, "stash", "list"), "the stashed change is still there"


def test_a_half_done_merge_gets_a_copy_and_paste_fix_and_nothing_changes(pair):
    ana, _, remote, dojo, refused = pair
    dojo(ana, "pair", "start", "capstone", "--remote", str(remote))
    package = ana / "katas" / "deals_api"
    (package / "core.py").write_text(ROUND1)
    head = git(package, "rev-parse", "HEAD")
    (package / ".git" / "MERGE_HEAD").write_text(head + "\n")
    blocked = refused(ana, "pair", "next")
    assert "middle of a merge" in blocked
    assert f"git -C {package} merge --abort" in blocked
    assert (package / "core.py").read_text() == ROUND1
    assert git(package, "rev-parse", "HEAD") == head


def test_without_a_remote_start_says_how_to_give_one(drill_kit: Path):
    result = CliRunner().invoke(app, ["pair", "start", "capstone"], env={"DOJO_ROOT": str(drill_kit)})
    assert result.exit_code == 2
    assert "--remote URL" in result.output


def test_a_push_the_remote_refuses_keeps_the_work_committed_and_prints_the_fix(pair):
    ana, ben, remote, dojo, refused = pair
    dojo(ana, "pair", "start", "capstone", "--remote", str(remote))
    dojo(ana, "pair", "next")
    dojo(ben, "pair", "start", "capstone", "--remote", str(remote))
    dojo(ana, "pair", "start")  # both drive at once: the remote can take only one of them
    ana_pkg, ben_pkg = ana / "katas" / "deals_api", ben / "katas" / "deals_api"
    (ana_pkg / "core.py").write_text(ROUND1)
    dojo(ana, "pair", "next")
    (ben_pkg / "notes.txt").write_text("ben's idea\n")
    blocked = refused(ben, "pair", "next")
    assert f"git -C {ben_pkg} pull --rebase pair pair/main" in blocked
    assert "ben's idea" in git(ben_pkg, "show", "HEAD:notes.txt"), "ben's work is committed, not lost"
    git(ben_pkg, "pull", "-q", "--rebase", "pair", "pair/main")  # the printed fix, as is
    dojo(ben, "pair", "next")
    assert git(remote, "show", "pair/main:notes.txt") == "ben's idea"
    assert git(remote, "show", "pair/main:core.py") == ROUND1.strip()


def test_a_kata_pair_shares_the_katas_folder_and_later_turns_need_no_arguments(pair):
    ana, ben, remote, dojo, _ = pair
    dojo(ana, "pair", "start", "adder", "--remote", str(remote))
    (ana / "katas" / "adder.py").write_text(SOLVED)
    dojo(ana, "pair", "next")
    dojo(ben, "pair", "start", "adder", "--remote", str(remote))
    assert (ben / "katas" / "adder.py").read_text() == SOLVED
    dojo(ben, "pair", "next")
    dojo(ana, "pair", "start")  # the session remembers the folder and the remote
    assert (ana / "katas" / "adder.py").read_text() == SOLVED
    assert git(ana / "katas", "symbolic-ref", "--short", "HEAD") == "pair/main"


def test_the_hand_over_runs_in_a_real_terminal(terminal, tmp_path: Path):
    import pexpect

    remote = tmp_path / "shared.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    started = terminal.spawn("pair", "start", "capstone", "--remote", str(remote))
    started.expect_exact("you drive")
    started.expect(pexpect.EOF)
    (terminal.root / "katas" / "deals_api" / "core.py").write_text(ROUND1)
    handed = terminal.spawn("pair", "next")
    handed.expect_exact("Your partner runs")
    handed.expect(pexpect.EOF)
    handed.close()
    assert handed.exitstatus == 0
    assert git(remote, "show", "pair/main:core.py") == ROUND1.strip()
